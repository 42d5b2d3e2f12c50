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

from gonogo.night.decisions.due import next_command
from gonogo.night.lock import holder_since
from gonogo.night.machine import ROLLING_BACK
from gonogo.night.view import NightView
from gonogo.night.window_changes import CANCELLED
from gonogo.render.console import console
from gonogo.render.json_head import head
from gonogo.render.status_words import language_of, said, span, where


def status_json(view: NightView) -> dict[str, Any]:
    """The `status --json` document (docs/json/status.schema.json)."""
    # version and kind as in every other --json document; added in front, so the fields
    # scripts read before status had a version are unchanged.
    return {**head("status"), **view.as_dict()}


def _hhmm(view: NightView, instant: dt.datetime | None) -> str:
    return view.local(instant).strftime("%H:%M") if instant else ""


def _late(lang: str, minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes <= 0:
        early = said(lang, "early", span=span(lang, dt.timedelta(minutes=-minutes)))
        return said(lang, "on time") if minutes > -5 else early
    late = "+" + span(lang, dt.timedelta(minutes=minutes))
    return f"[red]{late}[/red]" if minutes >= 15 else late


def print_status(view: NightView, out: Console | None = None) -> None:
    """The screen, in the runbook's language (English for any but Swedish and English);
    commands stay as one types them."""
    out = out or console()
    run = view.run
    lang = language_of(run.runbook.release.language)
    banner = f" [yellow]{said(lang, 'rehearsal banner')}[/yellow]" if run.dry_run else ""
    out.print(f"[bold]{escape(run.runbook.release.title)}[/bold] ({run.release}){banner}")
    if view.runbook_changed:
        out.print(f"[red]{said(lang, 'runbook changed')}[/red]")
    now = f"{view.local(view.now):%Y-%m-%d %H:%M %Z}"
    out.print(said(lang, "now line", at=now, where=escape(where(lang, run.runbook, view.night))))
    if view.night.outcome is None:
        _print_clock(out, view, lang)
    else:
        _print_outcome(out, view, lang)
    out.print(_parts_table(view, out.width, lang))
    for hold in view.night.active_holds:
        out.print(said(lang, "hold line", n=hold.part, at=_hhmm(view, hold.at),
                       by=escape(hold.by), reason=escape(hold.reason)))  # fmt: skip
    from gonogo.render.incidents import incident_lines  # noqa: PLC0415

    for line in incident_lines(view, lang):
        out.print(line)
    lights, _changes = view.lights()
    off = [f"{s} {said(lang, c)}" for s, c in lights.items() if c != "green"]
    out.print(said(lang, "lights line", lights=", ".join(off) or said(lang, "all green")))
    verification = view.run.runbook.verification
    closing = view.night.outcome is not None or view.night.state == ROLLING_BACK
    if verification is not None and not closing:
        out.print(said(lang, "verification line", gates=escape(verification.gates),
                       state=_verification(view, lang)))  # fmt: skip
    _print_due(out, view, lang)
    _print_deliveries(out, view, lang)
    step = next_command(view.context, view.night, sending=view.live, language=lang)
    out.print(said(lang, "next", step=escape(step)))


def _verification(view: NightView, lang: str) -> str:
    state = view.verification()
    spec = view.run.runbook.verification
    assert spec is not None
    if state.started is None:
        planned = view.plan.verification_start
        at = f" ({said(lang, 'planned at', at=_hhmm(view, planned))})" if planned else ""
        return said(lang, "not started") + at
    blocker = state.blocker(view.run.runbook)
    failed = [spec.participants[p] for p, r in state.reports.items()
              if r.result == "fail" and p in spec.participants]  # fmt: skip
    if blocker and failed:
        names = ", ".join(f"{p.organisation}/{p.system}" for p in failed)
        return f"[red]{escape(said(lang, 'verification failed', names=names))}[/red]"
    done = sum(1 for p in spec.participants if p in state.reports)
    started = said(lang, "verification started", at=_hhmm(view, state.started), done=done,
                   total=len(spec.participants))  # fmt: skip
    return started + ("" if blocker else f"; {said(lang, 'complete')}")


def _planned(view: NightView) -> dict[str, str]:
    """The window's times, and its date where it is not today's (a window days ahead,
    moved, or called off must not read as tonight's)."""
    start = view.plan.window_start
    times = {"start": _hhmm(view, start), "end": _hhmm(view, view.plan.window_end)}
    if view.night.opened is None and view.local(start).date() != view.local(view.now).date():
        times["start"] = f"{view.local(start):%Y-%m-%d} {times['start']}"
    return times


def _print_clock(out: Console, view: NightView, lang: str) -> None:
    left = view.window_left
    window = said(lang, "window", **_planned(view))
    if view.night.opened is None and view.now < view.plan.window_start:
        window += ", " + said(lang, "starts in", span=span(lang, view.plan.window_start - view.now))
    elif left >= dt.timedelta(0):
        window += ", " + said(lang, "left", span=span(lang, left))
    else:
        window += f", [red]{said(lang, 'over', span=span(lang, left))}[/red]"
    out.print(window)
    if view.night.state == ROLLING_BACK:
        return  # the point of no return is behind: the rollback's end is due now
    pnr = _hhmm(view, view.plan.point_of_no_return)
    if view.point_of_no_return_passed:
        out.print(f"[red]{said(lang, 'pnr passed', at=pnr)}[/red]")
    else:
        out.print(said(lang, "pnr", at=pnr))


def _print_outcome(out: Console, view: NightView, lang: str) -> None:
    night = view.night
    planned = "{start}-{end}".format(**_planned(view))
    if night.outcome == "cancelled":  # never opened: when, by whom and why it was called off
        call = next(c for c in reversed(night.window.history) if c.change == CANCELLED)
        out.print(said(lang, "cancelled line", planned=planned, at=_hhmm(view, call.at),
                       by=escape(call.by), reason=escape(call.reason)))  # fmt: skip
        return
    outcome = said(lang, night.outcome) if night.outcome else ""
    out.print(said(lang, "outcome line", outcome=outcome, opened=_hhmm(view, night.opened),
                   closed=_hhmm(view, night.closed), planned=planned))  # fmt: skip


def _parts_table(view: NightView, width: int, lang: str) -> Table:
    # Times never wrap or shorten; names and decisions wrap instead. Below 100 columns
    # the owner goes under the part's name, and the table loses its side borders.
    narrow = width < _WIDE
    table = Table(box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD, pad_edge=not narrow)
    table.add_column("#", no_wrap=True)
    table.add_column(said(lang, "part"), ratio=3, overflow="fold")
    if not narrow:
        table.add_column(said(lang, "owner"), ratio=1, overflow="fold")
    for column in ("planned", "actual"):
        table.add_column(said(lang, column), no_wrap=True, min_width=11)
    table.add_column(said(lang, "late column"), no_wrap=True)
    table.add_column(said(lang, "decision"), ratio=2, overflow="fold")
    current = view.night.current_part
    for p in view.parts:
        actual = ""
        if p.started:
            actual = _hhmm(view, p.started) + "-" + _hhmm(view, p.ended)
        decision = ""
        if p.decision:
            name = {"go": "Go", "nogo": "NoGo"}.get(p.decision, p.decision)
            decision = said(lang, "decided", decision=name, by=escape(p.decided_by or "?"))
            if p.reason:
                decision += f": {escape(p.reason)}"
        elif p.number == current:
            decision = f"[bold]{said(lang, 'in progress')}[/bold]"
        name = escape(f"{p.title} ({p.id})")
        owner = [escape(p.owner)] if not narrow else []
        if narrow:
            name += f"\n[dim]{escape(p.owner)}[/dim]"
        table.add_row(
            str(p.number), name, *owner,
            f"{_hhmm(view, p.planned_start)}-{_hhmm(view, p.planned_end)}",
            actual, _late(lang, p.late_minutes(view.now)) if p.started or p.ended else "",
            decision,
        )  # fmt: skip
    return table


def _print_due(out: Console, view: NightView, lang: str) -> None:
    due = [d for d in view.due if not d.command.startswith(_DELIVERY_COMMANDS)]
    if not due:
        return
    out.print(f"[bold]{said(lang, 'due now')}[/bold]")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, min_width=15)
    grid.add_column(ratio=1)
    for d in due:
        when = said(lang, "now")
        if d.at is not None:
            at = _hhmm(view, d.at)
            late = f"[red]{said(lang, 'due overdue', at=at)}[/red]"
            when = late if d.overdue else said(lang, "due at", at=at)
        grid.add_row(f"  {when}", f"{escape(d.said(lang))}\n[cyan]{escape(d.command)}[/cyan]")
    out.print(grid)


