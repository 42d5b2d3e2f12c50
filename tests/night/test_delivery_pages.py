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
