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
    import anthropic

    from vibe.adapters.claude import ClaudeOptions
    from vibe.adapters.claude_doctor import diagnose
    from vibe.application.prompting import SYSTEM_PROMPT, TOOLS

    options = ClaudeOptions(
        max_output_tokens=settings.max_output_tokens, effort=settings.effort, thinking=settings.thinking
    )
    async with anthropic.AsyncAnthropic(
        api_key=settings.anthropic_api_key, base_url=settings.anthropic_base_url, max_retries=2
    ) as client:
        report = await diagnose(client, settings.model, options, SYSTEM_PROMPT, TOOLS)
    lines = [f"model: {settings.model} (answered as {report.model})"]
    lines += [f"{'ok ' if c.ok else 'BAD'} {c.name}: {c.detail}" for c in report.checks]
    u = report.usage
    lines.append(
        f"usage: {u.input_tokens} input, {u.cache_read_input_tokens} cache read, "
        f"{u.cache_creation_input_tokens} cache write, {u.output_tokens} output tokens"
    )
    lines.append("all checks passed" if report.ok else "some checks failed: see BAD above")
    return DoctorOutput(text="\n".join(lines), ok=report.ok)
