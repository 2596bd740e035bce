"""What the offline model says, in the brief's language: one sentence on what it understood and what it
could not do before its tool calls, and one on how they went after them.
"""

from __future__ import annotations

from typing import Any

import msgspec

from vibe.adapters.offline.brief import Brief
from vibe.adapters.offline.content import copy_deck
from vibe.adapters.offline.conversation import Outcome
from vibe.adapters.offline.page import Page, Tokens

__all__ = [
    "Plan",
    "ToolCall",
    "join",
    "new_site_words",
    "report",
    "section_names",
    "style_changes",
    "style_words",
]

_MAX_REASON_CHARS = 160
_SCHEMES = {"en": {"light": "light", "dark": "dark"}, "zh": {"light": "浅色", "dark": "深色"}}
_COLOURS = {
    "en": {},
    "zh": {"red": "红色", "orange": "橙色", "yellow": "黄色", "green": "绿色", "teal": "青色", "blue": "蓝色",
           "purple": "紫色", "pink": "粉色", "brown": "棕色", "gray": "灰色"},
}  # fmt: skip
_FONTS = {
    "en": {"serif": "serif type", "sans": "sans-serif type"},
    "zh": {"serif": "衬线字体", "sans": "无衬线字体"},
}
_MOODS = {
    "en": {"minimal": "a minimal look", "playful": "a playful look"},
    "zh": {"minimal": "极简风格", "playful": "活泼风格"},
}


class ToolCall(msgspec.Struct, frozen=True):
    name: str
    input: dict[str, Any]


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    lang: str
    intro: str  # before the calls: what was understood and will be done
    calls: tuple[ToolCall, ...]
    done: str  # after the calls, when all of them succeeded


def join(phrases: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(phrases)
    if len(phrases) <= 1:
        return "".join(phrases)
    return ", ".join(phrases[:-1]) + " and " + phrases[-1]


def section_names(names: list[str], lang: str) -> str:
    deck = copy_deck(lang)["sections"]
    labels = [deck[name]["nav"] for name in names]
    return join([label if lang == "zh" or label.isupper() else label.lower() for label in labels], lang)


def style_words(tokens: Tokens, lang: str) -> str:
    colour = _COLOURS[lang].get(tokens.accent, tokens.accent)
    article = "an" if colour[:1] in "aeiou" else "a"
    parts = [f"a {_SCHEMES['en'][tokens.scheme]} palette with {article} {colour} accent" if lang == "en"
             else f"{_SCHEMES['zh'][tokens.scheme]}配色、{colour}强调色"]  # fmt: skip
    if tokens.buttons != tokens.accent:
        parts.append(f"{tokens.buttons} buttons" if lang == "en" else f"{_COLOURS['zh'][tokens.buttons]}按钮")
    parts.append(_FONTS[lang][tokens.font])
    if tokens.mood in _MOODS[lang]:
        parts.append(_MOODS[lang][tokens.mood])
    return join(parts, lang)


def style_changes(old: Tokens, new: Tokens, lang: str) -> list[str]:
    """What changed between two sets of tokens, as phrases of a sentence."""
    colours = _COLOURS[lang]
    en = lang == "en"
    said: list[str] = []
    if old.scheme != new.scheme:
        said.append(f"made it {new.scheme}" if en else f"改为{_SCHEMES['zh'][new.scheme]}配色")
    if old.accent != new.accent:
        said.append(f"made the accent {new.accent}" if en else f"强调色改为{colours[new.accent]}")
    if old.buttons != new.buttons and (old.accent == new.accent or new.buttons != new.accent):
        said.append(f"made the buttons {new.buttons}" if en else f"按钮改为{colours[new.buttons]}")
    if old.font != new.font:
        said.append(f"switched to {_FONTS['en'][new.font]}" if en else f"改用{_FONTS['zh'][new.font]}")
    if old.mood != new.mood:
        mood = _MOODS[lang].get(new.mood, "the plain look" if en else "普通风格")
        said.append(f"gave it {mood}" if en else f"改为{mood}")
    return said


def _limits(brief: Brief, page: Page) -> list[str]:
    """What the model could not do for this brief, said plainly."""
    en = brief.lang == "en"
    game_names = copy_deck(brief.lang)["game"]["names"]
    limits: list[str] = []
    if brief.asked_game and brief.game:
        name = game_names[brief.game]
        limits.append(
            f"I have no {brief.asked_game} offline, so I made {name}, the closest game I have"
            if en
            else f"离线模型没有{brief.asked_game}，所以做了最接近的{name}"
        )
    if page.logo or page.photos:
        used = [p.path for p in ((page.logo,) if page.logo else ()) + page.photos]
        limits.append(
            f"I used your uploaded images ({join(used, brief.lang)})"
            if en
            else f"使用了你上传的图片（{join(used, 'zh')}）"
        )
    if {"gallery", "products"} & set(page.sections) and not page.photos:
        limits.append(
            "I can't add real photos offline; the pictures are drawn placeholders"
            if en
            else "离线模型无法添加真实照片，图片均为绘制的占位图"
        )
    if {"contact", "booking", "rsvp", "newsletter", "donate", "signin"} & set(page.sections):
        limits.append(
            "the forms check what is typed but send nothing" if en else "表单会检查输入，但不会发送任何内容"
        )
    return limits


def new_site_words(brief: Brief, page: Page, tokens: Tokens, paths: list[str]) -> tuple[str, str]:
    """The sentence before writing a new site, and the one after."""
    deck = copy_deck(brief.lang)
    label = deck["kinds"][page.kind]["label"]
    limits = _limits(brief, page)
    if brief.lang == "zh":
        has = f"，包含{section_names(list(page.sections), 'zh')}" if page.sections else ""
        intro = f"我理解为一个{label}「{page.title}」{has}，采用{style_words(tokens, 'zh')}"
        intro += f"；{'；'.join(limits)}。" if limits else "。"
        return intro, f"「{page.title}」已完成：{join(paths, 'zh')}均已写好，全部离线生成，无外部请求。"
    has = f" with {section_names(list(page.sections), 'en')}" if page.sections else ""
    intro = f"I read this as a {label} for “{page.title}”{has}, in {style_words(tokens, 'en')}"
    intro += f"; {'; '.join(limits)}." if limits else "."
    return intro, f"“{page.title}” is ready: {join(paths, 'en')}, made offline with no external requests."


def _reason(error: str) -> str:
    text = " ".join(error.split())
    return text if len(text) <= _MAX_REASON_CHARS else text[: _MAX_REASON_CHARS - 1] + "…"


def report(plan: Plan, outcomes: tuple[Outcome, ...]) -> str:
    """One sentence on what happened, saying plainly which calls were refused and why."""
    failed = [outcome for outcome in outcomes if outcome.error is not None]
    if not failed:
        return plan.done
    zh = plan.lang == "zh"
    refusals = join(
        [
            f"{o.name} {o.path or 'file'} 被拒绝（{_reason(o.error or '')}）"
            if zh
            else f"{o.name} on {o.path or 'a file'} was refused ({_reason(o.error or '')})"
            for o in failed
        ],
        plan.lang,
    )
    if len(failed) == len(outcomes):
        return f"所有修改都没有成功：{refusals}。" if zh else f"None of the changes went through: {refusals}."
    applied = len(outcomes) - len(failed)
    if zh:
        return f"只完成了一部分：{len(outcomes)} 项中 {applied} 项成功，但{refusals}。"
    return f"Only part of it went through: {applied} of {len(outcomes)} changes applied, but {refusals}."
