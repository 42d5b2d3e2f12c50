"""`copy_state`: a path's state directory as a later path starts from it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from tests.night.test_entry_memo import AT
from tests.night.test_kept_open import _journal
from tests.night.test_summary import _dispatch

from gonogo.night.entries import Empty, Kind, NewEntry
from gonogo.night.journal import Mark, Status
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.night.steady import steady_files
from gonogo.rehearsal.forks import copy_state, move_state


def _state(root: Path) -> Path:
    """A state directory as a rehearsal leaves it mid-path: a journal in WAL mode with
    its -wal and -shm held open, an outbox, a lock and an interrupted write's .tmp."""
    run = root / "21.0" / "rehearsal"
    (run / "outbox").mkdir(parents=True)
    (run / "outbox" / "00003-window_started-sms-vard-sv.txt").write_text("sent\n")
    (run / "outbox" / "00004-part_completed-sms-vard-sv.tmp").write_text("half")
    (run / "lock").write_text("pid 1\n")
    return run


def test_a_copy_has_the_journal_whole_links_the_outbox_and_copies_the_rest(
    tmp_path: Path,
) -> None:
    run = _state(tmp_path / "from")
    holder = sqlite3.connect(run / "journal.sqlite", isolation_level=None)
    with closing(holder):
        holder.execute("PRAGMA journal_mode=WAL")
        holder.execute("CREATE TABLE events(seq INTEGER PRIMARY KEY, kind TEXT)")
        holder.execute("INSERT INTO events(kind) VALUES ('start'), ('go')")  # in the WAL
        assert (run / "journal.sqlite-wal").exists()
        copy_state(tmp_path / "from", tmp_path / "to")
    copied = tmp_path / "to" / "21.0" / "rehearsal"
    assert sorted(p.name for p in copied.rglob("*")) == [
        "00003-window_started-sms-vard-sv.txt", "journal.sqlite", "lock", "outbox",
    ]  # fmt: skip
    with closing(sqlite3.connect(copied / "journal.sqlite")) as journal:
        assert journal.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # as its source
        assert journal.execute("SELECT kind FROM events ORDER BY seq").fetchall() == [
            ("start",),
            ("go",),
        ]
    sent = "outbox/00003-window_started-sms-vard-sv.txt"
    assert (copied / sent).stat().st_ino == (run / sent).stat().st_ino
    assert (copied / "lock").stat().st_ino != (run / "lock").stat().st_ino


def test_a_copy_replaces_what_was_there_and_never_writes_through_it(tmp_path: Path) -> None:
    """A copy left by a rehearsal that stopped early, its outbox file linked from
    elsewhere: copying again removes it first, so the other file keeps its text."""
    _state(tmp_path / "from")
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("another path's text\n")
    stale = tmp_path / "to" / "21.0" / "rehearsal"
    (stale / "outbox").mkdir(parents=True)
    (stale / "lock").hardlink_to(elsewhere)
    (stale / "outbox" / "old.txt").write_text("old\n")
    copy_state(tmp_path / "from", tmp_path / "to")
    assert elsewhere.read_text() == "another path's text\n"
    assert (stale / "lock").read_text() == "pid 1\n"
    assert not (stale / "outbox" / "old.txt").exists()


def test_a_copy_s_first_reader_goes_on_from_what_was_read_of_the_original(
    tmp_path: Path,
) -> None:
    """In a rehearsal, the entries and counts read of a path's journal pass to its copy:
    the copy's first reader checks the rows they name and reads only what follows, and
    finds what the original has, its own later entries included."""
    run = tmp_path / "from" / "21.0" / "rehearsal"
    run.mkdir(parents=True)
    journal_at = _journal(run / "journal.sqlite")
    with steady_files():
        with closing(SqliteJournal.open(journal_at)) as original:
            ids = _dispatch(original, 6)
            original.mark_many([Mark(ids[0], Status.SENT), Mark(ids[1], Status.FAILED)], AT)
            original.dispatch_groups()  # what is read: kept as of now
        with closing(SqliteJournal.open(journal_at)) as original:  # then more, read too
            _dispatch(original, 3)
            entries, groups = original.entries(), original.dispatch_groups()
        assert len(groups) == 2
        copy_state(tmp_path / "from", tmp_path / "to")
        copied = tmp_path / "to" / "21.0" / "rehearsal" / "journal.sqlite"
        with closing(SqliteJournal.open(copied)) as copy:
            seen: list[str] = []
            copy._db.set_trace_callback(seen.append)
            assert copy.entries() == entries
            assert copy.dispatch_groups() == groups
            assert not [sql for sql in seen if "ORDER BY seq" in sql and "seq >=" not in sql]
            assert not [sql for sql in seen if "FROM texts WHERE id >= 0" in sql]  # not all
            with copy.transaction():
                copy.append(NewEntry(Kind.START, Empty()), at=AT, operator="b", runbook_sha256="x")
            assert [e.operator for e in copy.entries()] == [*(e.operator for e in entries), "b"]
        with closing(SqliteJournal.open(journal_at)) as original:  # its own, unchanged
            assert original.entries() == entries


def test_a_move_puts_the_state_in_place_of_what_was_there_and_passes_on_its_reads(
    tmp_path: Path,
) -> None:
    """The last path to start from a fork takes the fork's directory itself."""
    run = _state(tmp_path / "fork")
    journal_at = _journal(run / "journal.sqlite")
    stale = tmp_path / "path" / "21.0" / "rehearsal"
    (stale / "outbox").mkdir(parents=True)
    (stale / "outbox" / "old.txt").write_text("old\n")
    inode = journal_at.stat().st_ino
    with steady_files():
        with closing(SqliteJournal.open(journal_at)) as fork:
            entries = fork.entries()
        move_state(tmp_path / "fork", tmp_path / "path")
        assert not (tmp_path / "fork").exists()
        moved = tmp_path / "path" / "21.0" / "rehearsal"
        assert (moved / "journal.sqlite").stat().st_ino == inode  # renamed, not copied
        assert not (moved / "outbox" / "old.txt").exists()
        with closing(SqliteJournal.open(moved / "journal.sqlite")) as journal:
            seen: list[str] = []
            journal._db.set_trace_callback(seen.append)
            assert journal.entries() == entries
            assert [sql for sql in seen if "FROM events" in sql] != []
            assert not [sql for sql in seen if "ORDER BY seq" in sql and "seq >=" not in sql]
