"""`gonogo journal copy`: a whole run from one backend to another, unchanged.

Entries keep their sequence numbers, deliveries their ids, status changes their order
and every timestamp its text, so the copy replays to the same night and renders the
same report, byte for byte. The destination must not hold that run yet.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from pathlib import Path
from typing import Any

from gonogo.errors import StateError
from gonogo.night.belongs import REHEARSAL, refuse_misplaced
from gonogo.night.pg_journal import (
    DELIVERY_COLUMNS,
    EVENT_COLUMNS,
    LOG_COLUMNS,
    PgJournal,
    find_run,
    runs_in,
)
from gonogo.night.pg_url import is_url, masked
from gonogo.night.places import Place, find
from gonogo.night.runs import JOURNAL, filesystem_error
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.night.sqlite_readonly import read_only_uri
from gonogo.night.sqlite_summary import Summary

Rows = list[tuple[Any, ...]]
Dump = tuple[dict[str, str], Rows, Rows, Rows]


def _place(where: str, release: str | None, dry_run: bool) -> Place:
    return find(Path(where), where if is_url(where) else None, release, dry_run)


def _name(where: str) -> str:
    return masked(where) if is_url(where) else where


def read(place: Place) -> Dump:
    if place.url is not None:
        run = find_run(place.url, place.release, place.mode)
        assert run is not None  # find() saw it
        journal = PgJournal(place.url, run)
        try:
            return (journal.meta(), journal.raw_events(), journal.raw_deliveries(),
                    journal.raw_log())  # fmt: skip
        finally:
            journal.close()
    path = place.directory / JOURNAL
    SqliteJournal.open(path).close()  # the version check, and a clear error if damaged
    db = sqlite3.connect(read_only_uri(path) or f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        refuse_misplaced(meta, path, place.release, place.mode)
        meta.pop("schema_version", None)
        return (
            meta,
            db.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY seq").fetchall(),  # noqa: S608
            db.execute(f"SELECT {DELIVERY_COLUMNS} FROM deliveries ORDER BY id").fetchall(),  # noqa: S608
            db.execute(f"SELECT {LOG_COLUMNS} FROM delivery_log ORDER BY seq").fetchall(),  # noqa: S608
        )
    finally:
        db.close()


def write(to: str, release: str, dry_run: bool, dump: Dump) -> str:
    meta, events, deliveries, log = dump
    mode = REHEARSAL if dry_run else "real"
    if is_url(to):
        # A run's row without entries is no run (a start or a copy killed before its
        # entries: every command passes it by, and the next start or copy takes it).
        if (release, mode) in runs_in(to):
            msg = f"{masked(to)} already has the {mode} run of release {release}; nothing copied"
            raise StateError(msg)
        journal = PgJournal.create(to, release, mode, meta)
        try:
            with journal.transaction():  # the rows and their counts: all, or none of them
                journal.load_raw(events, deliveries, log)
                journal.rebuild_summary()
        finally:
            journal.close()
        return masked(to)
    return _write_file(Place(Path(to), release, dry_run).directory, dump)


def _write_file(directory: Path, dump: Dump) -> str:
    """The copy built under a temporary name beside its final one and named only when
    complete, as `start` names a new journal (run_files.py): a copy killed half-way
    leaves no journal, only a `.journal-*` file the next copy or start removes."""
    meta, events, deliveries, log = dump
    path = directory / JOURNAL
    if path.exists():
        msg = f"{path} already exists; nothing copied"
        raise StateError(msg)
    directory.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(directory)
    # Not mkstemp: SQLite creates the file with the mode the umask gives any journal.
    temporary = directory / f".journal-{os.getpid()}-{secrets.token_hex(4)}.sqlite"
    try:
        SqliteJournal.create(temporary, meta, wal=False).close()
        db = sqlite3.connect(temporary, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            for table, columns, rows in (("events", EVENT_COLUMNS, events),
                                         ("deliveries", DELIVERY_COLUMNS, deliveries),
                                         ("delivery_log", LOG_COLUMNS, log)):  # fmt: skip
                marks = ", ".join("?" * len(columns.split(",")))
                db.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
            Summary(db).rebuild()  # the copy's counts, from its status log
            db.execute("COMMIT")
        finally:
            db.close()
        _give_name(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)  # named by now, or no half copy left behind
        Path(f"{temporary}-journal").unlink(missing_ok=True)
    journal = SqliteJournal.open(path)
    try:
        journal.use_wal()  # as every journal, once it has its name (see `publish`)
    finally:
        journal.close()
    return str(path)


def _give_name(temporary: Path, path: Path) -> None:
    """Give the complete copy its name, never over a journal that appeared meanwhile."""
    try:
        os.link(temporary, path)  # atomic, and fails where the name is taken
    except FileExistsError:
        msg = f"{path} already exists; nothing copied"
        raise StateError(msg) from None
    except OSError as exc:
        raise filesystem_error(exc, f"cannot name the journal {path}") from None
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the name survives a power cut too
    finally:
        os.close(directory)


def _remove_abandoned(directory: Path) -> None:
    """The temporary files of copies and starts that were killed: their process is gone."""
    for stale in directory.glob(".journal-*"):
        pid = stale.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            stale.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: alive
    return True


def _refuse_other_urls(where: str, option: str) -> None:
    if "://" in where and not is_url(where):  # not a directory to create; it may hold a password
        msg = f"{option} must be a state directory or begin with postgresql://"
        raise StateError(msg, hint="the text itself is not shown: it may hold a password")


def copy(source: str, to: str, release: str | None, dry_run: bool) -> str:
    """Copy the run `source` holds to `to`; returns a sentence saying what was copied."""
    _refuse_other_urls(source, "--from")
    _refuse_other_urls(to, "--to")
    place = _place(source, release, dry_run)
    dump = read(place)
    target = write(to, place.release, place.dry_run, dump)
    _meta, events, deliveries, log = dump
    return (
        f"Copied the {place.mode} run of release {place.release} from {_name(source)} to "
        f"{target}: {len(events)} entries, {len(deliveries)} deliveries, "
        f"{len(log)} status changes."
    )
