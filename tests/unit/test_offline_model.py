"""The offline model: the streaming tool-call protocol, honest reports, follow-ups that change exactly
what they say (and only that) as edits that always apply, escaping of hostile prompts, pacing and
determinism. What each brief's site holds is tested in test_offline_briefs.py."""

from __future__ import annotations

import asyncio
import json
import re
from html.parser import HTMLParser
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vibe.adapters.offline import OfflineModel
from vibe.adapters.offline.edits import file_calls
from vibe.adapters.offline.page import Page as Page_
from vibe.adapters.offline.page import Tokens, extract
from vibe.application.prompting import SYSTEM_PROMPT, TOOLS, followup_instructions, render_project_context
from vibe.application.site_check import check_site
from vibe.domain.conversation import (
    Billed,
    Message,
    ModelChunk,
    ModelRequest,
    TextBlock,
    TextDelta,
    ToolCallDelta,
    ToolCallEnd,
    ToolCallStart,
    ToolResultBlock,
    ToolUseBlock,
    TurnEnd,
)
from vibe.domain.ports import ModelClient

SITE_FILES = ["index.html", "style.css", "app.js"]

BAKERY = "a landing page for my bakery in Paris"


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

    @classmethod
    def of(cls, name: str, data: dict[str, Any]) -> Call:
        call = cls("x", name)
        call.pieces = [json.dumps(data)]
        return call

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
        if tag in ("h1", "title"):
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
    for tag in ("html", "head", "title", "main", "footer"):
        assert tag in page.tags, tag
    assert ("html", "lang", "en") in page.attrs or ("html", "lang", "zh-CN") in page.attrs
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
    req = request(new_site(BAKERY))
    assert await collect(req) == await collect(req)


async def test_a_new_site_is_prose_then_three_written_files() -> None:
    chunks = await collect(request(new_site(BAKERY)))
    first_call = next(i for i, c in enumerate(chunks) if isinstance(c, ToolCallStart))
    assert first_call >= 3
    # like a real model, it first says what the input costs (the UI's token counter moves at once)
    assert isinstance(chunks[0], Billed)
    assert chunks[0].usage.input_tokens > 0
    assert all(isinstance(c, TextDelta) for c in chunks[1:first_call])
    assert prose(chunks).startswith("I read this as a restaurant site for “Bakery in Paris”")
    calls = calls_of(chunks)
    assert [c.name for c in calls] == ["write_file"] * 3
    assert [c.input["path"] for c in calls] == SITE_FILES
    assert len({c.id for c in calls}) == 3
    assert all(c.id.startswith("toolu_offline_") for c in calls)
    # Each call opens, streams and closes before the next one starts.
    order = [
        (type(c).__name__, c.index)
        for c in chunks
        if isinstance(c, ToolCallStart | ToolCallDelta | ToolCallEnd)
    ]
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
    prompt = BAKERY
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


# --- escaping ---------------------------------------------------------------------------------------


async def test_a_hostile_prompt_is_escaped() -> None:
    files = await build('<script>alert(1)</script> called "<b>bold</b> & co"')
    html = files["index.html"]
    assert "<script>alert(1)</script>" not in html
    assert html.count("<script") == 2  # the page model (JSON, inert) and app.js
    assert "<b>" not in html
    page = check_page(html, files)
    assert "<b>bold</b>" in page.text["h1"]  # shown as text, not markup
    assert check_site(files) == ()


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
    chunks = await collect(turn_two(BAKERY, await collect(request(new_site(BAKERY))), {}))
    assert not calls_of(chunks)
    assert isinstance(chunks[0], Billed)
    assert all(isinstance(c, TextDelta) for c in chunks[1:-1])
    end = chunks[-1]
    assert isinstance(end, TurnEnd)
    assert end.stop_reason == "end_turn"
    assert "“Bakery in Paris” is ready" in prose(chunks)
    assert "refused" not in prose(chunks)


async def test_the_report_says_which_calls_were_refused_and_why() -> None:
    first = await collect(request(new_site(BAKERY)))
    report = prose(await collect(turn_two(BAKERY, first, {"app.js": "The file is too large."})))
    assert "2 of 3" in report
    assert "write_file on app.js was refused (The file is too large.)" in report
    report = prose(await collect(turn_two(BAKERY, first, dict.fromkeys(SITE_FILES, "Denied."))))
    assert report.startswith("None of the changes went through")


