"""`gonogo status` at 80 and 120 columns, through a 21.0 rehearsal on a fixed clock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from gonogo.cli import runner
from gonogo.night import clock as clocks
from gonogo.night.journal import Status
from gonogo.night.runs import locate, open_run, state_root
from gonogo.night.snapshot import fold
from gonogo.night.view import NightView, view_of_night
from gonogo.render.status import print_status

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "runbooks" / "release-21.0.yaml"
T0 = dt.datetime(2026, 3, 14, 22, 0, tzinfo=dt.UTC)  # 23:00 in Stockholm
TIME = re.compile(r"\d\d:\d\d-\d\d:\d\d")


class Night:
    """A rehearsal driven command by command at chosen minutes after 23:00."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.clock = clocks.FixedClock(T0)
        self.run = runner()

    def at(self, minute: int, *args: str) -> str:
        self.clock = clocks.FixedClock(T0 + dt.timedelta(minutes=minute))
        with clocks.using(self.clock):
            code, out = self.run([*args, "--dry-run", "--yes", "--state-dir", str(self.state)])
        assert code == 0, out
        return out

    def view(self, minute: int) -> NightView:
        run = open_run(locate(state_root(self.state), None, True))
        now = T0 + dt.timedelta(minutes=minute)
        return view_of_night(run, run.night(), now)


def screen(view: NightView, width: int) -> str:
    out = Console(width=width, record=True, highlight=False, file=open(  # noqa: SIM115
        "/dev/null", "w", encoding="utf-8"))  # fmt: skip
    print_status(view, out)
    text = out.export_text()
    out.file.close()
    for line in text.splitlines():
        assert len(line) <= width, line
    return text


@pytest.fixture
def night(tmp_path: Path) -> Iterator[Night]:
    return Night(tmp_path)


WIDTHS = pytest.mark.parametrize("width", [80, 120])


@WIDTHS
def test_before_start(night: Night, width: int) -> None:
    night.at(0, "start", str(RUNBOOK))
    view = night.view(-30)
    before = fold((), (), view.run.runbook)  # the same run, as it stood before its start
    text = screen(dataclasses.replace(view, night=before), width)
    assert "the window has not started" in text
    assert "Window 23:00-07:00, 8 h 30 min left" in text
    assert "by 23:00 open the window" in " ".join(text.split())
    assert "Next: `gonogo start RUNBOOK`" in text
    assert "Deliveries" not in text


@WIDTHS
def test_each_part_shows_whole_times_and_what_is_due(night: Night, width: int) -> None:
    night.at(0, "start", str(RUNBOOK))
    text = screen(night.view(5), width)
    assert "Due now:" in text
    assert "status message for part 1" in text
    assert "gonogo progress" in text
    assert len(TIME.findall(text)) == 6  # the window and every planned time, never cut
    assert "…" not in text
    night.at(30, "progress")
    text = screen(night.view(31), width)
    assert "status message for part 1" not in text
    for part, minute in ((1, 60), (2, 180), (3, 270), (4, 330)):
        night.at(minute, "go", str(part))
        text = screen(night.view(minute + 1), width)
        assert f"part {part + 1} (" in text
        assert f"Go or NoGo for part {part + 1}" in text or part + 1 == 5
        assert "…" not in text


@WIDTHS
def test_part_5_waiting_for_verification(night: Night, width: int) -> None:
    night.at(0, "start", str(RUNBOOK))
    night.at(10, "progress")
    for part, minute in ((1, 60), (2, 180), (3, 270), (4, 330)):
        night.at(minute, "go", str(part))
    view = night.view(331)
    data = view.as_dict()
    assert [d["command"] for d in data["due"]] == [
        "gonogo verify start",
        "gonogo nogo 5 --reason TEXT",
    ]
    assert data["next"] == "next: `gonogo verify start`, or `gonogo nogo 5 --reason ...`"
    text = screen(view, width)
    assert "Verification (gates ev): not started" in text
    assert "`gonogo verify start`" in text
    assert "gonogo go 5" not in text  # Go would be refused: never suggested
    night.at(335, "verify", "start")
    night.at(340, "verify", "Dalarna", "ok")
    night.at(341, "verify", "apoteket ab", "ok")
    text = screen(night.view(342), width)
    flat = " ".join(text.split())
    assert "reports still to come (5): Region Stockholm/TakeCare," in flat
    assert "Region Dalarna/TakeCare" not in flat
    assert "started 04:35, 2 of 7 reported" in text
    assert "gonogo go 5" not in text
    assert "Next: `gonogo verify PARTICIPANT ok|fail`" in " ".join(text.split())


@WIDTHS
def test_after_nogo_the_rollback_end_is_due(night: Night, width: int) -> None:
    night.at(0, "start", str(RUNBOOK))
    night.at(20, "nogo", "databas", "--reason", "migreringen föll")
    text = screen(night.view(21), width)
    assert "by 00:50 rollback to finish (expected end)" in " ".join(text.split())
    assert "Point of no return" not in text
    assert "Verification" not in text
    assert "Next: `gonogo rollback-done`" in text
    night.at(90, "rollback-done")
    text = screen(night.view(91), width)
    assert "Outcome: rolled back; window opened 23:00, closed 00:30" in text
    assert "left" not in text
    assert "Point of no return" not in text
    assert "Due now" not in text


@WIDTHS
def test_after_end_with_failed_and_in_doubt_deliveries(night: Night, width: int) -> None:
    night.at(0, "start", str(RUNBOOK))
    night.at(10, "progress")
    minutes = (60, 180, 270, 330)
    for part, minute in enumerate(minutes, 1):
        night.at(minute, "go", str(part))
    night.at(335, "verify", "start")
    night.at(400, "go", "5", "--override-verification", "--reason", "alla svarade i mötet")
    # Lights and texts agree: part 5's Go says the lights turn green when the window
    # ends, and they do then, not before.
    assert "Lights: erecept red" in screen(night.view(401), width)
    night.at(410, "end")
    view = night.view(411)
    assert "Lights: all green" in screen(view, width)
    # Some deliveries of the last dispatch failed and some are in doubt.
    last = view.night.dispatches[-1]
    groups = last.groups
    hurt = (dataclasses.replace(groups[0], status=Status.FAILED, count=2),
            dataclasses.replace(groups[0], status=Status.IN_DOUBT, count=1))  # fmt: skip
    dispatches = (*view.night.dispatches[:-1], dataclasses.replace(last, groups=groups + hurt))
    view = dataclasses.replace(view, night=dataclasses.replace(view.night, dispatches=dispatches))
    text = screen(view, width)
    assert "Outcome: completed; window opened 23:00, closed 05:50" in text
    assert "left" not in text
    assert "Point of no return" not in text
    assert "Verification" not in text
    assert "window_completed: " in text
    assert "2 failed" in text
    assert "1 in doubt" in text
    assert "2 failed deliveries: run `gonogo retry-failed`" in " ".join(text.split())
    # Left in doubt on purpose (an e-mail): only the mail server's log can settle it.
    assert (
        "1 deliveries in doubt (check the mail server's log): run "
        "`gonogo settle --mark-sent|--resend --reason TEXT`" in " ".join(text.split())
    )
    assert "part_completed-part1: " in text
