"""`gonogo announce` end to end: notices at their moments, once each, late only on request."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing, redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

import gonogo.runbook.model  # pydantic's models before freezegun (PRODUCT.md)
from gonogo.cli import main

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
RUNBOOK = str(RUNBOOKS / "release-21.0.yaml")
SMS_TIMME = (
    "I kväll kl. 23:00 startar servicefönster för release 21.0. Samtliga tjänster stängs till "
    "senast kl. 07:00. Vi skickar sms när de är tillgängliga igen."
)


def gonogo(state: Path, when: str, *args: str) -> tuple[int, str]:
    """One command in this process at the UTC instant `when` (21.0 opens 2021-11-27T22:00)."""
    out = StringIO()
    with freeze_time(when), redirect_stdout(out), redirect_stderr(out):
        code = main([*args, "--state-dir", str(state), "--dry-run"])
    return code, out.getvalue()


def outbox(state: Path) -> list[str]:
    return sorted(p.name for p in (state / "21.0" / "rehearsal" / "outbox").glob("*.txt"))


def announce_entries(journal: Path) -> list[str]:
    with closing(sqlite3.connect(journal)) as db:
        rows = db.execute("SELECT data FROM events WHERE kind = 'announce'").fetchall()
    return [row[0] for row in rows]


def test_each_notice_goes_out_once_at_its_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")  # --list on one line a notice
    code, out = gonogo(tmp_path, "2021-11-19T12:00:00Z", "announce", RUNBOOK, "--yes")
    assert (code, outbox(tmp_path)) == (0, [])
    assert "Nästa avisering: vecka 2021-11-20 23:00." in out
    code, out = gonogo(tmp_path, "2021-11-20T22:05:00Z", "announce", RUNBOOK, "--yes")
    assert code == 0
    assert "notice-vecka: 34 skickade (e-post 17, sms 17)" in out
    assert len(outbox(tmp_path)) == 8  # one file per channel, audience and language
    # A timer's next ticks: nothing more.
    for when in ("2021-11-20T22:10:00Z", "2021-11-21T08:00:00Z"):
        code, out = gonogo(tmp_path, when, "announce", RUNBOOK, "--yes")
        assert (code, len(outbox(tmp_path))) == (0, 8)
        assert "Nästa avisering: dygn 2021-11-26 23:00." in out
    code, out = gonogo(tmp_path, "2021-11-27T21:01:00Z", "announce", RUNBOOK, "--yes")
    assert code == 0
    # The day-before notice was missed by hours: not sent on --yes alone.
    assert "Aviseringen dygn skulle ha gått ut för 23 timmar sedan och skickas inte sent" in out
    assert "notice-timme: 17 skickade (sms 17)" in out
    sms = next(p for p in outbox(tmp_path) if "notice-timme-sms-vard" in p)
    assert SMS_TIMME in (tmp_path / "21.0" / "rehearsal" / "outbox" / sms).read_text()
    code, out = gonogo(tmp_path, "2021-11-27T21:02:00Z", "announce", RUNBOOK, "--list")
    assert code == 0
    assert out.splitlines()[1:] == [
        "vecka        7d före      2021-11-20 23:00  skickad 2021-11-20 23:05 av "
        f"{_user()}, till 34 mottagare",
        "dygn         24h före     2021-11-26 23:00  försenad (ej skickad; --send-late)",
        "timme        1h före      2021-11-27 22:00  skickad 2021-11-27 22:01 av "
        f"{_user()}, till 17 mottagare",
    ]
    code, out = gonogo(tmp_path, "2021-11-27T21:03:00Z", "announce", RUNBOOK, "--send-late",
                       "--yes")  # fmt: skip
    assert code == 0
    assert (
        "Aviseringen dygn skulle ha gått ut för 23 timmar sedan (2021-11-26 23:00); den "
        "skulle gå ut sent." in out
    )
    assert "notice-dygn: 34 skickade" in out
    # The window opens on the same run; afterwards no notice is due any more.
    code, out = gonogo(tmp_path, "2021-11-27T22:00:00Z", "start", RUNBOOK, "--yes")
    assert code == 0, out
    code, out = gonogo(tmp_path, "2021-11-27T22:01:00Z", "announce", RUNBOOK, "--list")
    assert "skickad 2021-11-27 22:03 av" in out
    code, out = gonogo(tmp_path, "2021-11-27T22:01:00Z", "log")
    assert [line.split()[-1] for line in out.splitlines()[1:] if " meddelande " not in line] == [
        "förhandsavisering", "förhandsavisering", "förhandsavisering", "start",
    ]  # fmt: skip


def test_without_confirmation_nothing_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", StringIO("n\n"))
    code, out = gonogo(tmp_path, "2021-11-20T22:05:00Z", "announce", RUNBOOK)
    assert code == 1
    assert "not confirmed; nothing was journaled or sent" in out
    assert outbox(tmp_path) == []


def test_a_runbook_without_notices_is_refused(tmp_path: Path) -> None:
    code, out = gonogo(tmp_path, "2021-11-20T22:05:00Z", "announce",
                       str(RUNBOOKS.parent / "examples" / "minimal.yaml"), "--yes")  # fmt: skip
    assert code == 1
    assert "has no advance notices; nothing was done" in out
    assert not (tmp_path / "21.0").exists()


def _user() -> str:
    import getpass  # noqa: PLC0415

    return getpass.getuser()


@pytest.mark.parametrize("runs", [2])
def test_two_announce_runs_at_once_send_each_notice_once(tmp_path: Path, runs: int) -> None:
    """Two machines' timers at the same moment (real processes, real time)."""
    tree = tmp_path / "runbooks"
    shutil.copytree(RUNBOOKS, tree)
    zone = ZoneInfo("Europe/Stockholm")
    now = dt.datetime.now(dt.UTC)
    day = (now + dt.timedelta(days=2)).astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(23, 0), zone)
    # The day-before notice, moved to have fallen due five minutes ago.
    before = math.ceil((start - now).total_seconds() / 60) + 5
    text = (tree / "release-21.0.yaml").read_text(encoding="utf-8")
    text = text.replace("date: 2021-11-27", f"date: {day.isoformat()}", 1)
    text = text.replace("before: 24h", f"before: {before}m", 1)
    (tree / "release-21.0.yaml").write_text(text, encoding="utf-8")
    state = tmp_path / "state"
    command = [sys.executable, "-m", "gonogo", "announce", str(tree / "release-21.0.yaml"),
               "--state-dir", str(state), "--dry-run", "--yes"]  # fmt: skip
    env = {**os.environ, "GONOGO_LOCK_WAIT": "60"}
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=env)
        for _ in range(runs)
    ]  # fmt: skip
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * runs, outputs
    assert sum("notice-dygn: 34 skickade" in o for o in outputs) == 1, outputs
    assert len(announce_entries(state / "21.0" / "rehearsal" / "journal.sqlite")) == 1
    assert len(outbox(state)) == 8


