"""Traffic lights per service, derived from the journal.

A service's light is the worst of: red while a downtime window is open and it is one
of the window's services, and the colours of the open incidents that name it. A manual
`lights set` holds until the next event that changes that service's light.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonogo.night.incidents import OPENED, RESOLVED
from gonogo.night.journal import Event
from gonogo.runbook.model import Runbook

COLOURS = ("green", "yellow", "red")
_RANK = {c: i for i, c in enumerate(COLOURS)}


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    service: str
    colour: str
    why: str
    by: str


def _worst(colours: list[str]) -> str:
    return max(colours, key=_RANK.__getitem__) if colours else "green"


def history(runbook: Runbook, events: list[Event]) -> tuple[dict[str, str], list[Change]]:
    """The lights now, and every change with its cause, in order."""
    services = list(runbook.services)
    lights = dict.fromkeys(services, "green")
    window_red: set[str] = set()
    open_incidents: dict[str, tuple[list[str], str]] = {}
    manual: dict[str, str] = {}
    changes: list[Change] = []
    for event in events:
        touched: set[str] = set()
        why = event.kind.replace("_", " ")
        if event.kind == "start" and runbook.window.downtime:
            window_red = set(runbook.window.services)
            touched |= window_red
            why = "window started"
        elif event.kind in ("end", "rollback_done"):
            touched |= window_red
            window_red = set()
            why = "window ended" if event.kind == "end" else "rollback completed"
        elif event.kind == OPENED:
            named = list(event.data.get("services", []))
            open_incidents[event.data["id"]] = (named, str(event.data.get("light", "red")))
            touched |= set(named)
            why = f"incident {event.data['id']} opened"
        elif event.kind == RESOLVED and event.data.get("id") in open_incidents:
            named, _ = open_incidents.pop(event.data["id"])
            touched |= set(named)
            why = f"incident {event.data['id']} resolved"
        elif event.kind == "lights_set":
            service = str(event.data["service"])
            manual[service] = str(event.data["colour"])
            touched.add(service)
            # Not rstrip(": "): that would eat a reason's own trailing colon or spaces.
            why = f"set by hand: {event.reason}" if event.reason else "set by hand"
        for service in sorted(touched & set(services)):
            if event.kind != "lights_set":
                manual.pop(service, None)
            colours = ["red"] if service in window_red else []
            colours += [c for named, c in open_incidents.values() if service in named]
            colour = manual.get(service, _worst(colours))
            if colour != lights[service]:
                lights[service] = colour
                changes.append(Change(event.at, service, colour, why, event.operator))
    return lights, changes
