"""``vibe doctor``: check the configured Claude API with a real key, and say plainly what was seen."""

from __future__ import annotations

import click
import msgspec

from vibe.config import Settings

__all__ = ["run_doctor"]


class DoctorOutput(msgspec.Struct, frozen=True):
    text: str
    ok: bool


async def run_doctor(settings: Settings) -> DoctorOutput:
    if not settings.anthropic_api_key:
        raise click.ClickException(
            "vibe doctor checks the Claude API and needs ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL if you "
            "use a gateway); no call was made."
        )
    from vibe.bootstrap import diagnose_model

    report = await diagnose_model(settings)
    lines = [f"model: {settings.model} (answered as {report.model})"]
    lines += [f"{'ok ' if c.ok else 'BAD'} {c.name}: {c.detail}" for c in report.checks]
    u = report.usage
    lines.append(
        f"usage: {u.input_tokens} input, {u.cache_read_input_tokens} cache read, "
        f"{u.cache_creation_input_tokens} cache write, {u.output_tokens} output tokens"
    )
    lines.append("all checks passed" if report.ok else "some checks failed: see BAD above")
    return DoctorOutput(text="\n".join(lines), ok=report.ok)
