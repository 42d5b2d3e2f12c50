"""The lines after a step: what each dispatch delivered, what failed, what is in doubt."""

from __future__ import annotations

import typer

from gonogo.night.delivery.reconcile import SETTLE_HINT
from gonogo.night.executor import Outcome
from gonogo.night.journal import Status


def print_summary(outcome: Outcome) -> int:
    """Print the outcome; returns its exit code (decided by the outcome, not here)."""
    if outcome.note:
        typer.echo(outcome.note)
    for result in outcome.dispatches:
        dispatch = result.dispatch
        per_channel: dict[str, int] = {}
        for (channel, _audience), n in dispatch.counts_by().items():
            if n.sent:
                per_channel[channel] = per_channel.get(channel, 0) + n.sent
        counts = dispatch.counts
        parts = ", ".join(f"{c} {n}" for c, n in sorted(per_channel.items())) or "none"
        line = f"{dispatch.label}: {counts.sent} delivered ({parts})"
        if counts.failed:
            line += f", {counts.failed} FAILED"
        if counts.in_doubt:
            line += f", {counts.in_doubt} in doubt"
        if counts.pending:
            line += f", {counts.pending} not yet sent"
        typer.echo(line)
        for failure in result.failures[:20]:
            typer.echo(
                f"  failed: {failure.channel} {failure.audience} {failure.address}: "
                f"{failure.code or ''} {failure.reason or ''}".rstrip()
            )
        if len(result.failures) > 20:
            typer.echo(f"  ... and {len(result.failures) - 20} more: see `gonogo deliveries`")
    if any(r.failures for r in outcome.dispatches):
        typer.echo("Try the failed ones again with `gonogo retry-failed`.")
    doubtful = [d for r in outcome.dispatches for d in r.in_doubt]
    if any(d.status == Status.IN_FLIGHT for d in doubtful):
        typer.echo("In doubt: `gonogo resume` asks the provider and finishes them.")
    if any(d.status == Status.IN_DOUBT for d in doubtful):
        typer.echo(f"In doubt: {SETTLE_HINT}.")
    if outcome.journaled and not outcome.dispatches and not outcome.note:
        typer.echo("Journaled.")
    return int(outcome.exit_code)
