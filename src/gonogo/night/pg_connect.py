"""Reaching the shared journal in PostgreSQL: connections, the schema, errors as messages.

libpq finds passwords where it always does (`PGPASSWORD`, `~/.pgpass`, a service
file) when the URL carries none; messages name the server by its masked URL.
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.pq import TransactionStatus

from gonogo.errors import StateError
from gonogo.night.pg_summary import SUMMARY_TABLES, upgrade
from gonogo.night.pg_url import masked, scrub

SCHEMA_VERSION = 2  # 2 adds the summary of counts (pg_summary.py)

_TABLES = """
CREATE TABLE gonogo_runs (
    id SERIAL PRIMARY KEY, release TEXT NOT NULL, mode TEXT NOT NULL, UNIQUE (release, mode)
);
CREATE TABLE gonogo_meta (
    run INTEGER NOT NULL REFERENCES gonogo_runs(id), key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (run, key)
);
CREATE TABLE gonogo_events (
    run INTEGER NOT NULL REFERENCES gonogo_runs(id), seq INTEGER NOT NULL, at TEXT NOT NULL,
    operator TEXT NOT NULL, kind TEXT NOT NULL, part INTEGER, reason TEXT,
    data TEXT NOT NULL, runbook_sha256 TEXT NOT NULL, PRIMARY KEY (run, seq)
);
CREATE TABLE gonogo_deliveries (
    run INTEGER NOT NULL, id INTEGER NOT NULL, dispatch INTEGER NOT NULL,
    channel TEXT NOT NULL, audience TEXT NOT NULL, address TEXT NOT NULL, name TEXT NOT NULL,
    language TEXT NOT NULL, subject TEXT, body TEXT NOT NULL, PRIMARY KEY (run, id),
    FOREIGN KEY (run, dispatch) REFERENCES gonogo_events(run, seq)
);
CREATE TABLE gonogo_delivery_log (
    seq BIGSERIAL PRIMARY KEY, run INTEGER NOT NULL, delivery INTEGER NOT NULL,
    at TEXT NOT NULL, status TEXT NOT NULL, provider_id TEXT, code TEXT, reason TEXT,
    FOREIGN KEY (run, delivery) REFERENCES gonogo_deliveries(run, id)
);
CREATE INDEX gonogo_delivery_log_latest ON gonogo_delivery_log (run, delivery, seq DESC);
CREATE TABLE gonogo_lock_holders (
    release TEXT NOT NULL, mode TEXT NOT NULL, operator TEXT NOT NULL, host TEXT NOT NULL,
    pid INTEGER NOT NULL, command TEXT NOT NULL, since TEXT NOT NULL,
    PRIMARY KEY (release, mode)
);
CREATE FUNCTION gonogo_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the gonogo journal is append-only'; END $$;
CREATE TRIGGER gonogo_events_append_only BEFORE UPDATE OR DELETE ON gonogo_events
    FOR EACH ROW EXECUTE FUNCTION gonogo_append_only();
CREATE TRIGGER gonogo_deliveries_append_only BEFORE UPDATE OR DELETE ON gonogo_deliveries
    FOR EACH ROW EXECUTE FUNCTION gonogo_append_only();
CREATE TRIGGER gonogo_delivery_log_append_only BEFORE UPDATE OR DELETE ON gonogo_delivery_log
    FOR EACH ROW EXECUTE FUNCTION gonogo_append_only();
"""


def unreachable(url: str, exc: BaseException) -> StateError:
    return StateError(
        f"the journal database {masked(url)} failed: {scrub(str(exc), url)}",
        hint="nothing was sent without being journaled first; when the database is back, "
        "run the command again (or `gonogo resume`) to finish what was interrupted",
    )


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """psycopg's errors as a StateError naming the server (exit 1, no traceback)."""
    try:
        yield
    except psycopg.Error as exc:
        raise unreachable(url, exc) from None


