"""Scoped edits: a follow-up about elements picked in the preview changes those elements and nothing
else. The offline model understands a few requests on them: a colour ("make this red"), "bigger" or
"smaller", "remove this", "duplicate this" and "change the text to …". Each element is found by its
selector in the file's source and rewritten there, in place; the rest of the file is left byte for byte.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from vibe.adapters.html_elements import Parsed
from vibe.adapters.offline import words
from vibe.adapters.offline.edits import file_calls
from vibe.adapters.offline.palette import ACCENTS
from vibe.adapters.offline.replies import Plan, ToolCall
from vibe.domain.selection import ElementSpan
from vibe.domain.titles import language_of

__all__ = ["scoped_plan"]

_TEXT = re.compile(
    r"(?:change|set|make|replace|rename|update)\s+(?:the\s+|its\s+|this\s+)?"
    r"(?:text|words?|wording|title|label|heading|copy|caption)?\s*(?:of\s+(?:this|it)\s+)?"
    r"(?:to|with|into|as)\s*[:：]?\s*(?P<text>.+)$|(?:改成|改为|换成)\s*[:：]?\s*(?P<zh>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_REMOVE = re.compile(r"(?<![\w-])(?:remove|delete|hide|drop|get rid of)(?![\w-])|删除|去掉|移除", re.I)
_DUPLICATE = re.compile(r"(?<![\w-])(?:duplicate|copy|clone|repeat)(?![\w-])|复制|再来一个", re.I)
_BIGGER = re.compile(r"(?<![\w-])(?:bigger|larger|enlarge|increase|grow)(?![\w-])|大一点|放大|更大", re.I)
_SMALLER = re.compile(r"(?<![\w-])(?:smaller|shrink|reduce|tiny)(?![\w-])|小一点|缩小|更小", re.I)
_STYLE = re.compile(r"""(\sstyle\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_QUOTES = "\"'“”‘’「」『』"
_HELP = {
    "en": "With elements picked, I can offline make them a colour (“make this red”), bigger or smaller, "
    "remove or duplicate them, or change their text (“change the text to …”).",
    "zh": "选中元素后，离线模型可以：改颜色（“改成红色”）、放大或缩小、删除、复制，或修改文字（“改成……”）。",
}


def _declarations(style: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in style.split(";"):
        name, colon, value = part.partition(":")
        if colon and name.strip():
            out[name.strip().lower()] = value.strip()
    return out


def _restyle(start_tag: str, changes: dict[str, str]) -> str:
    """The start tag with ``changes`` set in its style attribute (added when it has none)."""
    found = _STYLE.search(start_tag)
    current = _declarations(html.unescape(found.group(2) or found.group(3) or "")) if found else {}
    current.update(changes)
    style = html.escape("; ".join(f"{k}: {v}" for k, v in current.items()), quote=True)
    if found:
        return f'{start_tag[: found.start()]}{found.group(1)}"{style}"{start_tag[found.end() :]}'
    close = len(start_tag) - (2 if start_tag.endswith("/>") else 1)
    return f'{start_tag[:close].rstrip()} style="{style}"{start_tag[close:]}'


def _is_button(start_tag: str, tag: str) -> bool:
    classes = re.search(r"""class\s*=\s*["']([^"']*)""", start_tag, re.I)
    names = classes.group(1).lower() if classes else ""
    return tag == "button" or "btn" in names or "button" in names or 'type="submit"' in start_tag.lower()


def _font_size(start_tag: str, factor: float) -> dict[str, str]:
    found = _STYLE.search(start_tag)
    current = _declarations(html.unescape(found.group(2) or found.group(3) or "")) if found else {}
    size = re.fullmatch(r"([\d.]+)em", current.get("font-size", ""))
    base = float(size.group(1)) if size else 1.0
    return {"font-size": f"{round(base * factor, 3):g}em"}


def _alone_on_lines(source: str, span: ElementSpan) -> tuple[int, int] | None:
    """(line start, after the line end) when nothing but the element and blanks is on its lines."""
    line_start = source.rfind("\n", 0, span.start) + 1
    line_end = source.find("\n", span.end)
    line_end = len(source) if line_end < 0 else line_end
    if source[line_start : span.start].strip() or source[span.end : line_end].strip():
        return None
    return line_start, min(line_end + 1, len(source))


class _Action:
    def __init__(self, prompt: str) -> None:
        text = _TEXT.search(prompt.strip())
        raw = (text.group("text") or text.group("zh")) if text else None
        self.text = raw.strip().strip(_QUOTES).strip() if raw else None
        self.remove = self.text is None and bool(_REMOVE.search(prompt))
        self.duplicate = self.text is None and not self.remove and bool(_DUPLICATE.search(prompt))
        self.factor = 1.25 if _BIGGER.search(prompt) else 0.8 if _SMALLER.search(prompt) else None
        colour = words.earliest(words.ACCENTS, prompt) if self.text is None else None
        self.colour = colour

    @property
    def anything(self) -> bool:
        return bool(self.text is not None or self.remove or self.duplicate or self.factor or self.colour)

    def apply(self, source: str, span: ElementSpan) -> str:
        outer = source[span.start : span.end]
        if self.remove:
            lines = _alone_on_lines(source, span)
            start, end = lines if lines else (span.start, span.end)
            return source[:start] + source[end:]
        if self.duplicate:
            lines = _alone_on_lines(source, span)
            if lines:
                indent = source[lines[0] : span.start]
                return f"{source[: span.end]}\n{indent}{outer}{source[span.end :]}"
            return source[: span.end] + outer + source[span.end :]
        if self.text is not None:
            if span.close_start <= span.open_end and span.close_start == span.end:
                return source  # a void element has no text
            inner = html.escape(self.text, quote=False)
            return source[: span.open_end] + inner + source[span.close_start :]
        start_tag = source[span.start : span.open_end]
        changes: dict[str, str] = {}
        if self.colour:
            hex_colour = ACCENTS[self.colour][0]
            if _is_button(start_tag, span.tag):
                changes |= {"background-color": hex_colour, "border-color": hex_colour, "color": "#ffffff"}
            else:
                changes["color"] = hex_colour
        if self.factor:
            changes |= _font_size(start_tag, self.factor)
        return source[: span.start] + _restyle(start_tag, changes) + source[span.open_end :]

    def words(self, count: int, lang: str) -> tuple[str, str]:
        one = "the picked element" if count == 1 else f"the {count} picked elements"
        things = one if lang == "en" else "选中的元素"
        if lang == "zh":
            return f"我只修改{things}。", f"已修改{things}，文件的其他部分保持不变。"
        if self.remove:
            did = f"removed {things}"
        elif self.duplicate:
            did = f"duplicated {things}"
        elif self.text is not None:
            did = f"changed the text of {things} to “{self.text}”"
        else:
            done = ([f"made {things} {self.colour}"] if self.colour else []) + (
                [f"made {things} {'bigger' if (self.factor or 1) > 1 else 'smaller'}"] if self.factor else []
            )
            did = " and ".join(done)
        return f"I'll change only {things} and leave the rest of the page as it is.", f"Done: {did}."


def _inside(inner: ElementSpan, outer: ElementSpan) -> bool:
    return inner != outer and outer.start <= inner.start and inner.end <= outer.end


def scoped_plan(prompt: str, files: dict[str, str], selection: Sequence[tuple[str, str]]) -> Plan:
    """The plan of a follow-up scoped to ``selection`` ((path, selector) pairs) of ``files``."""
    lang = language_of(prompt)
    action = _Action(prompt)
    if not action.anything:
        return Plan(lang=lang, intro=_HELP[lang], calls=(), done=_HELP[lang])
    by_path: dict[str, list[str]] = {}
    for path, selector in selection:
        by_path.setdefault(path, []).append(selector)
    calls: list[ToolCall] = []
    for path, selectors in sorted(by_path.items()):
        source = files.get(path)
        if source is None:
            continue
        parsed = Parsed(source)
        spans = sorted(
            {(s.start, s.end): s for sel in selectors for s in map(parsed.span, parsed.select(sel))}.values(),
            key=lambda s: s.start,
        )
        outermost = [
            s for s in spans if not any(o.start <= s.start and s.end <= o.end != s.end for o in spans)
        ]
        new = source
        for span in reversed(outermost):  # from the end, so earlier positions stay true
            new = action.apply(new, span)
        calls += file_calls(path, source, new)
    intro, done = action.words(len(selection), lang)
    return Plan(lang=lang, intro=intro, calls=tuple(calls), done=done)
