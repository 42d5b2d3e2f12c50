"""`gonogo status`: where the night stands, against the plan and the clock."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from gonogo.night.view import NightView
from gonogo.render.console import console


def status_json(view: NightView) -> str:
    # version and kind as in every other --json document (docs/json.md); added in front,
    # so the fields scripts already read are unchanged.
    document = {"version": 1, "kind": "status", **view.as_dict()}
    return json.dumps(document, ensure_ascii=False, indent=2)


def _hhmm(view: NightView, instant: object) -> str:
    import datetime as dt  # noqa: PLC0415

    if not isinstance(instant, dt.datetime):
        return ""
    return view.local(instant).strftime("%H:%M")


def _late(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes <= 0:
        return "on time" if minutes > -5 else f"{-minutes} min early"
    return f"[red]+{minutes} min[/red]" if minutes >= 15 else f"+{minutes} min"


def print_status(view: NightView) -> None:
    out = console()
    run = view.run
    banner = " [yellow]REHEARSAL (dry run): nothing is sent[/yellow]" if run.dry_run else ""
    out.print(f"[bold]{run.runbook.release.title}[/bold] ({run.release}){banner}")
    if view.runbook_changed:
        out.print("[red]The runbook has changed since the run started.[/red]")
    out.print(f"Now {view.local(view.now):%Y-%m-%d %H:%M %Z}: {view.description}")
    left = int(view.window_left.total_seconds() // 60)
    window = f"Window {_hhmm(view, view.plan.window_start)}-{_hhmm(view, view.plan.window_end)}, "
    window += f"{left // 60}h{left % 60:02d}m left" if left >= 0 else f"[red]{-left} min over[/red]"
    out.print(window)
    pnr = _hhmm(view, view.plan.point_of_no_return)
    if view.night.outcome is None:
        if view.point_of_no_return_passed:
            out.print(
                f"[red]Point of no return {pnr} has passed: a NoGo now cannot finish the "
                "rollback inside the window.[/red]"
            )
        else:
            out.print(f"Point of no return {pnr}: the latest NoGo that still fits the rollback.")
    table = Table()
    for column in ("#", "Part", "Owner", "Planned", "Actual", "Late", "Decision"):
        table.add_column(column)
    current = view.night.current_part
    for p in view.parts:
        actual = ""
        if p.started:
            actual = _hhmm(view, p.started) + "-" + (_hhmm(view, p.ended) if p.ended else "")
        decision = ""
        if p.decision:
            decision = f"{p.decision.title()} by {p.decided_by}"
            if p.reason:
                decision += f": {p.reason}"
        elif p.number == current:
            decision = "[bold]in progress[/bold]"
        table.add_row(
            str(p.number), f"{p.title} ({p.id})", p.owner,
            f"{_hhmm(view, p.planned_start)}-{_hhmm(view, p.planned_end)}",
            actual, _late(p.late_minutes(view.now)) if p.started or p.ended else "", decision,
        )  # fmt: skip
    out.print(table)
    for hold in view.night.active_holds:
        out.print(
            f"[yellow]Hold on part {hold.part}[/yellow] since {_hhmm(view, hold.at)} "
            f"by {hold.by}: {hold.reason}"
        )
    from gonogo.render.incidents import incident_lines  # noqa: PLC0415

    for line in incident_lines(view):
        out.print(line)
    lights, _changes = view.lights()
    off = [f"{s} {c}" for s, c in lights.items() if c != "green"]
    out.print("Lights: " + (", ".join(off) if off else "all green"))
    verification = view.run.runbook.verification
    if verification is not None and view.night.outcome is None:
        blocker = view.verification().blocker(view.run.runbook)
        out.print(f"Verification (gates {verification.gates}): " + (blocker or "complete"))
    _print_deliveries(out, view)
    if view.night.outcome:
        out.print(f"Outcome: [bold]{view.night.outcome}[/bold]")
    out.print(f"Next: {view.next_step.removeprefix('next: ')}")


def _print_deliveries(out: Console, view: NightView) -> None:
    """What went out; what did not, in red with the command that deals with it."""
    counts = view.night.deliveries
    if not counts.total:
        return
    line = f"Deliveries: {counts.sent} sent"
    if counts.failed:
        line += f", [red]{counts.failed} failed[/red] (`gonogo retry-failed`)"
    if counts.in_doubt:
        line += f", [red]{counts.in_doubt} in doubt[/red] (`gonogo deliveries`)"
    if counts.pending:
        line += f", [red]{counts.pending} not yet sent[/red] (`gonogo resume`)"
    out.print(line)
