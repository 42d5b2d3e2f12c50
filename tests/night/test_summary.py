"""The summary of delivery counts says what the status log says, on both backends.

`status` and every decision read the counts from the summary; the log stays the truth.
Random sequences of status changes (as a fan-out, a crash, a retry, a settle make them)
must leave the summary equal to the counts replayed from the log, and a copy or an
upgraded database must rebuild it to the same counts.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gonogo.errors import StateError
from gonogo.night.entries import Dispatched, Kind, NewEntry
from gonogo.night.journal import Journal, Mark, NewDelivery, Status, by_dispatch
from gonogo.night.pg_connect import _TABLES, connect
from gonogo.night.pg_journal import PgJournal
from gonogo.night.sqlite_check import check_journal
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.night.steady import steady_files

AT = dt.datetime(2021, 11, 27, 22, 0, tzinfo=dt.UTC)
TEXTS = [("sms", "vard", "sv", None, "Hej"), ("sms", "apotek", "sv", None, "Hej"),
         ("email", "vard", "en", "Ämne", "Hello")]  # fmt: skip
# (row index, status, code): a fan-out's steps, a crash's in doubt, the old in-doubt code
STEPS = st.lists(
    st.tuples(
        st.integers(0, 11),
        st.sampled_from(list(Status)),
        st.sampled_from([None, "in-doubt", "settled"]),
    ),
    max_size=40,
)
BATCHES = st.lists(STEPS, max_size=4)
FIXTURE = HealthCheck.function_scoped_fixture


def _dispatch(journal: Journal, n: int) -> list[int]:
    rows = [NewDelivery(t[0], t[1], f"+467017406{i:02d}", f"P{i}", t[2], t[3], t[4])
            for i, t in ((i, TEXTS[i % 3]) for i in range(n))]  # fmt: skip
    with journal.transaction():
        seq = journal.append(
            NewEntry(Kind.DISPATCH, Dispatched("window_started", 1, n)),
            at=AT, operator="a", runbook_sha256="x",
        )  # fmt: skip
        journal.add_deliveries(seq, rows, AT)
    return [d.id for d in journal.deliveries(dispatch=seq)]


def _replayed(journal: Journal) -> Counter[tuple[Any, ...]]:
    """The counts from each row's latest status, without the summary."""
    return Counter((d.dispatch, d.audience, d.channel, d.language, d.subject, d.body, d.status)
                   for d in journal.deliveries())  # fmt: skip


def _summarized(journal: Journal) -> Counter[tuple[Any, ...]]:
    return Counter({(g.dispatch, g.audience, g.channel, g.language, g.subject, g.body,
                     g.status): g.count for g in journal.delivery_groups()})  # fmt: skip


def _play(journal: Journal, batches: list[list[tuple[int, Status, str | None]]]) -> None:
    ids = _dispatch(journal, 12) + _dispatch(journal, 12)
    assert _summarized(journal) == _replayed(journal)
    for batch in batches:  # read after every batch: the counts go on from the last read
        journal.mark_many([Mark(ids[i], status, None, code) for i, status, code in batch], AT)
        assert _summarized(journal) == _replayed(journal)
        # per dispatch, kept apart and changed only where rows changed: the same groups
        assert journal.dispatch_groups() == by_dispatch(journal.delivery_groups())
    for status in Status:  # only the rows in that status are read, all of them
        found = journal.deliveries(statuses=(status,))
        assert [d.id for d in found] == [d.id for d in journal.deliveries() if d.status == status]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=BATCHES)
def test_the_sqlite_summary_is_the_replay(tmp_path: Path, batches: Any) -> None:
    path = tmp_path / f"j{id(batches)}.sqlite"
    with closing(SqliteJournal.create(path, {})) as journal:
        _play(journal, batches)
    path.unlink()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=BATCHES)
def test_the_postgresql_summary_is_the_replay(postgres: Any, batches: Any) -> None:
    url = postgres.new_database()
    with closing(PgJournal.create(url, "21.0", "real", {})) as journal:
        _play(journal, batches)


