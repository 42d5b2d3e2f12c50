"""A moved, cancelled or extended window on the published site and in the report.

The clock is moved as for `announce`, `reschedule`, `cancel` and `extend` on the 21.0
rehearsal; the calendar is read back by two independent parsers (icalendar, vobject),
the feed by feedparser, as subscribers' programs would.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import feedparser
import pytest
import vobject
from freezegun import freeze_time
from icalendar import Calendar

from gonogo.cli import main
from gonogo.night.entries import Kind, NewEntry, Receipts
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.runbook.validate import load_valid
from render import RUNBOOK, STOCKHOLM, at, english_runbook, run
from render.browser import audit

FILES = ("status.json", "feed.xml", "index.html", "calendar.ics")
UID = "21.0-rehearsal-window@gonogo"
REASON = "ett fel i förberedelserna"


def publish(state: Path, out: Path) -> dict[str, bytes]:
    # Far from the night on purpose: nothing published may depend on the clock.
    with freeze_time("2030-01-01T00:00:00Z"):
        assert main(["publish", "--out", str(out), "--state-dir", str(state), "--dry-run"]) == 0
    return {name: (out / name).read_bytes() for name in FILES}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def event(files: dict[str, bytes]) -> dict[str, Any]:
    """The window's event as icalendar reads it, checked against vobject's reading."""
    [one] = Calendar.from_ical(files["calendar.ics"]).walk("VEVENT")
    [other] = vobject.readOne(files["calendar.ics"].decode()).vevent_list
    read = {
        "uid": str(one["uid"]),
        "sequence": int(one["sequence"]),
        "status": str(one["status"]),
        "start": one.decoded("dtstart"),
        "end": one.decoded("dtend"),
        "summary": str(one["summary"]),
        "description": str(one["description"]),
    }
    assert {
        "uid": other.uid.value,
        "sequence": int(other.sequence.value),
        "status": other.status.value,
        "start": other.dtstart.value,
        "end": other.dtend.value,
        "summary": other.summary.value,
        "description": other.description.value,
    } == read
    return read


def entries(files: dict[str, bytes]) -> dict[str, Any]:
    parsed = feedparser.parse(files["feed.xml"])
    assert not parsed.bozo, parsed.get("bozo_exception")
    return {e.id: e for e in parsed.entries}


@pytest.fixture(scope="module")
def moved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A week's notice, then the window moved a week and once more to 23:30."""
    state = tmp_path_factory.mktemp("moved")
    load_valid(RUNBOOK)
    run(state, at(20, "23:05"), "announce", str(RUNBOOK))
    return state


