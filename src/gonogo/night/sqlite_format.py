"""What makes a file a whole gonogo journal, and what to say when it is not.

A journal is stamped with SQLite's own `application_id` and `user_version`; a file
SQLite cannot read is examined with `PRAGMA quick_check`. Errors name the file and
what to do next; they never show a row's content.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

from gonogo.errors import JournalDamagedError, JournalWriteError, StateError
from gonogo.night.entries import Entry, Kind, decode
from gonogo.night.journal import Delivery, Status

APPLICATION_ID = 0x676E676F  # "gngo": this file is a gonogo journal
SCHEMA_VERSION = 2  # 2 adds the summary of counts (sqlite_summary.py)
READS = ("1", "2")  # format 1 is read without a summary, the slow way
TABLES = ("meta", "events", "deliveries", "delivery_log")
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    operator TEXT NOT NULL,
    kind TEXT NOT NULL,
    part INTEGER,
    reason TEXT,
    data TEXT NOT NULL DEFAULT '{}',
    runbook_sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dispatch INTEGER NOT NULL REFERENCES events(seq),
    channel TEXT NOT NULL,
    audience TEXT NOT NULL,
    address TEXT NOT NULL,
    name TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS delivery_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery INTEGER NOT NULL REFERENCES deliveries(id),
    at TEXT NOT NULL,
    status TEXT NOT NULL,
    provider_id TEXT,
    code TEXT,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS delivery_log_by_delivery ON delivery_log(delivery, seq);
CREATE INDEX IF NOT EXISTS deliveries_by_dispatch ON deliveries(dispatch);
"""
DAMAGED_HINT = (
    "restore the journal from a copy, or see what is readable with `gonogo journal check`; "
    "nothing was written to it"
)


def damaged(path: Path, what: str) -> JournalDamagedError:
    return JournalDamagedError(f"the journal {path} is damaged: {what}", hint=DAMAGED_HINT)


_DAMAGE = ("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_FORMAT")


def read_error(path: Path, exc: sqlite3.Error, db: sqlite3.Connection) -> StateError:
    """A failed read: damage where SQLite says the file is not sound (with what
    `quick_check` finds), else the file system's fault (permission, I/O)."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(_DAMAGE) or not name:
        return damaged(path, "; ".join(quick_check(db)) or str(exc))
    why = str(exc)
    if name.startswith("SQLITE_READONLY"):  # WAL: a reader writes its index beside the file
        why = "it is read-only, and even reading it needs to write beside it (WAL)"
    msg = f"cannot read the journal {path}: {why}"
    hint = "give this user read and write access to the run's directory, then run it again"
    return StateError(msg, hint=hint)


def write_error(path: Path, exc: sqlite3.Error) -> StateError:
    """A failed write, said as what the operator can do about it."""
    name = getattr(exc, "sqlite_errorname", "")
    if name.startswith(_DAMAGE):
        return damaged(path, str(exc))
    if name == "SQLITE_FULL" or name.startswith("SQLITE_IOERR"):
        what = "the disk is full" if name == "SQLITE_FULL" else f"{exc} (is the disk full?)"
        hint = "free space, then run the command again; `gonogo resume` finishes a dispatch"
    elif name.startswith("SQLITE_READONLY"):
        what = "it is read-only"
        hint = "make the journal and its directory writable for this user, then run it again"
    elif name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM")):
        what = f"{exc} (no permission?)"
        hint = "make the run's directory writable for this user, then run it again"
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        what = "another process is writing it"
        hint = "wait, then run the command again"
    else:
        what, hint = str(exc), "run the command again with --debug to see where"
    return JournalWriteError(f"cannot write the journal {path}: {what}", hint=hint)


def quick_check(db: sqlite3.Connection, limit: int = 5) -> list[str]:
    """SQLite's own integrity check: the problems found, [] when the file is whole."""
    try:
        rows = db.execute(f"PRAGMA quick_check({int(limit)})").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    problems = [str(row[0]) for row in rows]
    return [] if problems == ["ok"] else problems


