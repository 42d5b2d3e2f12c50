"""A damaged journal is said to be damaged, never taken for a new or an empty night.

Each kind of damage: every command gives one error line (and its hint), exits non-zero,
sends nothing and leaves the journal file as it was (byte for byte); `start` does not
begin again over it; `gonogo journal check` says what is wrong and exits 1.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from tests.cli.test_night_cli import RUNBOOKS, gonogo, journal_path, ok, outbox

from gonogo.night.sqlite_journal import SqliteJournal

PAGE = 4096


def _sql(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path)) as db, db:
        for statement in statements:
            db.execute(statement)


def _corrupt_pages(path: Path) -> None:
    """Garbage over every page but the first: the schema reads, no table does."""
    data = bytearray(path.read_bytes())
    for offset in range(PAGE, len(data), PAGE):
        data[offset + 8 : offset + PAGE - 8] = b"\xa5" * (PAGE - 16)
    path.write_bytes(bytes(data))


EMPTIED = ("DELETE FROM delivery_log", "DELETE FROM deliveries", "DELETE FROM events")

# What is done to the journal of a night at part 1, and what the error then says.
DAMAGE = {
    "truncated to 0 bytes": (lambda p: p.write_bytes(b""), "is damaged: the file is empty"),
    "not SQLite": (
        lambda p: p.write_bytes(b"garbage " * 2048),
        "is damaged: file is not a database",
    ),
    "corrupt pages": (_corrupt_pages, "is damaged:"),
    "another format": (lambda p: _sql(p, "PRAGMA user_version = 9"), "has journal format 9"),
    "another program's database": (
        lambda p: _sql(p, "PRAGMA application_id = 1234"),
        "is not a gonogo journal",
    ),
    "tables only": (
        lambda p: _sql(p, *EMPTIED, "DELETE FROM meta"),
        "is damaged: it does not name the run's release, runbook, runbook_sha256",
    ),
    "meta without start": (
        lambda p: _sql(p, *EMPTIED),
        "is damaged: it has no start entry",
    ),
    "an entry that does not parse": (
        lambda p: _sql(p, "UPDATE events SET data = '{\"dry_run\": tru' WHERE seq = 1"),
        "is damaged: entry 1 cannot be read",
    ),
    "an unknown kind of entry": (
        lambda p: _sql(p, "UPDATE events SET kind = 'launch' WHERE seq = 1"),
        "is damaged: entry 1 cannot be read",
    ),
    "a delivery status that does not parse": (
        lambda p: _sql(p, "UPDATE delivery_log SET status = 'delivered?' WHERE seq = 3"),
        "is damaged: status change 3 cannot be read",
    ),
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _outbox_files(state: Path) -> list[tuple[str, bytes]]:
    return sorted((p.name, p.read_bytes()) for p in outbox(state).iterdir())


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_each_kind_of_damage_is_one_line_and_nothing_is_written(tmp_path: Path, kind: str) -> None:
    shutil.copytree(RUNBOOKS, tmp_path / "runbooks")
    runbook = tmp_path / "runbooks" / "release-21.0.yaml"
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    damage, says = DAMAGE[kind]
    damage(journal_path(state))
    before, files = _digest(journal_path(state)), _outbox_files(state)

    for args in (["status"], ["go", "1"], ["resume"], ["start", str(runbook)], ["log"]):
        done = gonogo(state, *args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        error = [line for line in done.stderr.splitlines() if line.startswith("gonogo: error:")]
        assert len(error) == 1, done.stderr
        assert str(journal_path(state)) in error[0]
        assert says in error[0], error[0]
        if "is damaged" in says:
            assert "gonogo journal check" in done.stderr
        assert _digest(journal_path(state)) == before
        assert _outbox_files(state) == files  # nothing sent

    checked = gonogo(state, "journal", "check", yes=False)
    assert checked.returncode == 1, checked.stdout
    assert "Traceback" not in checked.stderr
    assert f"journal {journal_path(state)}: damaged" in checked.stdout
    assert _digest(journal_path(state)) == before


def test_journal_check_says_what_is_readable(tmp_path: Path) -> None:
    shutil.copytree(RUNBOOKS, tmp_path / "runbooks")
    runbook = tmp_path / "runbooks" / "release-21.0.yaml"
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    ok(state, "go", "1")
    whole = gonogo(state, "journal", "check", yes=False)
    assert whole.returncode == 0, whole.stdout + whole.stderr
    assert whole.stdout.splitlines()[0] == f"journal {journal_path(state)}: whole"
    assert "the night by what is readable: part 2 of 5 in progress; dispatches: 2" in whole.stdout

    _sql(journal_path(state), "UPDATE events SET data = 'nonsense' WHERE kind = 'go'")
    before = _digest(journal_path(state))
    damaged = gonogo(state, "journal", "check", yes=False)
    assert damaged.returncode == 1
    lines = damaged.stdout.splitlines()
    assert lines[0] == f"journal {journal_path(state)}: damaged (1 problem)"
    assert lines[1].startswith("  - entry 3 (go) cannot be read:")
    # Without the Go the readable entries leave the night at part 1.
    assert "the night by what is readable: part 1 of 5 in progress" in damaged.stdout
    assert _digest(journal_path(state)) == before


def test_a_start_killed_before_its_journal_is_named_leaves_no_run(tmp_path: Path) -> None:
    """What a kill -9 before the start entry is committed leaves: a temporary journal
    beside the name, never a journal under it. `start` removes it and begins."""
    shutil.copytree(RUNBOOKS, tmp_path / "runbooks")
    runbook = tmp_path / "runbooks" / "release-21.0.yaml"
    state = tmp_path / "state"
    directory = journal_path(state).parent
    directory.mkdir(parents=True)
    leftover = directory / ".journal-999-deadbeef.sqlite"
    SqliteJournal.create(leftover, {"release": "21.0"}, wal=False).close()
    (directory / ".journal-999-deadbeef.sqlite-journal").write_bytes(b"\0" * 512)
    done = gonogo(state, "status")
    assert done.returncode == 1
    assert f"no run in {state}" in done.stderr
    ok(state, "start", str(runbook))
    ok(state, "go", "1")
    assert sorted(p.name for p in directory.iterdir()) == ["journal.sqlite", "lock", "outbox"]
