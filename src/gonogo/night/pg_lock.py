"""The operator lock of a shared night: a PostgreSQL advisory lock per run.

It lives on a connection of its own, held for the whole command: the server frees it
when the process dies or its connection drops. The holder is written to
`gonogo_lock_holders`, so the operator who waits in vain learns who and where.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import psycopg

from gonogo.errors import LockHeldError
from gonogo.night.lock import Describe, describe_holder, holder_record
from gonogo.night.pg_connect import connect, database_errors

_COLUMNS = ("operator", "host", "pid", "command", "since")


@contextmanager
def advisory_lock(
    url: str,
    release: str,
    mode: str,
    *,
    operator: str,
    command: str,
    wait: float,
    describe: Describe | None = None,
) -> Iterator[None]:
    """Hold the run's lock while changing it; LockHeldError after `wait` seconds, saying
    who holds it with `describe` (default `describe_holder`, times in UTC)."""
    conn = connect(url)
    key = f"gonogo:{release}:{mode}"
    try:
        deadline = time.monotonic() + wait
        with database_errors(url):
            while True:
                got = conn.execute(
                    "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,)
                ).fetchone()
                if got and got[0]:
                    break
                if time.monotonic() >= deadline:
                    raise LockHeldError(
                        (describe or describe_holder)(holder(conn, release, mode)),
                        hint="wait, then run the command again",
                    )
                time.sleep(0.05)
            record = holder_record(operator, command)
            conn.execute(
                "INSERT INTO gonogo_lock_holders(release, mode, operator, host, pid, command,"
                " since) VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (release, mode) DO"
                " UPDATE SET operator = EXCLUDED.operator, host = EXCLUDED.host,"
                " pid = EXCLUDED.pid, command = EXCLUDED.command, since = EXCLUDED.since",
                (release, mode, *(record[c] for c in _COLUMNS)),
            )
        yield
    finally:
        with suppress(psycopg.Error):  # a dropped connection has freed the lock already
            conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))
        conn.close()


def holder(conn: psycopg.Connection[tuple[Any, ...]], release: str, mode: str) -> dict[str, object]:
    row = conn.execute(
        "SELECT operator, host, pid, command, since FROM gonogo_lock_holders"
        " WHERE release = %s AND mode = %s",
        (release, mode),
    ).fetchone()
    return dict(zip(_COLUMNS, row, strict=True)) if row else {}


def live_holder(
    conn: psycopg.Connection[tuple[Any, ...]], release: str, mode: str
) -> dict[str, object] | None:
    """Who holds the run's lock now, never waiting for it; None while nobody does.

    `pg_locks` is read, the lock never tried: the 64-bit key of an advisory lock is
    there as `classid` (high half) and `objid` (low half), with `objsubid` 1.
    """
    key = f"gonogo:{release}:{mode}"
    row = conn.execute(
        "SELECT h.operator, h.host, h.pid, h.command, h.since FROM pg_locks l"
        " LEFT JOIN gonogo_lock_holders h ON h.release = %s AND h.mode = %s"
        " WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1"
        " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        " AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(%s, 0)"
        " LIMIT 1",
        (release, mode, key),
    ).fetchone()
    if row is None:
        return None
    found = dict(zip(_COLUMNS, row, strict=True))
    return {k: v for k, v in found.items() if v is not None}
