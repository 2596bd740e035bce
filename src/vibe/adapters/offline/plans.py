"""A turn's plan: a new site from a brief, or a follow-up applied to the page model and its files
rendered again. A site the offline model did not make (or that was edited by hand since) is never
rewritten: its style gets an override block and new sections are inserted before the end of <main>.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import msgspec

from vibe.adapters.offline import words
from vibe.adapters.offline.brief import Change, Style, read_brief, read_change
from vibe.adapters.offline.content import copy_deck
from vibe.adapters.offline.edits import file_calls
from vibe.adapters.offline.page import Page, Tokens, extract, plan_page, plan_tokens, restyle, revise
from vibe.adapters.offline.palette import variables
from vibe.adapters.offline.pictures import with_pictures
from vibe.adapters.offline.reference import Reference, as_style, reference_note
from vibe.adapters.offline.render import render_css, render_index, render_sections, render_site
from vibe.adapters.offline.replies import (
    Plan,
    ToolCall,
    join,
    new_site_words,
    section_names,
    style_changes,
    style_words,
)
from vibe.domain.projects import FileEntry
from vibe.domain.titles import language_of, title_case

__all__ = ["followup_plan", "new_site_plan"]

_OVERRIDE = "/* vibe offline model: style override */"
_PLAIN = Tokens(scheme="light", accent="blue", buttons="blue", font="sans", mood="plain")
_HELP = {
    "en": "I couldn't find a change I can make offline in that. I can make the site dark or light, use serif "
    "or sans-serif type, make it minimal or playful, change the accent or button colour, add or remove "
    "sections (menu, hours, gallery, FAQ, testimonials, team, pricing, contact...) or rename it.",
    "zh": "离线模型无法从这句话中找到可以执行的修改。我可以把网站改成深色或浅色、换成衬线或无衬线字体、"
    "改成极简或活泼风格、更换强调色或按钮颜色、添加或删除版块（菜单、营业时间、图库、常见问题、评价、团队、价格、联系等），或者改名。",
}


def new_site_plan(
    prompt: str, assets: Sequence[FileEntry] = (), reference: Reference | None = None, pictures: int = 0
) -> Plan:
    brief = read_brief(prompt)
    if reference is not None:  # the prompt's own style words win over the picture's colours
        brief = msgspec.structs.replace(brief, style=_merged(brief.style, as_style(reference)))
    page, tokens = with_pictures(plan_page(brief), assets), plan_tokens(brief)
    if brief.asked_game and brief.game:
        page = msgspec.structs.replace(page, title=copy_deck(brief.lang)["game"]["names"][brief.game])
    files = render_site(page, tokens)
    intro, done = new_site_words(brief, page, tokens, list(files))
    if pictures:
        intro += " " + reference_note(reference, pictures, brief.lang)
    calls = tuple(
        ToolCall("write_file", {"path": path, "content": content}) for path, content in files.items()
    )
    return Plan(lang=brief.lang, intro=intro, calls=calls, done=done)


def _merged(said: Style, seen: Style) -> Style:
    """Style words from the prompt, and from the picture where the prompt says nothing."""
    return Style(
        scheme=said.scheme or seen.scheme,
        accent=said.accent or seen.accent,
        buttons=said.buttons,
        font=said.font,
        mood=said.mood,
    )


def _topic(change: Change, lang: str) -> str | None:
    if not change.topic or words.mentions(words.SECTIONS, change.topic):
        return None
    return title_case(change.topic.split()) if lang == "en" else change.topic


def _section_notes(page: Page, change: Change, lang: str) -> tuple[list[str], list[str]]:
    """What will be said about sections: what changes, and what was already so."""
    added = [name for name in change.add if name not in page.sections]
    present = [name for name in change.add if name in page.sections]
    removed = [name for name in change.remove if name in page.sections]
    missing = [name for name in change.remove if name not in page.sections]
    en = lang == "en"
    did, already = [], []
    if added:
        did.append(f"added {section_names(added, lang)}" if en else f"添加了{section_names(added, lang)}")
    if removed:
        did.append(
            f"removed {section_names(removed, lang)}" if en else f"删除了{section_names(removed, lang)}"
        )
    if present:
        already.append(
            f"it already has {section_names(present, lang)}" if en else f"已有{section_names(present, lang)}"
        )
    if missing:
        already.append(
            f"it has no {section_names(missing, lang)} to remove"
            if en
            else f"没有可删除的{section_names(missing, lang)}"
        )
    return did, already


def _our_site(files: dict[str, str]) -> tuple[Page | None, Tokens | None]:
    """The models of the files that are exactly as the offline model rendered them."""
    page, tokens = extract(files)
    ours_page = page if page is not None and render_index(page) == files["index.html"] else None
    ours_css = tokens if tokens is not None and render_css(tokens) == files.get("style.css") else None
    return ours_page, ours_css


def followup_plan(
    prompt: str,
    files: dict[str, str],
    assets: Sequence[FileEntry] = (),
    reference: Reference | None = None,
    pictures: int = 0,
) -> Plan:
    """Edits for a change to ``files``; a project without an index.html gets a whole new site."""
    if "index.html" not in files:
        return new_site_plan(prompt, assets, reference, pictures)
    lang = language_of(prompt)
    change = read_change(prompt)
    if reference is not None:
        change = msgspec.structs.replace(change, style=_merged(change.style, as_style(reference)))
    page, tokens = _our_site(files)
    topic = _topic(change, lang)
    new_files = dict(files)
    did: list[str] = []
    already: list[str] = []
    if page is not None:
        revised = revise(page, change, topic)
        if page.kind != "game" and (pictured := with_pictures(revised, assets)) != revised:
            if (pictured.logo, pictured.photos) != (page.logo, page.photos):
                did.append("placed the uploaded images" if lang == "en" else "放入了上传的图片")
            revised = pictured
        if page.kind == "game":
            if change.add or change.remove or topic:
                already.append(
                    "a game page holds only its game" if lang == "en" else "游戏页面只包含游戏本身"
                )
            topic = None
        else:
            section_did, already = _section_notes(page, change, lang)
            did += section_did
        if topic:
            did.append(f"added a “{topic}” section" if lang == "en" else f"添加了「{topic}」版块")
        if change.title and change.title != page.title:
            did.append(
                f"renamed the site “{change.title}”" if lang == "en" else f"把网站改名为「{change.title}」"
            )
        new_files["index.html"] = render_index(revised)
    else:
        did += _foreign_page(new_files, change, topic, lang)
        if change.remove:
            already.append(
                "I only remove sections from pages the offline model made and nobody edited since"
                if lang == "en"
                else "离线模型只能删除由它生成且未被手动修改过的页面中的版块"
            )
    style_note = _restyle(new_files, tokens, change, lang)
    did += style_note[0]
    already += style_note[1]
    calls = [call for path in new_files for call in file_calls(path, files.get(path), new_files[path])]
    plan = _followup_words(lang, calls, did, already)
    if pictures:
        note = reference_note(reference, pictures, lang)
        plan = msgspec.structs.replace(plan, intro=f"{plan.intro} {note}", done=f"{plan.done} {note}")
    return plan


def _restyle(
    files: dict[str, str], tokens: Tokens | None, change: Change, lang: str
) -> tuple[list[str], list[str]]:
    style = change.style
    if not any(msgspec.structs.asdict(style).values()):
        return [], []
    base = tokens or extract(files)[1] or _PLAIN
    new = restyle(base, style)
    if new == base:
        already = style_words(base, lang)
        return [], [f"it already has {already}" if lang == "en" else f"已经是{already}"]
    if tokens is not None:
        files["style.css"] = render_css(new)
    else:
        _override_style(files, new)
    return style_changes(base, new, lang), []


def _override_style(files: dict[str, str], tokens: Tokens) -> None:
    """A stylesheet the offline model did not write keeps its rules; an override block follows them."""
    rules = "\n".join(f"  {name}: {value};" for name, value in variables(tokens).items())
    block = (
        f"{_OVERRIDE}\n:root {{\n{rules}\n}}\nbody {{ font-family: var(--font); color: var(--text); "
        "background-color: var(--bg); }\nh1, h2, h3 { font-family: var(--heading-font); }\n"
        "a { color: var(--accent); }\n"
        "button, .button { background: var(--button); color: var(--on-button); }\n"
    )
    css = files.get("style.css", "")
    css = (
        css[: css.index(_OVERRIDE)]
        if _OVERRIDE in css
        else (css + "\n" if css and not css.endswith("\n") else css)
    )
    files["style.css"] = css + ("\n" if css else "") + block
    page = files["index.html"]
    if 'href="style.css"' not in page and page.count("</head>") == 1:
        files["index.html"] = page.replace("</head>", '  <link rel="stylesheet" href="style.css">\n</head>')


_TITLE = re.compile(r"(<title\b[^>]*>)(.*?)(</title>)", re.I | re.S)
_H1 = re.compile(r"(<h1\b[^>]*>)(.*?)(</h1>)", re.I | re.S)


def _foreign_page(files: dict[str, str], change: Change, topic: str | None, lang: str) -> list[str]:
    """Renames and added sections on a page the offline model did not write (removals are refused)."""
    page_html = files["index.html"]
    did: list[str] = []
    if change.title:
        safe = html.escape(change.title)
        for pattern in (_TITLE, _H1):
            if len(pattern.findall(page_html)) == 1:
                page_html = pattern.sub(lambda m: m.group(1) + safe + m.group(3), page_html)
        did.append(
            f"renamed the site “{change.title}”" if lang == "en" else f"把网站改名为「{change.title}」"
        )
    if change.add or topic:
        found = _TITLE.search(page_html)
        title = html.unescape(re.sub(r"<[^>]*>", "", found.group(2))).strip() if found else ""
        page = revise(msgspec.structs.replace(plan_page(read_brief(title)), sections=()), change, topic)
        anchor = "</main>" if page_html.count("</main>") == 1 else "</body>"
        if page_html.count(anchor) == 1:
            page_html = page_html.replace(anchor, render_sections(page) + anchor, 1)
            names = section_names(list(change.add), lang) or topic or ""
            did.append(f"added {names}" if lang == "en" else f"添加了{names}")
    files["index.html"] = page_html
    return did


def _followup_words(lang: str, calls: list[ToolCall], did: list[str], already: list[str]) -> Plan:
    note = join(already, lang)
    if not calls:
        text = (
            (f"Nothing needs to change: {note}." if lang == "en" else f"无需修改：{note}。")
            if note
            else _HELP[lang]
        )
        return Plan(lang=lang, intro=text, calls=(), done=text)
    suffix = (
        (f" ({note[:1].upper()}{note[1:]}, so that stays.)" if lang == "en" else f"（{note}，保持不变。）")
        if note
        else ""
    )
    if lang == "en":
        intro = f"I'll change exactly what you asked: {join(did, lang)}.{suffix}"
        done = f"Done: I {join(did, lang)}; everything else is as it was.{suffix}"
    else:
        intro = f"我只会修改你要求的部分：{join(did, lang)}。{suffix}"
        done = f"完成：{join(did, lang)}，其余保持不变。{suffix}"
    return Plan(lang=lang, intro=intro, calls=tuple(calls), done=done)