def test_a_moved_window_keeps_its_uid_and_its_sequence_counts_the_changes(
    moved: Path, tmp_path: Path
) -> None:
    announced = event(publish(moved, tmp_path / "announced"))
    assert (announced["uid"], announced["sequence"], announced["status"]) == (UID, 0, "CONFIRMED")
    assert announced["start"] == local(2021, 11, 27, 23)
    run(moved, at(21, "11:00"), "reschedule", "--date", "2021-12-04", "--reason", REASON)
    files = publish(moved, tmp_path / "moved")
    once = event(files)
    assert (once["uid"], once["sequence"], once["status"]) == (UID, 1, "CONFIRMED")
    assert (once["start"], once["end"]) == (local(2021, 12, 4, 23), local(2021, 12, 5, 7))
    assert once["description"].startswith(
        "Servicefönstret flyttas från lördag 27 november 2021 kl. 23.00 – söndag 28 november "
        "2021 kl. 07.00 till lördag 4 december 2021 kl. 23.00 – söndag 5 december 2021 kl. "
        f"07.00. Orsak: {REASON}."
    )
    run(moved, at(22, "09:00"), "reschedule", "--date", "2021-12-04", "--start", "23:30",
        "--end", "07:30", "--reason", "senare start")  # fmt: skip
    twice = event(publish(moved, tmp_path / "twice"))
    assert (twice["uid"], twice["sequence"]) == (UID, 2)
    assert (twice["start"], twice["end"]) == (local(2021, 12, 4, 23, 30), local(2021, 12, 5, 7, 30))
    # The feed has an item per move, at the moment it was journaled.
    files = publish(moved, tmp_path / "twice")
    found = entries(files)
    first = found["gonogo:21.0-rehearsal:moved:1"]
    assert first.title == (
        "Servicefönstret flyttas: Release 21.0 av tjänsteplattformen (övning), "
        "2021-12-04 23:00–2021-12-05 07:00"
    )
    assert first.published == "Sun, 21 Nov 2021 10:00:00 +0000"
    assert f"Orsak: {REASON}." in first.summary
    second = found["gonogo:21.0-rehearsal:moved:2"]
    assert second.summary.startswith(
        "Servicefönstret flyttas från lördag 4 december 2021 kl. 23.00 – söndag 5 december "
        "2021 kl. 07.00 till lördag 4 december 2021 kl. 23.30"
    )
    # The page and status.json: the new time, still planned (not "pågår": it has not opened).
    page = files["index.html"].decode()
    assert (
        '<p class="when">lördag 4 december 2021 kl. 23.30 – söndag 5 december 2021 kl. 07.30'
        " (övning)</p>"
    ) in page
    assert "Flyttat från lördag 27 november 2021 kl. 23.00" in page
    assert "(pågår)" not in page
    [window] = json.loads(files["status.json"])["windows"]
    assert (window["status"], window["start"], window["end"]) == (
        "planned", "2021-12-04T23:30:00+01:00", "2021-12-05T07:30:00+01:00",
    )  # fmt: skip
    assert [(c["change"], c["from"]["start"], c["to"]["start"]) for c in window["changes"]] == [
        ("moved", "2021-11-27T23:00:00+01:00", "2021-12-04T23:00:00+01:00"),
        ("moved", "2021-12-04T23:00:00+01:00", "2021-12-04T23:30:00+01:00"),
    ]
    assert {c["at"] for c in window["changes"]} == {"2021-11-21T10:00:00Z", "2021-11-22T08:00:00Z"}


def test_a_cancelled_window_is_cancelled_in_calendars_feed_and_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    load_valid(RUNBOOK)
    run(state, at(20, "23:05"), "announce", str(RUNBOOK))
    run(state, at(22, "10:00"), "cancel", "--reason", "beslut i förändringsrådet")
    files = publish(state, tmp_path / "site")
    cancelled = event(files)
    assert (cancelled["uid"], cancelled["sequence"], cancelled["status"]) == (
        UID, 1, "CANCELLED",
    )  # fmt: skip
    assert cancelled["start"] == local(2021, 11, 27, 23)
    assert cancelled["summary"].startswith("Servicefönster (inställt): Release 21.0")
    assert b"TRANSP:TRANSPARENT" in files["calendar.ics"]  # no longer blocks anyone's time
    item = entries(files)["gonogo:21.0-rehearsal:cancelled:1"]
    assert item.title == (
        "Servicefönstret är inställt: Release 21.0 av tjänsteplattformen (övning), "
        "2021-11-27 23:00–2021-11-28 07:00"
    )
    assert item.summary == (
        "Servicefönstret lördag 27 november 2021 kl. 23.00 – söndag 28 november 2021 kl. 07.00 "
        "är inställt. Berörda tjänster är i drift som vanligt. Orsak: beslut i förändringsrådet."
    )
    assert item.published == "Mon, 22 Nov 2021 09:00:00 +0000"
    assert item.link == "index.html#21.0-rehearsal"
    page = files["index.html"].decode()
    upcoming = page.split("<h2>Servicefönster</h2>")[1]
    assert '<strong class="cancelled">Inställt</strong>' in upcoming
    assert "Servicefönstret är inställt. Orsak: beslut i förändringsrådet." in upcoming
    [window] = json.loads(files["status.json"])["windows"]
    assert (window["status"], window["changes"][0]["to"]) == ("cancelled", None)
    # Same input, same bytes.
    assert publish(state, tmp_path / "again") == files
    # The report says so too, in the runbook's language.
    capsys.readouterr()
    with freeze_time("2021-11-29T12:00:00Z"):
        assert main(["report", "--state-dir", str(state), "--dry-run"]) == 0
    md = capsys.readouterr().out
    assert "**Utfall:** inställt" in md
    assert (
        "- Inställt måndag 22 november 2021 10:00 av anna; orsak: beslut i förändringsrådet\n"
    ) in md