_WIDE = 100
_DELIVERY_COMMANDS = (
    "gonogo retry-failed",
    "gonogo deliveries",
    "gonogo resume",
    "gonogo settle",
)


def sender_line(view: NightView, lang: str = "en") -> str | None:
    """The command holding the run's lock: `anna is sending (`gonogo go 4` on site-a,
    since 23:45)`, or `is running` while nothing of the night is unfinished."""
    holder = view.sending
    if holder is None:
        return None
    since = holder_since(holder)
    when = said(lang, "since", at=_hhmm(view, since)) if since else ""
    busy = view.night.deliveries.unfinished
    who = holder.get("operator") or said(lang, "another operator")
    return said(lang, "sender", who=escape(str(who)),
                doing=said(lang, "sending" if busy else "running"),
                command=escape(str(holder.get("command", "?"))),
                host=escape(str(holder.get("host", "?"))), since=when)  # fmt: skip


def _print_deliveries(out: Console, view: NightView, lang: str) -> None:
    """Each dispatch of the night; what did not go out, in red with the command for it.
    Rows a command holding the lock is sending now are that command's, not in doubt."""
    dispatches = [d for d in view.night.dispatches if d.counts.total]
    sender = sender_line(view, lang)
    if not dispatches:
        if sender:
            out.print(sender)
        return
    total = view.night.deliveries
    out.print(said(lang, "deliveries", sent=total.sent, total=total.total))
    if sender:
        out.print(sender)
    flying = view.being_sent()
    for d in dispatches:
        c = d.counts
        mine = flying.get(d.seq, 0)
        parts = [said(lang, "sent", n=c.sent)]
        counted = (
            (c.failed, "failed", True),
            (c.pending, "pending", not view.live),  # a live sender's to send
            (c.in_doubt - mine, "in doubt", True),
            (mine, "being sent", False),
        )
        parts += [f"[red]{said(lang, what, n=n)}[/red]" if red else said(lang, what, n=n)
                  for n, what, red in counted if n]  # fmt: skip
        out.print(f"  {_hhmm(view, d.at)} {escape(d.label)}: {', '.join(parts)}")
    for due in view.due:
        if due.command.startswith(_DELIVERY_COMMANDS):
            run_it = said(lang, "run it", what=escape(due.said(lang)), command=escape(due.command))
            out.print(f"[red]{run_it}[/red]")
