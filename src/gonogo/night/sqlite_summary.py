"""The SQLite journal's summary of delivery counts (see `summary.py`).

Written inside the caller's transaction, so a row or status change and its count land
together or not at all. A journal written before the summary existed (format 1) has none
and is read the slow way (`Summary.present` is False).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from typing import cast

from gonogo.night.journal import DeliveryGroup, DispatchGroups, Mark, Status, by_dispatch
from gonogo.night.sqlite_format import Stamp
from gonogo.night.sqlite_tally import Tally, TallyReader
from gonogo.night.summary import TextKey, changes, chunks, effective

SUMMARY_SCHEMA = """
CREATE TABLE IF NOT EXISTS texts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dispatch INTEGER NOT NULL REFERENCES events(seq),
    channel TEXT NOT NULL,
    audience TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS text_counts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    text INTEGER NOT NULL REFERENCES texts(id),
    status TEXT NOT NULL,
    delta INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS texts_by_dispatch ON texts(dispatch);
"""

# The latest status change of one delivery, through the (delivery, seq) index.
LATEST_OF = "(SELECT MAX(seq) FROM delivery_log WHERE delivery = d.id)"
_MATCH = (
    "t.dispatch = d.dispatch AND t.channel = d.channel AND t.audience = d.audience"
    " AND t.language = d.language AND t.subject IS d.subject AND t.body = d.body"
)
# A journal without the summary (format 1) counts from the latest status of every row.
_GROUPS_FROM_LOG = """
    SELECT d.dispatch, d.audience, d.channel, d.language, d.subject, d.body, l.status,
           COUNT(*) AS n
    FROM deliveries d JOIN (
        SELECT l.delivery, CASE WHEN l.status = 'sent' AND l.code = 'in-doubt'
                                THEN 'in_doubt' ELSE l.status END AS status
        FROM delivery_log l
        JOIN (SELECT delivery, MAX(seq) AS seq FROM delivery_log GROUP BY delivery) m
          ON l.seq = m.seq
    ) l ON l.delivery = d.id
    GROUP BY d.dispatch, d.audience, d.channel, d.language, d.subject, d.body, l.status
    ORDER BY MIN(d.id)
