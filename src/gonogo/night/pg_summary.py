"""The shared journal's summary of delivery counts (see `summary.py`), per run.

Written inside the caller's transaction, as in the SQLite file. Schema version 2 added it;
a database of version 1 is given it once, rebuilt from the status log of every run
(`upgrade`), the first time a gonogo that knows version 2 connects.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import psycopg

from gonogo.night.journal import Mark, Status
from gonogo.night.summary import TextKey, changes, chunks, effective

Conn = psycopg.Connection[tuple[Any, ...]]

SUMMARY_TABLES = """
CREATE TABLE gonogo_texts (
    run INTEGER NOT NULL, id INTEGER NOT NULL, dispatch INTEGER NOT NULL,
    channel TEXT NOT NULL, audience TEXT NOT NULL, language TEXT NOT NULL, subject TEXT,
    body TEXT NOT NULL, PRIMARY KEY (run, id),
    FOREIGN KEY (run, dispatch) REFERENCES gonogo_events(run, seq)
);
CREATE TABLE gonogo_text_counts (
    seq BIGSERIAL PRIMARY KEY, run INTEGER NOT NULL, text INTEGER NOT NULL,
    status TEXT NOT NULL, delta INTEGER NOT NULL,
    FOREIGN KEY (run, text) REFERENCES gonogo_texts(run, id)
);
CREATE INDEX gonogo_text_counts_by_text ON gonogo_text_counts (run, text);
CREATE TRIGGER gonogo_texts_append_only BEFORE UPDATE OR DELETE ON gonogo_texts
    FOR EACH ROW EXECUTE FUNCTION gonogo_append_only();
CREATE TRIGGER gonogo_text_counts_append_only BEFORE UPDATE OR DELETE ON gonogo_text_counts
    FOR EACH ROW EXECUTE FUNCTION gonogo_append_only();
"""

# The latest status change of the delivery `d`, through the (run, delivery, seq) index.
LATEST_OF = """LATERAL (SELECT status, provider_id, code, reason, at FROM gonogo_delivery_log
    WHERE run = d.run AND delivery = d.id ORDER BY seq DESC LIMIT 1) l"""
STATUS = "CASE WHEN l.status = 'sent' AND l.code = 'in-doubt' THEN 'in_doubt' ELSE l.status END"
MATCH = (
    "t.run = d.run AND t.dispatch = d.dispatch AND t.channel = d.channel"
    " AND t.audience = d.audience AND t.language = d.language"
    " AND t.subject IS NOT DISTINCT FROM d.subject AND t.body = d.body"
)

_REBUILD_TEXTS = """
INSERT INTO gonogo_texts(run, id, dispatch, channel, audience, language, subject, body)
SELECT run, ROW_NUMBER() OVER (PARTITION BY run ORDER BY MIN(id)), dispatch, channel,
       audience, language, subject, body
FROM gonogo_deliveries WHERE %(run)s::integer IS NULL OR run = %(run)s
GROUP BY run, dispatch, channel, audience, language, subject, body
"""
_REBUILD_COUNTS = f"""
INSERT INTO gonogo_text_counts(run, text, status, delta)
SELECT t.run, t.id, {STATUS}, COUNT(*)
FROM gonogo_deliveries d JOIN gonogo_texts t ON {MATCH} CROSS JOIN {LATEST_OF}
WHERE %(run)s::integer IS NULL OR d.run = %(run)s
GROUP BY t.run, t.id, {STATUS} ORDER BY t.run, t.id
"""  # noqa: S608  # our own constants only


def upgrade(conn: Conn) -> None:
    """Version 1 to 2: the summary tables, filled from every run's status log."""
    conn.execute(SUMMARY_TABLES)
    rebuild(conn, None)


def rebuild(conn: Conn, run: int | None) -> None:
    """The summary of `run` (every run: None) from its rows and status log."""
    conn.execute(_REBUILD_TEXTS, {"run": run})
    conn.execute(_REBUILD_COUNTS, {"run": run})


