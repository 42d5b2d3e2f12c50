"""The summary's counts per text and status, read once and then only what is new.

`texts` and `text_counts` are append-only, like the entries. A command asks for the
counts two or three times, and in a rehearsal every command of a path asks again while
the path's dispatches pile up: summing every change each time made a path's cost grow
with the square of its commands. A `Tally` keeps the sums with the rows that identify
what it read (the first and last count change, the last text); the next read checks
those rows are still there, unchanged, and adds only the rows after them; on the same
connection, with nothing written since (`stamp`), it reads nothing at all. In a rehearsal
(`steady.steady_files`) a file's tally is kept between commands; otherwise only for
the connection.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar, cast

from gonogo.night.entry_memo import rows_after
from gonogo.night.journal import DeliveryGroup, Status
from gonogo.night.sqlite_format import Stamp, stamp
from gonogo.night.steady import recall, remember
from gonogo.night.summary import TextKey

Row = tuple[object, ...]
_Key = tuple[int, str]  # text id, status
_T = TypeVar("_T")


@dataclass(frozen=True)
class Tally:
    """Each text's count per status, as of the rows named, with the groups they make.

    Kept per dispatch and per status too, each changed only where rows were added: a
    command's reads then cost what changed since the last, not the whole night's
    texts (a dispatch's groups stay the same tuple while its counts do)."""

    texts: dict[int, TextKey] = field(default_factory=dict)
    counts: dict[_Key, DeliveryGroup] = field(default_factory=dict)  # none of count 0
    first: Row | None = None  # the first and last `text_counts` rows read
    last: Row | None = None
    last_text: Row | None = None  # the last `texts` row read
    # dispatch -> its counts' keys, in order, and their groups in that order
    keys: dict[int, tuple[_Key, ...]] = field(default_factory=dict)
    by_dispatch: dict[int, tuple[DeliveryGroup, ...]] = field(default_factory=dict)
    in_status: dict[str, frozenset[int]] = field(default_factory=dict)  # -> texts

    @cached_property
    def groups(self) -> tuple[DeliveryGroup, ...]:
        """By text id (the order of each text's first row), then status."""
        return tuple(self.counts[key] for key in sorted(self.counts))

    def texts_in(self, statuses: set[str]) -> list[int]:
        return sorted(frozenset().union(*(self.in_status.get(s, ()) for s in statuses)))

    def adding(self, texts: list[Row], counts: list[Row]) -> Tally:
        """This tally with rows of `texts` and `text_counts` read after it added (a status
        that is not one raises ValueError: the file is damaged)."""
        names = dict(self.texts)
        for text_id, *fields in texts:
            names[cast(int, text_id)] = cast(TextKey, tuple(fields))
        changed: dict[_Key, int] = {}
        for seq, text, status, delta in counts:
            if text not in names:
                raise ValueError(f"count change {seq} is of text {text}, which is not there")
            key = (text, cast(str, status))
            if key not in changed:
                before = self.counts.get(key)
                changed[key] = before.count if before else 0
            changed[key] += cast(int, delta)
        built = dict(self.counts)
        per_dispatch: dict[int, dict[_Key, bool]] = {}  # what changed, where: still there?
        per_status: dict[str, dict[int, bool]] = {}
        for (text, status), n in changed.items():
            dispatch, channel, audience, language, subject, body = names[text]
            if n:
                group = DeliveryGroup(dispatch, audience, channel, language, subject, body,
                                      _status(status), n)  # fmt: skip
                built[(text, status)] = group
            else:
                built.pop((text, status), None)
            per_dispatch.setdefault(dispatch, {})[(text, status)] = bool(n)
            per_status.setdefault(status, {})[text] = bool(n)
        keys, by_dispatch = dict(self.keys), dict(self.by_dispatch)
        for dispatch, change in per_dispatch.items():
            ordered = tuple(sorted(_changed(frozenset(keys.get(dispatch, ())), change)))
            if ordered:
                keys[dispatch] = ordered
                by_dispatch[dispatch] = tuple(built[key] for key in ordered)
            else:  # every count of it back to 0: as absent as in `groups`
                keys.pop(dispatch, None)
                by_dispatch.pop(dispatch, None)
        in_status = dict(self.in_status)
        for status, present in per_status.items():
            in_status[status] = _changed(in_status.get(status, frozenset()), present)
        return Tally(
            names,
            built,
            self.first or (counts[0] if counts else None),
            counts[-1] if counts else self.last,
            texts[-1] if texts else self.last_text,
            keys,
            by_dispatch,
            in_status,
        )


def _changed(items: frozenset[_T], change: dict[_T, bool]) -> frozenset[_T]:
    """`items` with those `change` marks True added and those marked False removed."""
    added = items.union(item for item, there in change.items() if there)
    return added.difference(item for item, there in change.items() if not there)


_STATUSES = {status.value: status for status in Status}


def _status(value: str) -> Status:
    """Status(value), without the enum's lookup machinery (a tally makes many)."""
    found = _STATUSES.get(value)
    return Status(value) if found is None else found  # none: Status raises ValueError


class TallyReader:
    def __init__(
        self, db: sqlite3.Connection, where: str | None, read: tuple[Tally, Stamp] | None = None
    ) -> None:
        """`read`: a tally read on `db` before, and the stamp then (`sqlite_lending`)."""
        self._db = db
        self._key = None if where is None else tally_key(where)
        self._tally: Tally | None = read[0] if read else None
        self._stamp: Stamp | None = read[1] if read else None  # `stamp` when it was read

    @property
    def read_so_far(self) -> tuple[Tally, Stamp] | None:
        """The last tally read, and the connection's stamp then."""
        return None if self._tally is None or self._stamp is None else (self._tally, self._stamp)

    def read(self) -> Tally:
        now = stamp(self._db)
        if self._tally is not None and now == self._stamp:
            return self._tally  # nothing written since, here or elsewhere
        known = self._tally or (recall(self._key, Tally) if self._key else None)
        try:
            tally = self._after(known) if known is not None else None
            if tally is None:
                tally = self._after(Tally())
        except ValueError as exc:  # a count of no text, a status that is none
            msg = f"the summary of delivery counts cannot be read ({exc})"
            raise sqlite3.DatabaseError(msg) from None
        assert tally is not None  # from nothing, every row is new
        if not self._db.in_transaction:  # never what a rollback may yet undo
            self._tally, self._stamp = tally, now
            if self._key:
                remember(self._key, tally)
        return tally

    def _after(self, known: Tally) -> Tally | None:
        """`known` with the rows after it added; None if the rows it names are gone or
        changed (another file now has this name)."""
        if known.first is None:
            counts = self._rows(f"{_COUNTS} ORDER BY seq")
        else:
            assert known.last is not None
            keys = (_seq(known.first), _seq(known.last))
            after = rows_after(self._rows, _COUNTS, keys, known.first, known.last)
            if after is None:
                return None
            counts = after
        texts = self._rows(
            "SELECT id, dispatch, channel, audience, language, subject, body FROM texts"
            " WHERE id >= ? ORDER BY id",
            (_seq(known.last_text),),
        )
        if known.last_text is not None:
            if not texts or texts[0] != known.last_text:
                return None
            texts = texts[1:]
        if not counts and not texts:
            return known
        return known.adding(texts, counts)

    def _rows(self, query: str, params: tuple[int, ...] = ()) -> list[Row]:
        return [tuple(row) for row in self._db.execute(query, params)]


_COUNTS = "SELECT seq, text, status, delta FROM text_counts"


def tally_key(where: str) -> str:
    """Where a rehearsal keeps the tally of the journal file at `where` (`steady`)."""
    return f"tally:{where}"


def _seq(row: Row | None) -> int:
    return 0 if row is None else cast(int, row[0])
