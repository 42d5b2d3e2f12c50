"""`gonogo publish` from a shared journal: the runs of the database, published exactly as
from a state directory. A night made in SQLite is copied into PostgreSQL with
`gonogo journal copy`; both publish to the same bytes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from night.test_shared_night import ok, runbook, site
from servers.gonogo_forks import gonogo as forked

FILES = ("status.json", "feed.xml", "index.html", "calendar.ics")
LOCAL = {"GONOGO_JOURNAL_URL": ""}


def publish(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return forked(["publish", *args], cwd=home, env={**os.environ, **env})


def published(home: Path, out: str, *args: str, **env: str) -> dict[str, bytes]:
    done = publish(home, "--out", out, *args, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    return {name: (home / out / name).read_bytes() for name in FILES}


@pytest.fixture
def night(postgres: Any, tmp_path: Path) -> tuple[Path, str]:
    """A rehearsal made at site a in SQLite (an incident, a NoGo, the rollback done),
    copied into a fresh database. Returns the site and the database's URL."""
    url: str = postgres.new_database()
    home = site(tmp_path, "a")
    ok(home, "start", runbook(home), **LOCAL)
    ok(home, "go", "1", "--by", "anna", **LOCAL)
    ok(home, "incident", "open", "--priority", "1", "--summary", "E-recept svarar inte",
       "--services", "erecept", **LOCAL)  # fmt: skip
    ok(home, "nogo", "2", "--reason", "migreringen", **LOCAL)
    ok(home, "rollback-done", **LOCAL)
    ok(home, "journal", "copy", "--from", str(home / ".gonogo"), "--to", url)
    return home, url


def test_a_shared_night_publishes_the_same_bytes_as_its_file(
    night: tuple[Path, str], tmp_path: Path
) -> None:
    home, url = night
    from_file = published(home, "file", "--dry-run", **LOCAL)
    assert b"E-recept svarar inte" in from_file["feed.xml"]
    # Another machine: no state directory of its own, the database named by the option
    # or by the environment.
    elsewhere = tmp_path / "publisher"
    elsewhere.mkdir()
    assert published(elsewhere, "site", "--dry-run", "--journal", url, **LOCAL) == from_file
    assert published(elsewhere, "env", "--dry-run", GONOGO_JOURNAL_URL=url) == from_file


def test_the_publishing_site_gives_its_own_copy_of_the_runbook(
    night: tuple[Path, str], tmp_path: Path
) -> None:
    home, url = night
    from_file = published(home, "file", "--dry-run", **LOCAL)
    publisher = site(tmp_path, "publisher")
    shutil.rmtree(home / "runbooks")  # the path the journal names is gone here
    missing = publish(publisher, "--out", "site", "--dry-run", GONOGO_JOURNAL_URL=url)
    assert missing.returncode == 1
    assert "no copy of release 21.0's runbook" in missing.stderr
    assert "--runbook" in missing.stderr
    mine = runbook(publisher)
    files = published(publisher, "site", "--dry-run", "--runbook", mine, GONOGO_JOURNAL_URL=url)
    assert files == from_file

    other = Path(mine)
    other.write_text(other.read_text(encoding="utf-8") + "\n# ändrad\n", encoding="utf-8")
    refused = publish(publisher, "--out", "other", "--dry-run", "--runbook", mine,
                      GONOGO_JOURNAL_URL=url)  # fmt: skip
    assert refused.returncode == 1
    assert f"the runbook {mine} differs from the one release 21.0's night goes on" in (
        refused.stderr
    )
    assert "journaled" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (publisher / "other").exists()


def test_nothing_to_publish_names_the_database_without_its_password(
    postgres: Any, tmp_path: Path
) -> None:
    url = postgres.new_database().replace("gonogo@", "gonogo:hemligt@")
    shown = url.replace("hemligt", "***")
    empty = publish(tmp_path, "--out", "site", "--journal", url)
    assert empty.returncode == 1
    assert f"nothing to publish: no run in {shown} and no --runbook" in empty.stderr
    home = site(tmp_path, "a")
    ok(home, "start", runbook(home), GONOGO_JOURNAL_URL=url)
    rehearsal_only = publish(home, "--out", "site", GONOGO_JOURNAL_URL=url)
    assert rehearsal_only.returncode == 1
    assert f"{shown} has only rehearsals (21.0); --dry-run publishes them" in (
        rehearsal_only.stderr
    )
    gone = url.rsplit("/", 1)[0] + "/no_such_database"
    unreachable = publish(home, "--out", "site", "--journal", gone)
    assert unreachable.returncode == 1
    assert f"the journal database {gone.replace('hemligt', '***')} failed" in (unreachable.stderr)
    for done in (empty, rehearsal_only, unreachable):
        assert "hemligt" not in done.stdout + done.stderr
        assert "Traceback" not in done.stderr
    assert not (tmp_path / "site").exists()
    assert not (home / "site").exists()
