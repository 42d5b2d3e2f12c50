"""Where the night stands, derived by replaying the journal through the machine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from transitions import MachineError

from gonogo.errors import StateError
from gonogo.night.journal import Event
from gonogo.night.machine import Night, build_machine

# Journal kinds that are machine triggers, replayed in order.
TRIGGERS = ("start", "go", "nogo", "hold", "progress", "rollback_done", "end")


@dataclass
class PartActual:
    started: dt.datetime | None = None
    ended: dt.datetime | None = None
    decision: str | None = None  # "go" or "nogo"
    decided_by: str | None = None
    reason: str | None = None
    status_sent: dt.datetime | None = None


@dataclass(frozen=True)
class Hold:
    part: int
    at: dt.datetime
    by: str
    reason: str


@dataclass
class NightState:
    state: str
    part_count: int
    opened: dt.datetime | None = None
    closed: dt.datetime | None = None
    parts: dict[int, PartActual] = field(default_factory=dict)
    holds: list[Hold] = field(default_factory=list)
    done: dict[str, int] = field(default_factory=dict)  # trigger -> seq of its event

    @property
    def current_part(self) -> int | None:
        from gonogo.night.machine import part_of  # noqa: PLC0415

        return part_of(self.state)

    @property
    def outcome(self) -> str | None:
        return {"completed": "completed", "rolled_back": "rolled back"}.get(self.state)


def replay(events: list[Event], part_count: int) -> tuple[NightState, Night]:
    """Replay decision events; the returned Night is live for the next trigger."""
    night = Night(part_count=part_count)
    build_machine(night)
    state = NightState(state=night.state, part_count=part_count)
    state.parts = {n: PartActual() for n in range(1, part_count + 1)}
    for event in events:
        if event.kind not in TRIGGERS:
            continue
        part = night.current_part
        try:
            night.may_pass_gate = lambda _part: True  # replaying what was decided then
            if not night.fire(event.kind):
                msg = f"journal event {event.seq} ({event.kind}) was refused on replay"
                raise StateError(msg)
        except MachineError:
            msg = f"journal event {event.seq} ({event.kind}) does not fit state {night.state}"
            raise StateError(msg) from None
        night.take_effects()
        _record(state, event, part, night.current_part)
        state.state = night.state
    return state, night


def _record(state: NightState, event: Event, before: int | None, after: int | None) -> None:
    kind = event.kind
    state.done[kind] = event.seq
    if kind == "start":
        state.opened = event.at
    if kind in ("go", "nogo") and before is not None:
        actual = state.parts[before]
        actual.ended = event.at
        actual.decision = kind
        actual.decided_by = event.operator
        actual.reason = event.reason
        state.holds = [h for h in state.holds if h.part != before]
    if kind == "hold" and before is not None:
        state.holds.append(Hold(before, event.at, event.operator, event.reason or ""))
    if kind == "progress" and before is not None:
        state.parts[before].status_sent = event.at
    if after is not None and after != before:
        state.parts[after].started = event.at
    if kind in ("end", "rollback_done"):
        state.closed = event.at