def malformed(url: str, exc: BaseException) -> StateError:
    return StateError(
        f"the journal URL {masked(url)} cannot be read: {scrub(str(exc), url)}",
        hint="write it as postgresql://USER@HOST[:PORT]/DATABASE (a password is better "
        "kept in ~/.pgpass or PGPASSWORD); nothing was changed",
    )


# A connection a short lookup (`find_run`, `runs_in`) is done with, kept for the next
# connect to the same URL in the same process within a few seconds: a command on the
# shared journal looks up its run, then takes the lock and opens the journal, and each
# new connection is a TCP (and TLS) handshake, a login and the schema check, several
# round trips to a server that is often at another site. Older spares are closed: one
# may have been idle through a restart of the server.
_SPARE_FOR = 5.0  # seconds
_spares: dict[tuple[int, str], tuple[psycopg.Connection[tuple[Any, ...]], float]] = {}


@atexit.register
def _close_spares() -> None:
    """Spares left at the end of the process, closed rather than dropped open."""
    for key in [k for k in _spares if k[0] == os.getpid()]:  # a fork's copies are not ours
        _spares.pop(key)[0].close()


def done_with(url: str, conn: psycopg.Connection[tuple[Any, ...]]) -> None:
    """`conn` is not needed any more: kept as the spare for `url`, or closed."""
    if conn.closed or conn.info.transaction_status != TransactionStatus.IDLE:
        conn.close()
        return
    old = _spares.pop((os.getpid(), url), None)
    if old is not None:
        old[0].close()
    _spares[(os.getpid(), url)] = (conn, time.monotonic())


def _spare(url: str) -> psycopg.Connection[tuple[Any, ...]] | None:
    found = _spares.pop((os.getpid(), url), None)
    if found is None:
        return None
    conn, since = found
    if time.monotonic() - since <= _SPARE_FOR and not conn.closed:
        return conn
    conn.close()
    return None


def connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    """An autocommit connection with the schema in place (created on first use)."""
    spare = _spare(url)
    if spare is not None:
        return spare
    try:  # libpq's parser quotes a URL it cannot read whole, password and all
        conninfo_to_dict(url)
    except psycopg.Error as exc:
        raise malformed(url, exc) from None
    with database_errors(url):
        conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
    try:
        with database_errors(url):
            _ensure_schema(conn, url)
    except BaseException:
        conn.close()
        raise
    return conn


def _version(conn: psycopg.Connection[tuple[Any, ...]]) -> int | None:
    row = conn.execute("SELECT max(version) FROM gonogo_schema").fetchone()
    return int(row[0]) if row and row[0] is not None else None


def _ensure_schema(conn: psycopg.Connection[tuple[Any, ...]], url: str) -> None:
    found = conn.execute("SELECT to_regclass('gonogo_schema') IS NOT NULL").fetchone()
    if not (found and found[0]):
        with conn.transaction():
            # One creator when several sites start at once; the others find it made.
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('gonogo:schema', 0))")
            again = conn.execute("SELECT to_regclass('gonogo_schema') IS NOT NULL").fetchone()
            if not (again and again[0]):
                conn.execute(_TABLES)
                conn.execute(SUMMARY_TABLES)
                conn.execute("CREATE TABLE gonogo_schema (version INTEGER NOT NULL)")
                conn.execute("INSERT INTO gonogo_schema VALUES (%s)", (SCHEMA_VERSION,))
    version = _version(conn)
    if version == 1:  # the summary of counts, added once, while no one else writes
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('gonogo:schema', 0))")
            conn.execute("LOCK TABLE gonogo_delivery_log IN SHARE MODE")
            if _version(conn) == 1:
                upgrade(conn)
                conn.execute("INSERT INTO gonogo_schema VALUES (2)")
        version = _version(conn)
    if version != SCHEMA_VERSION:
        msg = (
            f"the journal database {masked(url)} has gonogo schema version {version}; "
            f"this gonogo knows version {SCHEMA_VERSION}"
        )
        raise StateError(msg, hint="use the gonogo version the other operators use")
