"""The embedded journal: an append-only SQLite file per run (see `journal.py`).

Entries are rows in `events`; a dispatch's recipients are rows in `deliveries`, and
every change of a delivery's status is a row appended to `delivery_log`. Nothing is
updated or deleted, so the file replays to the same state after a crash at any point.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from gonogo.errors import StateError
from gonogo.night.entries import Entry, NewEntry, encode
from gonogo.night.entry_memo import Known
from gonogo.night.journal import DeliveryGroup, DispatchGroups, Mark, NewDelivery, iso
from gonogo.night.kept_open import keep
from gonogo.night.sqlite_format import (
    APPLICATION_ID,
    DAMAGED_HINT,
    SCHEMA,
    SCHEMA_VERSION,
    check_format,
    check_statuses,
    damaged,
    entry_of,
    existing,
    read_error,
    stamp,
    write_error,
)
from gonogo.night.sqlite_lending import Left, checked_at, give, take
from gonogo.night.sqlite_pages import SqlitePages
from gonogo.night.sqlite_readonly import read_only_uri
from gonogo.night.sqlite_summary import SUMMARY_SCHEMA, Summary
from gonogo.night.steady import recall, remember
from gonogo.night.summary import TextKey

T = TypeVar("T")
_BATCH = 1000  # rows journaled at a time: a dispatch to 100,000 is streamed


class SqliteJournal(SqlitePages):  # deliveries, delivery_page: sqlite_pages.py
    """One run's journal file. Safe for one writer at a time (the run's lock sees to it)."""

    # FULL: a decision reported as journaled survives a power cut, not only a crash.
    # A rehearsal's throwaway simulations relax it to OFF (`rehearsal.engine._isolated`).
    synchronous = "FULL"

    def __init__(
        self, path: Path, connection: sqlite3.Connection | None = None, left: Left | None = None
    ) -> None:
        """`connection`: one a command before opened on this file, and `left`, what that
        command knew of it if it is unchanged since (`sqlite_lending`)."""
        self.path = path
        self._depth = 0  # nesting of transaction(): inner ones join the outer
        self._where = os.path.abspath(path)
        self._known: Known | None = left.known if left else None  # entries read last
        self._read_at = left.read_at if left else None  # `stamp` when they were read
        self._meta: dict[str, str] | None = left.meta if left else None
        self._file: tuple[int, int] | None = None  # opened (not created): may be lent
        self._checked: int | None = None  # data_version when the file was last checked
        self._lent = False  # closed by lending it: no longer ours
        if connection is not None:
            self._db = connection
        else:
            try:
                frozen = read_only_uri(path)  # an archive: read as it stands (sqlite_readonly)
                self._db = sqlite3.connect(frozen or path, timeout=10.0, isolation_level=None,
                                           uri=frozen is not None)  # fmt: skip
            except sqlite3.Error as exc:
                msg = f"cannot open the journal {path}: {exc}"
                raise StateError(msg, hint=DAMAGED_HINT) from None
        self._db.row_factory = sqlite3.Row
        try:
            if connection is None:
                self._db.execute(f"PRAGMA synchronous={self.synchronous}")
                self._db.execute("PRAGMA foreign_keys=ON")
            known = (left.present, left.tally) if left else None
            self.summary = Summary(self._db, self._where, known)
        except sqlite3.DatabaseError as exc:  # a file that is not SQLite at all
            error = read_error(path, exc, self._db)
            self._db.close()
            raise error from None

    @classmethod
    def create(cls, path: Path, meta: dict[str, str], *, wal: bool = True) -> SqliteJournal:
        """A new journal. `wal=False` keeps it in one file, to be renamed into place once
        its first entry is committed (see `runs.create_run`); `use_wal` after that."""
        journal = cls(path)
        try:
            journal._db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            journal._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            if wal:
                journal.use_wal()
            journal._db.executescript(SCHEMA + SUMMARY_SCHEMA)
        except sqlite3.Error as exc:
            journal.close()
            raise write_error(path, exc) from None
        with journal.transaction():
            journal._db.executemany(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
                [("schema_version", str(SCHEMA_VERSION)), *meta.items()],
            )
        journal.summary = Summary(journal._db, journal._where)
        return journal

    def use_wal(self) -> None:
        # WAL is a property of the file: set once, every later connection uses it.
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as exc:
            raise write_error(self.path, exc) from None

    @classmethod
    def open(cls, path: Path) -> SqliteJournal:
        """An existing journal, checked: a file that is empty, not SQLite, of another format
        or without its tables is damaged (`JournalDamagedError`), never taken for a new one."""
        info = existing(path)
        connection, left = take(os.path.abspath(path), path)
        journal = cls(path, connection, left)
        try:
            if left is None:  # else unchanged since a command before checked it
                check_format(journal._db, path)
                check_statuses(journal._db, path)
            journal._checked = checked_at(journal._db, left)
        except BaseException:
            journal.close()
            raise
        keep(journal._where, path, cls.synchronous)  # in a rehearsal: `kept_open`
        journal._file = (info.st_dev, info.st_ino)
        return journal

    def close(self) -> None:
        if self._file is not None and not self._lent:  # in a rehearsal, to its next command
            self._lent = give(self._where, self._file, self._db, self._checked, self._known,
                              self._read_at, self.summary, self._meta)  # fmt: skip
        if not self._lent:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing: a decision and its dispatch's recipients land together.

        Inside another transaction it joins that one.
        """
        if self._depth:
            yield self._db
            return
        if self._db.in_transaction:
            # Left open by a stop between BEGIN and our `try` (a signal arrives as the
            # call returns): joining it would never commit what follows.
            self._db.execute("ROLLBACK")
        self._depth += 1
        try:
            self._db.execute("BEGIN IMMEDIATE")
            yield self._db
            self._db.execute("COMMIT")
        except BaseException as exc:
            if self._db.in_transaction:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
            self.summary.rolled_back()
            if isinstance(exc, sqlite3.Error):
                raise write_error(self.path, exc) from None
            raise
        finally:
            self._depth -= 1

    def meta(self) -> dict[str, str]:
        """What the run records about itself; written once, with the journal."""
        if self._meta is None:
            try:
                rows = self._db.execute("SELECT key, value FROM meta").fetchall()
            except sqlite3.DatabaseError as exc:
                raise read_error(self.path, exc, self._db) from None
            self._meta = {row["key"]: row["value"] for row in rows}
        return dict(self._meta)

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
        """Every entry, oldest first. Those read before (by this connection, or in a
        rehearsal by an earlier command: `entry_memo`) are not decoded again."""
        now = self._reading(lambda: stamp(self._db))
        if self._known is not None and now == self._read_at:
            return list(self._known.entries)  # nothing written since, here or elsewhere
        known = self._known or recall(self._where, Known)
        rows = None if known is None else known.rows_after(self._read)
        if rows is None:
            known, rows = None, self._read("SELECT * FROM events ORDER BY seq")
        out = list(known.entries) if known else []
        for row in rows:
            try:
                out.append(entry_of(row))
            except (ValueError, TypeError) as exc:
                raise damaged(self.path, f"entry {row['seq']} cannot be read ({exc})") from None
        if not self._db.in_transaction:  # never what a rollback may yet undo
            if rows:
                first = known.first if known else tuple(rows[0])
                self._known = Known(tuple(out), first, tuple(rows[-1]))
                remember(self._where, self._known)
            elif known is not None:
                self._known = known
            self._read_at = now
        return out

    def _read(self, query: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        """Every row of a query; a journal SQLite cannot read is damaged."""
        return self._reading(lambda: self._db.execute(query, tuple(params)).fetchall())

    def add_deliveries(self, dispatch: int, rows: Iterable[NewDelivery], at: dt.datetime) -> int:
        """Journal a dispatch's rows as pending, streamed: never all in memory at once."""
        stamp = iso(at)
        texts: Counter[TextKey] = Counter()
        count = 0
        with self.transaction():
            found = self._db.execute("SELECT COALESCE(MAX(id), 0) FROM deliveries").fetchone()
            first = int(found[0]) + 1
            batch: list[tuple[object, ...]] = []
            for row in rows:
                texts[(dispatch, row.channel, row.audience, row.language, row.subject,
                       row.body)] += 1  # fmt: skip
                batch.append((first + count, dispatch, row.channel, row.audience, row.address,
                              row.name, row.language, row.subject, row.body))  # fmt: skip
                count += 1
                if len(batch) == _BATCH:
                    self._insert(batch, stamp)
                    batch = []
            self._insert(batch, stamp)
            self.summary.added(texts)
        return count

    def _insert(self, batch: list[tuple[object, ...]], stamp: str) -> None:
        self._db.executemany(
            "INSERT INTO deliveries(id, dispatch, channel, audience, address, name, language,"
            " subject, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            batch,
        )
        self._db.executemany(
            "INSERT INTO delivery_log(delivery, at, status) VALUES (?, ?, 'pending')",
            [(row[0], stamp) for row in batch],
        )

    def mark_many(self, marks: Iterable[Mark], at: dt.datetime) -> None:
        """Append status changes in one commit."""
        stamp = iso(at)
        kept = list(marks)
        if not kept:
            return
        with self.transaction():
            self.summary.marked(kept)
            self._db.executemany(
                "INSERT INTO delivery_log(delivery, at, status, provider_id, code, reason)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(m.delivery, stamp, m.status.value, m.provider_id, m.code, m.reason)
                 for m in kept],
            )  # fmt: skip

    def delivery_groups(self) -> list[DeliveryGroup]:
        return self._counted(self.summary.groups)

    def dispatch_groups(self) -> DispatchGroups:
        return self._counted(self.summary.dispatch_groups)

    def _counted(self, read: Callable[[], T]) -> T:
        try:
            return self._reading(read)
        except ValueError as exc:
            raise damaged(self.path, f"a delivery's status cannot be read ({exc})") from None

    def _reading(self, read: Callable[[], T]) -> T:
        try:
            return read()
        except sqlite3.DatabaseError as exc:
            raise read_error(self.path, exc, self._db) from None
