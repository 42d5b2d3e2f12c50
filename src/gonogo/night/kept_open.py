"""A rehearsal path's journal, held open between its commands.

Each command opens the journal and closes it. With WAL, the last connection to close
checkpoints the file and deletes its `-wal` and `-shm` files, and the next command
creates them again: on a journaling file system that is most of a short command's
system time. Inside `kept_open()` the first opening of each journal file also opens a
connection that only holds it (no transaction, no lock), so those files stay until the
path is done. Every real command is its own process and holds nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from pathlib import Path

_KEPT: ContextVar[dict[str, sqlite3.Connection] | None] = ContextVar("kept_open", default=None)


@contextmanager
def kept_open() -> Iterator[None]:
    """Hold each journal opened inside it open until it ends."""
    token = _KEPT.set({})
    try:
        yield
    finally:
        kept = _KEPT.get() or {}
        _KEPT.reset(token)
        for connection in kept.values():
            connection.close()


def keep(where: str, path: Path) -> None:
    """Inside `kept_open()`, hold `path` open (once per file)."""
    kept = _KEPT.get()
    if kept is None or where in kept:
        return
    with suppress(sqlite3.Error):  # holding is an optimisation, never a failure
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # opens the WAL
        kept[where] = connection
