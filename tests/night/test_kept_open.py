"""A rehearsal holds each path's journal open between commands, and lets go at the end."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from tests.night.test_entry_memo import AT

from gonogo.errors import JournalDamagedError
from gonogo.night.entries import Empty, Kind, NewEntry
from gonogo.night.kept_open import _KEPT, kept_open
from gonogo.night.sqlite_journal import SqliteJournal


def _journal(path: Path) -> Path:
    journal = SqliteJournal.create(path, {"release": "21.0"})
    with closing(journal), journal.transaction():
        journal.append(NewEntry(Kind.START, Empty()), at=AT, operator="a", runbook_sha256="x")
    return path


def _side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def test_between_commands_the_write_ahead_log_is_not_made_again(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.sqlite")
    with kept_open():
        SqliteJournal.open(path).close()  # a command
        assert _side_files(path) == ["journal.sqlite-shm", "journal.sqlite-wal"]
        with closing(SqliteJournal.open(path)) as journal:  # the next one
            assert [e.kind for e in journal.entries()] == [Kind.START]
    assert _side_files(path) == []  # let go: checkpointed into the one file


@pytest.mark.parametrize(("setting", "level"), [("OFF", 0), ("FULL", 2)])
def test_the_holder_closing_last_syncs_as_the_journal_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, level: int
) -> None:
    """The holder, closed last, checkpoints the file: a rehearsal's (OFF) must not sync
    every path's journal to the disk at its end, which took a quarter of its time."""
    path = _journal(tmp_path / "journal.sqlite")
    monkeypatch.setattr(SqliteJournal, "synchronous", setting)
    with kept_open():
        SqliteJournal.open(path).close()
        kept = _KEPT.get()
        assert kept is not None
        [holder] = kept.holders.values()
        assert holder.execute("PRAGMA synchronous").fetchone()[0] == level


def test_outside_a_rehearsal_a_command_holds_nothing(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.sqlite")
    SqliteJournal.open(path).close()
    assert _side_files(path) == []


def test_the_next_command_opens_the_connection_the_last_one_closed(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.sqlite")
    with kept_open():
        first = SqliteJournal.open(path)
        connection = _closed(first)
        first.close()  # closing twice leaves the kept connection alone
        with closing(SqliteJournal.open(path)) as second:
            assert second._db is connection  # warm: not connected again
            with closing(SqliteJournal.open(path)) as meanwhile:  # one command at a time
                assert meanwhile._db is not connection
            assert [e.kind for e in second.entries()] == [Kind.START]
    with pytest.raises(sqlite3.ProgrammingError):  # closed when the path is done
        connection.execute("SELECT 1")


def test_a_holding_inside_another_lets_go_only_when_the_outer_one_ends(tmp_path: Path) -> None:
    """A path's commands hold the journal, and its conclusion, around them, reads the
    connection the last command left: the inner end closes nothing."""
    path = _journal(tmp_path / "journal.sqlite")
    with kept_open():
        with kept_open():
            connection = _closed(SqliteJournal.open(path))
        with closing(SqliteJournal.open(path)) as conclusion:
            assert conclusion._db is connection
    with pytest.raises(sqlite3.ProgrammingError):
        connection.execute("SELECT 1")
    assert _side_files(path) == []


def test_a_connection_is_never_lent_to_another_file_or_mid_transaction(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.sqlite")
    with kept_open():
        old = _closed(SqliteJournal.open(path))
        for side in ("", "-wal", "-shm"):  # the path rehearsed again: another file
            Path(f"{path}{side}").unlink(missing_ok=True)
        _journal(path)
        with closing(SqliteJournal.open(path)) as again:
            assert again._db is not old
        with pytest.raises(sqlite3.ProgrammingError):
            old.execute("SELECT 1")  # the stale one was closed, not kept
        journal = SqliteJournal.open(path)
        journal._db.execute("BEGIN")
        held = journal._db
        journal.close()
        with pytest.raises(sqlite3.ProgrammingError):
            held.execute("SELECT 1")  # in a transaction: closed, never lent


def test_outside_a_rehearsal_a_closed_journal_s_connection_is_closed(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.sqlite")
    journal = SqliteJournal.open(path)
    journal.close()
    with pytest.raises(sqlite3.ProgrammingError):
        journal._db.execute("SELECT 1")


def test_an_unchanged_file_is_neither_checked_nor_read_again_by_the_next_command(
    tmp_path: Path,
) -> None:
    path = _journal(tmp_path / "journal.sqlite")
    with kept_open():
        with closing(SqliteJournal.open(path)) as first:
            entries, groups, meta = first.entries(), first.delivery_groups(), first.meta()
            seen = _traced(first)  # its connection: what the next command runs on it
        with closing(SqliteJournal.open(path)) as second:
            assert second._db is first._db
            assert second.entries() == entries
            assert second.delivery_groups() == groups
            assert second.meta() == meta
            assert [sql for sql in seen if not sql.startswith("PRAGMA data_version")] == []
            assert seen  # the stamps it compared: the file's format not checked again


def test_a_file_written_by_another_connection_between_commands_is_checked_and_read(
    tmp_path: Path,
) -> None:
    path = _journal(tmp_path / "journal.sqlite")
    with kept_open():
        with closing(SqliteJournal.open(path)) as first:
            assert [e.kind for e in first.entries()] == [Kind.START]
        other = SqliteJournal(path)  # not the rehearsal's: its own connection
        with closing(other), other.transaction():
            other.append(NewEntry(Kind.START, Empty()), at=AT, operator="b", runbook_sha256="x")
        with closing(SqliteJournal.open(path)) as second:
            assert [e.operator for e in second.entries()] == ["a", "b"]
        with closing(sqlite3.connect(path)) as raw, raw:  # damage: a status that is none
            raw.execute("INSERT INTO delivery_log(delivery, at, status) VALUES (1, 'x', 'lost')")
        with pytest.raises(JournalDamagedError):
            SqliteJournal.open(path)


def _traced(journal: SqliteJournal) -> list[str]:
    seen: list[str] = []
    journal._db.set_trace_callback(seen.append)
    return seen


def test_a_commit_from_elsewhere_while_a_command_has_the_file_open_is_checked_next(
    tmp_path: Path,
) -> None:
    """What a journal checked when it opened is passed on only if nobody else wrote the
    file before it closed: a status nobody knows, written meanwhile, is found next."""
    path = _journal(tmp_path / "journal.sqlite")
    with kept_open():
        with closing(SqliteJournal.open(path)) as first:
            first.entries()
            with closing(sqlite3.connect(path)) as raw, raw:
                raw.execute(
                    "INSERT INTO delivery_log(delivery, at, status) VALUES (1, 'x', 'lost')"
                )
        with pytest.raises(JournalDamagedError):
            SqliteJournal.open(path)


def _closed(journal: SqliteJournal) -> sqlite3.Connection:
    """`journal` closed, as a command closes it: its connection (in a rehearsal, lent)."""
    connection = journal._db
    journal.close()
    return connection