def test_reschedule_tells_the_notified_and_rearms_the_notices(tmp_path: Path) -> None:
    assert gonogo(tmp_path, "2021-11-20T22:05:00Z", "announce", RUNBOOK, "--yes")[0] == 0
    code, out = gonogo(tmp_path, "2021-11-21T10:00:00Z", "reschedule", "--date", "2021-12-04",
                       "--reason", "ett fel i förberedelserna", "--yes")  # fmt: skip
    assert code == 0, out
    assert (
        "Servicefönstret för release 21.0 flyttas till lördag 4 december kl. 23:00 till "
        "senast kl. 07:00. Orsak: ett fel i förberedelserna." in out
    )
    assert "window_moved: 34 skickade" in out
    code, out = gonogo(tmp_path, "2021-11-21T10:01:00Z", "announce", RUNBOOK, "--list")
    assert out.splitlines()[0] == "Servicefönstret börjar 2021-12-04 23:00 (Europe/Stockholm)."
    assert "för servicefönstret då planerat till 2021-11-27 23:00" in out
    # The week's notice again, a week before the new date.
    code, out = gonogo(tmp_path, "2021-11-27T22:05:00Z", "announce", RUNBOOK, "--yes")
    assert "notice-vecka: 34 skickade" in out
    code, out = gonogo(tmp_path, "2021-12-04T10:00:00Z", "cancel", "--reason", "beslut",
                       "--yes")  # fmt: skip
    assert code == 0, out
    assert "window_cancelled: 34 skickade" in out
    code, out = gonogo(tmp_path, "2021-12-04T21:05:00Z", "announce", RUNBOOK, "--yes")
    assert "notice-timme" not in out
    code, out = gonogo(tmp_path, "2021-12-04T22:00:00Z", "start", RUNBOOK, "--yes")
    assert code == 1
    assert "window was cancelled (beslut)" in out
    # status says it is over, cancelled, and suggests nothing the rules would refuse.
    code, out = gonogo(tmp_path, "2021-12-04T22:01:00Z", "status")
    assert code == 0, out
    screen = " ".join(out.split())
    assert "servicefönstret är inställt" in screen
    assert "Utfall: inställt; servicefönstret 23:00-07:00 ställdes in 11:00 av" in screen
    assert ": beslut" in screen
    assert "gonogo start" not in out
    assert "Att göra nu" not in out
    code, out = gonogo(tmp_path, "2021-12-04T22:01:00Z", "status", "--json")
    document = json.loads(out)
    assert (document["state"], document["outcome"]) == ("planned", "cancelled")
    assert (document["due"], document["description"]) == ([], "the window was cancelled")
    assert "start" not in document["next"]


