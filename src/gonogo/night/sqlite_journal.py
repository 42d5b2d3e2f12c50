"""The embedded journal: an append-only SQLite file per run (see `journal.py`).

Entries are rows in `events`; a dispatch's recipients are rows in `deliveries`, and
every change of a delivery's status is a row appended to `delivery_log`. Nothing is
updated or deleted, so the file replays to the same state after a crash at any point.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from gonogo.errors import StateError
from gonogo.night.entries import Entry, Kind, NewEntry, decode, encode
from gonogo.night.journal import Delivery, DeliveryGroup, Mark, NewDelivery, Status, iso

SCHEMA_VERSION = 1

_SCHEMA = """
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

# The latest status of every delivery, found once per query instead of per row.
# Journals written before `in_doubt` had its own status marked such e-mails sent.
_LATEST = """
    SELECT l.delivery, l.provider_id, l.code, l.reason, l.at,
           CASE WHEN l.status = 'sent' AND l.code = 'in-doubt' THEN 'in_doubt'
                ELSE l.status END AS status
    FROM delivery_log l
    JOIN (SELECT delivery, MAX(seq) AS seq FROM delivery_log GROUP BY delivery) m
      ON l.seq = m.seq
"""


class SqliteJournal:
    """One run's journal file. Safe for one writer at a time (the run's lock sees to it)."""

    # FULL: a decision reported as journaled survives a power cut, not only a crash.
    # A rehearsal's throwaway simulations may relax it to NORMAL.
    synchronous = "FULL"

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
        except sqlite3.Error as exc:
            msg = f"cannot open the journal {path}: {exc}"
            raise StateError(msg) from None
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute(f"PRAGMA synchronous={self.synchronous}")
            self._db.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:  # a file that is not SQLite at all
            self._db.close()
            msg = f"{path} is not a gonogo journal: {exc}"
            raise StateError(msg) from None

    @classmethod
    def create(cls, path: Path, meta: dict[str, str]) -> SqliteJournal:
        journal = cls(path)
        # WAL is a property of the file: set once here, every later connection uses it.
        journal._db.execute("PRAGMA journal_mode=WAL")
        journal._db.executescript(_SCHEMA)
        with journal.transaction():
            journal._db.executemany(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                [("schema_version", str(SCHEMA_VERSION)), *meta.items()],
            )
        return journal

    @classmethod
    def open(cls, path: Path) -> SqliteJournal:
        if not path.is_file():
            msg = f"no journal at {path}"
            raise StateError(msg)
        journal = cls(path)
        try:
            has_meta = journal._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            ).fetchone()
        except sqlite3.DatabaseError:
            has_meta = True  # not a database at all: meta() says so
        version = journal.meta().get("schema_version") if has_meta else None
        if version is None:
            journal.close()
            msg = f"the run in {path.parent} was interrupted while starting; nothing was journaled"
            raise StateError(msg, hint="start it again with `gonogo start RUNBOOK`")
        if version != str(SCHEMA_VERSION):
            msg = f"{path} has journal version {version}; this gonogo reads {SCHEMA_VERSION}"
            raise StateError(msg, hint="use the gonogo version that started the run")
        return journal

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: a decision and its dispatch's recipients land together.

        Inside another transaction it joins that one.
        """
        if self._db.in_transaction:
            yield self._db
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def meta(self) -> dict[str, str]:
        try:
            rows = self._db.execute("SELECT key, value FROM meta").fetchall()
        except sqlite3.DatabaseError as exc:
            msg = f"{self.path} is not a gonogo journal: {exc}"
            raise StateError(msg) from None
        return {row["key"]: row["value"] for row in rows}

    def append(
        self, entry: NewEntry, *, at: dt.datetime, operator: str, runbook_sha256: str
    ) -> int:
        """Append one entry; use inside `transaction()` to group it with others."""
        cursor = self._db.execute(
            "INSERT INTO events(at, operator, kind, part, reason, data, runbook_sha256) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                iso(at),
                operator,
                entry.kind.value,
                entry.part,
                entry.reason,
                json.dumps(encode(entry.payload), ensure_ascii=False, sort_keys=True),
                runbook_sha256,
            ),
        )
        return int(cursor.lastrowid or 0)

    def entries(self) -> list[Entry]:
        rows = self._db.execute("SELECT * FROM events ORDER BY seq").fetchall()
        out = []
        for row in rows:
            try:
                kind = Kind(row["kind"])
                payload = decode(kind, json.loads(row["data"]))
                at = dt.datetime.fromisoformat(row["at"])
            except (ValueError, TypeError) as exc:
                msg = f"{self.path}: entry {row['seq']} cannot be read ({exc})"
                hint = "the journal is damaged; restore it from a copy"
                raise StateError(msg, hint=hint) from None
            out.append(
                Entry(
                    row["seq"], at, row["operator"], kind, row["part"], row["reason"], payload,
                    row["runbook_sha256"],
                )
            )  # fmt: skip
        return out

    def add_deliveries(self, dispatch: int, rows: Iterable[NewDelivery], at: dt.datetime) -> int:
        """Journal a dispatch's recipients as pending, one row per recipient and channel."""
        count = 0
        stamp = iso(at)
        for row in rows:
            cursor = self._db.execute(
                "INSERT INTO deliveries(dispatch, channel, audience, address, name, language,"
                " subject, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    dispatch,
                    row.channel,
                    row.audience,
                    row.address,
                    row.name,
                    row.language,
                    row.subject,
                    row.body,
                ),
            )
            self._db.execute(
                "INSERT INTO delivery_log(delivery, at, status) VALUES (?, ?, 'pending')",
                (cursor.lastrowid, stamp),
            )
            count += 1
        return count

    def mark_many(self, marks: Iterable[Mark], at: dt.datetime) -> None:
        """Append status changes in one commit."""
        stamp = iso(at)
        rows = [(m.delivery, stamp, m.status.value, m.provider_id, m.code, m.reason) for m in marks]
        if not rows:
            return
        with self.transaction():
            self._db.executemany(
                "INSERT INTO delivery_log(delivery, at, status, provider_id, code, reason)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def deliveries(
        self, *, dispatch: int | None = None, statuses: Iterable[Status] | None = None
    ) -> list[Delivery]:
        """Deliveries with their latest status, oldest first."""
        # S608: the only interpolation is our own constant subquery; values are parameters.
        query = f"""
            SELECT d.*, l.status, l.provider_id, l.code, l.reason, l.at AS marked_at,
                   COALESCE(a.n, 0) AS attempts
            FROM deliveries d
            JOIN ({_LATEST}) l ON l.delivery = d.id
            LEFT JOIN (SELECT delivery, COUNT(*) AS n FROM delivery_log
                       WHERE status = 'in_flight' GROUP BY delivery) a ON a.delivery = d.id
        """  # noqa: S608
        clauses: list[str] = []
        params: list[Any] = []
        if dispatch is not None:
            clauses.append("d.dispatch = ?")
            params.append(dispatch)
        if statuses is not None:
            wanted = [Status(s).value for s in statuses]
            clauses.append(f"l.status IN ({','.join('?' * len(wanted))})")
            params += wanted
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY d.id"
        found = []
        # A dispatch's rows share texts and times: one object each, not 100,000 copies.
        one: dict[Any, Any] = {}
        times: dict[str, dt.datetime] = {}
        for row in self._db.execute(query, params):
            status = Status(row["status"])
            at = row["marked_at"]
            if at not in times:
                times[at] = dt.datetime.fromisoformat(at)
            found.append(
                Delivery(
                    id=row["id"], dispatch=row["dispatch"],
                    channel=one.setdefault(row["channel"], row["channel"]),
                    audience=one.setdefault(row["audience"], row["audience"]),
                    address=row["address"], name=row["name"],
                    language=one.setdefault(row["language"], row["language"]),
                    subject=one.setdefault(row["subject"], row["subject"]),
                    body=one.setdefault(row["body"], row["body"]),
                    status=status, provider_id=row["provider_id"], code=row["code"],
                    reason=row["reason"], attempts=row["attempts"], marked_at=times[at],
                )
            )  # fmt: skip
        return found

    def delivery_groups(self) -> list[DeliveryGroup]:
        query = f"""
            SELECT d.dispatch, d.audience, d.channel, d.language, d.subject, d.body,
                   l.status, COUNT(*) AS n
            FROM deliveries d JOIN ({_LATEST}) l ON l.delivery = d.id
            GROUP BY d.dispatch, d.audience, d.channel, d.language, d.subject, d.body, l.status
            ORDER BY MIN(d.id)
        """  # noqa: S608
        return [
            DeliveryGroup(
                row["dispatch"], row["audience"], row["channel"], row["language"],
                row["subject"], row["body"], Status(row["status"]), row["n"],
            )
            for row in self._db.execute(query)
        ]  # fmt: skip
