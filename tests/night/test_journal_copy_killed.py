"""`gonogo journal copy` killed with kill -9 mid-copy: no run left under the final name,
nothing that blocks the copy run again, and the retry copies the run whole.

The source is a rehearsal with thousands of recipients, so a copy takes long enough to be
caught writing: the real `python -m gonogo journal copy` is killed the moment its
destination shows it writing (a file in the run's directory, a run's row in the database).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from night.test_shared_night import ok, run, runbook, site

LOCAL = {"GONOGO_JOURNAL_URL": ""}
RECIPIENTS = 5000


def _many_recipients(home: Path) -> None:
    """Thousands of care recipients, by e-mail (the SMS numbers are a short fiction range)."""
    lines = ["name,phone,email,language"]
    lines += [f"Mottagare {n},,user{n}@example.org,sv" for n in range(RECIPIENTS)]
    csv = home / "runbooks" / "recipients" / "vard.csv"
    csv.write_text("\n".join(lines) + "\n", "utf-8")


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site whose SQLite rehearsal has some 5,000 deliveries: the copies' source."""
    home = site(tmp_path_factory.mktemp("copy"), "a")
    _many_recipients(home)
    ok(home, "start", runbook(home), **LOCAL)
    return home


def _copy_killed(home: Path, to: str, writing: Callable[[], bool]) -> None:
    """Start a copy of `home`'s run to `to` and kill -9 it as soon as it is `writing`."""
    command = ["journal", "copy", "--from", str(home / ".gonogo"), "--to", to, "--dry-run"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "gonogo", *command],
        cwd=home,
        env={**os.environ, **LOCAL},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    try:
        while proc.poll() is None and not writing() and time.monotonic() < deadline:
            time.sleep(0.002)
        assert proc.poll() is None, "the copy ended before it was seen writing"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _readable(home: Path, *where: str, **env: str) -> str:
    """What `journal check` reads of a run: its entries and its deliveries by status."""
    done = run(home, "journal", "check", *where, **env)
    assert done.returncode == 0, (done.stdout, done.stderr)  # whole
    return next(line for line in done.stdout.splitlines() if line.startswith("readable:"))


@pytest.mark.slow
def test_a_copy_to_a_directory_killed_mid_copy_leaves_no_journal(big: Path) -> None:
    archive = big.parent / "archive"
    directory = archive / "21.0" / "rehearsal"

    def writing() -> bool:
        return directory.is_dir() and any(directory.iterdir())

    _copy_killed(big, str(archive), writing)
    assert not (directory / "journal.sqlite").exists()
    assert any(directory.glob(".journal-*"))  # killed while it wrote, before it named
    nothing = run(big, "status", "--state-dir", str(archive), **LOCAL)
    assert nothing.returncode == 1, nothing.stdout
    assert "journal format" not in nothing.stderr
    assert "no run" in nothing.stderr or "no rehearsal" in nothing.stderr, nothing.stderr

    again = ok(big, "journal", "copy", "--from", str(big / ".gonogo"), "--to", str(archive),
               **LOCAL)  # fmt: skip
    assert "Copied the rehearsal run of release 21.0" in again.stdout
    assert not list(directory.glob(".journal-*"))  # the killed copy's file is gone too
    copied = _readable(big, "--state-dir", str(archive), **LOCAL)
    assert copied == _readable(big, **LOCAL)


@pytest.mark.slow
def test_a_copy_to_postgresql_killed_mid_copy_leaves_no_run(big: Path, postgres: Any) -> None:
    url: str = postgres.new_database()
    shared = {"GONOGO_JOURNAL_URL": url}
    watcher = psycopg.connect(url, autocommit=True)

    def writing() -> bool:  # the run's row is committed; its entries are being loaded
        try:  # the copy's first connection makes the schema
            found = watcher.execute(
                "SELECT 1 FROM gonogo_runs WHERE release = '21.0' AND mode = 'rehearsal'"
            ).fetchone()
        except psycopg.errors.UndefinedTable:
            return False
        return found is not None

    try:
        _copy_killed(big, url, writing)
        events = watcher.execute("SELECT count(*) FROM gonogo_events").fetchone()
        deliveries = watcher.execute("SELECT count(*) FROM gonogo_deliveries").fetchone()
    finally:
        watcher.close()
    assert events == (0,)  # no half copy: all of it, or none
    assert deliveries == (0,)
    nothing = run(big, "status", **shared)
    assert nothing.returncode == 1
    assert "no run" in nothing.stderr or "no rehearsal" in nothing.stderr, nothing.stderr

    again = ok(big, "journal", "copy", "--from", str(big / ".gonogo"), "--to", url, **LOCAL)
    assert "Copied the rehearsal run of release 21.0" in again.stdout
    assert _readable(big, **shared) == _readable(big, **LOCAL)


def test_a_copy_to_postgresql_that_fails_at_its_counts_leaves_no_run(
    tmp_path: Path, postgres: Any
) -> None:
    """The rows and the counts made of them are one transaction: a copy that fails at the
    counts (here a trigger refusing them; in life the server gone) leaves no entries."""
    home = site(tmp_path, "a")
    ok(home, "start", runbook(home), **LOCAL)
    url: str = postgres.new_database()
    shared = {"GONOGO_JOURNAL_URL": url}
    assert run(home, "status", **shared).returncode == 1  # no run yet; the schema is made
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused'; END $$"
        )
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON gonogo_texts "
            "FOR EACH STATEMENT EXECUTE FUNCTION refuse()"
        )
    copy = ["journal", "copy", "--from", str(home / ".gonogo"), "--to", url]
    failed = run(home, *copy, **LOCAL)
    assert failed.returncode != 0
    assert "Traceback" not in failed.stderr
    with psycopg.connect(url, autocommit=True) as db:
        assert db.execute("SELECT count(*) FROM gonogo_events").fetchone() == (0,)
        db.execute("DROP TRIGGER refuse ON gonogo_texts")
    nothing = run(home, "status", **shared)
    assert nothing.returncode == 1, nothing.stdout
    assert "Copied the rehearsal run" in ok(home, *copy, **LOCAL).stdout
    assert _readable(home, **shared) == _readable(home, **LOCAL)
