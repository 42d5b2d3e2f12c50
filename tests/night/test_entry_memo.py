"""Entries read once: a rehearsal's commands decode only what is new, and never an old
history for a new one (`night/entry_memo.py`)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from gonogo.night.entries import Decided, Empty, Kind, NewEntry
from gonogo.night.entry_memo import Known
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.night.steady import recall, steady_files

AT = dt.datetime(2021, 11, 27, 22, 0, tzinfo=dt.UTC)


def _append(path: Path, kind: Kind, part: int | None = None, *, operator: str = "anna") -> None:
    payload = Decided() if part is not None else Empty()
    with closing(SqliteJournal.open(path)) as journal, journal.transaction():
        journal.append(NewEntry(kind, payload, part), at=AT, operator=operator,
                       runbook_sha256="x")  # fmt: skip


def _fresh(path: Path) -> list[tuple[int, Kind, str]]:
    """The entries as a reader outside any memo sees them."""
    with closing(SqliteJournal.open(path)) as journal:
        return [(e.seq, e.kind, e.operator) for e in journal.entries()]


def _journal(path: Path) -> Path:
    SqliteJournal.create(path, {"release": "21.0"}).close()
    _append(path, Kind.START)
    return path


def _read(path: Path) -> list[tuple[int, Kind, str]]:
    with closing(SqliteJournal.open(path)) as journal:
        return [(e.seq, e.kind, e.operator) for e in journal.entries()]


def test_each_command_of_a_rehearsal_reads_only_the_new_entries(tmp_path: Path) -> None:
    path = _journal(tmp_path / "j.sqlite")
    with steady_files():
        assert _read(path) == [(1, Kind.START, "anna")]
        _append(path, Kind.GO, 1)
        _append(path, Kind.GO, 2)
        assert _read(path) == _fresh(path)
        known = recall(str(path), Known)
        assert known is not None
        assert [e.seq for e in known.entries] == [1, 2, 3]  # gone on from, kept up to date


def test_a_journal_replaced_under_the_same_name_is_read_whole(tmp_path: Path) -> None:
    """A rehearsal path's directory is removed and made again from another path's copy:
    the memo must notice the different history, even with as many entries."""
    path = _journal(tmp_path / "j.sqlite")
    other = _journal(tmp_path / "other.sqlite")
    _append(path, Kind.GO, 1, operator="anna")
    _append(other, Kind.HOLD, 1, operator="bo")
    with steady_files():
        assert _read(path)[-1] == (2, Kind.GO, "anna")
        shutil.copyfile(other, path)
        assert _read(path) == [(1, Kind.START, "anna"), (2, Kind.HOLD, "bo")]


def test_an_entry_changed_behind_the_memo_is_read_again(tmp_path: Path) -> None:
    path = _journal(tmp_path / "j.sqlite")
    _append(path, Kind.GO, 1)
    with steady_files():
        _read(path)
        with closing(sqlite3.connect(path)) as db:
            db.execute("UPDATE events SET operator = 'mallory' WHERE seq = 2")
            db.commit()
        assert _read(path)[-1] == (2, Kind.GO, "mallory")


def test_what_a_rolled_back_transaction_read_is_never_kept(tmp_path: Path) -> None:
    path = _journal(tmp_path / "j.sqlite")

    def go_then_fail(journal: SqliteJournal) -> None:
        with journal.transaction():
            journal.append(NewEntry(Kind.GO, Decided(), 1), at=AT, operator="anna",
                           runbook_sha256="x")  # fmt: skip
            assert len(journal.entries()) == 2  # its own write, inside the transaction
            raise RuntimeError

    with steady_files(), closing(SqliteJournal.open(path)) as journal:
        with pytest.raises(RuntimeError):
            go_then_fail(journal)
        assert [e.kind for e in journal.entries()] == [Kind.START]
        assert _read(path) == [(1, Kind.START, "anna")]


def test_outside_a_rehearsal_nothing_is_kept_between_commands(tmp_path: Path) -> None:
    path = _journal(tmp_path / "j.sqlite")
    _read(path)
    assert recall(str(path), Known) is None


def _traced(journal: SqliteJournal) -> list[str]:
    """The statements `journal`'s connection runs from now on."""
    seen: list[str] = []
    journal._db.set_trace_callback(seen.append)
    return seen


def _reads(seen: list[str]) -> tuple[int, int]:
    """How many of `seen` read the entries, and the delivery counts."""
    return (sum("FROM events" in sql for sql in seen),
            sum("FROM text_counts" in sql for sql in seen))  # fmt: skip


def test_a_connection_rereads_nothing_until_something_is_written(tmp_path: Path) -> None:
    """A command asks for the entries and the counts several times: with nothing written
    since, on this connection or any other, it reads neither again; after a write from
    elsewhere, or its own, it reads what is new."""
    path = _journal(tmp_path / "j.sqlite")
    with closing(SqliteJournal.open(path)) as journal:
        seen = _traced(journal)
        first = journal.entries()
        groups = journal.delivery_groups()
        assert _reads(seen) == (1, 1)
        assert journal.entries() == first
        assert journal.delivery_groups() == groups
        assert _reads(seen) == (1, 1)  # not read again
        _append(path, Kind.GO, 1, operator="bo")  # another connection commits
        assert [e.operator for e in journal.entries()] == ["anna", "bo"]
        with journal.transaction():  # and this one
            journal.append(NewEntry(Kind.GO, Decided(), 2), at=AT, operator="cy",
                           runbook_sha256="x")  # fmt: skip
        assert [e.operator for e in journal.entries()] == ["anna", "bo", "cy"]
        assert _fresh(path) == [(e.seq, e.kind, e.operator) for e in journal.entries()]
