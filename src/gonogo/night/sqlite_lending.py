"""A rehearsal's journal connection, lent from one command to the next (`kept_open`)
with what its journal knew of the file.

When a command closes the journal, its connection is lent with the file's stamp
(`sqlite_format.stamp`) and what the journal read: its entries, its delivery counts,
its meta and whether the file has the summary of counts; but only if no other
connection committed to the file between its check (or the unchanged file taken over)
and the close: the journal's own writes alone. The next command to open that file
borrows them; if the stamp is still the same, nothing has been written since, by any
connection, so the file is exactly as the last command left it: checked, changed only
through the journal since, and what was read of it still what it holds. Otherwise the
connection alone is reused and the file is checked and read again.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gonogo.night.entry_memo import Known
from gonogo.night.kept_open import borrow, lend, lending
from gonogo.night.sqlite_format import Stamp, stamp
from gonogo.night.sqlite_tally import Tally, tally_key
from gonogo.night.steady import recall, remember

if TYPE_CHECKING:
    from gonogo.night.sqlite_summary import Summary


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
    except sqlite3.Error:  # not a connection to go on with
        connection.close()
        return None, None
    return connection, left if same and isinstance(left, Left) else None


def pass_on(source: Path, copy: Path) -> None:
    """Inside a rehearsal's memo (`steady.steady_files`), `copy`, a backup of the journal
    at `source` (the same rows, under the same seqs and ids), starts from what was read
    of `source`: its entries and its tally. Its first reader checks the rows they name,
    as with any memo, and reads only what follows, not the whole night again."""
    src, dst = os.path.abspath(source), os.path.abspath(copy)
    known = recall(src, Known)
    if known is not None:
        remember(dst, known)
    tally = recall(tally_key(src), Tally)
    if tally is not None:
        remember(tally_key(dst), tally)


def checked_at(connection: sqlite3.Connection, left: Left | None) -> int | None:
    """In a rehearsal, the file's `data_version` once checked (or taken over unchanged):
    what `give` compares with, so that a commit from another connection while the file
    was open is never passed on as checked. None outside a rehearsal."""
    if not lending():
        return None
    if left is not None:
        return left.at[0]
    try:
        return stamp(connection)[0]
    except sqlite3.Error:  # then nothing it read is passed on
        return None


def give(
    where: str,
    file: tuple[int, int],
    connection: sqlite3.Connection,
    checked: int | None,
    known: Known | None,
    read_at: Stamp | None,
    summary: Summary,
    meta: dict[str, str] | None,
) -> bool:
    """Lend `connection` to `file` (its device and inode when opened), done with and
    outside any transaction (see `kept_open.lend`), with what its journal knew if nobody
    else wrote the file since it was `checked`; False: the caller closes it."""
    if not lending() or connection.in_transaction:
        return False
    try:
        now = stamp(connection)
    except sqlite3.Error:
        return False
    left = None
    if checked is not None and now[0] == checked:  # its own writes alone since
        left = Left(now, known, read_at, summary.present, summary.tally_read, meta)
    return lend(where, file, connection, left)