async def test_a_chinese_brief_is_answered_in_chinese() -> None:
    prompt = "为巴黎的面包店做一个落地页，有菜单和营业时间"
    first = await collect(request(new_site(prompt)))
    assert prose(first).startswith("我理解为一个餐厅网站「巴黎面包店」")
    assert "「巴黎面包店」已完成" in prose(await collect(turn_two(prompt, first, {})))


# --- follow-ups -----------------------------------------------------------------------------------


async def edit(files: dict[str, str], prompt: str) -> tuple[list[ModelChunk], dict[str, str]]:
    chunks = await collect(request(followup(files, prompt)))
    return chunks, apply(files, calls_of(chunks))


def models(files: dict[str, str]) -> tuple[Page_, Tokens]:
    page, tokens = extract(files)
    assert page is not None
    assert tokens is not None
    return page, tokens


@pytest.mark.parametrize(
    ("ask", "changed"),
    [
        ("make it dark", {"scheme": "dark"}),
        ("Use a serif font", {"font": "serif"}),
        ("make the buttons green", {"buttons": "green"}),
        ("make it purple", {"accent": "purple", "buttons": "purple"}),
        ("make it playful", {"mood": "playful"}),
        ("改成深色", {"scheme": "dark"}),
        ("按钮改成蓝色", {"buttons": "blue"}),
    ],
)
async def test_a_style_follow_up_changes_that_token_and_only_it(ask: str, changed: dict[str, str]) -> None:
    files = await build(BAKERY)
    chunks, after = await edit(files, ask)
    assert {c.input["path"] for c in calls_of(chunks)} == {"style.css"}
    assert {c.name for c in calls_of(chunks)} == {"edit_file"}
    assert after["index.html"] == files["index.html"]
    assert after["app.js"] == files["app.js"]
    before, now = models(files)[1], models(after)[1]
    assert msgspec.structs.replace(before, **changed) == now
    assert check_site(after) == ()


@pytest.mark.parametrize(
    ("ask", "added", "removed"),
    [
        ("add a FAQ", {"faq"}, set()),
        ("remove the testimonials", set(), {"testimonials"}),
        ("add a photo gallery and opening hours", set(), set()),  # the bakery already has both
        ("add pricing and remove the gallery", {"pricing"}, {"gallery"}),
        ("添加常见问题", {"faq"}, set()),
        ("删除用户评价", set(), {"testimonials"}),
    ],
)
async def test_a_section_follow_up_changes_those_sections_and_only_them(
    ask: str, added: set[str], removed: set[str]
) -> None:
    files = await build(BAKERY)
    chunks, after = await edit(files, ask)
    before, now = models(files)[0], models(after)[0]
    assert set(now.sections) == (set(before.sections) | added) - removed
    assert msgspec.structs.replace(now, sections=before.sections) == before
    assert after["style.css"] == files["style.css"]
    for name in added:
        assert f'id="{name}"' in after["index.html"]
        assert f'href="#{name}"' in after["index.html"]
    for name in removed:
        assert f'id="{name}"' not in after["index.html"]
        assert f'href="#{name}"' not in after["index.html"]
    if added or removed:
        assert {c.name for c in calls_of(chunks)} == {"edit_file"}
    else:
        assert calls_of(chunks) == []
        assert "already has" in prose(chunks)
    assert check_site(after) == ()


async def test_several_asks_in_one_follow_up() -> None:
    files = await build(BAKERY)
    chunks, after = await edit(files, "call it Blue Moon, then make it dark and add a contact form and a FAQ")
    text = prose(chunks)
    assert "“Blue Moon”" in text
    assert "dark" in text
    page, tokens = models(after)
    assert page.title == "Blue Moon"
    assert Page(after["index.html"]).text["h1"] == "Blue Moon"
    assert tokens.scheme == "dark"
    assert tokens.accent == "orange"  # a colour named inside the title would not count
    assert "faq" in page.sections
    assert check_site(after) == ()


async def test_a_section_about_anything_else_gets_its_heading() -> None:
    files = await build("a portfolio for Jane Doe, illustrator")
    _, after = await edit(files, "add a section about upcoming exhibitions")
    page, _ = models(after)
    assert page.topics == (("topic-upcoming-exhibitions", "Upcoming Exhibitions"),)
    assert '<h2 id="topic-upcoming-exhibitions-title">Upcoming Exhibitions</h2>' in after["index.html"]
    assert check_site(after) == ()


