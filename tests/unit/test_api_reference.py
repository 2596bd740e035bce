"""docs/api.md stays true: its generated part is what the OpenAPI document says, and its table of
stream events names every event the domain defines."""

from __future__ import annotations

import re

from tests.api_reference import current, rendered
from vibe.domain import events


def test_the_reference_matches_the_openapi_document() -> None:
    _, generated = current()
    assert generated == rendered(), "docs/api.md is stale: run `python -m tests.api_reference`"


def test_the_reference_names_every_stream_event() -> None:
    written, _ = current()
    documented = set(re.findall(r"^\| `(\w+)` \| `\{", written, re.M))
    defined = {cls.name for cls in _subclasses(events.Event)}
    assert documented == defined


def _subclasses(cls: type[events.Event]) -> list[type[events.Event]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found