def test_a_later_command_counts_under_the_texts_already_journaled(tmp_path: Path) -> None:
    """A command that marks rows of an earlier command's dispatch finds that dispatch's
    texts (read all at once) and adds none: one text, one count, whoever writes it."""
    path = tmp_path / "j.sqlite"
    with closing(SqliteJournal.create(path, {})) as journal:
        ids = _dispatch(journal, 6)
    with closing(SqliteJournal.open(path)) as journal:  # the next command
        journal.mark_many([Mark(ids[0], Status.SENT), Mark(ids[4], Status.FAILED)], AT)
        later = _dispatch(journal, 3)  # and a dispatch of its own
        journal.mark_many([Mark(later[0], Status.SENT)], AT)
        assert _summarized(journal) == _replayed(journal)
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT COUNT(*) FROM texts").fetchone()[0] == 6  # 3 + 3


def _again_after_a_rollback(journal: Journal) -> None:
    """A dispatch rolled back, then made again (the same seq, the same texts): the texts
    the rollback took are made again, not taken for still there."""
    _dispatch(journal, 3)

    def stopped_before_the_commit() -> None:
        with journal.transaction():
            _dispatch(journal, 3)
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        stopped_before_the_commit()
    ids = _dispatch(journal, 3)
    journal.mark_many([Mark(ids[0], Status.SENT)], AT)
    assert _summarized(journal) == _replayed(journal)


def test_sqlite_texts_a_rollback_took_are_made_again(tmp_path: Path) -> None:
    with closing(SqliteJournal.create(tmp_path / "j.sqlite", {})) as journal:
        _again_after_a_rollback(journal)


def test_postgresql_texts_a_rollback_took_are_made_again(postgres: Any) -> None:
    with closing(PgJournal.create(postgres.new_database(), "21.0", "real", {})) as journal:
        _again_after_a_rollback(journal)


def test_a_failed_read_of_a_dispatch_s_texts_is_read_again(tmp_path: Path) -> None:
    """The read fails (here SQLite refuses it once, as an I/O error would): the retry
    reads the texts again and counts under them, never under a second copy."""
    path = tmp_path / "j.sqlite"
    with closing(SqliteJournal.create(path, {})) as journal:
        ids = _dispatch(journal, 6)
    with closing(SqliteJournal.open(path)) as journal:  # the next command
        refused = []

        def once(action: int, table: str | None, column: str | None, *_: Any) -> int:
            if table == "texts" and column == "dispatch" and not refused:
                refused.append(action)
                return sqlite3.SQLITE_DENY
            return sqlite3.SQLITE_OK

        journal._db.set_authorizer(once)
        with pytest.raises(StateError):
            journal.mark_many([Mark(ids[0], Status.SENT)], AT)
        assert refused
        journal.mark_many([Mark(ids[0], Status.SENT)], AT)  # a stop's retry, say
        assert _summarized(journal) == _replayed(journal)
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT COUNT(*) FROM texts").fetchone()[0] == 3


def test_a_journal_without_a_summary_is_read_from_its_log(tmp_path: Path) -> None:
    """Format 1 (before the summary): the same counts, the slow way, and still writable."""
    path = tmp_path / "old.sqlite"
    with closing(SqliteJournal.create(path, {})) as journal:
        ids = _dispatch(journal, 6)
        journal.mark_many([Mark(ids[0], Status.SENT), Mark(ids[1], Status.FAILED)], AT)
        expected = _summarized(journal)
    with closing(sqlite3.connect(path)) as db:
        db.executescript("DROP TABLE text_counts; DROP TABLE texts; PRAGMA user_version = 1;")
    with closing(SqliteJournal.open(path)) as journal:
        assert not journal.summary.present
        assert _summarized(journal) == expected == _replayed(journal)
        assert journal.dispatch_groups() == by_dispatch(journal.delivery_groups())
        journal.mark_many([Mark(ids[2], Status.SENT)], AT)
        assert _summarized(journal) == _replayed(journal)
        assert [d.id for d in journal.deliveries(statuses=(Status.FAILED,))] == [ids[1]]


