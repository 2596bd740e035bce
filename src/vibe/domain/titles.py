"""A brief's short title and its language, read from its words alone: "A landing page for a bakery in Paris
with a menu" is titled "Bakery in Paris", "为巴黎的面包店做一个落地页" is titled "巴黎面包店". Projects are
named with it and the offline model heads its pages with it, so both agree. Deterministic and total:
any text gives a non-empty title of bounded length that never ends with an ellipsis.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

__all__ = ["MAX_TITLE_CHARS", "Language", "clean_text", "language_of", "title_case", "title_of"]

Language = Literal["en", "zh"]

MAX_TITLE_CHARS = 48
MAX_ZH_TITLE_CHARS = 16
MAX_TITLE_WORDS = 6
SCAN_CHARS = 2000  # words past this point do not change the title
FALLBACK = {"en": "Untitled site", "zh": "我的网站"}

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def clean_text(raw: str) -> str:
    """Control, format and private characters become spaces; whitespace runs become one space."""
    kept = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in raw)
    return " ".join(unicodedata.normalize("NFC", kept).split())


def language_of(text: str) -> Language:
    """Chinese when Han characters carry the text (English words in brackets do not change that)."""
    scan = text[:SCAN_CHARS]
    han = len(_HAN.findall(scan))
    return "zh" if han >= 2 and han * 3 >= len(_LATIN.findall(scan)) else "en"


# --- English ---------------------------------------------------------------------------------------

_NAMED = re.compile(r"\b(?:called|named|titled)\s+(.+)", re.IGNORECASE)
_SUBJECT = re.compile(r"\b(?:for|about|showcasing|selling|featuring)\s+(.+)", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(
    r"[,.;:!?()\[\]{}|\"“”«»]|\s[-\u2013\u2014]\s"
    r"|\s(?:with|that|which|where|using|including|so|please|but|in\s+(?:a|an)\s+\w+\s+style)\s",
    re.IGNORECASE,
)
_PAGE_WORDS = re.compile(
    r"\b(?:landing|homepage|home page|website|web site|site|page|webpage|one-pager)\b", re.IGNORECASE
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_EDGE_WORDS = _words(
    """a an the my our your their his her its this these some any me us i we you it to of in on at by
    and or for with from into as is are be that which who please can could would will should build make
    create design generate write want need like love get give help let lets allow show showing
    showcase showcasing sell selling sells track tracking manage managing promote featuring
    list listing find people users customers visitors simple modern beautiful nice cool new clean
    minimal single one responsive html css js template theme mode style colours colors colour color
    palette just also dark light serif sans playful elegant bold use font fonts"""
)
_NAME_EDGES = _words("a an the and or with for in on at to of")
_SMALL_WORDS = _words("a an and as at but by for in of on or the to with de la le du des et y del")


def title_case(words: list[str]) -> str:
    out: list[str] = []
    for index, word in enumerate(words):
        if any(ch.isupper() for ch in word):
            out.append(word)
        elif index > 0 and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


def _significant(clause: str, edges: frozenset[str]) -> list[str]:
    words = [w.strip("'\u2018\u2019") for w in _PAGE_WORDS.sub(" ", clause).split()]
    words = [w for w in words if w]
    while words and (words[0].lower() in edges or not any(ch.isalnum() for ch in words[0])):
        words.pop(0)
    while words and (words[-1].lower() in edges or not any(ch.isalnum() for ch in words[-1])):
        words.pop()
    return words


def _bounded(words: list[str], edges: frozenset[str]) -> list[str]:
    words = words[:MAX_TITLE_WORDS]
    while len(words) > 1 and len(" ".join(words)) > MAX_TITLE_CHARS:
        words.pop()
    while len(words) > 1 and (words[-1].lower() in edges or not any(ch.isalnum() for ch in words[-1])):
        words.pop()
    return words


def _headline(phrase: str, edges: frozenset[str] = _EDGE_WORDS) -> str:
    for clause in _CLAUSE_BREAK.split(phrase):
        words = _bounded(_significant(clause, edges), edges)
        if words and any(ch.isalnum() for ch in "".join(words)):
            return title_case(words)[:MAX_TITLE_CHARS].strip()
    return ""


def _english_title(text: str) -> str:
    """The words after "called" win; then those after "for" or "about"; then the text's own."""
    if (named := _NAMED.search(text)) and (title := _headline(named.group(1), _NAME_EDGES)):
        return title  # a name is kept as given: "Lens & Light" keeps its "Light"
    subject = _SUBJECT.search(text)
    for candidate in [subject.group(1)] if subject else []:
        if title := _headline(candidate):
            return title
    return _headline(text)


# --- Chinese ---------------------------------------------------------------------------------------

_ZH_NAMED = re.compile(
    r"(?:名为|名叫|叫做|叫|名字是|取名)\s*[「『“\"《]?([^的，。,.!！？?（）()「」『』“”\"《》、；;:：\s]{1,16})"
)
_ZH_SUBJECT = (
    re.compile(r"(?:为|給|给|替)(.{1,24}?)(?:做|制作|创建|设计|搭建|建|写|打造|开发)"),
    re.compile(r"关于(.{1,24}?)的"),
)
_ZH_ASIDES = re.compile(r"（[^）]*）|\([^)]*\)|[A-Za-z][A-Za-z\s'&-]*")
_ZH_EDGE = re.compile(
    r"^(?:请|帮我|帮忙|给我|我想要|我想|我要|我们的|我的|我们|一个|一款|一份|一张|一页|做|制作|创建|设计|搭建|打造|开发|生成)+|"
    r"(?:的)?(?:(?:与|和)?(?:单页|落地页|着陆页|网站|网页|页面|主页|首页|站点|官网|页|登录|注册|表单|帮助中心|文档|"
    r"常见问题|数据仪表盘|仪表盘|看板))+$"
)
_ZH_BREAK = re.compile(r"[，。,.!！？?、；;:：\s]")


def _chinese_title(text: str) -> str:
    if named := _ZH_NAMED.search(text):
        return named.group(1)[:MAX_ZH_TITLE_CHARS]
    for pattern in _ZH_SUBJECT:
        if found := pattern.search(text):
            text = found.group(1)
            break
    for clause in _ZH_BREAK.split(_ZH_ASIDES.sub("", text)):
        words = _ZH_EDGE.sub("", _ZH_EDGE.sub("", clause)).replace("的", "")
        if not any(ch.isalnum() for ch in words):  # only page words, such as 帮助中心文档: keep them
            words = clause.replace("的", "")
        if any(ch.isalnum() for ch in words):
            return words[:MAX_ZH_TITLE_CHARS]
    return ""


def title_of(prompt: str) -> str:
    """The subject and its name as a short title in the prompt's language."""
    text = clean_text(prompt[:SCAN_CHARS])
    language = language_of(text)
    title = _chinese_title(text) if language == "zh" else _english_title(text)
    title = title.rstrip(".…").strip()
    return title if any(ch.isalnum() for ch in title) else FALLBACK[language]
