"""The SQLite journal's deliveries a page at a time (`Journal.delivery_page`).

Each row's latest status is found through the log's (delivery, seq) index, so a page
costs its own rows, not a scan of every status change: a dispatch to 100,000 is read
in pages, never all in memory at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gonogo.night.journal import Delivery, Status
from gonogo.night.sqlite_format import damaged, delivery_of, read_error

# Journals written before `in_doubt` had its own status marked such e-mails sent.
_STATUS = "CASE WHEN l.status = 'sent' AND l.code = 'in-doubt' THEN 'in_doubt' ELSE l.status END"
# S608: only our own constant expression is interpolated; values are parameters.
_PAGE = f"""
    SELECT d.*, {_STATUS} AS status, l.provider_id, l.code, l.reason, l.at AS marked_at,
           (SELECT COUNT(*) FROM delivery_log a
            WHERE a.delivery = d.id AND a.status = 'in_flight') AS attempts
    FROM deliveries d JOIN delivery_log l
      ON l.seq = (SELECT MAX(seq) FROM delivery_log WHERE delivery = d.id)
    WHERE d.id > ?
"""  # noqa: S608


class SqlitePages:
    """`delivery_page` for `SqliteJournal`, which provides the connection and path."""

    _db: sqlite3.Connection
    path: Path

    def delivery_page(
        self,
        after: int,
        limit: int,
        *,
        dispatch: int | None = None,
        statuses: Iterable[Status] | None = None,
    ) -> list[Delivery]:
        """`deliveries`, at most `limit` of them: those with ids above `after`."""
        query = _PAGE
        params: list[Any] = [after]
        if dispatch is not None:
            query += " AND d.dispatch = ?"
            params.append(dispatch)
        if statuses is not None:
            wanted = [Status(s).value for s in statuses]
            query += f" AND {_STATUS} IN ({','.join('?' * len(wanted))})"
            params += wanted
        try:
            rows = self._db.execute(query + " ORDER BY d.id LIMIT ?", (*params, limit)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise read_error(self.path, exc, self._db) from None
        found = []
        for row in rows:
            try:
                found.append(delivery_of(row))
            except (ValueError, TypeError) as exc:
                raise damaged(self.path, f"delivery {row['id']} cannot be read ({exc})") from None
        return found