def existing(path: Path) -> os.stat_result:
    """The journal file at `path`, there and not empty (else StateError, or damaged)."""
    if path.is_dir():
        msg = f"the journal {path} is a directory, not a file"
        raise StateError(msg, hint="move it away; a journal is a file")
    try:
        info = path.stat()
    except FileNotFoundError:
        msg = f"no journal at {path}"
        raise StateError(msg) from None
    except OSError as exc:
        msg = f"cannot read the journal {path}: {exc.strerror}"
        raise StateError(msg) from None
    if info.st_size == 0:
        raise damaged(path, "the file is empty")
    return info


Stamp = tuple[int, int]  # what `stamp` gives


def stamp(db: sqlite3.Connection) -> Stamp:
    """What changes whenever the file's content may have: SQLite's count of commits by
    other connections (`data_version`) and this connection's own count of changed rows.
    A read made at the same stamp would read the same rows."""
    return int(db.execute("PRAGMA data_version").fetchone()[0]), db.total_changes


def check_format(db: sqlite3.Connection, path: Path) -> None:
    """Refuse a file that is not a whole journal of this format (raises StateError)."""
    try:
        app = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise read_error(path, exc, db) from None
    if app not in (0, APPLICATION_ID):
        msg = f"{path} is not a gonogo journal (SQLite application id {app:#x})"
        raise StateError(msg, hint="point --state-dir at the run's directory")
    if app == APPLICATION_ID and str(version) not in READS:
        msg = f"{path} has journal format {version}; this gonogo reads 1 to {READS[-1]}"
        raise StateError(msg, hint="use the gonogo version that wrote the run")
    needed = TABLES + (("texts", "text_counts") if app and version >= 2 else ())
    missing = [t for t in needed if t not in tables]
    if missing:
        raise damaged(path, f"it has no {', '.join(missing)} table")
    if app == 0:  # written before journals were stamped: the format is in meta
        found = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if found is None:
            raise damaged(path, "it names no format")
        if found[0] not in READS:
            msg = f"{path} has journal format {found[0]}; this gonogo reads 1 to {READS[-1]}"
            raise StateError(msg, hint="use the gonogo version that wrote the run")


def check_statuses(db: sqlite3.Connection, path: Path) -> None:
    """Every status change names a status: one scan, like the one for the latest statuses."""
    known = ", ".join(f"'{s.value}'" for s in Status)
    try:
        # S608: `known` is built from our own enum, not from input.
        bad = db.execute(
            f"SELECT seq FROM delivery_log WHERE status NOT IN ({known}) LIMIT 1"  # noqa: S608
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise read_error(path, exc, db) from None
    if bad is not None:
        raise damaged(path, f"status change {bad[0]} cannot be read")


def entry_of(row: sqlite3.Row) -> Entry:
    """One `events` row as an entry (ValueError or TypeError if it does not parse)."""
    kind = Kind(row["kind"])
    payload = decode(kind, json.loads(row["data"]))
    at = dt.datetime.fromisoformat(row["at"])
    if not isinstance(row["operator"], str) or not isinstance(row["runbook_sha256"], str):
        raise TypeError("operator and runbook hash must be text")
    return Entry(row["seq"], at, row["operator"], kind, row["part"], row["reason"], payload,
                 row["runbook_sha256"])  # fmt: skip


def delivery_of(row: sqlite3.Row) -> Delivery:
    """One delivery row joined with its latest status (ValueError if it does not parse)."""
    return Delivery(
        id=row["id"], dispatch=row["dispatch"], channel=row["channel"],
        audience=row["audience"], address=row["address"], name=row["name"],
        language=row["language"], subject=row["subject"], body=row["body"],
        status=Status(row["status"]), provider_id=row["provider_id"], code=row["code"],
        reason=row["reason"], attempts=row["attempts"],
        marked_at=dt.datetime.fromisoformat(row["marked_at"]),
    )  # fmt: skip
