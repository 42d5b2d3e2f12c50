"""`gonogo log`: the journal as a timeline in the runbook's time zone, in its language
(ids, names, event names and reasons as journaled)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from gonogo.night.view import NightView
from gonogo.render.console import console
from gonogo.render.reading_words import kind, language_of, read


def print_log(view: NightView) -> None:
    out = console()
    lang = language_of(view.run.runbook.release.language)
    counts = view.deliveries_by_dispatch()
    rehearsal = f" ({read(lang, 'rehearsal')})" if view.run.dry_run else ""
    out.print(read(lang, "journal of", release=view.run.release, rehearsal=rehearsal,
                   zone=view.plan.zone.key))  # fmt: skip
    events = {e.seq: str(e.data.get("event")) for e in view.night.entries if e.kind == "dispatch"}
    for event in view.night.entries:
        at = view.local(event.at).strftime("%Y-%m-%d %H:%M:%S")
        what = kind(lang, event.kind)
        part = f" {read(lang, 'log part', n=event.part)}" if event.part is not None else ""
        what += part
        if event.kind == "dispatch":
            per = counts.get(event.seq, {})
            shown = ", ".join(read(lang, s, n=n) for s, n in sorted(per.items()))
            what = "  " + read(lang, "log message", event=event.data.get("event"))
            what += part if event.part else ""
            what += f" {event.data['notice']}" if event.data.get("notice") else ""
            what += f": {shown or read(lang, 'no recipients')}"
        data = event.data
        if event.kind.startswith("incident_"):
            what += f" {data.get('id')}"
            if event.kind == "incident_opened":
                what += f" P{data.get('priority')}"
            if data.get("summary"):
                what += f' "{data.get("summary")}"'
            if data.get("repeat"):
                what += " " + read(lang, "repeat confirmed")
        elif event.kind == "verification_report":
            result = str(data.get("result"))
            shown_result = read(lang, result) if result in ("ok", "fail", "skip") else result
            what += f" {data.get('participant')} {shown_result}"
        elif event.kind == "lights_set":
            colour = str(data.get("colour"))
            shown_colour = read(lang, colour) if colour in ("green", "yellow", "red") else colour
            what += f" {data.get('service')} {shown_colour}"
        elif event.kind == "disruption":
            what += f' "{data.get("summary")}"'
        elif event.kind == "resumed":
            names = ", ".join(events.get(seq, str(seq)) for seq in data.get("dispatches", ()))
            what += " " + read(lang, "interrupted", names=names, pending=data.get("pending", 0),
                               in_flight=data.get("in_flight", 0))  # fmt: skip
        elif data.get("override_verification"):
            what += f" ({read(lang, 'verification overridden')})"
        if event.reason:
            what += f": {event.reason}"
        _line(out, f"{at}  {event.operator:<12} ", what)


def _line(out: Console, head: str, what: str) -> None:
    """One entry; where it is wider than the screen, its text wraps under itself, not
    under the time, so the times stay a column of their own."""
    line = Text(head + what)
    if line.cell_len <= out.width:
        out.print(line)
        return
    grid = Table.grid()
    grid.add_column(no_wrap=True, min_width=len(head))
    grid.add_column(overflow="fold")
    grid.add_row(Text(head), Text(what))
    out.print(grid)