class PgSummary:
    """The counts of one run, over the journal's connection."""

    def __init__(self, db: Conn, run: int) -> None:
        self._db = db
        self._run = run
        self._ids: dict[TextKey, int] = {}  # a text's id never changes once journaled

    def rolled_back(self) -> None:
        """A rollback may have taken texts this inserted with it: their ids are read again."""
        self._ids.clear()

    def _text(self, key: TextKey) -> int:
        known = self._ids.get(key)
        if known is not None:
            return known
        found = self._db.execute(
            "SELECT id FROM gonogo_texts WHERE run = %s AND dispatch = %s AND channel = %s"
            " AND audience = %s AND language = %s AND subject IS NOT DISTINCT FROM %s"
            " AND body = %s",
            (self._run, *key),
        ).fetchone()
        if found is None:
            found = self._db.execute(
                "INSERT INTO gonogo_texts(run, id, dispatch, channel, audience, language,"
                " subject, body) SELECT %s, COALESCE(MAX(id), 0) + 1, %s, %s, %s, %s, %s, %s"
                " FROM gonogo_texts WHERE run = %s RETURNING id",
                (self._run, *key, self._run),
            ).fetchone()
        assert found is not None
        self._ids[key] = int(found[0])
        return self._ids[key]

    def added(self, counts: Counter[TextKey]) -> None:
        """New rows, all pending, `counts` of them per text."""
        self._append({(self._text(key), Status.PENDING): n for key, n in counts.items()})

    def marked(self, marks: list[Mark]) -> None:
        """Status changes about to be appended (call before appending them)."""
        current: dict[int, tuple[int, Status]] = {}
        for chunk in chunks(sorted({m.delivery for m in marks})):
            rows = self._db.execute(
                "SELECT d.id, d.dispatch, d.channel, d.audience, d.language, d.subject,"  # noqa: S608
                f" d.body, l.status, l.code FROM gonogo_deliveries d CROSS JOIN {LATEST_OF}"
                " WHERE d.run = %s AND d.id = ANY(%s)",
                (self._run, chunk),
            ).fetchall()
            for r in rows:
                key: TextKey = (r[1], r[2], r[3], r[4], r[5], r[6])
                current[int(r[0])] = (self._text(key), effective(r[7], r[8]))
        self._append(changes(current, marks))

    def _append(self, deltas: dict[tuple[int, Status], int]) -> None:
        rows = [(self._run, text, status.value, n) for (text, status), n in deltas.items() if n]
        if rows:
            with self._db.cursor() as cur:
                cur.executemany(
                    "INSERT INTO gonogo_text_counts(run, text, status, delta)"
                    " VALUES (%s, %s, %s, %s)",
                    rows,
                )

    def groups(self) -> list[tuple[Any, ...]]:
        """dispatch, audience, channel, language, subject, body, status, n per text."""
        return self._db.execute(
            "SELECT t.dispatch, t.audience, t.channel, t.language, t.subject, t.body,"
            " c.status, SUM(c.delta) FROM gonogo_text_counts c JOIN gonogo_texts t"
            " ON t.run = c.run AND t.id = c.text WHERE c.run = %s"
            " GROUP BY t.id, t.dispatch, t.audience, t.channel, t.language, t.subject,"
            " t.body, c.status HAVING SUM(c.delta) <> 0 ORDER BY t.id, c.status",
            (self._run,),
        ).fetchall()

    def texts_in(self, statuses: list[str]) -> list[int]:
        """The texts that have any row in one of `statuses`."""
        rows = self._db.execute(
            "SELECT DISTINCT text FROM gonogo_text_counts WHERE run = %s AND status = ANY(%s)"
            " GROUP BY text, status HAVING SUM(delta) <> 0",
            (self._run, statuses),
        ).fetchall()
        return sorted(int(r[0]) for r in rows)
