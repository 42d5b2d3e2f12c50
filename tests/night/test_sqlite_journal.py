"""The SQLite journal: append-only; typed entries and deliveries survive reopening."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from gonogo.errors import StateError
from gonogo.night.entries import Decided, Dispatched, Empty, IncidentOpened, Kind, NewEntry
from gonogo.night.journal import Journal, Mark, NewDelivery, Status
from gonogo.night.sqlite_journal import SqliteJournal

AT = dt.datetime(2021, 11, 27, 22, 0, tzinfo=dt.UTC)
GO = NewEntry(Kind.GO, Decided(), part=1)


def _row(n: int, channel: str = "sms") -> NewDelivery:
    return NewDelivery(channel, "vard", f"+4670174060{n}", f"P{n}", "sv", None, "Hej")


def _dispatch(journal: Journal, rows: list[NewDelivery]) -> int:
    with journal.transaction():
        seq = journal.append(
            NewEntry(Kind.DISPATCH, Dispatched("window_started", 1, len(rows))),
            at=AT, operator="a", runbook_sha256="x",
        )  # fmt: skip
        assert journal.add_deliveries(seq, rows, AT) == len(rows)
    return seq


def test_the_sqlite_journal_is_a_journal(tmp_path: Path) -> None:
    journal: Journal = SqliteJournal.create(tmp_path / "j.sqlite", {})
    journal.close()


def test_entries_round_trip_typed(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    journal = SqliteJournal.create(path, {"release": "21.0"})
    local = dt.datetime(2021, 11, 28, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    opened = IncidentOpened("INC-1", 2, "långsamt", ("erecept", "klas"), ("vard",), "yellow")
    with journal.transaction():
        seq = journal.append(
            NewEntry(Kind.GO, Decided(override_verification=True), 1, "klart"),
            at=local, operator="anna", runbook_sha256="abc",
        )  # fmt: skip
        second = journal.append(
            NewEntry(Kind.INCIDENT_OPENED, opened), at=local, operator="bo", runbook_sha256="abc"
        )
    journal.close()
    with closing(SqliteJournal.open(path)) as reopened:
        go, incident = reopened.entries()
        assert (go.seq, go.operator, go.kind, go.part, go.reason) == (
            seq, "anna", Kind.GO, 1, "klart",
        )  # fmt: skip
        assert go.at == local
        assert go.at.utcoffset() == dt.timedelta(0)  # stored in UTC
        assert (go.payload, go.runbook_sha256) == (Decided(override_verification=True), "abc")
        assert go.data == {"override_verification": True}  # defaults are left out
        assert (incident.seq, incident.kind, incident.payload) == (
            second, Kind.INCIDENT_OPENED, opened,
        )  # fmt: skip
        assert incident.payload.services == ("erecept", "klas")  # lists come back as tuples
        assert (incident.part, incident.reason) == (None, None)
        assert reopened.meta()["release"] == "21.0"
        assert reopened.meta()["schema_version"] == "2"


def test_an_unreadable_entry_is_a_damaged_journal(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with closing(SqliteJournal.create(path, {})) as journal, journal.transaction():
        journal.append(NewEntry(Kind.END, Empty()), at=AT, operator="a", runbook_sha256="x")
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE events SET data = ?", (json.dumps({"what": 1}),))
    with closing(SqliteJournal.open(path)) as journal, pytest.raises(StateError) as found:
        journal.entries()
    assert "entry 1 cannot be read" in str(found.value)
    assert "unknown field(s) what" in str(found.value)


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    journal = SqliteJournal.create(tmp_path / "j.sqlite", {})
    try:

        def fail() -> None:
            with journal.transaction():
                seq = journal.append(GO, at=AT, operator="a", runbook_sha256="x")
                journal.add_deliveries(seq, [_row(5)], AT)
                raise RuntimeError

        with pytest.raises(RuntimeError):
            fail()
        assert journal.entries() == []
        assert journal.deliveries() == []
    finally:
        journal.close()


def test_deliveries_latest_status_and_attempts(tmp_path: Path) -> None:
    journal = SqliteJournal.create(tmp_path / "j.sqlite", {})
    try:
        seq = _dispatch(journal, [_row(5), _row(6), _row(7)])
        first, second, third = journal.deliveries(dispatch=seq)
        assert {d.status for d in (first, second, third)} == {Status.PENDING}
        journal.mark_many([Mark(first.id, Status.IN_FLIGHT)], AT)
        journal.mark_many([Mark(first.id, Status.SENT, provider_id="SM1")], AT)
        journal.mark_many(
            [
                Mark(second.id, Status.IN_FLIGHT),
                Mark(second.id, Status.FAILED, None, "21211", "invalid"),
            ],
            AT,
        )
        journal.mark_many([], AT)  # nothing to mark: nothing happens
        by_id = {d.id: d for d in journal.deliveries()}
        assert (by_id[first.id].status, by_id[first.id].provider_id) == (Status.SENT, "SM1")
        assert by_id[first.id].attempts == 1
        assert (by_id[second.id].status, by_id[second.id].code) == (Status.FAILED, "21211")
        assert by_id[second.id].reason == "invalid"
        assert (by_id[third.id].status, by_id[third.id].attempts) == (Status.PENDING, 0)
        found = journal.deliveries(statuses=(Status.PENDING, Status.FAILED))
        assert [d.id for d in found] == [second.id, third.id]
        assert journal.deliveries(dispatch=seq + 100) == []
    finally:
        journal.close()


def test_delivery_groups_count_latest_statuses(tmp_path: Path) -> None:
    with closing(SqliteJournal.create(tmp_path / "j.sqlite", {})) as journal:
        seq = _dispatch(journal, [_row(5), _row(6), _row(7), _row(8, "email")])
        rows = journal.deliveries()
        journal.mark_many([Mark(rows[0].id, Status.SENT), Mark(rows[1].id, Status.SENT)], AT)
        groups = {(g.channel, g.status): g.count for g in journal.delivery_groups()}
        assert groups == {
            ("sms", Status.SENT): 2,
            ("sms", Status.PENDING): 1,
            ("email", Status.PENDING): 1,
        }
        assert {g.dispatch for g in journal.delivery_groups()} == {seq}


def test_in_doubt_is_a_status_and_old_journals_read_as_in_doubt(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with closing(SqliteJournal.create(path, {})) as journal:
        _dispatch(journal, [_row(5, "email"), _row(6, "email"), _row(7, "email")])
        now, old, sent = journal.deliveries()
        journal.mark_many(
            [
                Mark(now.id, Status.IN_DOUBT, None, "in-doubt", "in flight when it stopped"),
                Mark(sent.id, Status.SENT, None, "settled", "recorded as sent"),
            ],
            AT,
        )
    # Journals written before `in_doubt` had its own status marked such e-mails sent;
    # they were format 1, without the summary of counts.
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "INSERT INTO delivery_log(delivery, at, status, code, reason) VALUES (?, ?, ?, ?, ?)",
            (old.id, AT.isoformat(), "sent", "in-doubt", "may have gone out"),
        )
        db.execute("DROP TABLE text_counts")
        db.execute("DROP TABLE texts")
        db.execute("PRAGMA user_version = 1")
    with closing(SqliteJournal.open(path)) as journal:
        by_id = {d.id: d for d in journal.deliveries()}
        assert by_id[now.id].status == Status.IN_DOUBT
        assert (by_id[old.id].status, by_id[old.id].code) == (Status.IN_DOUBT, "in-doubt")
        assert by_id[sent.id].status == Status.SENT  # another code: really sent
        doubtful = journal.deliveries(statuses=(Status.IN_DOUBT,))
        assert [d.id for d in doubtful] == [now.id, old.id]
        assert journal.deliveries(statuses=(Status.SENT,)) == [by_id[sent.id]]
        groups = {g.status: g.count for g in journal.delivery_groups()}
        assert groups == {Status.IN_DOUBT: 2, Status.SENT: 1}


def _stamped(path: Path, pragma: str) -> None:
    SqliteJournal.create(path, {}).close()
    with closing(sqlite3.connect(path)) as db:
        db.execute(pragma)


def _damage(path: Path, how: str) -> None:
    if how == "empty":
        path.touch()
    elif how == "junk":
        path.write_bytes(b"this is not sqlite" * 100)
    elif how == "no tables":
        with closing(sqlite3.connect(path)) as db:
            db.execute("CREATE TABLE other (x)")
    elif how == "other format":
        _stamped(path, "PRAGMA user_version = 3")
    elif how == "other application":
        _stamped(path, "PRAGMA application_id = 7")
    elif how == "bad row":
        with closing(SqliteJournal.create(path, {})) as journal, journal.transaction():
            journal.append(NewEntry(Kind.HOLD, Empty(), 1, "r"), at=AT, operator="a",
                           runbook_sha256="x")  # fmt: skip
        with closing(sqlite3.connect(path)) as db, db:
            db.execute("UPDATE events SET data = '{' WHERE seq = 1")


@pytest.mark.parametrize(
    ("how", "says"),
    [
        ("empty", "is damaged: the file is empty"),
        ("junk", "is damaged: file is not a database"),
        ("no tables", "is damaged: it has no meta, events, deliveries, delivery_log table"),
        ("other format", "has journal format 3; this gonogo reads 1 to 2"),
        ("other application", "is not a gonogo journal (SQLite application id 0x7)"),
        ("bad row", "is damaged: entry 1 cannot be read"),
    ],
)
def test_open_refuses_what_is_not_a_whole_journal(tmp_path: Path, how: str, says: str) -> None:
    path = tmp_path / "j.sqlite"
    _damage(path, how)
    with pytest.raises(StateError, match=re.escape(says)):
        SqliteJournal.open(path).entries()


def test_open_says_when_there_is_no_journal(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="no journal at"):
        SqliteJournal.open(tmp_path / "missing.sqlite")
    with pytest.raises(StateError, match="is a directory, not a file"):
        SqliteJournal.open(tmp_path)
