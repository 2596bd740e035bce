"""The offline model: the streaming tool-call protocol, real multi-file sites from every template, honest
reports, follow-up edits that always apply, escaping of hostile prompts, pacing and determinism."""

from __future__ import annotations

import asyncio
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vibe.adapters.offline import OfflineModel
from vibe.adapters.offline.briefs import clean_prompt, quote_of
from vibe.application.prompting import SYSTEM_PROMPT, TOOLS, followup_instructions, render_project_context
from vibe.domain.model import (
    Message,
    ModelChunk,
    ModelRequest,
    TextBlock,
    TextDelta,
    ToolCallDelta,
    ToolCallStart,
    ToolResultBlock,
    ToolUseBlock,
    TurnEnd,
)
from vibe.domain.ports import ModelClient

SITE_FILES = ["index.html", "style.css", "app.js"]

TEMPLATE_PROMPTS = {
    "landing": ("a landing page for my bakery in Paris", ["Bakery", "Paris"]),
    "dashboard": ("an analytics dashboard for Orbit Logistics", ["Orbit", "Logistics"]),
    "login": ("a sign-up page for Nimbus Notes", ["Nimbus", "Notes"]),
    "blog": ("a blog about sourdough baking", ["Sourdough", "Baking"]),
    "portfolio": ("a portfolio for Jane Doe, illustrator", ["Jane", "Doe"]),
    "shop": ("an online shop for handmade candles", ["Handmade", "Candles"]),
    "pricing": ("a pricing page for Acme Cloud", ["Acme", "Cloud"]),
    "docs": ("documentation and FAQ for the Quill editor", ["Quill", "Editor"]),
}


# --- helpers --------------------------------------------------------------------------------------


def request(*messages: Message) -> ModelRequest:
    return ModelRequest(system=(TextBlock(text=SYSTEM_PROMPT),), messages=messages, tools=TOOLS)


def new_site(prompt: str) -> Message:
    return Message(role="user", content=(TextBlock(text=prompt),))


def followup(files: dict[str, str], prompt: str) -> Message:
    context = TextBlock(text=render_project_context(files))
    return Message(role="user", content=(context, TextBlock(text=followup_instructions(prompt))))


async def collect(req: ModelRequest, pace: float = 0) -> list[ModelChunk]:
    return [chunk async for chunk in OfflineModel(pace_seconds=pace).stream(req)]


def run(req: ModelRequest) -> list[ModelChunk]:
    """For Hypothesis tests, which cannot be async."""
    return asyncio.run(collect(req))


class Call:
    def __init__(self, id: str, name: str) -> None:
        self.id, self.name, self.pieces = id, name, list[str]()

    @property
    def input(self) -> dict[str, Any]:
        value = json.loads("".join(self.pieces))
        assert isinstance(value, dict)
        return value


def calls_of(chunks: list[ModelChunk]) -> list[Call]:
    calls: dict[int, Call] = {}
    for chunk in chunks:
        if isinstance(chunk, ToolCallStart):
            assert chunk.index not in calls
            calls[chunk.index] = Call(chunk.id, chunk.name)
        elif isinstance(chunk, ToolCallDelta):
            calls[chunk.index].pieces.append(chunk.partial_json)
    return list(calls.values())


def prose(chunks: list[ModelChunk]) -> str:
    return "".join(chunk.text for chunk in chunks if isinstance(chunk, TextDelta))


def apply(files: dict[str, str], calls: list[Call]) -> dict[str, str]:
    """Apply calls the way the agent does; an edit's old_string must occur exactly once."""
    files = dict(files)
    for call in calls:
        data = call.input
        if call.name == "write_file":
            files[data["path"]] = data["content"]
        else:
            assert call.name == "edit_file"
            content = files[data["path"]]
            assert content.count(data["old_string"]) == 1, data["old_string"]
            files[data["path"]] = content.replace(data["old_string"], data["new_string"], 1)
    return files


async def build(prompt: str) -> dict[str, str]:
    return apply({}, calls_of(await collect(request(new_site(prompt)))))


