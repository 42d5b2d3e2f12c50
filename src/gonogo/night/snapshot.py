"""The night as one immutable value: the fold of the journal's entries.

`fold` is the one place where the night's state is derived. Every view (status, log,
report, publish, deliveries, the rehearsal's checks) and every decision reads the
`Night` it returns, and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from transitions import MachineError

from gonogo.errors import StateError
from gonogo.night.entries import (
    TRIGGERS,
    ChangeAccepted,
    Decided,
    Dispatched,
    Entry,
    Kind,
)
from gonogo.night.incidents import Incident, apply_incident
from gonogo.night.journal import Delivery, DeliveryGroup, Status
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
class Counts:
    """Deliveries by latest status. Rows in flight when no command is sending are in
    doubt, like the e-mails the operator left unresolved: neither is ever delivered."""

    pending: int = 0
    in_flight: int = 0
    sent: int = 0
    failed: int = 0
    unresolved: int = 0  # Status.IN_DOUBT

    @property
    def in_doubt(self) -> int:
        return self.in_flight + self.unresolved

    @property
    def total(self) -> int:
        return self.pending + self.in_doubt + self.sent + self.failed

    @property
    def unfinished(self) -> int:
        return self.pending + self.in_flight

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.pending + other.pending, self.in_flight + other.in_flight,
            self.sent + other.sent, self.failed + other.failed,
            self.unresolved + other.unresolved,
        )  # fmt: skip

    @classmethod
    def of(cls, status: Status, n: int) -> Counts:
        name = "unresolved" if status == Status.IN_DOUBT else status.value
        return cls(**{name: n})


@dataclass(frozen=True)
class Dispatch:
    seq: int
    at: dt.datetime
    event: str
    part: int | None
    cause: int
    incident: str | None
    recipients: int
    groups: tuple[DeliveryGroup, ...] = ()
    notice: str | None = None

    @property
    def label(self) -> str:
        """E.g. "part_completed-part1", for outbox names and summaries."""
        return label_of(self.event, self.part, self.incident, self.notice)

    @property
    def counts(self) -> Counts:
        return sum((Counts.of(g.status, g.count) for g in self.groups), Counts())

    def counts_by(self) -> dict[tuple[str, str], Counts]:
        """Counts per (channel, audience), in the order the rows were journaled."""
        out: dict[tuple[str, str], Counts] = {}
        for g in self.groups:
            key = (g.channel, g.audience)
            out[key] = out.get(key, Counts()) + Counts.of(g.status, g.count)
        return out


def label_of(event: str, part: int | None, incident: str | None, notice: str | None) -> str:
    name = event
    if part is not None:
        name += f"-part{part}"
    if incident:
        name += f"-{incident}"
    if notice:
        name += f"-{notice}"
    return name


def dispatch_labels(entries: Iterable[Entry]) -> dict[int, str]:
    """Each dispatch's label by its seq, from the entries alone (no fold: the dry run's
    outbox needs only these)."""
    return {
        e.seq: label_of(e.payload.event, e.part, e.payload.incident, e.payload.notice)
        for e in entries
        if isinstance(e.payload, Dispatched)
    }


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
    groups: Iterable[DeliveryGroup],
    runbook: Runbook,
    accepted_sha256: str = "",
    problems: Iterable[Delivery] = (),
) -> Night:
    """The night the entries add up to, with each dispatch's delivery counts."""
    count = len(runbook.parts)
    model = MachineModel(part_count=count)
    build_machine(model)
    model.may_pass_gate = lambda _part: True  # replaying what was decided then
    parts = [PartActual() for _ in range(count)]
    holds: list[Hold] = []
    found: dict[str, Incident] = {}
    notices: dict[str, NoticeSent] = {}
    window = WindowChanges()
    receipts: dict[int, Receipt] = {}
    lights = LightsFold.for_runbook(runbook)
    verification = Verification()
    by_dispatch: dict[int, list[DeliveryGroup]] = {}
    for group in groups:
        by_dispatch.setdefault(group.dispatch, []).append(group)
    dispatches: list[Dispatch] = []
    opened = closed = None
    kept = tuple(entries)
    for entry in kept:
        if entry.kind in TRIGGERS:
            before = model.current_part
            _fire(model, entry)
            after = model.current_part
            if entry.kind == Kind.START:
                opened = entry.at
            if entry.kind in (Kind.END, Kind.ROLLBACK_DONE):
                closed = entry.at
            holds = _record(parts, holds, entry, before, after)
        elif isinstance(entry.payload, Dispatched):
            p = entry.payload
            dispatches.append(
                Dispatch(
                    entry.seq, entry.at, p.event, entry.part, p.cause, p.incident, p.recipients,
                    tuple(by_dispatch.get(entry.seq, ())), p.notice,
                )
            )  # fmt: skip
        elif isinstance(entry.payload, ChangeAccepted):
            accepted_sha256 = entry.payload.new
        apply_incident(found, entry)
        apply_announce(notices, entry)
        window = apply_window_change(window, entry)
        apply_receipts(receipts, entry)
        lights.apply(entry)
        verification = apply_verification(verification, entry)
    return Night(
        state=model.state, part_count=count, entries=kept, opened=opened, closed=closed,
        parts=tuple(parts), holds=tuple(holds), incidents=tuple(found.values()),
        lights=MappingProxyType(dict(lights.lights)), light_changes=tuple(lights.changes),
        verification=verification, dispatches=tuple(dispatches), problems=tuple(problems),
        accepted_sha256=accepted_sha256, notices=MappingProxyType(notices),
        window=window, receipts=MappingProxyType(receipts),
    )  # fmt: skip


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
