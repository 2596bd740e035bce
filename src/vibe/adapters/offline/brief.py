"""What a brief asks for, read from its words: the subject and its name, the kind of site, the sections
it names, its style words and its language (English or Chinese); and what a follow-up asks to change.
Deterministic and total: any text gives a usable brief.
"""

from __future__ import annotations

import re

import msgspec

from vibe.adapters.offline import words
from vibe.domain.titles import SCAN_CHARS, Language, clean_text, language_of, title_of

__all__ = ["Brief", "Change", "Style", "read_brief", "read_change"]

SUBJECT_KINDS = {
    "bakery": "restaurant", "cafe": "restaurant", "pizzeria": "restaurant", "sushi": "restaurant",
    "restaurant": "restaurant", "ceramics": "shop", "candles": "shop", "books": "shop", "fashion": "shop",
    "plants": "shop", "clinic": "service", "surf": "service", "yoga": "service", "salon": "service",
    "photography": "portfolio", "design": "portfolio", "wedding": "event", "party": "event",
    "tech": "saas", "hiking": "blog", "animals": "nonprofit",
}  # fmt: skip
# Words that contain a kind's word without being that kind: a coffee shop is a café.
_NOT_KINDS = (
    (re.compile(r"\b(?:coffee|tea)\s+shops?\b", re.I), "café"),
    (re.compile(r"\b(?:barber|repair|pizza)\s+shops?\b", re.I), "salon"),
)
_CITY = re.compile(
    r"\b(?:in|at|from|near)\s+((?:[A-Z][\w'\u00c0-\u024f-]+)(?:\s+[A-Z][\w'\u00c0-\u024f-]+)?)"
)
_ZH_CITIES = (
    "巴黎 京都 东京 大阪 上海 北京 广州 深圳 杭州 成都 南京 西安 香港 台北 伦敦 纽约 柏林 罗马 首尔 巴塞罗那"
)
_CURRENCIES = (
    ("EUR", r"€|euros?|paris|france|french|berlin|germany|madrid|spain|rome|italy|amsterdam|lisbon|"
     r"biarritz|vienna|barcelona|europe", "巴黎|法国|柏林|德国|罗马|意大利|西班牙|巴塞罗那|欧洲|欧元"),
    ("GBP", r"£|pounds?|london|uk|britain|british|england|scotland|edinburgh", "伦敦|英国|英镑"),
    ("JPY", r"¥|yen|japan|japanese|kyoto|tokyo|osaka", "日本|京都|东京|大阪|日元"),
    ("CNY", r"rmb|yuan|china|chinese|shanghai|beijing", "人民币|元|中国|上海|北京|广州|深圳|杭州|成都"),
)  # fmt: skip
# Words that contain a section's word without asking for it: a team chat app has no team section.
_NOT_SECTIONS = re.compile(r"团队(?=协作|聊天|沟通|管理)")
_CLAUSES = re.compile(r"[,.;!?，。；！？]|\s(?:and|then|with)\s|然后|并且|再", re.I)
_NAMED = re.compile(
    r"\b(?i:called|named|titled)\s+\S+(?:\s+[A-Z]\S*)*|(?:名为|名叫|叫做)[^的，。、；,.;!！？?\s]{1,16}"
)


class Style(msgspec.Struct, frozen=True, kw_only=True):
    """Style words found in a text; None where it says nothing."""

    scheme: str | None = None
    accent: str | None = None
    buttons: str | None = None
    font: str | None = None
    mood: str | None = None


class Brief(msgspec.Struct, frozen=True, kw_only=True):
    prompt: str
    lang: Language
    title: str
    kind: str
    subject: str  # a words.SUBJECTS name, or "generic"
    sections: tuple[str, ...]  # the sections it names, in order of mention
    game: str | None  # snake, tictactoe or memory
    asked_game: str | None  # a game it asked for that the model does not have ("tetris")
    style: Style
    city: str
    currency: str


class Change(msgspec.Struct, frozen=True, kw_only=True):
    """What a follow-up asks for."""

    title: str | None = None
    style: Style = Style()
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    topic: str | None = None  # "add a section about X": X


def read_style(text: str) -> Style:
    """Scheme, accent, font and mood words; a colour said of the buttons colours only the buttons."""
    scan = _NAMED.sub(" ", text[:SCAN_CHARS])
    button_colour = None
    for clause in _CLAUSES.split(scan):
        if re.search(r"\bbuttons?\b|按钮", clause, re.I) and (
            colour := words.earliest(words.ACCENTS, clause)
        ):
            button_colour = colour
            scan = scan.replace(clause, " ")
    scheme = words.earliest(words.SCHEMES, scan)
    accent = words.earliest(words.ACCENTS, scan)
    return Style(
        scheme=scheme,
        accent=accent,
        buttons=button_colour,
        font=words.earliest(words.FONTS, scan),
        mood=words.earliest(words.MOODS, scan),
    )


