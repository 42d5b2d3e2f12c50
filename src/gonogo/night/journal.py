"""What the night keeps: the journal's records and the interface every backend offers.

A backend (the embedded SQLite file, `sqlite_journal.py`) stores three things, all
appended, never changed: entries (decisions, dispatches, the operator's other acts),
one delivery row per recipient and channel of a dispatch, and every change of a
delivery's status. The night's state is the fold of the entries (`snapshot.py`) with
the latest status of each delivery. Only `gonogo.night` writes a journal.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from gonogo.night.entries import Entry, NewEntry


class Status(enum.StrEnum):
    """pending -> in_flight -> sent | failed. A row found in flight by a later command
    (its sender died) is in doubt until reconciled; an e-mail the operator chose not to
    resend rests `in_doubt` until settled."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    SENT = "sent"
    FAILED = "failed"
    IN_DOUBT = "in_doubt"


UNFINISHED = (Status.PENDING, Status.IN_FLIGHT)
NOT_SENT = (Status.PENDING, Status.IN_FLIGHT, Status.FAILED, Status.IN_DOUBT)


@dataclass(frozen=True)
class NewDelivery:
    channel: str
    audience: str
    address: str
    name: str
    language: str
    subject: str | None
    body: str


@dataclass(frozen=True)
class Delivery:
    id: int
    dispatch: int
    channel: str
    audience: str
    address: str
    name: str
    language: str
    subject: str | None
    body: str
    status: Status
    provider_id: str | None = None
    code: str | None = None
    reason: str | None = None
    attempts: int = 0
    marked_at: dt.datetime | None = None  # when its latest status was journaled


@dataclass(frozen=True)
class Mark:
    """A status change of one delivery."""

    delivery: int
    status: Status
    provider_id: str | None = None
    code: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class DeliveryGroup:
    """How many deliveries of one text of one dispatch are in one status."""

    dispatch: int
    audience: str
    channel: str
    language: str
    subject: str | None
    body: str
    status: Status
    count: int


# dispatch seq -> its groups, in the order `delivery_groups` gives them
DispatchGroups = dict[int, tuple[DeliveryGroup, ...]]


def by_dispatch(groups: Iterable[DeliveryGroup]) -> DispatchGroups:
    """`groups` per dispatch, each dispatch's in their order."""
    found: dict[int, list[DeliveryGroup]] = {}
    for group in groups:
        found.setdefault(group.dispatch, []).append(group)
    return {dispatch: tuple(mine) for dispatch, mine in found.items()}


class Journal(Protocol):
    """One run's journal. Safe for one writer at a time: the run's lock sees to it."""

    def meta(self) -> dict[str, str]: ...

    def transaction(self) -> AbstractContextManager[object]:
        """All or nothing: a decision and its dispatches' rows land together."""
        ...

    def append(
        self, entry: NewEntry, *, at: dt.datetime, operator: str, runbook_sha256: str
    ) -> int:
        """Append one entry and return its sequence number."""
        ...

    def add_deliveries(self, dispatch: int, rows: Iterable[NewDelivery], at: dt.datetime) -> int:
        """Journal a dispatch's rows as pending; returns how many."""
        ...

    def mark_many(self, marks: Iterable[Mark], at: dt.datetime) -> None:
        """Append status changes in one commit."""
        ...

    def entries(self) -> list[Entry]: ...

    def deliveries(
        self, *, dispatch: int | None = None, statuses: Iterable[Status] | None = None
    ) -> list[Delivery]:
        """Deliveries with their latest status, oldest first."""
        ...

    def delivery_groups(self) -> list[DeliveryGroup]:
        """Counts of the latest statuses per dispatch, audience, channel and text."""
        ...

    def dispatch_groups(self) -> DispatchGroups:
        """`delivery_groups` per dispatch (what the night's fold reads)."""
        ...

    def close(self) -> None: ...

    def delivery_page(
        self,
        after: int,
        limit: int,
        *,
        dispatch: int | None = None,
        statuses: Iterable[Status] | None = None,
    ) -> list[Delivery]:
        """`deliveries`, at most `limit` of them: those with ids above `after`."""
        ...

    def requested_at(self, ids: Collection[int]) -> dict[int, dt.datetime]:
        """When each of `ids` was last marked in flight just before a request left (the
        mark without a code; a later one with a code says how the request ended)."""
        ...

    def provider_ids(self, addresses: Collection[str]) -> set[str]:
        """Every provider id ever journaled for a delivery to one of `addresses`."""
        ...


PAGE = 2000  # deliveries read at a time where a dispatch's rows are streamed


class Paged:
    """`deliveries` and `delivery_page` of a backend, both through its one `_select`."""

    def _select(
        self,
        after: int,
        limit: int | None,
        dispatch: int | None,
        statuses: Iterable[Status] | None,
    ) -> list[Delivery]:
        raise NotImplementedError  # each backend's query

    def deliveries(
        self, *, dispatch: int | None = None, statuses: Iterable[Status] | None = None
    ) -> list[Delivery]:
        """Deliveries with their latest status, oldest first."""
        return self._select(0, None, dispatch, statuses)

    def delivery_page(
        self,
        after: int,
        limit: int,
        *,
        dispatch: int | None = None,
        statuses: Iterable[Status] | None = None,
    ) -> list[Delivery]:
        """`deliveries`, at most `limit` of them: those with ids above `after`."""
        return self._select(after, limit, dispatch, statuses)


def pages(
    journal: Journal,
    *,
    dispatch: int | None = None,
    statuses: Iterable[Status] | None = None,
    size: int = PAGE,
) -> Iterator[list[Delivery]]:
    """`journal.deliveries(...)` a page at a time, oldest first: a dispatch to 100,000
    is never all in memory. Each page is read when the one before is done with; a page
    short of `size` is the last (no query only to find nothing after it)."""
    wanted = None if statuses is None else tuple(statuses)
    after = 0
    while page := journal.delivery_page(after, size, dispatch=dispatch, statuses=wanted):
        yield page
        if len(page) < size:
            return
        after = page[-1].id


def iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat(timespec="microseconds")
