"""Follow-ups: small, visible edits to an existing site. Every ``edit_file`` is checked against a draft of
the files as the earlier calls of the same turn leave them, so each ``old_string`` occurs exactly once
where it is applied; where no unique anchor exists the file is rewritten whole instead.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import msgspec

from vibe.adapters.offline import sections
from vibe.adapters.offline.briefs import Brief, brief_from_prompt, clean_prompt, headline
from vibe.adapters.offline.intents import Intents, SectionAsk, read_intents
from vibe.adapters.offline.palettes import ACCENTS, describe_palette, find_palette, palette_css
from vibe.adapters.offline.plans import Plan, ToolCall, join_phrases, new_site_plan
from vibe.adapters.offline.templates import stylesheet_for

__all__ = ["plan_followup"]

_SECTIONS: dict[str, tuple[Callable[[Brief, str], str], str, str, str]] = {
    # kind: (maker, nav label, fragment id, how prose names it)
    "faq": (sections.faq, "FAQ", "faq", "an FAQ section"),
    "testimonials": (sections.reviews, "Reviews", "reviews", "a reviews section"),
    "newsletter": (sections.newsletter, "Newsletter", "subscribe", "a newsletter sign-up"),
    "contact": (sections.contact, "Contact", "contact", "a contact form"),
    "pricing": (sections.pricing, "Pricing", "pricing", "a pricing section"),
    "team": (sections.team, "Team", "team", "a team section"),
    "gallery": (sections.gallery, "Gallery", "gallery", "a gallery"),
    "features": (sections.features, "Features", "features", "a features section"),
    "hours": (sections.hours, "Hours", "hours", "an opening-hours section"),
    "menu": (sections.menu, "Menu", "menu", "a menu section"),
    "stats": (sections.stats, "Numbers", "numbers", "a key-numbers band"),
}
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"(<h1\b[^>]*>)(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_NAMES = re.compile(
    r'(<span class="(?:brand|footer)-name">)(.*?)</span>'
    r'|(<text x="16" y="21.5" text-anchor="middle">)(.)</text>'
)
_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)"')
_KIND = re.compile(r'<body\b[^>]*\bdata-kind="(\w+)"')


class _Draft:
    """The files as the planned calls leave them."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = dict(files)
        self.calls: list[ToolCall] = []

    def edit(self, path: str, old: str, new: str) -> bool:
        content = self.files.get(path)
        if content is None or not old or old == new or content.count(old) != 1:
            return False
        self.files[path] = content.replace(old, new, 1)
        self.calls.append(ToolCall("edit_file", {"path": path, "old_string": old, "new_string": new}))
        return True

    def write(self, path: str, content: str) -> None:
        self.files[path] = content
        self.calls.append(ToolCall("write_file", {"path": path, "content": content}))


class _Change(msgspec.Struct, frozen=True):
    will: str  # "switch style.css to ...", or "" when nothing needs doing
    did: str  # "switched style.css to ..."
    already: str = ""  # why nothing needed doing


def _site_brief(files: dict[str, str], prompt: str) -> Brief:
    """A brief for the existing site: its current title, kind and subject, for new sections."""
    page = files.get("index.html", "")
    found = _TITLE.search(page) or _H1.search(page)
    raw = found.group(found.lastindex or 1) if found else ""
    title = clean_prompt(html.unescape(re.sub(r"<[^>]*>", " ", raw)))[:80] or "Your Site"
    kind = _KIND.search(page)
    described = _DESCRIPTION.search(page)
    about = html.unescape(described.group(1)) if described else ""
    brief = brief_from_prompt(f"{title}. {about}. {prompt}")
    return msgspec.structs.replace(brief, title=title, kind=kind.group(1) if kind else "landing")


def _recolour(draft: _Draft, intents: Intents, brief: Brief) -> _Change | None:
    found = find_palette(draft.files.get("style.css", ""))
    scheme, accent = (found[1], found[2]) if found else ("light", "indigo")
    names = list(ACCENTS)
    rotated = names[(names.index(accent) + 1) % len(names)] if intents.recolour else accent
    new_scheme, new_accent = intents.scheme or scheme, intents.accent or rotated
    palette = describe_palette(new_scheme, new_accent)
    if found is None:
        verb = ("rewrite", "rewrote") if "style.css" in draft.files else ("write", "wrote")
        draft.write("style.css", stylesheet_for(brief, new_scheme, new_accent))
        _link_stylesheet(draft)
        return _Change(f"{verb[0]} style.css with a {palette}", f"{verb[1]} style.css with a {palette}")
    if (new_scheme, new_accent) == (scheme, accent):
        return _Change("", "", f"the site already has a {palette}")
    if not draft.edit("style.css", found[0], palette_css(new_scheme, new_accent)):
        return None
    return _Change(f"switch style.css to a {palette}", f"switched style.css to a {palette}")


def _link_stylesheet(draft: _Draft) -> None:
    page = draft.files.get("index.html", "")
    if page and 'href="style.css"' not in page:
        draft.edit("index.html", "</head>", '  <link rel="stylesheet" href="style.css">\n</head>')


