"""A rehearsal's journals, decoded once: each command reads only the entries added since.

A night's commands each open the journal and read it whole; in a rehearsal one process
runs them all, so without this the n-th command decodes n commands' entries again and
a path's cost grows with the square of its commands. Inside `remembering()` the entries
a journal file had when last read are kept, with the raw rows of its first and last
entry; the next reader of that file checks both rows are still there, unchanged, and
decodes only what follows. Entries are append-only (nothing is updated or deleted), so
equal first and last rows mean the same history. Outside it (every real command, one
per process) nothing is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

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


_MEMO: ContextVar[dict[str, object] | None] = ContextVar("entry_memo", default=None)
_T = TypeVar("_T")


@contextmanager
def remembering() -> Iterator[None]:
    """Keep journals' entries between the commands run inside it (a rehearsal)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def recall(where: str, kind: type[_T]) -> _T | None:
    """What was kept under `where` (a file's path, or a name made of it), if a `kind`."""
    memo = _MEMO.get()
    found = None if memo is None else memo.get(where)
    return found if isinstance(found, kind) else None


def remember(where: str, known: object) -> None:
    memo = _MEMO.get()
    if memo is not None:
        memo[where] = known
