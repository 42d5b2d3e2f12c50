"""A rehearsal path's journal, held open between its commands.

Each command opens the journal and closes it. With WAL, the last connection to close
checkpoints the file and deletes its `-wal` and `-shm` files, and the next command
creates them again: on a journaling file system that is most of a short command's
system time. Inside `kept_open()` the first opening of each journal file also opens a
connection that only holds it (no transaction, no lock), so those files stay until the
path is done. Every real command is its own process and holds nothing.

Inside it, too, a command's connection is not closed but left idle for the next
command to open that same file (`lend`, `borrow`): a path's commands then skip
connecting and find SQLite's cache of the file's pages still warm. A connection is
lent only between transactions, to one command at a time (borrowing takes it), and
only for the file it was opened on: another file at that path since (a path rehearsed
again) gets a new connection.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class _Kept:
    holders: dict[str, sqlite3.Connection] = field(default_factory=dict)
    # where -> (the file's device and inode, the connection, what its last user left)
    idle: dict[str, tuple[tuple[int, int], sqlite3.Connection, object]] = field(
        default_factory=dict
    )


_KEPT: ContextVar[_Kept | None] = ContextVar("kept_open", default=None)


@contextmanager
def kept_open() -> Iterator[None]:
    """Hold each journal opened inside it open until it ends (the outermost, nested)."""
    if _KEPT.get() is not None:
        yield
        return
    token = _KEPT.set(_Kept())
    try:
        yield
    finally:
        kept = _KEPT.get() or _Kept()
        _KEPT.reset(token)
        for _file, connection, _left in kept.idle.values():
            connection.close()
        for connection in kept.holders.values():
            connection.close()


def lending() -> bool:
    """Whether this runs inside `kept_open()`."""
    return _KEPT.get() is not None


def keep(where: str, path: Path, synchronous: str) -> None:
    """Inside `kept_open()`, hold `path` open (once per file). `synchronous`: the
    journal's own setting, which the holder, closing last, checkpoints the file with:
    SQLite's default (FULL) would sync every path's journal to the disk at its end."""
    kept = _KEPT.get()
    if kept is None or where in kept.holders:
        return
    try:
        connection = sqlite3.connect(path, isolation_level=None)
    except sqlite3.Error:  # holding is an optimisation, never a failure
        return
    try:
        connection.execute(f"PRAGMA synchronous={synchronous}")
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # opens the WAL
    except sqlite3.Error:
        connection.close()
        return
    kept.holders[where] = connection


def lend(
    where: str, file: tuple[int, int], connection: sqlite3.Connection, left: object = None
) -> bool:
    """Inside `kept_open()`, keep a command's connection to `where`, done with and outside
    any transaction, for the next command to `borrow`, with what it `left` for that one
    (`sqlite_lending`); False (the caller closes it) outside, or where one is kept.
    `file`: the device and inode of the file the connection was opened on."""
    kept = _KEPT.get()
    if kept is None or where in kept.idle or connection.in_transaction:
        return False
    kept.idle[where] = (file, connection, left)
    return True


def borrow(where: str, path: Path) -> tuple[sqlite3.Connection, object] | None:
    """The connection lent for `path`, and what was left with it, if it is to the file
    now there; it is no longer kept (one command at a time)."""
    kept = _KEPT.get()
    if kept is None or where not in kept.idle:
        return None
    file, connection, left = kept.idle.pop(where)
    try:
        same = _file(path) == file
    except OSError:
        same = False
    if not same:
        connection.close()
        return None
    return connection, left


def _file(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino
