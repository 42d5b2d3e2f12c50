"""The lines after a step: what each dispatch delivered, what failed, what is in doubt.

In the runbook's language (the outcome carries it), English for any other.
"""

from __future__ import annotations

import typer

from gonogo.night.delivery.reconcile import SETTLE_HINT
from gonogo.night.executor import Outcome
from gonogo.night.journal import Status
from gonogo.render.send_words import channel, word


def print_summary(outcome: Outcome) -> int:
    """Print the outcome; returns its exit code (decided by the outcome, not here)."""
    lang = outcome.language
    if outcome.note:
        typer.echo(outcome.note)
    for result in outcome.dispatches:
        dispatch = result.dispatch
        per_channel: dict[str, int] = {}
        for (name, _audience), n in dispatch.counts_by().items():
            if n.sent:
                per_channel[name] = per_channel.get(name, 0) + n.sent
        counts = dispatch.counts
        parts = ", ".join(f"{channel(lang, c)} {n}" for c, n in sorted(per_channel.items()))
        line = word(lang, "delivered", label=dispatch.label, n=counts.sent,
                    parts=parts or word(lang, "none"))  # fmt: skip
        if counts.failed:
            line += word(lang, "FAILED", n=counts.failed)
        if counts.in_doubt:
            line += word(lang, "in doubt", n=counts.in_doubt)
        if counts.pending:
            line += word(lang, "not yet sent", n=counts.pending)
        typer.echo(line)
        for failure in result.failures[:20]:
            what = (
                f"{channel(lang, failure.channel)} {failure.audience} {failure.address}: "
                f"{failure.code or ''} {failure.reason or ''}"
            )
            typer.echo(word(lang, "failed line", what=what).rstrip())
        if len(result.failures) > 20:
            typer.echo(word(lang, "more", n=len(result.failures) - 20))
    if any(r.failures for r in outcome.dispatches):
        typer.echo(word(lang, "retry hint"))
    doubtful = [d for r in outcome.dispatches for d in r.in_doubt]
    if any(d.status == Status.IN_FLIGHT for d in doubtful):
        typer.echo(word(lang, "resume hint"))
    if any(d.status == Status.IN_DOUBT for d in doubtful):
        typer.echo(word(lang, "settle hint", hint=SETTLE_HINT))
    if outcome.journaled and not outcome.dispatches and not outcome.note:
        typer.echo(word(lang, "journaled"))
    return int(outcome.exit_code)
