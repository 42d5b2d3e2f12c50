"""A night on either journal: the SQLite file or a shared PostgreSQL (tests/servers/postgres.py).

The main paths run on both backends from the one `backend` fixture; the rest is about
sharing: two sites (separate processes, working directories and runbook copies) on one
database, racing, killed, and a database that goes away mid-dispatch.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from documented_json import checked
from servers.gonogo_forks import gonogo as forked

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
PARTICIPANTS = ("apoteket-ab", "dalarna", "stockholm", "kalmar", "jonkoping", "norrbotten",
                "orebro")  # fmt: skip


def site(root: Path, name: str) -> Path:
    """A site: its own working directory with its own copy of the runbooks."""
    home = root / name
    shutil.copytree(RUNBOOKS, home / "runbooks")
    return home


def run(home: Path, *args: str, yes: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
    """One command as its own process in the site `home` (forked: tests/servers/gonogo_forks.py)."""
    command = [*args, "--dry-run"]
    if yes and args[0] not in ("status", "log", "report", "hold", "deliveries", "journal"):
        command.append("--yes")
    return forked(command, cwd=home, env={**os.environ, **env})


def ok(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    done = run(home, *args, **env)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done


def status(home: Path) -> dict[str, Any]:
    return checked("status", ok(home, "status", "--json").stdout)


def runbook(home: Path) -> str:
    return str(home / "runbooks" / "release-21.0.yaml")


def test_all_go_with_verification_and_report(backend: str | None, tmp_path: Path) -> None:
    home = site(tmp_path, "a")
    ok(home, "start", runbook(home), "--by", "anna")
    ok(home, "progress")
    for number in range(1, 5):
        ok(home, "go", str(number), "--by", f"op{number}")
    ok(home, "verify", "start")
    for participant in PARTICIPANTS:
        ok(home, "verify", participant, "ok")
    ok(home, "go", "5", "--by", "op5")
    ok(home, "end")
    night = status(home)
    assert (night["state"], night["outcome"]) == ("completed", "completed")
    assert [p["decided_by"] for p in night["parts"]] == [f"op{n}" for n in range(1, 6)]
    assert (night["deliveries"]["pending"], night["deliveries"]["in_doubt"]) == (0, 0)
    report = ok(home, "report").stdout
    assert "op5" in report
    local = home / ".gonogo" / "21.0" / "rehearsal" / "journal.sqlite"
    assert (backend is None) == local.exists()


def test_nogo_rolls_back(backend: str | None, tmp_path: Path) -> None:
    home = site(tmp_path, "a")
    ok(home, "start", runbook(home))
    ok(home, "go", "1")
    ok(home, "nogo", "2", "--reason", "migreringen misslyckades", "--by", "bo")
    assert status(home)["state"] == "rolling_back"
    ok(home, "rollback-done")
    night = status(home)
    assert (night["state"], night["outcome"]) == ("rolled_back", "rolled back")
    assert "NoGo del 2: migreringen misslyckades" in ok(home, "log").stdout


def test_hold_and_incident(backend: str | None, tmp_path: Path) -> None:
    home = site(tmp_path, "a")
    ok(home, "start", runbook(home))
    ok(home, "hold", "1", "--reason", "väntar på DBA", "--by", "cia")
    assert [h["reason"] for h in status(home)["holds"]] == ["väntar på DBA"]
    opened = ok(home, "incident", "open", "--priority", "2", "--summary", "Receptflödet står",
                "--services", "erecept")  # fmt: skip
    assert "Traceback" not in opened.stderr
    assert len(status(home)["incidents"]) == 1
    ok(home, "go", "1")
    assert status(home)["holds"] == []
