"""What a rehearsal did, and whether every expectation held."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from rich.table import Table

from gonogo.rehearsal.engine import Outcome
from gonogo.rehearsal.paths import PathsResult
from gonogo.render.console import console


def print_outcome(outcome: Outcome, *, verbose: bool) -> None:
    out = console()
    ending = outcome.ending
    out.print(f"[bold]Rehearsal: {escape(outcome.scenario.name)}[/bold]")
    for step in outcome.steps:
        at = (ending.local(step.at) if ending else step.at).strftime("%H:%M")
        mark = "[green]ok[/green]" if step.ok else "[red]FAILED[/red]"
        expected = f" (expected exit {step.expected})" if step.expected else ""
        out.print(f"  {at}  {escape(step.command):<50} exit {step.code}{expected} {mark}")
        if verbose or not step.ok:
            for line in step.output.rstrip().splitlines():
                out.print(f"        {escape(line)}")
    for what, held, got in outcome.checks:
        if held:
            out.print(f"  [green]held[/green]    {escape(what)}")
        else:
            out.print(f"  [red]FAILED[/red]  expected {escape(what)}; got {escape(got)}")
    out.print(f"Journal and outbox: {outcome.state_dir}")
    verdict = "[green]every expectation held[/green]" if outcome.ok else "[red]FAILED[/red]"
    out.print(f"Result: {verdict}")


def print_paths(result: PathsResult, work: Path, *, verbose: bool) -> None:
    out = console()
    table = Table(title="Paths")
    for column in ("Path", "Commands", "Outcome", "Result"):
        table.add_column(column)
    for outcome in result.outcomes:
        end = outcome.ending.outcome if outcome.ending else None
        table.add_row(
            escape(outcome.scenario.name), str(len(outcome.steps)), end or "not finished",
            "[green]ok[/green]" if outcome.ok else "[red]FAILED[/red]",
        )  # fmt: skip
        if verbose or not outcome.ok:
            bad = [s for s in outcome.steps if not s.ok]
            for step in bad:
                out.print(f"{escape(outcome.scenario.name)}: `{escape(step.command)}` exit "
                          f"{step.code}: {escape(step.output.strip()[-300:])}")  # fmt: skip
    out.print(table)
    coverage = Table(title="Coverage: event x audience x channel")
    for column in ("Event", "Audience", "Channel", "Sent on some path"):
        coverage.add_column(column)
    for (event, audience, channel), sent in sorted(result.coverage.items()):
        coverage.add_row(event, audience, channel,
                         "yes" if sent else "[yellow]never reachable[/yellow]")  # fmt: skip
    out.print(coverage)
    for line in result.missing:
        out.print(f"[red]missing[/red] {escape(line)}")
    reached = sum(result.coverage.values())
    out.print(
        f"{len(result.outcomes)} paths, {reached}/{len(result.coverage)} deliveries reached; "
        f"journals in {work} (each text to one stand-in per audience, language and channel)"
    )
    out.print("Result: " + ("[green]ok[/green]" if result.ok else "[red]FAILED[/red]"))