class Page(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str]] = []  # tag, name, value
        self.text: dict[str, str] = {}
        self._open: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [(tag, name, value or "") for name, value in attrs]
        if tag in ("h1", "title", "q"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for tag in self._open:
            self.text[tag] = self.text.get(tag, "") + data

    def values(self, name: str) -> list[str]:
        return [value for _, attr, value in self.attrs if attr == name]

    @property
    def ids(self) -> list[str]:
        return self.values("id")


def check_page(html: str, files: dict[str, str]) -> Page:
    """Semantic, accessible and self-contained: the structure every site promises."""
    page = Page(html)
    assert page.tags.count("h1") == 1
    for tag in ("html", "head", "title", "nav", "main", "footer"):
        assert tag in page.tags, tag
    assert ("html", "lang", "en") in page.attrs
    assert any(n == "name" and v == "viewport" for _, n, v in page.attrs)
    ids = page.ids
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for ref in page.values("href") + page.values("src"):
        assert ref in files or (ref.startswith("#") and ref[1:] in ids), ref
    for attr in ("for", "aria-labelledby", "aria-describedby", "aria-controls"):
        for ref in page.values(attr):
            assert all(part in ids for part in ref.split()), (attr, ref)
    return page


# --- the protocol ---------------------------------------------------------------------------------


def test_it_is_a_model_client_named_offline() -> None:
    assert ModelClient in OfflineModel.__mro__  # subclassed explicitly, so mypy checks it where it is defined
    assert OfflineModel().name == "offline"


async def test_the_same_request_streams_the_same_chunks() -> None:
    req = request(new_site("a landing page for my bakery in Paris"))
    assert await collect(req) == await collect(req)


async def test_a_new_site_is_prose_then_three_written_files() -> None:
    chunks = await collect(request(new_site("a landing page for my bakery in Paris")))
    first_call = next(i for i, c in enumerate(chunks) if isinstance(c, ToolCallStart))
    assert first_call >= 3
    assert all(isinstance(c, TextDelta) for c in chunks[:first_call])
    assert prose(chunks).startswith("I'll build a landing page for Bakery in Paris")
    calls = calls_of(chunks)
    assert [c.name for c in calls] == ["write_file"] * 3
    assert [c.input["path"] for c in calls] == SITE_FILES
    assert len({c.id for c in calls}) == 3
    assert all(c.id.startswith("toolu_offline_") for c in calls)
    # Each call opens, streams and closes before the next one starts.
    order = [(type(c).__name__, c.index) for c in chunks if not isinstance(c, (TextDelta, TurnEnd))]
    for index in range(3):
        mine = [kind for kind, i in order if i == index]
        assert mine[0] == "ToolCallStart"
        assert mine[-1] == "ToolCallEnd"
        assert set(mine[1:-1]) == {"ToolCallDelta"}
    end = chunks[-1]
    assert isinstance(end, TurnEnd)
    assert end.stop_reason == "tool_use"
    assert sum(isinstance(c, TurnEnd) for c in chunks) == 1


async def test_usage_is_estimated_from_text_lengths() -> None:
    prompt = "a landing page for my bakery in Paris"
    chunks = await collect(request(new_site(prompt)))
    end = chunks[-1]
    assert isinstance(end, TurnEnd)
    streamed = len(prose(chunks)) + sum(len(c.partial_json) for c in chunks if isinstance(c, ToolCallDelta))
    assert end.usage.output_tokens == (streamed + 3) // 4
    assert (len(SYSTEM_PROMPT) + len(prompt)) // 4 < end.usage.input_tokens < 10_000
    assert end.usage.cache_creation_input_tokens == end.usage.cache_read_input_tokens == 0


async def test_tool_input_arrives_in_varied_pieces_that_split_strings_and_escapes() -> None:
    chunks = await collect(request(new_site("a blog about sourdough baking")))
    sizes = [len(c.partial_json) for c in chunks if isinstance(c, ToolCallDelta)]
    assert max(sizes) <= 64
    assert len(set(sizes)) > 20
    first = [c.partial_json for c in chunks if isinstance(c, ToolCallDelta) and c.index == 0]
    payload = "".join(first)
    content_start = payload.index('"content": "') + len('"content": "')
    cuts = [sum(len(p) for p in first[: i + 1]) for i in range(len(first) - 1)]
    assert any(content_start < cut < len(payload) - 2 for cut in cuts)
    every = [c.partial_json for c in chunks if isinstance(c, ToolCallDelta)]
    assert any(re.search(r"(?<!\\)(\\\\)*\\$", piece) for piece in every[:-1])  # a cut inside an escape


async def test_pace_zero_never_sleeps_and_a_pace_sleeps_between_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    naps: list[float] = []

    async def nap(seconds: float) -> None:
        naps.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", nap)
    req = request(new_site("a pricing page for Acme Cloud"))
    chunks = await collect(req, pace=0)
    assert naps == []
    await collect(req, pace=0.01)
    assert naps == [0.01] * (len(chunks) - 1)


# --- the templates --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(TEMPLATE_PROMPTS))
async def test_every_template_builds_a_real_site(kind: str) -> None:
    prompt, words = TEMPLATE_PROMPTS[kind]
    files = await build(prompt)
    assert list(files) == SITE_FILES
    page = check_page(files["index.html"], files)
    assert f'data-kind="{kind}"' in files["index.html"]
    for word in words:
        assert word.lower() in page.text["h1"].lower()
    assert page.text["q"] == prompt
    assert "--accent:" in files["style.css"]
    assert "color-scheme:" in files["style.css"]
    assert "addEventListener" in files["app.js"]
    assert all(len(content) > 2000 for content in files.values())
    assert not re.search(
        r"(?:https?:)?//[a-z]", files["index.html"].replace("http://www.w3.org/2000/svg", "")
    )


async def test_templates_are_distinct() -> None:
    pages = [(await build(prompt))["index.html"] for prompt, _ in TEMPLATE_PROMPTS.values()]
    assert len(set(pages)) == len(pages)
    bodies = {re.sub(r"<head>.*?</head>", "", p, flags=re.S).count("<section") for p in pages}
    assert len(bodies) > 1


@pytest.mark.parametrize(
    ("prompt", "scheme", "accent"),
    [
        ("a dark landing page for my band", "dark", "#a78bfa"),
        ("a green blog about hiking", "light", "#15803d"),
        ("a warm, cozy landing page for a café", "warm", "#c2410c"),
    ],
)
async def test_the_palette_follows_the_prompt(prompt: str, scheme: str, accent: str) -> None:
    css = (await build(prompt))["style.css"]
    root = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    assert f"(vibe:{scheme}/" in css
    assert f"--accent: {accent};" in root


async def test_a_hostile_prompt_is_escaped() -> None:
    files = await build('<script>alert(1)</script> "quoted" & <b>bold</b>')
    html = files["index.html"]
    assert "<script>alert(1)</script>" not in html
    assert html.count("<script") == 1
    assert "<b>" not in html
    page = check_page(html, files)
    assert page.text["q"] == '<script>alert(1)</script> "quoted" & <b>bold</b>'
    assert "<script" in page.text["h1"]  # shown as text, not run


async def test_a_prompt_quoting_a_context_block_is_still_a_prompt() -> None:
    prompt = '<project_files>\n<file path="x.md" chars="2">\nhi\n</file>\n a landing page for my bakery'
    calls = calls_of(await collect(request(new_site(prompt))))
    assert [c.name for c in calls] == ["write_file"] * 3


# --- the report turn ------------------------------------------------------------------------------


def turn_two(prompt: str, chunks: list[ModelChunk], errors: dict[str, str]) -> ModelRequest:
    calls = calls_of(chunks)
    assistant = Message(
        role="assistant",
        content=(
            TextBlock(text=prose(chunks)),
            *(ToolUseBlock(id=c.id, name=c.name, input=c.input) for c in calls),
        ),
    )
    results = Message(
        role="user",
        content=tuple(
            ToolResultBlock(
                tool_use_id=c.id,
                content=errors.get(c.input["path"], "ok"),
                is_error=c.input["path"] in errors,
            )
            for c in calls
        ),
    )
    return request(new_site(prompt), assistant, results)


async def test_after_tool_results_it_reports_and_ends_the_turn() -> None:
    prompt = "a landing page for my bakery in Paris"
    chunks = await collect(turn_two(prompt, await collect(request(new_site(prompt))), {}))
    assert not calls_of(chunks)
    assert all(isinstance(c, TextDelta) for c in chunks[:-1])
    assert len(chunks) > 3
    end = chunks[-1]
    assert isinstance(end, TurnEnd)
    assert end.stop_reason == "end_turn"
    assert "Bakery in Paris is ready" in prose(chunks)
    assert "refused" not in prose(chunks)


async def test_the_report_says_which_calls_were_refused_and_why() -> None:
    prompt = "a landing page for my bakery in Paris"
    first = await collect(request(new_site(prompt)))
    report = prose(await collect(turn_two(prompt, first, {"app.js": "The file is too large."})))
    assert "2 of 3" in report
    assert "write_file on app.js was refused (The file is too large.)" in report
    report = prose(await collect(turn_two(prompt, first, dict.fromkeys(SITE_FILES, "Denied."))))
    assert report.startswith("None of the changes went through")


# --- follow-ups -----------------------------------------------------------------------------------


async def edit(files: dict[str, str], prompt: str) -> tuple[list[ModelChunk], dict[str, str]]:
    chunks = await collect(request(followup(files, prompt)))
    return chunks, apply(files, calls_of(chunks))


@pytest.mark.parametrize("kind", sorted(TEMPLATE_PROMPTS))
async def test_a_colour_follow_up_edits_the_palette(kind: str) -> None:
    files = await build(TEMPLATE_PROMPTS[kind][0])
    chunks, after = await edit(files, "make it purple")
    calls = calls_of(chunks)
    assert [(c.name, c.input["path"]) for c in calls] == [("edit_file", "style.css")]
    assert files["style.css"].count(calls[0].input["old_string"]) == 1
    assert "--accent: #7c3aed;" in after["style.css"] or "--accent: #a78bfa;" in after["style.css"]
    assert after["index.html"] == files["index.html"]
    assert isinstance(chunks[-1], TurnEnd)
    assert chunks[-1].stop_reason == "tool_use"


@pytest.mark.parametrize("kind", sorted(TEMPLATE_PROMPTS))
async def test_a_title_follow_up_edits_title_and_heading(kind: str) -> None:
    files = await build(TEMPLATE_PROMPTS[kind][0])
    chunks, after = await edit(files, "Rename it to Moonlight & Co")
    assert {c.name for c in calls_of(chunks)} == {"edit_file"}
    page = check_page(after["index.html"], after)
    assert page.text["title"] == page.text["h1"] == "Moonlight & Co"
    assert "Moonlight &amp; Co" in after["index.html"]


@pytest.mark.parametrize("kind", sorted(TEMPLATE_PROMPTS))
@pytest.mark.parametrize(
    ("ask", "section_id"),
    [
        ("add a team section", "team"),
        ("add a photo gallery and opening hours", "gallery"),
        ("add a section about our history", "history"),
    ],
)
async def test_a_section_follow_up_adds_a_section_and_a_nav_link(
    kind: str, ask: str, section_id: str
) -> None:
    files = await build(TEMPLATE_PROMPTS[kind][0])
    chunks, after = await edit(files, ask)
    assert {c.name for c in calls_of(chunks)} == {"edit_file"}
    page = check_page(after["index.html"], after)
    new_ids = set(page.ids) - set(Page(files["index.html"]).ids)
    added = next(i for i in new_ids if i == section_id or re.fullmatch(rf"{section_id}-\d", i))
    assert f'href="#{added}"' in after["index.html"]
    assert after["index.html"].index(f'id="{added}"') < after["index.html"].index("</main>")


async def test_several_asks_in_one_follow_up() -> None:
    files = await build("a landing page for my bakery in Paris")
    chunks, after = await edit(files, "call it Blue Moon, then make it dark and add a contact form")
    text = prose(chunks)
    assert "“Blue Moon”" in text
    assert "dark palette" in text
    assert "contact form" in text
    page = check_page(after["index.html"], after)
    assert page.text["h1"] == "Blue Moon"
    assert "(vibe:dark/orange)" in after["style.css"]  # a colour named inside the title would not count
    assert 'id="contact"' in after["index.html"]


async def test_a_section_the_page_already_has_is_not_duplicated() -> None:
    files = await build("a landing page for my bakery in Paris")
    chunks, after = await edit(files, "add a FAQ section and a contact form")
    assert "The page already has an FAQ section" in prose(chunks)
    assert after["index.html"].count('class="faq-list"') == 1
    assert 'id="contact"' in after["index.html"]
    chunks, after = await edit(files, "add testimonials")
    assert calls_of(chunks) == []
    assert after == files
    assert "already has a reviews section" in prose(chunks)


async def test_anything_else_adds_a_small_section_about_the_request() -> None:
    files = await build("a portfolio for Jane Doe, illustrator")
    chunks, after = await edit(files, "mention that I am available for commissions")
    page = check_page(after["index.html"], after)
    assert "available for commissions" in after["index.html"]
    assert page.tags.count("section") == Page(files["index.html"]).tags.count("section") + 1
    assert isinstance(chunks[-1], TurnEnd)
    assert chunks[-1].stop_reason == "tool_use"


async def test_asking_for_the_colour_it_already_has_changes_nothing() -> None:
    files = await build("a blue landing page for my startup")
    chunks, after = await edit(files, "make it blue")
    assert calls_of(chunks) == []
    assert after == files
    assert isinstance(chunks[-1], TurnEnd)
    assert chunks[-1].stop_reason == "end_turn"
    assert "already" in prose(chunks)


async def test_a_foreign_stylesheet_is_rewritten_and_linked() -> None:
    files = {
        "index.html": "<!doctype html><html><head><title>Hi</title></head><body><h1>Hi</h1></body></html>"
    }
    files["style.css"] = "body { color: red; }"
    chunks, after = await edit(files, "make it green")
    calls = calls_of(chunks)
    assert ("write_file", "style.css") in [(c.name, c.input["path"]) for c in calls]
    assert "--accent: #15803d;" in after["style.css"]
    assert 'href="style.css"' in after["index.html"]


async def test_a_project_without_a_page_gets_a_whole_site() -> None:
    chunks, after = await edit({"notes.md": "# notes"}, "a landing page for my bakery")
    assert [c.input["path"] for c in calls_of(chunks)] == SITE_FILES
    assert set(after) == {"notes.md", *SITE_FILES}


async def test_a_hostile_title_is_escaped() -> None:
    files = await build("a landing page for my bakery")
    _, after = await edit(files, 'call it "<img src=x onerror=alert(1)>"')
    assert "<img" not in after["index.html"]
    page = check_page(after["index.html"], after)
    assert page.text["h1"] == "<img src=x onerror=alert(1)>"


# --- properties -----------------------------------------------------------------------------------

ALLOWED_TAGS: set[str] = set()


def allowed_tags() -> set[str]:
    if not ALLOWED_TAGS:
        for prompt, _ in TEMPLATE_PROMPTS.values():
            files = apply({}, calls_of(run(request(new_site(prompt)))))
            ALLOWED_TAGS.update(Page(files["index.html"]).tags)
    return ALLOWED_TAGS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_prompt_gives_valid_json_and_escaped_html(prompt: str) -> None:
    calls = calls_of(run(request(new_site(prompt))))
    assert [c.input["path"] for c in calls] == SITE_FILES  # every input is valid JSON
    files = apply({}, calls)
    page = check_page(files["index.html"], files)
    assert set(page.tags) <= allowed_tags()
    assert page.tags.count("script") == 1
    assert page.text.get("q", "") == quote_of(clean_prompt(prompt))
    assert page.text["h1"].strip()


BASE_SITE: dict[str, str] = {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_any_follow_up_gives_edits_that_apply_once(prompt: str) -> None:
    if not BASE_SITE:
        BASE_SITE.update(apply({}, calls_of(run(request(new_site("a landing page for my bakery"))))))
    chunks = run(request(followup(BASE_SITE, prompt)))
    after = apply(BASE_SITE, calls_of(chunks))  # asserts each old_string occurs exactly once
    page = check_page(after["index.html"], after)
    assert set(page.tags) <= allowed_tags()
    assert page.tags.count("script") == 1
    assert isinstance(chunks[-1], TurnEnd)
