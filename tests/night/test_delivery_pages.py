"""Deliveries read a page at a time: what a rehearsal to 100,000 streams to its outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from gonogo.night.entries import Dispatched, Kind, NewEntry
from gonogo.night.journal import Journal, Mark, NewDelivery, Status, pages
from gonogo.night.pg_journal import PgJournal
from gonogo.night.sqlite_journal import SqliteJournal

AT = dt.datetime(2021, 11, 27, 22, 0, tzinfo=dt.UTC)


@pytest.fixture
def journal(backend: str | None, tmp_path: Path) -> Iterator[Journal]:
    made: Journal
    if backend is None:
        made = SqliteJournal.create(tmp_path / "journal.sqlite", {"release": "21.0"})
    else:
        made = PgJournal.create(backend, "21.0", "rehearsal", {"release": "21.0"})
    with closing(made):
        yield made


def _dispatch(journal: Journal, count: int) -> int:
    rows = [NewDelivery("sms", "vard", f"+467017406{n:02d}", f"P{n}", "sv", None, "Hej")
            for n in range(count)]  # fmt: skip
    with journal.transaction():
        seq = journal.append(NewEntry(Kind.DISPATCH, Dispatched("window_started", 1, count)),
                             at=AT, operator="a", runbook_sha256="x")  # fmt: skip
        journal.add_deliveries(seq, rows, AT)
    return seq


def test_pages_read_what_deliveries_reads_a_page_at_a_time(journal: Journal) -> None:
    first = _dispatch(journal, 5)
    second = _dispatch(journal, 4)
    rows = journal.deliveries()
    journal.mark_many([Mark(rows[1].id, Status.IN_FLIGHT), Mark(rows[1].id, Status.SENT, "SM1"),
                       Mark(rows[6].id, Status.IN_FLIGHT),
                       Mark(rows[6].id, Status.FAILED, None, "21211", "invalid")], AT)  # fmt: skip
    read = list(pages(journal, size=2))
    assert [len(page) for page in read] == [2, 2, 2, 2, 1]
    assert [d for page in read for d in page] == journal.deliveries()
    for dispatch in (first, second):
        for statuses in (None, (Status.PENDING,), (Status.SENT, Status.FAILED)):
            paged = [d for page in pages(journal, dispatch=dispatch, statuses=statuses, size=2)
                     for d in page]  # fmt: skip
            assert paged == journal.deliveries(dispatch=dispatch, statuses=statuses)
    (sent,) = [d for page in pages(journal, statuses=(Status.SENT,)) for d in page]
    assert (sent.id, sent.provider_id, sent.attempts) == (rows[1].id, "SM1", 1)
    assert list(pages(journal, dispatch=second + 100)) == []


def test_a_short_page_is_the_last_one_read(journal: Journal) -> None:
    """Every `go` of a rehearsal reads its few rows in one page: asking again after a
    page short of `size` would be a query only to find nothing."""
    _dispatch(journal, 5)
    asked: list[int] = []
    read_page = journal.delivery_page

    def counted(after: int, limit: int, **kw: object) -> list[object]:
        asked.append(after)
        return read_page(after, limit, **kw)  # type: ignore[arg-type]

    journal.delivery_page = counted  # type: ignore[method-assign]
    assert [len(page) for page in pages(journal, size=2)] == [2, 2, 1]
    assert len(asked) == 3
    asked.clear()
    assert [len(page) for page in pages(journal, size=5)] == [5]
    assert len(asked) == 2  # a full page: the next is asked for, and is empty


def test_what_reconciliation_reads_of_a_rows_history(journal: Journal) -> None:
    """The in-flight mark just before the latest request (not the one saying how it
    ended), and every provider id ever journaled for the numbers in doubt."""
    _dispatch(journal, 3)
    a, b, c = journal.deliveries()
    t = [AT + dt.timedelta(seconds=n) for n in range(6)]
    journal.mark_many([Mark(a.id, Status.IN_FLIGHT), Mark(b.id, Status.IN_FLIGHT)], t[0])
    journal.mark_many([Mark(a.id, Status.SENT, "SM-a")], t[1])
    journal.mark_many([Mark(a.id, Status.FAILED, "SM-a", "30008", "undelivered")], t[2])
    journal.mark_many([Mark(a.id, Status.PENDING), Mark(b.id, Status.PENDING)], t[3])
    journal.mark_many([Mark(a.id, Status.IN_FLIGHT), Mark(b.id, Status.IN_FLIGHT)], t[4])
    journal.mark_many([Mark(a.id, Status.IN_FLIGHT, None, "in-doubt", "timeout")], t[5])

    assert journal.requested_at([a.id, b.id, c.id]) == {a.id: t[4], b.id: t[4]}
    assert journal.requested_at([]) == {}
    assert journal.provider_ids({a.address, b.address}) == {"SM-a"}
    assert journal.provider_ids({b.address}) == set()
    assert journal.provider_ids(set()) == set()
