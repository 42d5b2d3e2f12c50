"""A night's dispatches as the fold sees them: each with its delivery counts and label."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from gonogo.night.entries import Dispatched, Entry
from gonogo.night.journal import DeliveryGroup, Status


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
