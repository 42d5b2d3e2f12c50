"""`gonogo status`: where the night stands, against the plan and the clock.

Before and during the window: the clock, the point of no return, the parts, what is
due now, deliveries per dispatch. After it: the outcome, the times, what was sent and
what is still open; nothing that no longer applies.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from gonogo.night.lock import holder_since
from gonogo.night.machine import ROLLING_BACK
from gonogo.night.view import NightView
from gonogo.night.wording import duration
from gonogo.render.console import console
from gonogo.render.json_head import head


def status_json(view: NightView) -> dict[str, Any]:
    """The `status --json` document (docs/json/status.schema.json)."""
    # version and kind as in every other --json document; added in front, so the fields
    # scripts read before status had a version are unchanged.
    return {**head("status"), **view.as_dict()}


def _hhmm(view: NightView, instant: dt.datetime | None) -> str:
    return view.local(instant).strftime("%H:%M") if instant else ""


def _late(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes <= 0:
        return "on time" if minutes > -5 else f"{duration(dt.timedelta(minutes=-minutes))} early"
    late = "+" + duration(dt.timedelta(minutes=minutes))
    return f"[red]{late}[/red]" if minutes >= 15 else late


def print_status(view: NightView, out: Console | None = None) -> None:
    out = out or console()
    run = view.run
    banner = " [yellow]REHEARSAL (dry run): nothing is sent[/yellow]" if run.dry_run else ""
    out.print(f"[bold]{escape(run.runbook.release.title)}[/bold] ({run.release}){banner}")
    if view.runbook_changed:
        out.print("[red]The runbook has changed since the run started.[/red]")
    out.print(f"Now {view.local(view.now):%Y-%m-%d %H:%M %Z}: {view.description}")
    if view.night.outcome is None:
        _print_clock(out, view)
    else:
        _print_outcome(out, view)
    out.print(_parts_table(view, out.width))
    for hold in view.night.active_holds:
        out.print(
            f"[yellow]Hold on part {hold.part}[/yellow] since {_hhmm(view, hold.at)} "
            f"by {escape(hold.by)}: {escape(hold.reason)}"
        )
    from gonogo.render.incidents import incident_lines  # noqa: PLC0415

    for line in incident_lines(view):
        out.print(line)
    lights, _changes = view.lights()
    off = [f"{s} {c}" for s, c in lights.items() if c != "green"]
    out.print("Lights: " + (", ".join(off) if off else "all green"))
    verification = view.run.runbook.verification
    closing = view.night.outcome is not None or view.night.state == ROLLING_BACK
    if verification is not None and not closing:
        out.print(f"Verification (gates {verification.gates}): {_verification(view)}")
    _print_due(out, view)
    _print_deliveries(out, view)
    out.print(f"Next: {view.next_step.removeprefix('next: ')}")


def _verification(view: NightView) -> str:
    state = view.verification()
    spec = view.run.runbook.verification
    assert spec is not None
    if state.started is None:
        planned = view.plan.verification_start
        return "not started" + (f" (planned {_hhmm(view, planned)})" if planned else "")
    blocker = state.blocker(view.run.runbook)
    if blocker and "failed" in blocker:
        return f"[red]{escape(blocker)}[/red]"
    done = sum(1 for p in spec.participants if p in state.reports)
    return f"started {_hhmm(view, state.started)}, {done} of {len(spec.participants)} reported" + (
        "" if blocker else "; complete"
    )


def _print_clock(out: Console, view: NightView) -> None:
    left = view.window_left
    window = f"Window {_hhmm(view, view.plan.window_start)}-{_hhmm(view, view.plan.window_end)}"
    if left >= dt.timedelta(0):
        window += f", {duration(left)} left"
    else:
        window += f", [red]{duration(left)} over[/red]"
    out.print(window)
    if view.night.state == ROLLING_BACK:
        return  # the point of no return is behind: the rollback's end is due now
    pnr = _hhmm(view, view.plan.point_of_no_return)
    if view.point_of_no_return_passed:
        out.print(
            f"[red]Point of no return {pnr} has passed: a NoGo now cannot finish the "
            "rollback inside the window.[/red]"
        )
    else:
        out.print(f"Point of no return {pnr}: the latest NoGo that still fits the rollback.")


def _print_outcome(out: Console, view: NightView) -> None:
    night = view.night
    planned = f"{_hhmm(view, view.plan.window_start)}-{_hhmm(view, view.plan.window_end)}"
    out.print(
        f"Outcome: [bold]{night.outcome}[/bold]; window opened {_hhmm(view, night.opened)}, "
        f"closed {_hhmm(view, night.closed)} (planned {planned})"
    )


def _parts_table(view: NightView, width: int) -> Table:
    # Times never wrap or shorten; names and decisions wrap instead. Below 100 columns
    # the owner goes under the part's name, and the table loses its side borders.
    narrow = width < _WIDE
    table = Table(box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD, pad_edge=not narrow)
    table.add_column("#", no_wrap=True)
    table.add_column("Part", ratio=3, overflow="fold")
    if not narrow:
        table.add_column("Owner", ratio=1, overflow="fold")
    for column in ("Planned", "Actual"):
        table.add_column(column, no_wrap=True, min_width=11)
    table.add_column("Late", no_wrap=True)
    table.add_column("Decision", ratio=2, overflow="fold")
    current = view.night.current_part
    for p in view.parts:
        actual = ""
        if p.started:
            actual = _hhmm(view, p.started) + "-" + _hhmm(view, p.ended)
        decision = ""
        if p.decision:
            decision = f"{p.decision.title()} by {escape(p.decided_by or '?')}"
            if p.reason:
                decision += f": {escape(p.reason)}"
        elif p.number == current:
            decision = "[bold]in progress[/bold]"
        name = escape(f"{p.title} ({p.id})")
        owner = [escape(p.owner)] if not narrow else []
        if narrow:
            name += f"\n[dim]{escape(p.owner)}[/dim]"
        table.add_row(
            str(p.number), name, *owner,
            f"{_hhmm(view, p.planned_start)}-{_hhmm(view, p.planned_end)}",
            actual, _late(p.late_minutes(view.now)) if p.started or p.ended else "", decision,
        )  # fmt: skip
    return table


def _print_due(out: Console, view: NightView) -> None:
    due = [d for d in view.due if not d.command.startswith(_DELIVERY_COMMANDS)]
    if not due:
        return
    out.print("[bold]Due now:[/bold]")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=15)
    grid.add_column(ratio=1)
    for d in due:
        when = "now"
        if d.at is not None:
            at = _hhmm(view, d.at)
            when = f"[red]overdue {at}[/red]" if d.overdue else f"by {at}"
        grid.add_row(f"  {when}", f"{escape(d.what)}\n[cyan]{escape(d.command)}[/cyan]")
    out.print(grid)


_WIDE = 100
_DELIVERY_COMMANDS = (
    "gonogo retry-failed",
    "gonogo deliveries",
    "gonogo resume",
    "gonogo settle",
)


def sender_line(view: NightView) -> str | None:
    """The command holding the run's lock: `anna is sending (`gonogo go 4` on site-a,
    since 23:45)`, or `is running` while nothing of the night is unfinished."""
    holder = view.sending
    if holder is None:
        return None
    since = holder_since(holder)
    when = f", since {_hhmm(view, since)}" if since else ""
    busy = view.night.deliveries.unfinished
    doing = "is sending" if busy else "is running"
    return (
        f"{escape(str(holder.get('operator', 'another operator')))} {doing} "
        f"(`{escape(str(holder.get('command', '?')))}` on "
        f"{escape(str(holder.get('host', '?')))}{when})"
    )


def _print_deliveries(out: Console, view: NightView) -> None:
    """Each dispatch of the night; what did not go out, in red with the command for it.
    Rows a command holding the lock is sending now are that command's, not in doubt."""
    dispatches = [d for d in view.night.dispatches if d.counts.total]
    sender = sender_line(view)
    if not dispatches:
        if sender:
            out.print(sender)
        return
    total = view.night.deliveries
    out.print(f"Deliveries: {total.sent} of {total.total} sent")
    if sender:
        out.print(sender)
    flying = view.being_sent()
    for d in dispatches:
        c = d.counts
        mine = flying.get(d.seq, 0)
        parts = [f"{c.sent} sent"]
        counted = (
            (c.failed, "failed", True),
            (c.pending, "pending", not view.live),  # a live sender's to send
            (c.in_doubt - mine, "in doubt", True),
            (mine, "being sent", False),
        )
        parts += [f"[red]{n} {what}[/red]" if red else f"{n} {what}"
                  for n, what, red in counted if n]  # fmt: skip
        out.print(f"  {_hhmm(view, d.at)} {escape(d.label)}: {', '.join(parts)}")
    for due in view.due:
        if due.command.startswith(_DELIVERY_COMMANDS):
            out.print(f"[red]{escape(due.what)}: run `{escape(due.command)}`[/red]")
