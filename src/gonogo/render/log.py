"""`gonogo log`: the journal as a timeline in the runbook's time zone."""

from __future__ import annotations

from rich.markup import escape

from gonogo.night.view import NightView
from gonogo.render.console import console


def print_log(view: NightView) -> None:
    out = console()
    counts = view.deliveries_by_dispatch()
    zone = view.plan.zone.key
    out.print(f"Journal of {view.run.release}{' (rehearsal)' if view.run.dry_run else ''}, {zone}")
    events = {e.seq: str(e.data.get("event")) for e in view.night.entries if e.kind == "dispatch"}
    for event in view.night.entries:
        at = view.local(event.at).strftime("%Y-%m-%d %H:%M:%S")
        what = event.kind.replace("_", " ")
        if event.part is not None:
            what += f" part {event.part}"
        if event.kind == "dispatch":
            per = counts.get(event.seq, {})
            shown = ", ".join(f"{n} {s}" for s, n in sorted(per.items())) or "no recipients"
            what = f"  message {event.data.get('event')}"
            what += f" part {event.part}" if event.part else ""
            what += f" {event.data['notice']}" if event.data.get("notice") else ""
            what += f": {shown}"
        data = event.data
        if event.kind.startswith("incident_"):
            what += f" {data.get('id')}"
            if event.kind == "incident_opened":
                what += f" P{data.get('priority')}"
            if data.get("summary"):
                what += f' "{data.get("summary")}"'
            if data.get("repeat"):
                what += " (confirmed after the repeat warning)"
        elif event.kind == "verification_report":
            what += f" {data.get('participant')} {data.get('result')}"
        elif event.kind == "lights_set":
            what += f" {data.get('service')} {data.get('colour')}"
        elif event.kind == "disruption":
            what += f' "{data.get("summary")}"'
        elif event.kind == "resumed":
            names = ", ".join(events.get(seq, str(seq)) for seq in data.get("dispatches", ()))
            what += (f" interrupted {names}: {data.get('pending', 0)} not yet tried, "
                     f"{data.get('in_flight', 0)} in flight")  # fmt: skip
        elif data.get("override_verification"):
            what += " (verification overridden)"
        if event.reason:
            what += f": {event.reason}"
        out.print(f"{at}  {escape(event.operator):<12} {escape(what)}")
