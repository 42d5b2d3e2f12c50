"""A rehearsal's journals, decoded once: each command reads only the entries added since.

A night's commands each open the journal and read it whole; in a rehearsal one process
runs them all, so without this the n-th command decodes n commands' entries again and
a path's cost grows with the square of its commands. Inside a rehearsal's memo
(`steady.steady_files`, through `steady.remember`) the entries a journal file had when
last read are kept, with the raw rows of its first and last entry; the next reader of
that file checks both rows are still there, unchanged, and decodes only what follows.
Entries are append-only (nothing is updated or deleted), so equal first and last rows
mean the same history (`rows_after`, which the delivery counts' tally reads its rows
with too). Outside it (every real command, one per process) nothing is
kept between commands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gonogo.night.entries import Entry

Row = tuple[object, ...]


@dataclass(frozen=True)
class Known:
    """A journal's entries as last read, with the raw rows that identify that history."""

    entries: tuple[Entry, ...]
    first: Row
    last: Row

    @property
    def last_seq(self) -> int:
        return self.entries[-1].seq

    def rows_after(self, read: Read) -> list[Any] | None:
        """The journal's rows after those this holds (`read` runs a query), if its first and
        last are still there as they were (else None: read it all)."""
        keys = (self.entries[0].seq, self.last_seq)
        return rows_after(read, "SELECT * FROM events", keys, self.first, self.last)


Read = Callable[[str, tuple[int, int]], list[Any]]


def rows_after(
    read: Read, select: str, keys: tuple[int, int], first: Row, last: Row
) -> list[Any] | None:
    """The rows `select` gives (from an append-only table keyed by `seq`) after `last`,
    if `first` and `last`, the first and last rows read before (their `seq` in `keys`),
    are still there as they were; None if not: another history, to be read whole.

    Two lookups by key, not `seq = ? OR seq >= ?`: for that SQLite scans the table, and
    each read would cost the whole night again to find its few new rows."""
    rows = read(f"{select} WHERE seq = ? UNION {select} WHERE seq >= ? ORDER BY seq", keys)
    skip = 1 if keys[0] == keys[1] else 2
    if len(rows) < skip or tuple(rows[0]) != tuple(first) or tuple(rows[skip - 1]) != tuple(last):
        return None
    return rows[skip:]
