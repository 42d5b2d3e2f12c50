"""`gonogo status` at 80 and 120 columns, through a 21.0 rehearsal on a fixed clock.

21.0 is Swedish, so is its screen; an English copy of it reads in English."""

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
    assert "servicefönstret har inte startat" in text
    assert "Servicefönster 23:00-07:00, börjar om 30 min" in text  # to the start, not the end
    # One line even at 80 columns, as a Swedish release manager says it.
    assert (
        "Sista tidpunkt för NoGo 05:30: senare hinner tillbakarullningen inte bli klar.\n" in text
    )
    assert "senast 23:00 öppna servicefönstret" in " ".join(text.split())
    assert "Nästa: `gonogo start RUNBOOK`" in text
    assert "Leveranser" not in text


@WIDTHS
def test_each_part_shows_whole_times_and_what_is_due(night: Night, width: int) -> None:
    night.at(0, "start", str(RUNBOOK))
    text = screen(night.view(5), width)
    assert "Att göra nu:" in text
    assert "statusmeddelande för del 1" in text
    assert "gonogo progress" in text
    assert len(TIME.findall(text)) == 6  # the window and every planned time, never cut
    assert "…" not in text
    night.at(30, "progress")
    text = screen(night.view(31), width)
    assert "statusmeddelande för del 1" not in text
    for part, minute in ((1, 60), (2, 180), (3, 270), (4, 330)):
        night.at(minute, "go", str(part))
        text = screen(night.view(minute + 1), width)
        assert f"del {part + 1} (" in text
        assert f"Go eller NoGo för del {part + 1}" in text or part + 1 == 5
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
    # --json is a machine contract (docs/json.md): English, whatever the screen says.
    assert [d["what"] for d in data["due"]] == [
        "start production verification (the go-ahead)",
        "decision on part 5: Go waits for production verification",
    ]
    assert data["description"] == "part 5 (ev) is in progress"
    assert data["next"] == "next: `gonogo verify start`, or `gonogo nogo 5 --reason ...`"
    text = screen(view, width)
    assert "Verifiering (spärrar del ev): inte startad (planerad 04:00)" in text
    assert "`gonogo verify start`" in text
    assert "gonogo go 5" not in text  # Go would be refused: never suggested
    night.at(335, "verify", "start")
    night.at(340, "verify", "Dalarna", "ok")
    night.at(341, "verify", "apoteket ab", "ok")
    text = screen(night.view(342), width)
    flat = " ".join(text.split())
    assert "återrapporter som saknas (5): Region Stockholm/TakeCare," in flat
    assert "Region Dalarna/TakeCare" not in flat
    assert "startad 04:35, 2 av 7 har rapporterat" in text
    assert "gonogo go 5" not in text
    assert "Nästa: `gonogo verify PARTICIPANT ok|fail`" in " ".join(text.split())


@WIDTHS
def test_after_nogo_the_rollback_end_is_due(night: Night, width: int) -> None:
    night.at(0, "start", str(RUNBOOK))
    night.at(20, "nogo", "databas", "--reason", "migreringen föll")
    text = screen(night.view(21), width)
    flat = " ".join(text.split())
    assert "senast 00:50 tillbakarullningen ska bli klar (väntat slut)" in flat
    assert "tillbakarullning pågår" in text  # as the report says it
    assert "Sista tidpunkt för NoGo" not in text
    assert "Verifiering" not in text
    assert "Nästa: `gonogo rollback-done`" in text
    night.at(90, "rollback-done")
    text = screen(night.view(91), width)
    flat = " ".join(text.split())
    assert "Utfall: tillbakarullad; servicefönstret öppnades 23:00, stängdes 00:30" in flat
    assert "kvar" not in text
    assert "Sista tidpunkt för NoGo" not in text
    assert "Att göra nu" not in text


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
    assert "Trafikljus: erecept röd" in screen(night.view(401), width)
    night.at(410, "end")
    view = night.view(411)
    assert "Trafikljus: alla gröna" in screen(view, width)
    # Some deliveries of the last dispatch failed and some are in doubt.
    last = view.night.dispatches[-1]
    groups = last.groups
    hurt = (dataclasses.replace(groups[0], status=Status.FAILED, count=2),
            dataclasses.replace(groups[0], status=Status.IN_DOUBT, count=1))  # fmt: skip
    dispatches = (*view.night.dispatches[:-1], dataclasses.replace(last, groups=groups + hurt))
    view = dataclasses.replace(view, night=dataclasses.replace(view.night, dispatches=dispatches))
    text = screen(view, width)
    flat = " ".join(text.split())
    assert "Utfall: genomförd; servicefönstret öppnades 23:00, stängdes 05:50" in flat
    assert "kvar" not in text
    assert "Sista tidpunkt för NoGo" not in text
    assert "Verifiering" not in text
    assert "window_completed: " in text
    assert "2 misslyckade" in text
    assert "1 osäkra" in text
    assert "2 misslyckade leveranser: kör `gonogo retry-failed`" in flat
    # Left in doubt on purpose (an e-mail): only the mail server's log can settle it.
    assert (
        "1 osäkra leveranser (se e-postserverns logg): kör "
        "`gonogo settle --mark-sent|--resend --reason TEXT`" in flat
    )
    assert "part_completed-part1: " in text