def _retitle(draft: _Draft, title: str) -> _Change | None:
    safe = html.escape(title, quote=True)
    page = draft.files.get("index.html", "")
    changed = False
    if match := _TITLE.search(page):
        changed |= draft.edit("index.html", match.group(0), f"<title>{safe}</title>")
    elif "</head>" in page:
        changed |= draft.edit("index.html", "</head>", f"  <title>{safe}</title>\n</head>")
    if match := _H1.search(draft.files["index.html"]):
        changed |= draft.edit("index.html", match.group(0), f"{match.group(1)}{safe}</h1>")
    initial = html.escape(next((ch for ch in title if ch.isalnum()), "V").upper()[:1])
    for match in list(_NAMES.finditer(draft.files["index.html"])):
        if match.group(1):
            draft.edit("index.html", match.group(0), f"{match.group(1)}{safe}</span>")
        else:
            draft.edit("index.html", match.group(0), f"{match.group(3)}{initial}</text>")
    if not changed:
        return None
    return _Change(f"rename the site to “{title}”", f"renamed the site to “{title}”")


def _free_id(page: str, base: str) -> str:
    candidate, n = base, 1
    while f'id="{candidate}' in page:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _add_nav_link(draft: _Draft, sid: str, label: str) -> None:
    page = draft.files["index.html"]
    nav = page.find("<nav")
    close_nav = page.find("</nav>", nav)
    close_ul = page.find("</ul>", nav)
    link = f'<a href="#{sid}">{html.escape(label)}</a>'
    if nav < 0 or close_nav < 0:
        return
    if not 0 <= close_ul < close_nav:
        last_link = page.rfind("</a>", nav, close_nav)
        if last_link >= 0:
            draft.edit("index.html", page[last_link : close_nav + 6], f"</a>{link}</nav>")
        return
    li_start = page.rfind("<li", nav, close_ul)
    li_end = page.rfind("</li>", nav, close_ul) + len("</li>")
    if li_start < 0 or li_end < li_start:
        return
    line_start = page.rfind("\n", 0, li_start) + 1
    indent = page[line_start:li_start] if not page[line_start:li_start].strip() else ""
    between = page[li_end:close_ul]
    item = f"\n{indent}<li>{link}</li>" if "\n" in between else f"<li>{link}</li>"
    old = page[li_start : close_ul + len("</ul>")]
    draft.edit("index.html", old, page[li_start:li_end] + item + between + "</ul>")


def _insert_section(draft: _Draft, markup: str) -> None:
    """Before the end of <main> (or of <body>); with no unique anchor, the page is rewritten whole."""
    for anchor, before in (("\n  </main>", "\n"), ("</main>", ""), ("</body>", "")):
        if draft.edit("index.html", anchor, before + markup + anchor.lstrip("\n")):
            return
    draft.write("index.html", draft.files["index.html"].rstrip("\n") + "\n" + markup)


def _add_section(draft: _Draft, ask: SectionAsk, brief: Brief, request: str) -> str:
    """Add one section (and its nav link); return how prose names it."""
    page = draft.files["index.html"]
    if ask.kind in _SECTIONS:
        maker, label, base, name = _SECTIONS[ask.kind]
        sid = _free_id(page, base)
        markup = maker(brief, sid)
    else:
        label = headline(ask.topic) or headline(request) or "Update"
        name = f"a “{label}” section"
        sid = _free_id(page, re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:32] or "update")
        markup = sections.topic(brief, sid, label, request)
    _insert_section(draft, markup)
    _add_nav_link(draft, sid, label if len(label) <= 24 else label[:23] + "…")
    return name


def _add_sections(draft: _Draft, asks: tuple[SectionAsk, ...], brief: Brief, request: str) -> _Change:
    """Add what was asked for, except a known section the page already holds (said, not duplicated)."""
    added: list[str] = []
    present: list[str] = []
    for ask in asks:
        known = _SECTIONS.get(ask.kind)
        if known and f'id="{known[2]}"' in draft.files["index.html"]:
            present.append(known[3])
        else:
            added.append(_add_section(draft, ask, brief, request))
    already = f"the page already has {join_phrases(present)}" if present else ""
    if not added:
        return _Change("", "", already)
    names = join_phrases(added)
    return _Change(f"add {names} to index.html", f"added {names} to index.html", already)


def _changes(draft: _Draft, intents: Intents, brief: Brief, prompt: str) -> list[_Change]:
    changes: list[_Change | None] = []
    if intents.scheme or intents.accent or intents.recolour:
        changes.append(_recolour(draft, intents, brief))
    if intents.title:
        changes.append(_retitle(draft, intents.title))
    asks = intents.sections or (() if changes else (SectionAsk("topic", prompt),))
    if asks:
        changes.append(_add_sections(draft, asks, brief, prompt))
    return [change for change in changes if change is not None]


def plan_followup(prompt: str, files: dict[str, str]) -> Plan:
    """Edits for a change to ``files``; a project without an index.html gets a whole new site."""
    if "index.html" not in files:
        return new_site_plan(brief_from_prompt(prompt))
    request = clean_prompt(prompt)
    brief = _site_brief(files, request)
    draft = _Draft(files)
    changes = _changes(draft, read_intents(request), brief, request)
    if not changes:
        # Nothing could be anchored: add the request as a section, which always lands.
        changes = [_add_sections(draft, (SectionAsk("topic", request),), brief, request)]
    notes = join_phrases([c.already for c in changes if c.already])
    if not draft.calls:
        return Plan(intro=f"Nothing needs to change: {notes}.", calls=(), done=f"Nothing changed: {notes}.")
    note = f" ({notes[:1].upper()}{notes[1:]}, so that stays.)" if notes else ""
    intro = f"I'll {join_phrases([c.will for c in changes if c.will])}.{note}"
    done = f"Done: I {join_phrases([c.did for c in changes if c.did])}; everything else is as it was.{note}"
    return Plan(intro=intro, calls=tuple(draft.calls), done=done)
