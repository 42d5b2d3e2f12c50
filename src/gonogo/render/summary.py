"""The one-line summary after a step, and its exit code."""

from __future__ import annotations

import typer

from gonogo.errors import ExitCode
from gonogo.night.steps import StepResult


def print_summary(result: StepResult) -> int:
    code = ExitCode.OK
    for report in result.dispatches:
        sent = sum(report.sent.values())
        per_channel: dict[str, int] = {}
        for (channel, _audience), n in report.sent.items():
            per_channel[channel] = per_channel.get(channel, 0) + n
        parts = ", ".join(f"{c} {n}" for c, n in sorted(per_channel.items())) or "none"
        line = f"{report.label}: {sent} delivered ({parts})"
        if report.failures:
            line += f", {report.failed} FAILED"
            code = ExitCode.DELIVERY_FAILED
        if report.in_doubt:
            line += f", {len(report.in_doubt)} in doubt"
            code = ExitCode.DELIVERY_FAILED
        typer.echo(line)
        for failure in report.failures[:20]:
            typer.echo(
                f"  failed: {failure.channel} {failure.audience} {failure.address}: "
                f"{failure.code or ''} {failure.reason or ''}".rstrip()
            )
        if report.failed > 20:
            typer.echo(f"  ... and {report.failed - 20} more: see `gonogo deliveries`")
    if not result.dispatches:
        typer.echo("Journaled.")
    return int(code)