"""


class Summary:
    """The counts of one journal file, over its open connection."""

    def __init__(
        self,
        db: sqlite3.Connection,
        where: str | None = None,
        known: tuple[bool, tuple[Tally, Stamp] | None] | None = None,
    ) -> None:
        """`where`: the file's absolute path, for a rehearsal to keep its counts between
        commands (`sqlite_tally`); without it they are kept for this connection only.
        `known`: whether the file has the summary and the tally last read on `db`, from
        a command before, of the unchanged file (`sqlite_lending`)."""
        self._db = db
        self._tally = TallyReader(db, where, known[1] if known else None)
        self._ids: dict[TextKey, int] = {}  # a text's id never changes once journaled
        self._read: set[int] = set()  # dispatches whose texts are all in `_ids`
        if known is not None:
            self.present = known[0]
            return
        found = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'text_counts'"
        ).fetchone()
        self.present = found is not None

    def rolled_back(self) -> None:
        """A rollback may have taken texts this inserted with it: their ids are read again."""
        self._ids.clear()
        self._read.clear()

    @property
    def tally_read(self) -> tuple[Tally, Stamp] | None:
        return self._tally.read_so_far

    def _text(self, key: TextKey) -> int:
        known = self._ids.get(key)
        if known is not None:
            return known
        if key[0] not in self._read:  # the dispatch's texts, all at once (its 20, not 20 reads)
            rows = self._db.execute(
                "SELECT id, dispatch, channel, audience, language, subject, body FROM texts"
                " WHERE dispatch = ? ORDER BY id",
                (key[0],),
            ).fetchall()
            for text_id, *fields in rows:
                self._ids.setdefault(cast(TextKey, tuple(fields)), int(text_id))
            self._read.add(key[0])  # only once all are in `_ids`: a failed read reads again
            known = self._ids.get(key)
            if known is not None:
                return known
        cursor = self._db.execute(
            "INSERT INTO texts(dispatch, channel, audience, language, subject, body)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            key,
        )
        text = self._ids[key] = int(cursor.lastrowid or 0)
        return text

    def added(self, counts: Counter[TextKey]) -> None:
        """New rows, all pending, `counts` of them per text (in order of first row)."""
        if self.present and counts:
            self._append({(self._text(key), Status.PENDING): n for key, n in counts.items()})

    def marked(self, marks: list[Mark]) -> None:
        """Status changes about to be appended (call before appending them)."""
        if not self.present or not marks:
            return
        current: dict[int, tuple[int, Status]] = {}
        ids = sorted({m.delivery for m in marks})
        for chunk in chunks(ids):
            holes = ",".join("?" * len(chunk))
            query = (  # placeholders and our own constant only
                "SELECT d.id, d.dispatch, d.channel, d.audience, d.language, d.subject, d.body,"  # noqa: S608
                " l.status, l.code FROM deliveries d JOIN delivery_log l"
                f" ON l.seq = {LATEST_OF} WHERE d.id IN ({holes})"
            )
            rows = self._db.execute(query, chunk).fetchall()
            for r in rows:
                key: TextKey = (r[1], r[2], r[3], r[4], r[5], r[6])
                current[r[0]] = (self._text(key), effective(r[7], r[8]))
        self._append(changes(current, marks))

    def _append(self, deltas: dict[tuple[int, Status], int]) -> None:
        self._db.executemany(
            "INSERT INTO text_counts(text, status, delta) VALUES (?, ?, ?)",
            [(text, status.value, n) for (text, status), n in deltas.items() if n],
        )

    def groups(self) -> list[DeliveryGroup]:
        """Per text in the order its first row was journaled, then status; the same for
        a copy as for the original. ValueError where a status is not one (damaged)."""
        if not self.present:
            rows = self._db.execute(_GROUPS_FROM_LOG).fetchall()
            return [DeliveryGroup(r[0], r[1], r[2], r[3], r[4], r[5], Status(r[6]), r[7])
                    for r in rows]  # fmt: skip
        return list(self._tally.read().groups)

    def dispatch_groups(self) -> DispatchGroups:
        """`groups` per dispatch; from the tally, only what changed since is rebuilt."""
        if not self.present:
            return by_dispatch(self.groups())
        return dict(self._tally.read().by_dispatch)

    def texts_in(self, statuses: Iterable[str]) -> list[int]:
        """The texts that have any row in one of `statuses`."""
        return self._tally.read().texts_in({Status(s).value for s in statuses})

    @staticmethod
    def restrict(texts: list[int]) -> tuple[str, list[int]]:
        """A WHERE clause keeping the deliveries of `texts` (the rows of `d`)."""
        marks = ",".join("?" * len(texts))
        # S608: placeholders only.
        return f"EXISTS (SELECT 1 FROM texts t WHERE t.id IN ({marks}) AND {_MATCH})", texts  # noqa: S608

    def rebuild(self) -> None:
        """The summary of rows copied in as they are (`journal copy`): from the log."""
        self._db.execute(
            "INSERT INTO texts(dispatch, channel, audience, language, subject, body)"
            " SELECT dispatch, channel, audience, language, subject, body FROM deliveries"
            " GROUP BY dispatch, channel, audience, language, subject, body ORDER BY MIN(id)"
        )
        latest: Counter[tuple[int, Status]] = Counter()
        rows = self._db.execute(
            f"SELECT t.id, l.status, l.code FROM deliveries d JOIN texts t ON {_MATCH}"  # noqa: S608
            f" JOIN delivery_log l ON l.seq = {LATEST_OF} ORDER BY d.id"
        )
        for text, status, code in rows:
            latest[(int(text), effective(status, code))] += 1
        self._append(dict(latest))