def _kind(text: str, lang: Language, subject: str, game: str | None) -> str:
    if game:
        return "game"
    for pattern, replacement in _NOT_KINDS:
        text = pattern.sub(replacement, text)
    if lang == "zh":  # the head noun ends a Chinese phrase: the last kind of the first clause naming one
        clauses = (words.latest(words.KINDS, clause) for clause in re.split(r"[，。；！？,.;!?]", text))
        named = next((kind for kind in clauses if kind), None)
    else:
        named = words.earliest(words.KINDS, text)
    return named or SUBJECT_KINDS.get(subject, "business")


def _city(text: str, lang: Language) -> str:
    if lang == "zh":
        return next((city for city in _ZH_CITIES.split() if city in text), "")
    match = _CITY.search(text)
    return match.group(1) if match else ""


def read_brief(raw: str) -> Brief:
    prompt = clean_text(raw)
    scan = prompt[:SCAN_CHARS]
    lang = language_of(scan)
    game_entry = words.earliest(words.GAMES, scan)
    game, _, asked = (game_entry or "").partition(":")
    subject = words.earliest(words.SUBJECTS, _NAMED.sub(" ", scan)) or "generic"
    kind = _kind(scan, lang, subject, game or None)
    if kind == "game" and not game:
        game = "snake"
    currency = words.earliest(_CURRENCIES, scan) or ("CNY" if lang == "zh" else "USD")
    return Brief(
        prompt=prompt,
        lang=lang,
        title=title_of(prompt),
        kind=kind,
        subject=subject,
        sections=tuple(words.mentions(words.SECTIONS, _NOT_SECTIONS.sub("", scan))),
        game=game or None,
        asked_game=asked or None,
        style=read_style(scan),
        city=_city(scan, lang),
        currency=currency,
    )


# --- follow-ups ------------------------------------------------------------------------------------

_RENAME = (
    re.compile(
        r"\b(?:call|name|title|retitle|rename)\s+(?:it|the\s+(?:site|page|website)|this)?\s*(?:to\s+|as\s+)?"
        r"[\"'“‘«]?([^\"'”’»]+?)[\"'”’»]?\s*(?:$|[.;!?]|,|\s+(?:and|then)\s)",
        re.I,
    ),
    re.compile(r"(?:改名为|改名叫|改名|命名为|标题改为|名字改为|叫做)\s*[「『“\"]?([^」』”\"，。！？]+)"),
)
_ADD = re.compile(r"\b(?:add|include|insert|put\s+in|show)\b|添加|加上|增加|加入|加一个|新增", re.I)
_REMOVE = re.compile(
    r"\b(?:remove|delete|drop|hide|get\s+rid\s+of|take\s+out)\b|删除|删掉|去掉|移除|不要", re.I
)
_TOPIC = re.compile(r"\bsection\s+(?:about|on|for)\s+([^,.;!?]+)|关于(.{1,16}?)的版块", re.I)


def _take_title(text: str) -> tuple[str | None, str]:
    for pattern in _RENAME:
        if match := pattern.search(text):
            value = match.group(1).strip().strip("\"'“”‘’«»「」").strip()
            if value:
                return value[:80], text[: match.start()] + " " + text[match.end() :]
    return None, text


def read_change(raw: str) -> Change:
    """Renames, sections to add or remove and style words, each from its own clause of the text."""
    text = clean_text(raw)[:SCAN_CHARS]
    title, rest = _take_title(text)
    topic = _TOPIC.search(rest)
    add: list[str] = []
    remove: list[str] = []
    verb: list[str] | None = None
    for clause in _CLAUSES.split(rest):
        if _REMOVE.search(clause):
            verb = remove
        elif _ADD.search(clause):
            verb = add
        if verb is not None:
            verb.extend(name for name in words.mentions(words.SECTIONS, clause) if name not in verb)
    style_text = " ".join(c for c in _CLAUSES.split(rest) if not _REMOVE.search(c))
    return Change(
        title=title,
        style=read_style(style_text),
        add=tuple(add),
        remove=tuple(remove),
        topic=(topic.group(1) or topic.group(2)).strip() if topic else None,
    )
