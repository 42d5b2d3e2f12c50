"""Time: nights across midnight and DST, off-plan starts, a rehearsal's shifted plan.

In-process with freezegun. pydantic builds its models (and their datetime schemas) the
first time a runbook is validated, which must happen before freezegun is entered.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from gonogo.cli import main
from gonogo.errors import GonogoError
from gonogo.night import actions
from gonogo.night.clock import SystemClock
from gonogo.night.entries import Kind, Started
from gonogo.night.session import Session
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.night.view import night_view
from gonogo.runbook.validate import load_valid

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
STOCKHOLM = ZoneInfo("Europe/Stockholm")
load_valid(RUNBOOKS / "release-21.0.yaml")  # build pydantic's models before any freeze_time


def local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=STOCKHOLM)


def _quiet_runbook(tmp_path: Path, **times: str) -> Path:
    """A copy of 21.0 whose audiences have no recipients: a real run that sends nothing.

    `times` replaces values in the YAML, e.g. date="2021-03-27", part3="01:00".
    """
    shutil.copytree(RUNBOOKS, tmp_path / "runbooks")
    path = tmp_path / "runbooks" / "release-21.0.yaml"
    text = re.sub(r"(?m)^    recipients: recipients/\w+\.csv\n", "", path.read_text("utf-8"))
    if "date" in times:
        text = text.replace("date: 2021-11-27", f"date: {times['date']}")
    for key, value in times.items():
        if key.startswith("part"):
            old_start, old_duration = {
                "part2": ('"00:00"', "2h"), "part3": ('"02:00"', "45m"),
                "part4": ('"02:45"', "1h15m"), "part5": ('"04:00"', "1h15m"),
            }[key]  # fmt: skip
            start, duration = value.split("/")
            old = f"    start: {old_start}\n    duration: {old_duration}\n"
            assert old in text, key
            text = text.replace(old, f'    start: "{start}"\n    duration: {duration}\n', 1)
    if "verification" in times:
        text = text.replace('  starts: "04:00"', f'  starts: "{times["verification"]}"')
    path.write_text(text, "utf-8")
    load_valid(path)  # still valid (pydantic is warm; we are not frozen here)
    return path


@contextmanager
def _view(state: Path, *, dry_run: bool = False) -> Iterator[dict[str, Any]]:
    view = night_view(state, None, dry_run, SystemClock())
    try:
        yield view.as_dict()
    finally:
        view.run.close()


def _status(state: Path, *, dry_run: bool = False) -> dict[str, Any]:
    with _view(state, dry_run=dry_run) as found:
        return found


def _run(state: Path, *args: str) -> None:
    assert main([*args, "--state-dir", str(state), "--yes"]) == 0


def test_a_night_across_midnight(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _quiet_runbook(tmp_path)
    state = tmp_path / "state"
    with freeze_time(local("2021-11-27T23:05")) as clock:
        _run(state, "start", str(book), "--by", "anna")
        clock.move_to(local("2021-11-28T00:20"))
        _run(state, "go", "1", "--by", "anna")
        clock.move_to(local("2021-11-28T01:00"))
        night = _status(state)
    capsys.readouterr()
    part1, part2 = night["parts"][:2]
    assert part1["started"] == "2021-11-27T23:05:00+01:00"
    assert part1["ended"] == "2021-11-28T00:20:00+01:00"
    assert part1["late_minutes"] == 20  # planned to end 00:00, the day after it started
    assert part2["started"] == "2021-11-28T00:20:00+01:00"
    assert part2["late_minutes"] == 20
    assert night["window"]["minutes_left"] == 6 * 60
    assert night["point_of_no_return"] == "2021-11-28T05:30:00+01:00"
    assert night["point_of_no_return_passed"] is False
    with freeze_time(local("2021-11-28T05:31")):
        night = _status(state)
    assert night["point_of_no_return_passed"] is True
    assert night["parts"][1]["late_minutes"] == (5 * 60 + 31) - 2 * 60  # overdue since 02:00


@pytest.mark.parametrize(
    ("date", "times", "hours", "probe", "left"),
    [
        # Spring forward: 02:00 -> 03:00 on 2021-03-28; no part may start in the gap.
        ("2021-03-27", {"part2": "00:00/1h", "part3": "01:00/45m", "part4": "03:00/1h",
                        "part5": "04:00/1h15m"}, 7, "2021-03-28T03:30", 210),
        # Fall back: 03:00 -> 02:00 on 2021-10-31; 02:00 is the first (summer time) one.
        ("2021-10-30", {}, 9, "2021-10-31T02:30", 330),
    ],
    ids=["spring-forward", "fall-back"],
)  # fmt: skip
def test_dst_nights_in_stockholm(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    date: str,
    times: dict[str, str],
    hours: int,
    probe: str,
    left: int,
) -> None:
    book = _quiet_runbook(tmp_path, date=date, **times)
    state = tmp_path / "state"
    start = local(f"{date}T23:00")
    with freeze_time(start):
        _run(state, "start", str(book))
        night = _status(state)
    capsys.readouterr()
    window_start = dt.datetime.fromisoformat(night["window"]["start"])
    window_end = dt.datetime.fromisoformat(night["window"]["end"])
    assert window_end - window_start == dt.timedelta(hours=hours)
    assert night["window"]["minutes_left"] == hours * 60
    pnr = dt.datetime.fromisoformat(night["point_of_no_return"])
    assert (pnr.hour, pnr.minute) == (5, 30)
    assert window_end - pnr == dt.timedelta(hours=1, minutes=30)
    # fold=0 for the ambiguous hour: the first 02:30 (summer time) in the autumn.
    with freeze_time(local(probe)):
        night = _status(state)
    assert night["window"]["minutes_left"] == left
    assert night["point_of_no_return_passed"] is False


def test_fall_back_lateness_counts_the_repeated_hour(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _quiet_runbook(tmp_path, date="2021-10-30")
    state = tmp_path / "state"
    summer = dt.timezone(dt.timedelta(hours=2))
    winter = dt.timezone(dt.timedelta(hours=1))
    with freeze_time(dt.datetime(2021, 10, 30, 23, 0, tzinfo=summer)) as clock:
        _run(state, "start", str(book))
        clock.move_to(dt.datetime(2021, 10, 31, 0, 0, tzinfo=summer))
        _run(state, "go", "1")
        # Part 2 is planned 00:00-02:00 summer time; Go at 02:10 winter time is 70 min late.
        clock.move_to(dt.datetime(2021, 10, 31, 2, 10, tzinfo=winter))
        _run(state, "go", "2")
        night = _status(state)
    capsys.readouterr()
    assert night["parts"][1]["late_minutes"] == 70
    # Rendered outside freeze_time: its FakeDatetime.astimezone drops `fold`, and would
    # show the second 02:10 with the summer offset.
    assert _status(state)["parts"][1]["ended"] == "2021-10-31T02:10:00+01:00"


@pytest.mark.parametrize(("at", "minutes"), [("2021-11-27T20:00", -180), ("2021-11-28T00:30", 90)])
def test_starting_off_plan_asks_and_journals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], at: str, minutes: int
) -> None:
    book = _quiet_runbook(tmp_path)
    state = tmp_path / "state"
    asked: list[str] = []
    shown: list[str] = []

    def session(answer: bool) -> Session:
        def confirm(question: str, _language: str) -> bool:
            asked.append(question)
            return answer

        return Session(clock=SystemClock(), operator="anna", confirm=confirm,
                       show=shown.append, state_dir=state)  # fmt: skip

    with freeze_time(local(at)):
        with pytest.raises(GonogoError, match="nothing was journaled or sent"):
            actions.start(session(False), book)
        assert asked == ["Starta servicefönstret ändå?"]
        assert not (state / "21.0" / "real" / "journal.sqlite").exists()
        actions.start(session(True), book)
    when = "efter" if minutes > 0 else "före"
    hours, rest = divmod(abs(minutes), 60)
    assert any(f"{hours} h {rest:02d} min {when} planerad start" in s for s in shown)
    with closing(SqliteJournal.open(state / "21.0" / "real" / "journal.sqlite")) as journal:
        start = journal.entries()[0]
    assert (start.kind, start.payload) == (Kind.START, Started(off_plan_minutes=minutes))
    capsys.readouterr()


@pytest.mark.parametrize(
    ("start", "go", "planned", "late"),
    [
        # Five years after its date: late against 23:00 that night (was 2635235 minutes).
        ("2026-12-01T23:12", "2026-12-02T00:10", "2026-12-01T23:00:00+01:00", (12, 10)),
        # In summer: the runbook's local times on that night, in summer time.
        ("2026-07-01T22:50", "2026-07-02T00:05", "2026-07-01T23:00:00+02:00", (-10, 5)),
        # Hours late on the planned night is late, not another night's plan.
        ("2021-11-28T01:30", "2021-11-28T02:00", "2021-11-27T23:00:00+01:00", (150, 120)),
    ],
)
def test_a_night_started_on_another_date_is_late_against_that_nights_plan(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    start: str,
    go: str,
    planned: str,
    late: tuple[int, int],
) -> None:
    book = _quiet_runbook(tmp_path)
    state = tmp_path / "state"
    with freeze_time(local(start)) as clock:
        _run(state, "start", str(book))  # --yes confirms the start far from the plan
        clock.move_to(local(go))
        _run(state, "go", "1")
        night = _status(state)
        capsys.readouterr()
        assert main(["report", "--state-dir", str(state)]) == 0
        report = capsys.readouterr().out
    first = night["parts"][0]
    assert first["planned_start"] == planned
    assert first["late_minutes"] == late[1]  # a part that has ended: its end
    row = next(line for line in report.splitlines() if line.startswith("| 1 "))
    words = [f"{n} min sent" if n > 0 else f"{-n} min tidigt" for n in late]
    assert f"| {words[0]} | {words[1]} |" in row
    with closing(SqliteJournal.open(state / "21.0" / "real" / "journal.sqlite")) as journal:
        assert journal.entries()[0].payload.off_plan_minutes  # journaled as it was


def test_starting_within_the_hour_asks_nothing(tmp_path: Path) -> None:
    book = _quiet_runbook(tmp_path)
    asked: list[str] = []

    def confirm(question: str, _language: str) -> bool:
        asked.append(question)
        return False

    session = Session(clock=SystemClock(), operator="anna", confirm=confirm,
                      show=lambda _line: None, state_dir=tmp_path / "state")  # fmt: skip
    with freeze_time(local("2021-11-27T22:10")):
        actions.start(session, book)
    assert asked == []


def test_a_dry_run_at_another_time_shifts_the_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    shutil.copytree(RUNBOOKS, tmp_path / "runbooks")
    book = tmp_path / "runbooks" / "release-21.0.yaml"
    with freeze_time(local("2021-11-20T10:00")) as clock:
        _run(state, "start", str(book), "--dry-run")
        clock.move_to(local("2021-11-20T11:25"))
        _run(state, "go", "1", "--dry-run")
        night = _status(state, dry_run=True)
    capsys.readouterr()
    assert night["window"]["start"] == "2021-11-20T10:00:00+01:00"
    assert night["window"]["end"] == "2021-11-20T18:00:00+01:00"
    assert night["point_of_no_return"] == "2021-11-20T16:30:00+01:00"
    assert night["parts"][1]["planned_start"] == "2021-11-20T11:00:00+01:00"
    assert night["parts"][0]["late_minutes"] == 25
    assert night["window"]["minutes_left"] == 6 * 60 + 35
    with closing(SqliteJournal.open(state / "21.0" / "rehearsal" / "journal.sqlite")) as journal:
        start = journal.entries()[0]
    assert start.payload == Started(dry_run=True)  # a rehearsal is never off plan
    assert "off_plan_minutes" not in start.data


def test_a_rehearsal_across_the_fall_back_night_keeps_the_plans_local_times(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rehearsed at 23:00 on the night the clocks go back (2026-10-25 03:00 -> 02:00):
    the plan is resolved on that night, not moved by a fixed delta, so part 5 still
    starts at 04:00 local and the window still ends at 07:00 local, an hour later in
    instants than a fixed shift would give."""
    state = tmp_path / "state"
    shutil.copytree(RUNBOOKS, tmp_path / "runbooks")
    book = tmp_path / "runbooks" / "release-21.0.yaml"
    with freeze_time(local("2026-10-24T23:00")):
        _run(state, "start", str(book), "--dry-run")
        night = _status(state, dry_run=True)
    capsys.readouterr()
    assert night["window"]["start"] == "2026-10-24T23:00:00+02:00"
    assert night["window"]["end"] == "2026-10-25T07:00:00+01:00"
    assert night["parts"][4]["planned_start"] == "2026-10-25T04:00:00+01:00"
    assert night["parts"][0]["planned_start"] == "2026-10-24T23:00:00+02:00"
