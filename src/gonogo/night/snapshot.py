"""The night as one immutable value: the fold of the journal's entries.

`fold` is the one place where the night's state is derived. Every view (status, log,
report, publish, deliveries, the rehearsal's checks) and every decision reads the
`Night` it returns, and nothing else.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from transitions import MachineError

from gonogo.errors import StateError
from gonogo.night.dispatches import Counts, Dispatch, dispatch_labels, label_of
from gonogo.night.entries import (
    TRIGGERS,
    ChangeAccepted,
    Decided,
    Dispatched,
    Entry,
    Kind,
)
from gonogo.night.incidents import Incident, apply_incident
from gonogo.night.journal import Delivery, DeliveryGroup, DispatchGroups, by_dispatch
from gonogo.night.lights import Change, LightsFold
from gonogo.night.machine import MachineModel, build_machine, part_of
from gonogo.night.notices import NoticeSent, apply_announce
from gonogo.night.receipts import Receipt, apply_receipts
from gonogo.night.verification import Verification, apply_verification
from gonogo.night.window_changes import WindowChanges, apply_window_change
from gonogo.runbook.model import Runbook


@dataclass(frozen=True)
class PartActual:
    started: dt.datetime | None = None
    ended: dt.datetime | None = None
    decision: str | None = None  # "go" or "nogo"
    decided_by: str | None = None
    reason: str | None = None
    status_sent: dt.datetime | None = None
    override: bool = False  # Go given over production verification


@dataclass(frozen=True)
class Hold:
    part: int
    at: dt.datetime
    by: str
    reason: str


@dataclass(frozen=True)
class Night:
    """Where the night stands: everything a view or a decision reads."""

    state: str
    part_count: int
    entries: tuple[Entry, ...] = ()
    opened: dt.datetime | None = None
    closed: dt.datetime | None = None
    parts: tuple[PartActual, ...] = ()
    holds: tuple[Hold, ...] = ()  # every hold of the night, in order
    incidents: tuple[Incident, ...] = ()
    lights: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    light_changes: tuple[Change, ...] = ()
    verification: Verification = field(default_factory=Verification)
    dispatches: tuple[Dispatch, ...] = ()
    problems: tuple[Delivery, ...] = ()  # every delivery not sent: pending, failed, in doubt
    accepted_sha256: str = ""
    notices: Mapping[str, NoticeSent] = field(default_factory=lambda: MappingProxyType({}))
    window: WindowChanges = field(default_factory=WindowChanges)
    receipts: Mapping[int, Receipt] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def started(self) -> bool:
        return self.opened is not None

    @property
    def current_part(self) -> int | None:
        return part_of(self.state)

    @property
    def outcome(self) -> str | None:
        """How the night ended: completed, rolled back, or cancelled (called off before
        the window opened); None while it goes on or has yet to begin."""
        if self.window.cancelled is not None and self.opened is None:
            return "cancelled"
        return {"completed": "completed", "rolled_back": "rolled back"}.get(self.state)

    @property
    def active_holds(self) -> tuple[Hold, ...]:
        """The holds of the part in progress: a Go or NoGo ends them."""
        return tuple(h for h in self.holds if h.part == self.current_part)

    def part(self, number: int) -> PartActual:
        return self.parts[number - 1]

    def incident(self, incident_id: str) -> Incident | None:
        return next((i for i in self.incidents if i.id == incident_id.upper()), None)

    def dispatch(self, seq: int) -> Dispatch | None:
        return next((d for d in self.dispatches if d.seq == seq), None)

    @property
    def deliveries(self) -> Counts:
        return sum((d.counts for d in self.dispatches), Counts())


def fold(
    entries: Iterable[Entry],
    groups: Iterable[DeliveryGroup] | DispatchGroups,
    runbook: Runbook,
    accepted_sha256: str = "",
    problems: Iterable[Delivery] = (),
) -> Night:
    """The night the entries add up to, with each dispatch's delivery counts (`groups`,
    or those per dispatch, as `Journal.dispatch_groups` gives them).

    Inside `continuing()` (a rehearsal), where the entries begin with those of a recent
    fold (the same run a command ago), that fold goes on from there instead of replaying
    the whole night again; the entries are compared, not assumed, so any other journal
    is folded from its start.
    """
    kept = tuple(entries)
    recent = _RECENT.get()
    if recent is None:
        state = _Fold(runbook, accepted_sha256)
        for entry in kept:
            state.add(entry)
        return state.night(groups, problems)
    with _RECENT_LOCK:
        state = _continued(recent, kept, runbook, accepted_sha256)
        try:
            for entry in kept[len(state.entries) :]:
                state.add(entry)
        except BaseException:
            recent.remove(state)  # half-applied: never gone on from
            raise
        return state.night(groups, problems)


@contextmanager
def continuing() -> Iterator[None]:
    """Folds inside it go on from recent ones (see `fold`): for a rehearsal, whose
    commands fold one growing journal after every step. Equal entries are taken for the
    same; outside it every fold replays its entries, as each command of a night does."""
    if _RECENT.get() is not None:
        yield
        return
    token = _RECENT.set([])
    try:
        yield
    finally:
        _RECENT.reset(token)


class _Fold:
    """What `fold` accumulates, one entry at a time."""

    def __init__(self, runbook: Runbook, accepted_sha256: str) -> None:
        self.runbook = runbook
        self.started_with = accepted_sha256
        self.accepted_sha256 = accepted_sha256
        count = len(runbook.parts)
        self.model = MachineModel(part_count=count)
        build_machine(self.model)
        self.model.may_pass_gate = lambda _part: True  # replaying what was decided then
        self.parts = [PartActual() for _ in range(count)]
        self.holds: list[Hold] = []
        self.found: dict[str, Incident] = {}
        self.notices: dict[str, NoticeSent] = {}
        self.window = WindowChanges()
        self.receipts: dict[int, Receipt] = {}
        self.lights = LightsFold.for_runbook(runbook)
        self.verification = Verification()
        self.dispatched: list[Entry] = []
        self.made: dict[int, Dispatch] = {}  # per dispatch, as its groups last were
        self.opened: dt.datetime | None = None
        self.closed: dt.datetime | None = None
        self.entries: list[Entry] = []

    def add(self, entry: Entry) -> None:
        if entry.kind in TRIGGERS:
            before = self.model.current_part
            _fire(self.model, entry)
            after = self.model.current_part
            if entry.kind == Kind.START:
                self.opened = entry.at
            if entry.kind in (Kind.END, Kind.ROLLBACK_DONE):
                self.closed = entry.at
            self.holds = _record(self.parts, self.holds, entry, before, after)
        elif isinstance(entry.payload, Dispatched):
            self.dispatched.append(entry)
        elif isinstance(entry.payload, ChangeAccepted):
            self.accepted_sha256 = entry.payload.new
        apply_incident(self.found, entry)
        apply_announce(self.notices, entry)
        self.window = apply_window_change(self.window, entry)
        apply_receipts(self.receipts, entry)
        self.lights.apply(entry)
        self.verification = apply_verification(self.verification, entry)
        self.entries.append(entry)

    def night(
        self, groups: Iterable[DeliveryGroup] | DispatchGroups, problems: Iterable[Delivery]
    ) -> Night:
        per = groups if isinstance(groups, dict) else by_dispatch(groups)
        dispatches = []
        for entry in self.dispatched:
            mine = per.get(entry.seq, ())
            made = self.made.get(entry.seq)
            if made is None or made.groups != mine:  # a fold gone on from: only what changed
                p = entry.payload
                assert isinstance(p, Dispatched)
                made = self.made[entry.seq] = Dispatch(
                    entry.seq, entry.at, p.event, entry.part, p.cause, p.incident, p.recipients,
                    mine, p.notice,
                )  # fmt: skip
            dispatches.append(made)
        lights = self.lights
        return Night(
            state=self.model.state, part_count=len(self.parts), entries=tuple(self.entries),
            opened=self.opened, closed=self.closed, parts=tuple(self.parts),
            holds=tuple(self.holds), incidents=tuple(self.found.values()),
            lights=MappingProxyType(dict(lights.lights)), light_changes=tuple(lights.changes),
            verification=self.verification, dispatches=tuple(dispatches),
            problems=tuple(problems), accepted_sha256=self.accepted_sha256,
            notices=MappingProxyType(dict(self.notices)), window=self.window,
            receipts=MappingProxyType(dict(self.receipts)),
        )  # fmt: skip


# Inside `continuing()`: the last few folds, to go on from.
_RECENT: ContextVar[list[_Fold] | None] = ContextVar("recent_folds", default=None)
_RECENT_LOCK = threading.Lock()
_KEEP = 4


def _continued(
    recent: list[_Fold], entries: tuple[Entry, ...], runbook: Runbook, accepted_sha256: str
) -> _Fold:
    for state in recent:
        n = len(state.entries)
        if (state.runbook is runbook and state.started_with == accepted_sha256
                and n <= len(entries) and list(entries[:n]) == state.entries):  # fmt: skip
            recent.remove(state)
            recent.insert(0, state)
            return state
    state = _Fold(runbook, accepted_sha256)
    recent.insert(0, state)
    del recent[_KEEP:]
    return state


def _fire(model: MachineModel, entry: Entry) -> None:
    try:
        if not model.fire(entry.kind.value):
            msg = f"journal entry {entry.seq} ({entry.kind}) was refused on replay"
            raise StateError(msg)
    except MachineError:
        msg = f"journal entry {entry.seq} ({entry.kind}) does not fit state {model.state}"
        raise StateError(msg) from None
    model.take_effects()


def _record(
    parts: list[PartActual], holds: list[Hold], entry: Entry, before: int | None, after: int | None
) -> list[Hold]:
    kind = entry.kind
    payload = entry.payload
    if kind in (Kind.GO, Kind.NOGO) and before is not None:
        override = isinstance(payload, Decided) and payload.override_verification
        parts[before - 1] = replace(
            parts[before - 1], ended=entry.at, decision=kind.value, decided_by=entry.operator,
            reason=entry.reason, override=override,
        )  # fmt: skip
    if kind == Kind.HOLD and before is not None:
        holds = [*holds, Hold(before, entry.at, entry.operator, entry.reason or "")]
    if kind == Kind.PROGRESS and before is not None:
        parts[before - 1] = replace(parts[before - 1], status_sent=entry.at)
    if after is not None and after != before:
        parts[after - 1] = replace(parts[after - 1], started=entry.at)
    return holds


__all__ = ["Counts", "Dispatch", "Hold", "Night", "PartActual", "continuing", "dispatch_labels",
           "fold", "label_of"]  # fmt: skip
