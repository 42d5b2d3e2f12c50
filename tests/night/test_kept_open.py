"""A rehearsal holds each path's journal open between commands, and lets go at the end."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

from tests.night.test_entry_memo import AT

from gonogo.night.entries import Empty, Kind, NewEntry
from gonogo.night.kept_open import kept_open
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


def test_outside_a_rehearsal_a_command_holds_nothing(tmp_path: Path) -> None:
    path = _journal(tmp_path / "journal.sqlite")
    SqliteJournal.open(path).close()
    assert _side_files(path) == []