def test_a_version_1_database_gains_its_summary_once(postgres: Any) -> None:
    """A shared database made by the previous gonogo: rebuilt from every run's log."""
    url = postgres.new_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(_TABLES)  # type: ignore[arg-type]
        conn.execute("CREATE TABLE gonogo_schema (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO gonogo_schema VALUES (1)")
        conn.execute("INSERT INTO gonogo_runs(release, mode) VALUES ('21.0', 'real')")
        conn.execute(
            "INSERT INTO gonogo_events VALUES (1, 1, '2021-11-27T22:00:00+00:00', 'a',"
            " 'dispatch', NULL, NULL, '{}', 'x')"
        )
        for i, status in enumerate(["sent", "failed", "pending"], start=1):
            conn.execute(
                "INSERT INTO gonogo_deliveries VALUES (1, %s, 1, 'sms', 'vard', %s, 'P', 'sv',"
                " NULL, 'Hej')",
                (i, f"+4670174060{i}"),
            )
            conn.execute(
                "INSERT INTO gonogo_delivery_log(run, delivery, at, status)"
                " VALUES (1, %s, '2021-11-27T22:00:00+00:00', 'pending')",
                (i,),
            )
            conn.execute(
                "INSERT INTO gonogo_delivery_log(run, delivery, at, status)"
                " VALUES (1, %s, '2021-11-27T23:00:00+00:00', %s)",
                (i, status),
            )
    connect(url).close()
    connect(url).close()  # a second connection finds it done
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT max(version), count(*) FROM gonogo_schema").fetchone() == (2, 2)
    with closing(PgJournal(url, 1)) as journal:
        counts = {g.status: g.count for g in journal.delivery_groups()}
        assert counts == {Status.SENT: 1, Status.FAILED: 1, Status.PENDING: 1}
        assert _summarized(journal) == _replayed(journal)


@pytest.mark.parametrize("legacy_code", [None, "in-doubt"])
def test_journal_check_finds_a_summary_that_disagrees(
    tmp_path: Path, legacy_code: str | None
) -> None:
    path = tmp_path / "j.sqlite"
    with closing(SqliteJournal.create(path, {})) as journal:
        ids = _dispatch(journal, 3)
        journal.mark_many([Mark(ids[0], Status.SENT, None, legacy_code)], AT)
    assert not [p for p in check_journal(path).problems if "summary" in p]
    with closing(sqlite3.connect(path)) as db, db:  # a status change behind the summary's back
        db.execute(
            "INSERT INTO delivery_log(delivery, at, status) VALUES (?, ?, 'failed')",
            (ids[1], AT.isoformat()),
        )
    problems = [p for p in check_journal(path).problems if "summary" in p]
    assert len(problems) == 1
    assert "disagrees with the status log for dispatch 1" in problems[0]


def test_a_count_of_a_text_that_is_not_there_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with closing(SqliteJournal.create(path, {})) as journal:
        _dispatch(journal, 3)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO text_counts(text, status, delta) VALUES (99, 'sent', 1)")
    with closing(SqliteJournal.open(path)) as journal:
        with pytest.raises(StateError, match="damaged") as raised:
            journal.delivery_groups()
        assert "text 99" in raised.value.message
        with pytest.raises(StateError, match="damaged"):
            journal.deliveries(statuses=(Status.FAILED,))


def _steps_to_read_what_is_new(path: Path, nights: int) -> int:
    """SQLite's steps for a later command to read the counts and entries, where a memo
    holds what an earlier one read, after `nights` dispatches marked one at a time."""
    with closing(SqliteJournal.create(path, {})) as journal:
        for _ in range(nights):
            ids = _dispatch(journal, 3)
            journal.mark_many([Mark(ids[0], Status.SENT)], AT)  # a count change each
    with steady_files():
        with closing(SqliteJournal.open(path)) as journal:  # the earlier command
            journal.delivery_groups()
            journal.entries()
        with closing(SqliteJournal.open(path)) as journal:
            journal.mark_many([Mark(ids[1], Status.SENT)], AT)  # something new
        with closing(SqliteJournal.open(path)) as journal:  # the later one
            steps = [0]

            def step() -> int:
                steps[0] += 1
                return 0

            journal._db.set_progress_handler(step, 1)
            journal.delivery_groups()
            journal.entries()
            return steps[0]


def test_reading_what_is_new_costs_the_same_early_and_late_in_the_night(
    tmp_path: Path,
) -> None:
    """The memo's rows are found by key: a command late in a long night reads as little
    as one in a short one (for `seq = ? OR seq >= ?` SQLite scanned every row, and each
    command of a rehearsal cost more than the one before)."""
    short = _steps_to_read_what_is_new(tmp_path / "short.sqlite", 5)
    long = _steps_to_read_what_is_new(tmp_path / "long.sqlite", 400)
    assert long < short * 2