async def test_a_request_it_cannot_read_changes_nothing_and_says_what_it_can_do() -> None:
    files = await build(BAKERY)
    chunks, after = await edit(files, "mention that we are available for weddings")
    assert calls_of(chunks) == []
    assert after == files
    assert "I couldn't find a change" in prose(chunks)
    assert isinstance(chunks[-1], TurnEnd)
    assert chunks[-1].stop_reason == "end_turn"


async def test_asking_for_the_colour_it_already_has_changes_nothing() -> None:
    files = await build("a blue landing page for my startup")
    chunks, after = await edit(files, "make it blue")
    assert calls_of(chunks) == []
    assert after == files
    assert "already" in prose(chunks)


async def test_a_hand_edited_page_is_never_rewritten() -> None:
    files = await build(BAKERY)
    files["index.html"] = files["index.html"].replace("Our story", "Our story since 1921")
    chunks, after = await edit(files, "add a FAQ and remove the testimonials")
    assert "Our story since 1921" in after["index.html"]
    assert 'id="faq"' in after["index.html"]
    assert 'id="testimonials"' in after["index.html"]  # not removed: it says so instead
    assert "only remove sections" in prose(chunks)
    assert check_site(after) == ()


async def test_a_foreign_site_gets_an_override_stylesheet_and_inserted_sections() -> None:
    files = {
        "index.html": "<!doctype html><html><head><title>Hi</title></head><body><main><h1>Hi</h1></main>"
        "</body></html>",
        "style.css": "body { color: red; }",
    }
    _, after = await edit(files, "make it green and add a contact form")
    assert after["style.css"].startswith("body { color: red; }")
    assert "--accent: #166534;" in after["style.css"]
    assert 'href="style.css"' in after["index.html"]
    assert 'id="contact"' in after["index.html"]
    _, again = await edit(after, "make it dark")
    assert again["style.css"].count("style override") == 1


async def test_a_project_without_a_page_gets_a_whole_site() -> None:
    chunks, after = await edit({"notes.md": "# notes"}, "a landing page for my bakery")
    assert [c.input["path"] for c in calls_of(chunks)] == SITE_FILES
    assert set(after) == {"notes.md", *SITE_FILES}


async def test_a_hostile_title_is_escaped() -> None:
    files = await build(BAKERY)
    _, after = await edit(files, 'call it "<img src=x onerror=alert(1)>"')
    assert "<img" not in after["index.html"]
    page = check_page(after["index.html"], after)
    assert page.text["h1"] == "<img src=x onerror=alert(1)>"


# --- properties -----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_prompt_gives_valid_json_and_a_site_without_problems(prompt: str) -> None:
    calls = calls_of(run(request(new_site(prompt))))
    assert [c.input["path"] for c in calls] == SITE_FILES  # every input is valid JSON
    files = apply({}, calls)
    page = check_page(files["index.html"], files)
    assert page.tags.count("script") == 2
    assert page.text["h1"].strip()
    assert check_site(files) == ()


BASE_SITE: dict[str, str] = {}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_any_follow_up_gives_edits_that_apply_once(prompt: str) -> None:
    if not BASE_SITE:
        BASE_SITE.update(apply({}, calls_of(run(request(new_site(BAKERY))))))
    chunks = run(request(followup(BASE_SITE, prompt)))
    after = apply(BASE_SITE, calls_of(chunks))  # asserts each old_string occurs exactly once
    check_page(after["index.html"], after)
    assert check_site(after) == ()
    assert isinstance(chunks[-1], TurnEnd)


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet="ab\n<>", max_size=60), st.text(alphabet="ab\n<>", max_size=60))
def test_file_edits_turn_any_text_into_any_other(old: str, new: str) -> None:
    calls = file_calls("f.txt", old, new)
    assert apply({"f.txt": old}, [Call.of(call.name, call.input) for call in calls]) == {"f.txt": new}


async def test_a_game_page_keeps_its_one_game_but_takes_style_changes() -> None:
    files = await build("A snake game")
    chunks, after = await edit(files, "add a FAQ and make it light")
    assert after["index.html"] == files["index.html"]
    assert models(after)[1].scheme == "light"
    assert "game page holds only its game" in prose(chunks)