def test_a_cancelled_window_whose_time_has_passed_is_among_the_earlier_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    load_valid(RUNBOOK)
    run(state, at(20, "23:05"), "announce", str(RUNBOOK))
    run(state, at(22, "10:00"), "cancel", "--reason", "beslut")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(at(28, "12:00").timestamp())))
    page = publish(state, tmp_path / "site")["index.html"].decode()
    assert "Inga planerade servicefönster." in page
    earlier = page.split("<h2>Tidigare servicefönster</h2>")[1]
    assert '<strong class="cancelled">Inställt</strong>' in earlier


@pytest.fixture(scope="module")
def extended(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The window opens, is extended to 08:30 at 05:00, and closes at 08:10."""
    state = tmp_path_factory.mktemp("extended")
    load_valid(RUNBOOK)
    run(state, at(27, "23:00"), "start", str(RUNBOOK))
    run(state, at(28, "05:00"), "extend", "--until", "08:30", "--reason",
        "migreringen tar längre tid")  # fmt: skip
    return state


def test_an_extended_window_shows_its_new_end(extended: Path, tmp_path: Path) -> None:
    files = publish(extended, tmp_path / "site")
    window = event(files)
    assert (window["uid"], window["sequence"], window["status"]) == (UID, 1, "CONFIRMED")
    assert (window["start"], window["end"]) == (local(2021, 11, 27, 23), local(2021, 11, 28, 8, 30))
    item = entries(files)["gonogo:21.0-rehearsal:extended:1"]
    assert item.title == (
        "Servicefönstret förlängs: Release 21.0 av tjänsteplattformen (övning), "
        "till senast 2021-11-28 08:30"
    )
    assert item.summary == (
        "Servicefönstret förlängs och avslutas senast söndag 28 november 2021 kl. 08.30, i "
        "stället för kl. 07.00 som tidigare meddelats. Orsak: migreringen tar längre tid."
    )
    assert item.published == "Sun, 28 Nov 2021 04:00:00 +0000"
    page = files["index.html"].decode()
    assert "Servicefönster till 08.30</span>" in page  # the lights: down until the new end
    assert "söndag 28 november 2021 kl. 08.30 (pågår) (övning)" in page
    assert "Förlängt till kl. 08.30, annonserat slut var kl. 07.00. Orsak: migreringen" in page
    state = json.loads(files["status.json"])
    assert state["windows"][0]["end"] == "2021-11-28T08:30:00+01:00"
    assert state["services"]["erecept"]["until"] == "2021-11-28T07:30:00Z"


def test_the_report_shows_the_announced_and_the_actual_end(
    extended: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    shutil.copytree(extended, state)
    for number, when in enumerate(("05:10", "05:20", "05:30", "06:00"), start=1):
        run(state, at(28, when), "go", str(number))
    run(state, at(28, "08:00"), "go", "5", "--override-verification", "--reason", "i morgon")
    run(state, at(28, "08:10"), "end")
    _receipts(state)
    capsys.readouterr()
    with freeze_time("2021-11-28T12:00:00Z"):
        assert main(["report", "--state-dir", str(state), "--dry-run"]) == 0
    md = capsys.readouterr().out
    assert (
        "- Planerat servicefönster: lördag 27 november 2021 23:00 – söndag 28 november 2021 08:30"
    ) in md
    assert (
        "- Annonserat slut: söndag 28 november 2021 07:00; förlängt till söndag 28 november "
        "2021 08:30\n"
    ) in md
    assert (
        "- Förlängt söndag 28 november 2021 05:00 av anna: till söndag 28 november 2021 08:30 "
        "(annonserat slut söndag 28 november 2021 07:00); orsak: migreringen tar längre tid\n"
    ) in md
    assert (
        "- Faktiskt servicefönster: lördag 27 november 2021 23:00 – söndag 28 november 2021 08:10"
    ) in md
    row = next(line for line in md.splitlines() if "| window_started |" in line)
    # Accepted: 7; on the phone: 3, one never arrived, three without a receipt yet.
    assert "Vårdgivare sms 7 (3 till telefonen, 1 kom aldrig fram)" in row
    html = tmp_path / "report.html"
    with freeze_time("2021-11-28T12:00:00Z"):
        args = ["--state-dir", str(state), "--dry-run", "--format", "html", "--out", str(html)]
        assert main(["report", *args]) == 0
    text = html.read_text(encoding="utf-8")
    assert (
        '<div class="card"><span>Annonserat slut</span><b>07:00</b>'
        "<span>förlängt till 08:30</span></div>"
    ) in text
    assert '(3 till telefonen, <span class="late">1 kom aldrig fram</span>)' in text
    # The published site of the closed window: among the past ones, with its real end.
    page = publish(state, tmp_path / "site")["index.html"].decode()
    past = page.split("<h2>Genomförda servicefönster</h2>")[1]
    assert "lördag 27 november 2021 kl. 23.00 – söndag 28 november 2021 kl. 08.30" in past
    assert "Förlängt till kl. 08.30" in past
    for width in (390, 1280):
        result = audit(html, width)
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], serious
        assert result["width"] <= width
        assert result["rightmost"] <= width


def _receipts(state: Path) -> None:
    """Twilio's receipts for the opening's SMS to Vårdgivare, as `deliveries --refresh`
    journals them (tests/cli/test_receipts_cli.py has the refresh against the server)."""
    journal = SqliteJournal.open(state / "21.0" / "rehearsal" / "journal.sqlite")
    try:
        sms = [d.id for d in journal.deliveries() if (d.channel, d.audience) == ("sms", "vard")]
        sms = sms[:4]
        receipts = Receipts(delivered=tuple(sms[:3]), undelivered=(sms[3],), codes=("30003",))
        journal.append(NewEntry(Kind.RECEIPTS, receipts), at=at(28, "08:20"), operator="anna",
                       runbook_sha256=journal.entries()[0].runbook_sha256)  # fmt: skip
    finally:
        journal.close()


def test_the_report_in_english_for_an_english_runbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    english = english_runbook(tmp_path)
    state = tmp_path / "state"
    run(state, at(27, "23:00"), "start", str(english))
    run(state, at(28, "05:00"), "extend", "--until", "08:30", "--reason", "slow migration")
    capsys.readouterr()
    with freeze_time("2021-11-28T12:00:00Z"):
        assert main(["report", "--state-dir", str(state), "--dry-run"]) == 0
    md = capsys.readouterr().out
    assert (
        "- Announced end: Sunday 28 November 2021 07:00; extended to Sunday 28 November 2021 "
        "08:30\n"
    ) in md
    assert "- Extended Sunday 28 November 2021 05:00 by anna: to Sunday 28 November" in md
    assert md.rstrip().endswith("|")  # the rest of the report is there


def _screen(state: Path, when: dt.datetime, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    with freeze_time(when):
        assert main(["status", "--state-dir", str(state), "--dry-run"]) == 0
    return " ".join(capsys.readouterr().out.split())


def test_a_window_days_ahead_shows_its_date_and_when_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before it opens, the screen counts to the window's start, not its end, and dates
    a window that is not tonight's; cancelled, it says which window was called off."""
    monkeypatch.setenv("COLUMNS", "200")
    run(tmp_path, at(20, "23:05"), "announce", str(RUNBOOK))  # a week ahead
    screen = _screen(tmp_path, at(20, "23:10"), capsys)
    assert "Servicefönster 2021-11-27 23:00-07:00, börjar om 6 dagar 23 h" in screen
    assert "kvar" not in screen.split("Sista tidpunkt")[0]
    screen = _screen(tmp_path, at(27, "22:30"), capsys)  # the night itself: no date
    assert "Servicefönster 23:00-07:00, börjar om 30 min" in screen
    run(tmp_path, at(27, "22:40"), "cancel", "--reason", "beslut")
    screen = _screen(tmp_path, at(28, "10:00"), capsys)
    assert "servicefönstret 2021-11-27 23:00-07:00 ställdes in 22:40 av anna" in screen
    english = english_runbook(tmp_path / "en")
    run(tmp_path / "en-state", at(20, "23:05"), "announce", str(english))
    screen = _screen(tmp_path / "en-state", at(20, "23:10"), capsys)
    assert "Window 2021-11-27 23:00-07:00, starts in 6 days 23 h" in screen