def test_extend_moves_the_end_and_the_point_of_no_return(tmp_path: Path) -> None:
    assert gonogo(tmp_path, "2021-11-27T22:00:00Z", "start", RUNBOOK, "--yes")[0] == 0
    code, out = gonogo(tmp_path, "2021-11-28T04:00:00Z", "extend", "--until", "08:30",
                       "--reason", "migreringen tar längre tid", "--yes")  # fmt: skip
    assert code == 0, out
    assert "förlängs till senast kl. 08:30. Orsak: migreringen tar längre tid." in out
    code, out = gonogo(tmp_path, "2021-11-28T04:01:00Z", "status")
    assert "Servicefönster 23:00-08:30, 3 h 29 min kvar" in out
    assert "Sista tidpunkt för NoGo 07:00" in out
    code, out = gonogo(tmp_path, "2021-11-28T04:02:00Z", "reschedule", "--date", "2021-12-04",
                       "--reason", "x", "--yes")  # fmt: skip
    assert code == 1
    assert "servicefönstret har öppnats; det kan inte flyttas nu" in out


@pytest.mark.parametrize("end", ["23:00", "23:30"])
def test_reschedule_to_a_window_validate_rejects_exits_1_and_sends_nothing(
    tmp_path: Path, end: str
) -> None:
    assert gonogo(tmp_path, "2021-11-20T22:05:00Z", "announce", RUNBOOK, "--yes")[0] == 0
    journal = tmp_path / "21.0" / "rehearsal" / "journal.sqlite"
    before = (outbox(tmp_path), journal.read_bytes())
    code, out = gonogo(tmp_path, "2021-11-21T10:00:00Z", "reschedule", "--date", "2021-12-04",
                       "--start", "23:00", "--end", end, "--reason", "x", "--yes")  # fmt: skip
    assert code == 1, out
    assert out.startswith(
        f"gonogo: error: servicefönstret 2021-12-04 23:00-{end} ryms inte i planen"
    )
    assert "flyttas" not in out
    assert (outbox(tmp_path), journal.read_bytes()) == before


def test_verify_start_before_the_window_opens_exits_1_and_sends_nothing(tmp_path: Path) -> None:
    assert gonogo(tmp_path, "2021-11-20T22:05:00Z", "announce", RUNBOOK, "--yes")[0] == 0
    journal = tmp_path / "21.0" / "rehearsal" / "journal.sqlite"
    before = (outbox(tmp_path), journal.read_bytes())
    code, out = gonogo(tmp_path, "2021-11-27T21:00:00Z", "verify", "start", "--yes")
    assert (code, out.splitlines()[0]) == (
        1, "gonogo: error: servicefönstret har inte startat; starta det först"
    )  # fmt: skip
    assert (outbox(tmp_path), journal.read_bytes()) == before
