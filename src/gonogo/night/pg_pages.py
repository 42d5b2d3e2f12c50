"""The shared journal's delivery rows: all of them (`deliveries`) or a page at a time
(`delivery_page`), from one query.

Each row's latest status comes through the log's (run, delivery, seq) index, so a read
costs its own rows. Asked for rows in some statuses, only the texts the summary of
counts has in them are read (none at all when it has none).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from gonogo.night.journal import Delivery, Paged, Status
from gonogo.night.pg_connect import database_errors
from gonogo.night.pg_summary import LATEST_OF, MATCH, STATUS, PgSummary

_ROWS = f"""
    SELECT d.id, d.dispatch, d.channel, d.audience, d.address, d.name, d.language,
           d.subject, d.body, {STATUS}, l.provider_id, l.code, l.reason, l.at,
           (SELECT COUNT(*) FROM gonogo_delivery_log a
            WHERE a.run = d.run AND a.delivery = d.id AND a.status = 'in_flight')
    FROM gonogo_deliveries d CROSS JOIN {LATEST_OF}
    WHERE d.run = %(run)s AND d.id > %(after)s
"""  # noqa: S608  # only our own constants are interpolated
_IN_TEXTS = (
    " AND EXISTS (SELECT 1 FROM gonogo_texts t"  # noqa: S608  # our own constant only
    f" WHERE t.id = ANY(%(texts)s) AND {MATCH})"
)


class PgPages(Paged):
    """The delivery rows of `PgJournal` (its run, url, summary, `_rows`): one query."""

    run: int
    url: str
    summary: PgSummary

    def _rows(
        self, query: str, params: dict[str, Any] | Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        raise NotImplementedError  # PgJournal's

    def _select(
        self,
        after: int,
        limit: int | None,
        dispatch: int | None,
        statuses: Iterable[Status] | None,
    ) -> list[Delivery]:
        query = _ROWS
        params: dict[str, Any] = {"run": self.run, "after": after}
        if dispatch is not None:
            query += " AND d.dispatch = %(dispatch)s"
            params["dispatch"] = dispatch
        if statuses is not None:
            params["statuses"] = [Status(s).value for s in statuses]
            with database_errors(self.url):
                params["texts"] = self.summary.texts_in(params["statuses"])
            if not params["texts"]:
                return []  # no row is in those statuses: none is read
            query += f" AND {STATUS} = ANY(%(statuses)s){_IN_TEXTS}"
        query += " ORDER BY d.id"
        if limit is not None:
            query += " LIMIT %(limit)s"
            params["limit"] = limit
        return [
            Delivery(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], Status(r[9]),
                     r[10], r[11], r[12], int(r[14]), dt.datetime.fromisoformat(r[13]))
            for r in self._rows(query, params)
        ]  # fmt: skip

    def requested_at(self, ids: Collection[int]) -> dict[int, dt.datetime]:
        """When each of `ids` was last marked in flight just before a request left."""
        query = """SELECT DISTINCT ON (delivery) delivery, at FROM gonogo_delivery_log
                   WHERE run = %(run)s AND delivery = ANY(%(ids)s)
                   AND status = 'in_flight' AND code IS NULL
                   ORDER BY delivery, seq DESC"""
        rows = self._rows(query, {"run": self.run, "ids": list(ids)}) if ids else []
        return {int(r[0]): dt.datetime.fromisoformat(r[1]) for r in rows}

    def provider_ids(self, addresses: Collection[str]) -> set[str]:
        """Every provider id ever journaled for a delivery to one of `addresses`."""
        query = """SELECT DISTINCT l.provider_id FROM gonogo_deliveries d
                   JOIN gonogo_delivery_log l ON l.run = d.run AND l.delivery = d.id
                   WHERE d.run = %(run)s AND d.address = ANY(%(to)s)
                   AND l.provider_id IS NOT NULL"""
        found = self._rows(query, {"run": self.run, "to": list(addresses)}) if addresses else []
        return {str(r[0]) for r in found}
