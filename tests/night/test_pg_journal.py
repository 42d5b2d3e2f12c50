"""The PostgreSQL backend on its own: schema version, append-only, errors without secrets."""

from __future__ import annotations

import socket
from typing import Any

import psycopg
import pytest

from gonogo.errors import StateError
from gonogo.night.pg_connect import SCHEMA_VERSION, connect


def test_a_newer_schema_is_refused_never_altered(postgres: Any) -> None:
    url = postgres.new_database()
    connect(url).close()  # created on first use
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO gonogo_schema VALUES (%s)", (SCHEMA_VERSION + 1,))
    with pytest.raises(StateError, match=f"schema version {SCHEMA_VERSION + 1}"):
        connect(url)
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM gonogo_schema").fetchone() == (2,)


def test_the_journal_tables_refuse_update_and_delete(postgres: Any) -> None:
    url = postgres.new_database()
    connect(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO gonogo_runs(release, mode) VALUES ('r', 'real')")
        conn.execute(
            "INSERT INTO gonogo_events VALUES (1, 1, 'now', 'anna', 'start', NULL, NULL, '{}', 'x')"
        )
        for statement in ("UPDATE gonogo_events SET operator = 'bo'", "DELETE FROM gonogo_events"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)  # type: ignore[arg-type]


def test_an_unreachable_server_is_named_without_its_password() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://anna:hemligt@127.0.0.1:{port}/gonogo"
    with pytest.raises(StateError) as caught:
        connect(url)
    text = caught.value.message + (caught.value.hint or "")
    assert f"postgresql://anna:***@127.0.0.1:{port}/gonogo" in text
    assert "hemligt" not in text
