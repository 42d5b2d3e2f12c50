"""Traffic lights per service: what the journal's entries add up to.

A service's light is the worst of: red while a downtime window is open and it is one
of the window's services, and the colours of the open incidents that name it. A manual
`lights set` holds until the next entry that changes that service's light.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from gonogo.night.entries import Entry, IncidentOpened, IncidentWord, Kind, LightSet
from gonogo.runbook.model import Runbook

COLOURS = ("green", "yellow", "red")
_RANK = {c: i for i, c in enumerate(COLOURS)}
# A colour as a Swedish screen shows it (and as typed without å/ö), for what it is.
_SWEDISH = {"grön": "green", "gron": "green", "gul": "yellow", "röd": "red", "rod": "red"}


def colour_named(typed: str) -> str:
    """A colour as the operator typed it (`RED`, `röd`) as the journal keeps it (`red`);
    anything else as typed, lower-cased, for the decision to refuse with its choices."""
    word = typed.strip().lower()
    return _SWEDISH.get(word, word)


@dataclass(frozen=True)
class Change:
    at: dt.datetime
    service: str
    colour: str
    why: str
    by: str


def _worst(colours: list[str]) -> str:
    return max(colours, key=_RANK.__getitem__) if colours else "green"


@dataclass
class LightsFold:
    """The lights now and every change with its cause, built one entry at a time."""

    services: list[str]
    window_services: list[str] | None  # None: the window takes nothing down
    lights: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    _window_red: set[str] = field(default_factory=set)
    _incidents: dict[str, tuple[tuple[str, ...], str]] = field(default_factory=dict)
    _manual: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_runbook(cls, runbook: Runbook) -> LightsFold:
        window = runbook.window
        services = list(runbook.services)
        fold = cls(services, list(window.services) if window.downtime else None)
        fold.lights = dict.fromkeys(services, "green")
        return fold

    def apply(self, entry: Entry) -> None:
        touched: set[str] = set()
        why = entry.kind.value.replace("_", " ")
        payload = entry.payload
        if entry.kind == Kind.START and self.window_services is not None:
            self._window_red = set(self.window_services)
            touched |= self._window_red
            why = "window started"
        elif entry.kind in (Kind.END, Kind.ROLLBACK_DONE):
            touched |= self._window_red
            self._window_red = set()
            why = "window ended" if entry.kind == Kind.END else "rollback completed"
        elif isinstance(payload, IncidentOpened):
            self._incidents[payload.id] = (payload.services, payload.light)
            touched |= set(payload.services)
            why = f"incident {payload.id} opened"
        elif (
            entry.kind == Kind.INCIDENT_RESOLVED
            and isinstance(payload, IncidentWord)
            and payload.id in self._incidents
        ):
            named, _ = self._incidents.pop(payload.id)
            touched |= set(named)
            why = f"incident {payload.id} resolved"
        elif isinstance(payload, LightSet):
            self._manual[payload.service] = payload.colour
            touched.add(payload.service)
            # Not rstrip(": "): that would eat a reason's own trailing colon or spaces.
            why = f"set by hand: {entry.reason}" if entry.reason else "set by hand"
        for service in sorted(touched & set(self.services)):
            if entry.kind != Kind.LIGHTS_SET:
                self._manual.pop(service, None)
            colours = ["red"] if service in self._window_red else []
            colours += [c for named, c in self._incidents.values() if service in named]
            colour = self._manual.get(service, _worst(colours))
            if colour != self.lights[service]:
                self.lights[service] = colour
                self.changes.append(Change(entry.at, service, colour, why, entry.operator))


def history(runbook: Runbook, entries: Iterable[Entry]) -> tuple[dict[str, str], list[Change]]:
    """The lights after `entries` alone, and their changes (the fold's lights reducer)."""
    fold = LightsFold.for_runbook(runbook)
    for entry in entries:
        fold.apply(entry)
    return fold.lights, fold.changes