# The tool's English words, none of which the 21.0 screen may show (its commands stay).
ENGLISH = re.compile(
    r"REHEARSAL|nothing is sent|\bNow\b|\bnow\b|is in progress|in progress|\bWindow\b|\bleft\b"
    r"|Point of no return|latest NoGo|\bPart\b|\bOwner\b|\bPlanned\b|\bActual\b|\bLate\b"
    r"|\bDecision\b|on time|\bearly\b|Go by|NoGo by|Lights:|all green|\bred\b|Verification"
    r"|not started|\breported\b|Due now|\bby \d|overdue|OVERDUE|status message|Go or NoGo"
    r"|for part|reports still|reported a failure|Deliveries:|\d sent\b|\bfailed\b|in doubt"
    r"|pending|being sent|: run `|Next:|Hold on|Incident |next update|\bor `gonogo"
    r"|rollback to finish|has passed"
)


@WIDTHS
def test_the_21_0_screen_has_no_english_tool_words_left(night: Night, width: int) -> None:
    night.at(0, "start", str(RUNBOOK))
    night.at(5, "hold", "1", "--reason", "väntar på DBA")
    night.at(6, "incident", "open", "--priority", "1", "--summary", "E-recept är segt",
             "--services", "erecept")  # fmt: skip
    seen = [screen(night.view(40), width)]  # status message, hold, incident overdue
    night.at(41, "progress")
    for part, minute in ((1, 60), (2, 180), (3, 270), (4, 330)):
        night.at(minute, "go", str(part))
    seen.append(screen(night.view(332), width))  # verification not started
    night.at(335, "verify", "start")
    night.at(340, "verify", "dalarna", "fail")
    seen.append(screen(night.view(400), width))  # a failure, late, point of no return passed
    night.at(401, "nogo", "5", "--reason", "Dalarna svarar inte")
    seen.append(screen(night.view(402), width))  # rolling back
    night.at(460, "rollback-done")
    seen.append(screen(night.view(461), width))  # the outcome
    for text in seen:
        found = ENGLISH.findall(text)
        assert not found, (found, text)
    flat = " ".join(" ".join(seen).split())
    swedish = (
        "del 1 (databas) pågår",
        "Paus i del 1 sedan 23:05",
        "Driftstörning INC-1 P1",
        "uppdateringen FÖRSENAD sedan",
        "Sista tidpunkt för NoGo 05:30 har passerats",
        "NoGo av",
        "produktionsverifieringen misslyckades för Region Dalarna/TakeCare",
        "försenat 05:15",
        "tillbakarullning pågår",
        "Utfall: tillbakarullad",
    )
    for words in swedish:
        assert words in flat, words


@WIDTHS
def test_an_english_runbook_reads_in_english(night: Night, width: int, tmp_path: Path) -> None:
    from render import english_runbook  # noqa: PLC0415

    night.at(0, "start", str(english_runbook(tmp_path)))
    text = screen(night.view(5), width)
    flat = " ".join(text.split())
    for english in ("REHEARSAL (dry run): nothing is sent", "part 1 (databas) is in progress",
                    "Window 23:00-07:00, 7 h 55 min left",
                    "Point of no return 05:30: the latest NoGo that still fits the rollback.",
                    "Part", "Planned", "Actual", "Late", "Decision", "on time", "in progress",
                    "Lights: erecept red", "Due now:", "by 23:00 status message for part 1",
                    "by 00:00 Go or NoGo for part 1", "Deliveries: 37 of 37 sent",
                    "Next: `gonogo go 1` or `gonogo nogo 1 --reason ...`"):  # fmt: skip
        assert english in flat, english
    assert len(TIME.findall(text)) == 6
    assert not re.search(r"pågår|Servicefönster|Att göra|Nästa|Trafikljus|skickade", text)
