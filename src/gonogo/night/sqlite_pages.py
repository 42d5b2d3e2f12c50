"""The SQLite journal's delivery rows: all of them (`deliveries`) or a page at a time
(`delivery_page`), from one query.

Each row's latest status is found through the log's (delivery, seq) index, so a read
costs its own rows, not a scan of every status change. Asked for rows in some
statuses, only the texts the summary of counts has in them are read (none at all
when it has none); a dispatch to 100,000 is read in pages, never all in memory at once.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from gonogo.night.journal import Delivery, Paged, Status
from gonogo.night.sqlite_format import damaged, delivery_of, read_error
from gonogo.night.sqlite_summary import LATEST_OF, Summary

# Journals written before `in_doubt` had its own status marked such e-mails sent.
_STATUS = "CASE WHEN l.status = 'sent' AND l.code = 'in-doubt' THEN 'in_doubt' ELSE l.status END"
# S608: only our own constant expressions are interpolated; values are parameters.
_ROWS = f"""
    SELECT d.*, {_STATUS} AS status, l.provider_id, l.code, l.reason, l.at AS marked_at,
           (SELECT COUNT(*) FROM delivery_log a
            WHERE a.delivery = d.id AND a.status = 'in_flight') AS attempts
    FROM deliveries d JOIN delivery_log l ON l.seq = {LATEST_OF}
    WHERE d.id > ?
"""  # noqa: S608


class SqlitePages(Paged):
    """The delivery rows of `SqliteJournal` (its connection, path, summary): one query."""

    _db: sqlite3.Connection
    path: Path
    summary: Summary

    def _select(
        self,
        after: int,
        limit: int | None,
        dispatch: int | None,
        statuses: Iterable[Status] | None,
    ) -> list[Delivery]:
        query = _ROWS
        params: list[Any] = [after]
        if dispatch is not None:
            query += " AND d.dispatch = ?"
            params.append(dispatch)
        try:
            if statuses is not None:
                wanted = [Status(s).value for s in statuses]
                if self.summary.present:  # only the texts that have such rows are read
                    texts = self.summary.texts_in(wanted)
                    if not texts:
                        return []
                    clause, values = self.summary.restrict(texts)
                    query += f" AND {clause}"
                    params += values
                query += f" AND {_STATUS} IN ({','.join('?' * len(wanted))})"
                params += wanted
            query += " ORDER BY d.id"
            if limit is not None:
                query += " LIMIT ?"
                params.append(limit)
            rows = self._db.execute(query, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise read_error(self.path, exc, self._db) from None
        found = []
        for row in rows:
            try:
                found.append(delivery_of(row))
            except (ValueError, TypeError) as exc:
                raise damaged(self.path, f"delivery {row['id']} cannot be read ({exc})") from None
        return found

    def requested_at(self, ids: Collection[int]) -> dict[int, dt.datetime]:
        """When each of `ids` was last marked in flight just before a request left."""
        marks = ",".join("?" * len(ids))
        query = f"""SELECT delivery, at FROM delivery_log WHERE seq IN (
                    SELECT MAX(seq) FROM delivery_log WHERE delivery IN ({marks})
                    AND status = 'in_flight' AND code IS NULL GROUP BY delivery)"""  # noqa: S608
        rows = self._read_log(query, list(ids)) if ids else []
        return {int(r[0]): dt.datetime.fromisoformat(r[1]) for r in rows}

    def provider_ids(self, addresses: Collection[str]) -> set[str]:
        """Every provider id ever journaled for a delivery to one of `addresses`."""
        marks = ",".join("?" * len(addresses))
        query = f"""SELECT DISTINCT l.provider_id FROM deliveries d
                    JOIN delivery_log l ON l.delivery = d.id
                    WHERE d.address IN ({marks}) AND l.provider_id IS NOT NULL"""  # noqa: S608
        return {str(r[0]) for r in self._read_log(query, list(addresses))} if addresses else set()

    def _read_log(self, query: str, params: list[Any]) -> list[sqlite3.Row]:
        try:
            return self._db.execute(query, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise read_error(self.path, exc, self._db) from None
