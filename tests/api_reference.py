"""The HTTP part of docs/api.md, rendered from the app's OpenAPI document.

``python -m tests.api_reference`` rewrites the generated part of docs/api.md (everything after
``GENERATED``); tests/unit/test_api_reference.py fails when the file and the document disagree.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from vibe.entrypoints.http.app import create_app
from vibe.testing import connect_fake

__all__ = ["API_MD", "GENERATED", "current", "openapi", "render", "rendered"]

API_MD = Path(__file__).resolve().parent.parent / "docs" / "api.md"
GENERATED = (
    "<!-- Generated from the OpenAPI document by `python -m tests.api_reference`; do not edit below. -->"
)
_METHODS = ("get", "put", "post", "patch", "delete")
_PROBLEMS = "application/problem+json"

Schema = dict[str, Any]


def openapi() -> Schema:
    """The document the app serves at /api/schema/openapi.json."""
    schema: Schema = create_app(connect_fake()).openapi_schema.to_schema()
    return schema


def _type(schema: Schema) -> str:
    """A short name for a JSON schema: ``ProjectOut``, ``string``, ``[VersionOut]``, ``integer | null``."""
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " \\| ".join(dict.fromkeys(_type(option) for option in schema[key]))
    if schema.get("type") == "array":
        return f"[{_type(schema.get('items', {}))}]"
    if "enum" in schema:
        return " \\| ".join(json.dumps(value) for value in schema["enum"])
    if "const" in schema:
        return json.dumps(schema["const"])
    kind = schema.get("type", "any")
    return " \\| ".join(kind) if isinstance(kind, list) else str(kind)


def _cell(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _operation(path: str, method: str, operation: Schema) -> list[str]:
    lines = [f"### `{method.upper()} {path}`", "", _cell(operation.get("summary", "")), ""]
    if operation.get("security"):
        optional = {} in operation["security"]
        lines += ["Auth: bearer token or cookie" + (", optional." if optional else "."), ""]
    parameters = [p for p in operation.get("parameters", []) if p.get("in") in ("path", "query")]
    if parameters:
        lines += ["| parameter | in | type | required | description |", "| --- | --- | --- | --- | --- |"]
        for parameter in parameters:
            required = "yes" if parameter.get("required") else "no"
            lines.append(
                f"| `{parameter['name']}` | {parameter['in']} | {_type(parameter.get('schema', {}))} "
                f"| {required} | {_cell(parameter.get('description', ''))} |"
            )
        lines.append("")
    body = operation.get("requestBody")
    if body:
        for media, content in body.get("content", {}).items():
            lines += [f"Body (`{media}`): {_type(content.get('schema', {}))}", ""]
    answers, problems = [], []
    for status, response in operation.get("responses", {}).items():
        content = response.get("content", {})
        if set(content) == {_PROBLEMS}:
            problems.append(status)
            continue
        shapes = ", ".join(
            f"`{media}` {_type(value.get('schema', {}))}".rstrip() for media, value in content.items()
        )
        answers.append(
            f"- {status}: {_cell(response.get('description', ''))}" + (f" ({shapes})" if shapes else "")
        )
    lines += answers
    if problems:
        lines.append(f"- problem+json: {', '.join(problems)}")
    return [*lines, ""]


def _component(name: str, schema: Schema) -> list[str]:
    lines = [f"### {name}", ""]
    if schema.get("description"):
        lines += [_cell(schema["description"]), ""]
    properties = schema.get("properties", {})
    if not properties:
        return [*lines, f"Type: {_type(schema)}", ""]
    required = set(schema.get("required", []))
    lines += ["| field | type | required | description |", "| --- | --- | --- | --- |"]
    for field, value in properties.items():
        lines.append(
            f"| `{field}` | {_type(value)} | {'yes' if field in required else 'no'} "
            f"| {_cell(value.get('description', ''))} |"
        )
    return [*lines, ""]


def render(schema: Schema) -> str:
    """The generated part of docs/api.md: every operation by tag, then every schema."""
    lines = [GENERATED, ""]
    by_tag: dict[str, list[tuple[str, str, Schema]]] = {}
    for path, item in schema["paths"].items():
        for method in _METHODS:
            if method in item:
                tag = (item[method].get("tags") or ["other"])[0]
                by_tag.setdefault(tag, []).append((path, method, item[method]))
    for tag in sorted(by_tag):
        lines += [f"## {tag.capitalize()}", ""]
        for path, method, operation in sorted(by_tag[tag], key=lambda o: (o[0], _METHODS.index(o[1]))):
            lines += _operation(path, method, operation)
    lines += ["## Schemas", ""]
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        lines += _component(name, component)
    return "\n".join(lines).rstrip("\n") + "\n"


def current() -> tuple[str, str]:
    """docs/api.md as it is: (the written part, the generated part)."""
    text = API_MD.read_text(encoding="utf-8")
    written, marker, generated = text.partition(GENERATED)
    return written, marker + generated


def rendered() -> str:
    return render(openapi())


if __name__ == "__main__":
    written, _ = current()
    API_MD.write_text(written + rendered(), encoding="utf-8")
    sys.stdout.write(f"wrote {API_MD}\n")
