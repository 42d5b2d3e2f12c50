"""Scripted nights on a frozen clock, for the report, the site and their tests."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

from freezegun import freeze_time

from gonogo.cli import main
from gonogo.runbook.validate import load_valid

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
RUNBOOK = RUNBOOKS / "release-21.0.yaml"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
PARTICIPANTS = ("apoteket-ab", "dalarna", "stockholm", "kalmar", "jonkoping", "norrbotten")


def english_runbook(tmp_path: Path) -> Path:
    """A copy of 21.0 (with its recipients) whose language is English, checked valid."""
    runbooks = tmp_path / "runbooks"
    shutil.copytree(RUNBOOK.parent, runbooks)
    english = runbooks / RUNBOOK.name
    text = english.read_text(encoding="utf-8")
    assert "\n  language: sv\n" in text
    english.write_text(text.replace("\n  language: sv\n", "\n  language: en\n"), "utf-8")
    load_valid(english)
    return english


def at(day: int, hhmm: str) -> dt.datetime:
    """A local time of the 21.0 night (27 or 28 November 2021) as a UTC instant."""
    hour, minute = (int(v) for v in hhmm.split(":"))
    return dt.datetime(2021, 11, day, hour, minute, tzinfo=STOCKHOLM).astimezone(dt.UTC)


def run(state: Path, when: dt.datetime, *args: str, by: str = "anna") -> None:
    """One command of the night at `when`, on the rehearsal in `state`; it must succeed."""
    command = [*args, "--state-dir", str(state), "--dry-run"]
    if args[0] not in ("verify",) or len(args) > 1:
        command += ["--yes", "--by", by]
    with freeze_time(when):
        code = main(command)
    assert code == 0, (args, code)


def completed_night(state: Path) -> None:
    """Every part gets Go (some late), a major incident with one late update, a failed
    verification report that a later one replaced, EV overridden."""
    load_valid(RUNBOOK)  # pydantic builds its models before freezegun freezes the clock
    run(state, at(27, "23:00"), "start", str(RUNBOOK))
    run(state, at(28, "00:05"), "go", "1")
    run(state, at(28, "01:40"), "incident", "open", "--priority", "2",
        "--summary", "Förskrivning går långsamt | test", "--services", "erecept")  # fmt: skip
    run(state, at(28, "02:20"), "go", "2", by="bertil")
    run(
        state,
        at(28, "02:25"),
        "incident",
        "update",
        "INC-1",
        "--summary",
        "Felsökning pågår i <db01>",
    )
    run(state, at(28, "02:40"), "incident", "resolve", "INC-1", "--summary", "Åtgärdat")
    run(state, at(28, "02:50"), "go", "3")
    run(state, at(28, "04:00"), "go", "4")
    run(state, at(28, "04:05"), "verify", "start")
    # Dalarna fails first, then passes: both stay on the record, the latest decides.
    run(state, at(28, "04:10"), "verify", "dalarna", "fail", "--note", "Makulering misslyckades")
    for number, who in enumerate(PARTICIPANTS):
        run(state, at(28, f"04:{20 + number}"), "verify", who, "ok")
    run(state, at(28, "05:00"), "verify", "orebro", "fail", "--note", "NCS Cross svarar inte")
    run(state, at(28, "05:20"), "go", "5", "--override-verification",
        "--reason", "Örebro verifierar i morgon")  # fmt: skip
    run(state, at(28, "05:30"), "end")
    # After the window: an unplanned outage of E-recept, 30 minutes.
    run(state, at(28, "07:30"), "incident", "open", "--priority", "1",
        "--summary", "E-recept svarar inte", "--services", "erecept")  # fmt: skip
    run(state, at(28, "08:00"), "incident", "resolve", "INC-2", "--summary", "Omstart gjord")


def rollback_night(state: Path) -> None:
    """NoGo at part 2; the rollback finishes 20 minutes after the window's end."""
    load_valid(RUNBOOK)
    run(state, at(27, "23:00"), "start", str(RUNBOOK))
    run(state, at(28, "00:00"), "go", "1")
    run(state, at(28, "01:30"), "nogo", "2", "--reason", "Migreringen misslyckades")
    run(state, at(28, "07:20"), "rollback-done")
