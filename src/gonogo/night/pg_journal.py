"""The shared journal: one run of a PostgreSQL database (see `journal.py`, `pg_connect.py`).

The same three append-only records as the SQLite file, each row carrying its run:
entries in `gonogo_events`, recipients in `gonogo_deliveries`, status changes in
`gonogo_delivery_log`. Triggers refuse UPDATE and DELETE on all three. Sequence
numbers and delivery ids are per run, as in a file, so a copy keeps them unchanged.
Every database failure surfaces as a StateError naming the server (password masked).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from gonogo.errors import StateError
from gonogo.night.entries import Entry, Kind, NewEntry, decode, encode
from gonogo.night.journal import (
    DeliveryGroup,
    DispatchGroups,
    Mark,
    NewDelivery,
    Status,
    by_dispatch,
    iso,
)
from gonogo.night.pg_connect import connect, database_errors, done_with
from gonogo.night.pg_pages import PgPages
from gonogo.night.pg_summary import PgSummary, rebuild
from gonogo.night.pg_url import masked

Row = tuple[Any, ...]
EVENT_COLUMNS = "seq, at, operator, kind, part, reason, data, runbook_sha256"
DELIVERY_COLUMNS = "id, dispatch, channel, audience, address, name, language, subject, body"
LOG_COLUMNS = "delivery, at, status, provider_id, code, reason"


def find_run(url: str, release: str, mode: str) -> int | None:
    conn = connect(url)
    try:
        with database_errors(url):
            row = conn.execute(
                "SELECT id FROM gonogo_runs WHERE release = %s AND mode = %s", (release, mode)
            ).fetchone()
        return int(row[0]) if row else None
    finally:
        done_with(url, conn)


def runs_in(url: str) -> list[tuple[str, str]]:
    """(release, mode) of every run the database holds that has journaled anything."""
    conn = connect(url)
    try:
        with database_errors(url):
            rows = conn.execute(
                "SELECT release, mode FROM gonogo_runs r WHERE EXISTS "
                "(SELECT 1 FROM gonogo_events e WHERE e.run = r.id) ORDER BY release, mode"
            ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]
    finally:
        done_with(url, conn)


class PgJournal(PgPages):  # deliveries, delivery_page: pg_pages.py
    """One run's journal in a shared database; one writer at a time (the advisory lock)."""

    def __init__(self, url: str, run: int) -> None:
        self.url = url
        self.run = run
        self.where = masked(url)
        self._db = connect(url)
        self._closed = False
        self._depth = 0
        self.summary = PgSummary(self._db, run)

    @classmethod
    def create(cls, url: str, release: str, mode: str, meta: dict[str, str]) -> PgJournal:
        """The run's row and meta; a run whose start was interrupted is begun again."""
        conn = connect(url)
        try:
            with database_errors(url), conn.transaction():
                row = conn.execute(
                    "INSERT INTO gonogo_runs(release, mode) VALUES (%s, %s) ON CONFLICT "
                    "(release, mode) DO UPDATE SET mode = EXCLUDED.mode RETURNING id",
                    (release, mode),
                ).fetchone()
                assert row is not None
                run = int(row[0])
                started = conn.execute(
                    "SELECT 1 FROM gonogo_events WHERE run = %s LIMIT 1", (run,)
                ).fetchone()
                if started:
                    msg = f"release {release} already has a {mode} run in {masked(url)}"
                    raise StateError(msg, hint="see where it stands with `gonogo status`")
                conn.cursor().executemany(
                    "INSERT INTO gonogo_meta(run, key, value) VALUES (%s, %s, %s) "
                    "ON CONFLICT (run, key) DO UPDATE SET value = EXCLUDED.value",
                    [(run, k, v) for k, v in meta.items()],
                )
        finally:
            done_with(url, conn)
        return cls(url, run)

    def close(self) -> None:
        if not self._closed:  # twice would hand on a connection the lock may have taken
            self._closed = True
            done_with(self.url, self._db)

    @contextmanager
    def transaction(self) -> Iterator[object]:
        """All or nothing; inside another transaction it joins that one."""
        if self._depth:
            yield self._db
            return
        try:
            with database_errors(self.url), self._db.transaction():
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
        except BaseException:
            self.summary.rolled_back()
            raise

    def lock_holder(self, release: str, mode: str) -> dict[str, object] | None:
        """Who holds the run's operator lock now (never waits); None while nobody does."""
        from gonogo.night.pg_lock import live_holder  # noqa: PLC0415

        with database_errors(self.url):
            return live_holder(self._db, release, mode)

    def _rows(self, query: str, params: dict[str, Any] | Sequence[Any] = ()) -> list[Row]:
        with database_errors(self.url):
            return self._db.execute(query, params).fetchall()

    def meta(self) -> dict[str, str]:
        rows = self._rows("SELECT key, value FROM gonogo_meta WHERE run = %s", (self.run,))
        return {str(k): str(v) for k, v in rows}

    def append(
        self, entry: NewEntry, *, at: dt.datetime, operator: str, runbook_sha256: str
    ) -> int:
        data = json.dumps(encode(entry.payload), ensure_ascii=False, sort_keys=True)
        with self.transaction():
            row = self._rows(
                "INSERT INTO gonogo_events(run, seq, at, operator, kind, part, reason, data,"
                " runbook_sha256) SELECT %s, COALESCE(MAX(seq), 0) + 1, %s, %s, %s, %s, %s,"
                " %s, %s FROM gonogo_events WHERE run = %s RETURNING seq",
                (self.run, iso(at), operator, entry.kind.value, entry.part, entry.reason,
                 data, runbook_sha256, self.run),
            )  # fmt: skip
        return int(row[0][0])

    def entries(self) -> list[Entry]:
        out = []
        for row in self.raw_events():
            seq, at, operator, kind, part, reason, data, sha = row
            try:
                known = Kind(kind)
                payload = decode(known, json.loads(data))
                stamp = dt.datetime.fromisoformat(at)
            except (ValueError, TypeError) as exc:
                msg = f"{self.where}: entry {seq} cannot be read ({exc})"
                raise StateError(msg, hint="the journal is damaged") from None
            out.append(Entry(seq, stamp, operator, known, part, reason, payload, sha))
        return out

    def raw_events(self) -> list[Row]:
        return self._rows(
            f"SELECT {EVENT_COLUMNS} FROM gonogo_events WHERE run = %s ORDER BY seq",  # noqa: S608
            (self.run,),
        )

    def raw_deliveries(self) -> list[Row]:
        return self._rows(
            f"SELECT {DELIVERY_COLUMNS} FROM gonogo_deliveries WHERE run = %s ORDER BY id",  # noqa: S608
            (self.run,),
        )

    def raw_log(self) -> list[Row]:
        return self._rows(
            f"SELECT {LOG_COLUMNS} FROM gonogo_delivery_log WHERE run = %s ORDER BY seq",  # noqa: S608
            (self.run,),
        )

    def load_raw(self, events: list[Row], deliveries: list[Row], log: list[Row]) -> None:
        """A copied run's rows, unchanged, in one transaction (see `journal_copy.py`)."""
        with self.transaction(), self._db.cursor() as cur:
            for table, columns, rows in (
                ("gonogo_events", EVENT_COLUMNS, events),
                ("gonogo_deliveries", DELIVERY_COLUMNS, deliveries),
                ("gonogo_delivery_log", LOG_COLUMNS, log),
            ):
                with cur.copy(f"COPY {table} (run, {columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row((self.run, *row))

    def add_deliveries(self, dispatch: int, rows: Iterable[NewDelivery], at: dt.datetime) -> int:
        stamp = iso(at)
        with self.transaction(), self._db.cursor() as cur:
            found = cur.execute(
                "SELECT COALESCE(MAX(id), 0) FROM gonogo_deliveries WHERE run = %s", (self.run,)
            ).fetchone()
            first = int(found[0]) + 1 if found else 1
            batch = [(first + i, dispatch, r.channel, r.audience, r.address, r.name,
                      r.language, r.subject, r.body) for i, r in enumerate(rows)]  # fmt: skip
            pending = [(row[0], stamp, "pending", None, None, None) for row in batch]
            self.load_raw([], batch, pending)
            self.summary.added(Counter((dispatch, *row[2:4], *row[6:9]) for row in batch))
        return len(batch)

    def mark_many(self, marks: Iterable[Mark], at: dt.datetime) -> None:
        stamp = iso(at)
        kept = list(marks)
        rows = [(m.delivery, stamp, m.status.value, m.provider_id, m.code, m.reason) for m in kept]
        if rows:
            with self.transaction(), database_errors(self.url):
                self.summary.marked(kept)
                self.load_raw([], [], rows)

    def rebuild_summary(self) -> None:
        """The counts of rows copied in as they are (`journal copy`), from the log."""
        with self.transaction(), database_errors(self.url):
            rebuild(self._db, self.run)

    def delivery_groups(self) -> list[DeliveryGroup]:
        with database_errors(self.url):
            rows = self.summary.groups()
        return [
            DeliveryGroup(r[0], r[1], r[2], r[3], r[4], r[5], Status(r[6]), int(r[7])) for r in rows
        ]

    def dispatch_groups(self) -> DispatchGroups:
        return by_dispatch(self.delivery_groups())

    def first_unknown_status(self, known: list[str]) -> int | None:
        """The first status change naming no status in `known`, numbered in the run's
        order (as a copy to a file numbers it); None when every one is known."""
        rows = self._rows(
            "SELECT seq FROM gonogo_delivery_log WHERE run = %s AND NOT status = ANY(%s)"
            " ORDER BY seq LIMIT 1",
            (self.run, known),
        )
        if not rows:
            return None
        before = self._rows(
            "SELECT count(*) FROM gonogo_delivery_log WHERE run = %s AND seq <= %s",
            (self.run, rows[0][0]),
        )
        return int(before[0][0])
