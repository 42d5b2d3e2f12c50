"""A rehearsal's journal connection, lent from one command to the next (`kept_open`)
with what its journal knew of the file.

When a command closes the journal, its connection is lent with the file's stamp
(`sqlite_format.stamp`) and what the journal read: its entries, its delivery counts,
its meta and whether the file has the summary of counts. The next command to open
that file borrows them; if the stamp is still the same, nothing has been written
since, by any connection, so the file is exactly as the last command left it: it was
checked when first opened and changed only through the journal since, and what was
read of it is still what it holds. Otherwise the connection alone is reused and the
file is checked and read again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from gonogo.night.entry_memo import Known
from gonogo.night.kept_open import borrow, lend, lending
from gonogo.night.sqlite_format import stamp
from gonogo.night.sqlite_tally import Tally

Stamp = tuple[int, int]


@dataclass(frozen=True)
class Left:
    """What a journal knew of its file when it lent its connection, at stamp `at`."""

    at: Stamp
    known: Known | None  # the entries read, and the stamp then
    read_at: Stamp | None
    present: bool  # the file has the summary of counts
    tally: tuple[Tally, Stamp] | None  # the counts read, and the stamp then
    meta: dict[str, str] | None


def take(where: str, path: Path) -> tuple[sqlite3.Connection | None, Left | None]:
    """The connection a command before lent for `path`, and what its journal knew if the
    file has not changed since (else None: check and read it afresh)."""
    lent = borrow(where, path)
    if lent is None:
        return None, None
    connection, left = lent
    try:
        same = isinstance(left, Left) and left.at == stamp(connection)
    except sqlite3.Error:
        same = False
    return connection, left if same and isinstance(left, Left) else None


def give(
    where: str,
    path: Path,
    connection: sqlite3.Connection,
    known: Known | None,
    read_at: Stamp | None,
    present: bool,
    tally: tuple[Tally, Stamp] | None,
    meta: dict[str, str] | None,
) -> bool:
    """Lend `connection`, done with and outside any transaction, with what its journal
    knew (see `kept_open.lend`); False: the caller closes it."""
    if not lending() or connection.in_transaction:
        return False
    try:
        left = Left(stamp(connection), known, read_at, present, tally, meta)
    except sqlite3.Error:
        return False
    return lend(where, path, connection, left)
