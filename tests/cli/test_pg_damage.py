"""A damaged shared run is said to be damaged, as a damaged journal file is
(tests/cli/test_journal_damage.py): one error line naming the server (password masked)
and the run, exit 1, nothing written; `gonogo journal check --journal URL` lists it.

The damage is done as a superuser would: with `session_replication_role = replica`,
which switches off the append-only triggers and the foreign keys.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest

from gonogo.night.pg_connect import SCHEMA_VERSION
from night.test_shared_night import runbook, site
from servers.gonogo_forks import gonogo as forked

RUN = "(rehearsal run of release 21.0)"
COUNTS = (
    "SELECT (SELECT count(*) FROM gonogo_events), (SELECT count(*) FROM gonogo_deliveries),"
    " (SELECT count(*) FROM gonogo_delivery_log), (SELECT count(*) FROM gonogo_meta)"
)
THIRD_STATUS = "(SELECT seq FROM gonogo_delivery_log ORDER BY seq LIMIT 1 OFFSET 2)"

# What is done to a shared night at part 1, and what the error then says.
DAMAGE = {
    "an entry that does not parse": (
        "UPDATE gonogo_events SET data = '{\"dry_run\": tru' WHERE seq = 1",
        f"{RUN} is damaged: entry 1 (start) cannot be read",
    ),
    "an unknown kind of entry": (
        "UPDATE gonogo_events SET kind = 'launch' WHERE seq = 1",
        f"{RUN} is damaged: entry 1 (launch) cannot be read",
    ),
    "no start entry": (
        "DELETE FROM gonogo_events WHERE seq = 1",
        f"{RUN} is damaged: it has no start entry",
    ),
    "meta without the runbook's hash": (
        "DELETE FROM gonogo_meta WHERE key = 'runbook_sha256'",
        f"{RUN} is damaged: it does not name the run's runbook_sha256",
    ),
    "a delivery status that does not parse": (
        f"UPDATE gonogo_delivery_log SET status = 'delivered?' WHERE seq = {THIRD_STATUS}",
        f"{RUN} is damaged: status change 3 cannot be read",
    ),
    "a newer schema": (
        f"INSERT INTO gonogo_schema VALUES ({SCHEMA_VERSION + 1})",
        f"has gonogo schema version {SCHEMA_VERSION + 1}; this gonogo knows version",
    ),
}


@pytest.fixture
def url(postgres: Any) -> str:
    """A fresh database, named with a password (trust auth ignores it; no message may
    show it)."""
    plain: str = postgres.new_database()
    return plain.replace("gonogo@", "gonogo:hemligt@")


def gonogo(home: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return forked([*args, "--dry-run"], cwd=home, env={**os.environ, "GONOGO_JOURNAL_URL": url})


def ok(home: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = gonogo(home, url, *args)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def _sql(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(statement)  # type: ignore[arg-type]


def _counts(url: str) -> tuple[Any, ...] | None:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(COUNTS).fetchone()


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_each_kind_of_damage_is_one_line_and_nothing_is_written(
    url: str, tmp_path: Path, kind: str
) -> None:
    home = site(tmp_path, "a")
    ok(home, url, "start", runbook(home), "--yes")
    ok(home, url, "go", "1", "--yes")
    statement, says = DAMAGE[kind]
    _sql(url, statement)
    before = _counts(url)
    shown = url.replace("hemligt", "***")
    commands = (["status"], ["go", "2", "--yes"], ["resume", "--yes"],
                ["start", runbook(home), "--yes"], ["report"],
                ["publish", "--out", "site"])  # fmt: skip
    for args in commands:
        done = gonogo(home, url, *args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        assert "hemligt" not in done.stdout + done.stderr
        error = [line for line in done.stderr.splitlines() if line.startswith("gonogo: error:")]
        assert len(error) == 1, done.stderr
        assert shown in error[0], error[0]
        assert says in error[0], error[0]
        if "is damaged" in says:
            assert "gonogo journal check" in done.stderr
        assert _counts(url) == before
    assert not (home / "site").exists()

    checked = gonogo(home, url, "journal", "check")
    assert checked.returncode == 1, checked.stdout
    assert "Traceback" not in checked.stderr
    assert "hemligt" not in checked.stdout + checked.stderr
    if "is damaged" in says:
        assert f"journal {shown} {RUN}: damaged" in checked.stdout
    else:
        assert says in checked.stderr
    assert _counts(url) == before


def test_journal_check_of_a_shared_run_says_what_is_readable(url: str, tmp_path: Path) -> None:
    home = site(tmp_path, "a")
    ok(home, url, "start", runbook(home), "--yes")
    ok(home, url, "go", "1", "--yes")
    shown = url.replace("hemligt", "***")
    whole = ok(home, url, "journal", "check")
    assert whole.stdout.splitlines()[0] == f"journal {shown} {RUN}: whole"
    assert "the night by what is readable: part 2 of 5 in progress; dispatches: 2" in whole.stdout

    _sql(url, "UPDATE gonogo_events SET data = 'nonsense' WHERE kind = 'go'")
    damaged = gonogo(home, url, "journal", "check")
    assert damaged.returncode == 1
    lines = damaged.stdout.splitlines()
    assert lines[0] == f"journal {shown} {RUN}: damaged (1 problem)"
    assert lines[1].startswith("  - entry 3 (go) cannot be read:")
    # Without the Go the readable entries leave the night at part 1.
    assert "the night by what is readable: part 1 of 5 in progress" in damaged.stdout
