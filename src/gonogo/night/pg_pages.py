"""The shared journal's deliveries a page at a time (`Journal.delivery_page`).

Each row's latest status comes through the log's (run, delivery, seq) index, so a page
costs its own rows: a dispatch to 100,000 is read in pages, never all at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from gonogo.night.journal import Delivery, Status

_PAGE = """
    SELECT d.id, d.dispatch, d.channel, d.audience, d.address, d.name, d.language,
           d.subject, d.body, l.status, l.provider_id, l.code, l.reason, l.at,
           (SELECT COUNT(*) FROM gonogo_delivery_log a
            WHERE a.run = d.run AND a.delivery = d.id AND a.status = 'in_flight')
    FROM gonogo_deliveries d CROSS JOIN LATERAL (
        SELECT CASE WHEN status = 'sent' AND code = 'in-doubt' THEN 'in_doubt'
                    ELSE status END AS status, provider_id, code, reason, at
        FROM gonogo_delivery_log
        WHERE run = d.run AND delivery = d.id ORDER BY seq DESC LIMIT 1
    ) l
    WHERE d.run = %(run)s AND d.id > %(after)s
"""


class PgPages:
    """`delivery_page` for `PgJournal`, which provides its run and `_rows`."""

    run: int

    def _rows(
        self, query: str, params: dict[str, Any] | Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        raise NotImplementedError  # PgJournal's

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
        params: dict[str, Any] = {"run": self.run, "after": after, "limit": limit}
        if dispatch is not None:
            query += " AND d.dispatch = %(dispatch)s"
            params["dispatch"] = dispatch
        if statuses is not None:
            query += " AND l.status = ANY(%(statuses)s)"
            params["statuses"] = [Status(s).value for s in statuses]
        return [
            Delivery(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], Status(r[9]),
                     r[10], r[11], r[12], int(r[14]), dt.datetime.fromisoformat(r[13]))
            for r in self._rows(query + " ORDER BY d.id LIMIT %(limit)s", params)
        ]  # fmt: skip
