"""The operational-information site: read back as a feed reader, a calendar and a browser would."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import feedparser
import pytest
import vobject
from freezegun import freeze_time
from icalendar import Calendar

from gonogo.cli import main
from gonogo.runbook.validate import load_valid
from render import RUNBOOK, at, completed_night, rollback_night, run
from render.browser import audit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FILES = ("status.json", "feed.xml", "index.html", "calendar.ics")
RED, GREEN = (0xD9, 0x30, 0x25), (0x1E, 0x8E, 0x3E)


@pytest.fixture(scope="module")
def disrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The completed night, then an open priority-1 incident on E-recept the next morning."""
    state = tmp_path_factory.mktemp("state")
    completed_night(state)
    run(state, at(28, "09:00"), "incident", "open", "--priority", "1",
        "--summary", "E-recept svarar inte", "--services", "erecept")  # fmt: skip
    return state


def publish(state: Path, out: Path, *args: str) -> dict[str, bytes]:
    # The clock is far from the night on purpose: nothing published may depend on it.
    with freeze_time("2030-01-01T00:00:00Z"):
        assert main(["publish", "--out", str(out), "--state-dir", str(state), *args]) == 0
    return {name: (out / name).read_bytes() for name in FILES}


def test_same_input_same_bytes(disrupted: Path, tmp_path: Path) -> None:
    first = publish(disrupted, tmp_path / "a", "--dry-run")
    with freeze_time("2031-06-01T12:00:00Z"):
        assert main(["publish", "--out", str(tmp_path / "b"), "--state-dir", str(disrupted),
                     "--dry-run"]) == 0  # fmt: skip
    second = {name: (tmp_path / "b" / name).read_bytes() for name in FILES}
    assert first == second
    assert publish(disrupted, tmp_path / "a", "--dry-run") == first


def test_only_rehearsals_without_dry_run_is_refused(
    disrupted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the page people read")
    assert main(["publish", "--out", str(out), "--state-dir", str(disrupted)]) == 1
    err = capsys.readouterr().err
    assert f"gonogo: error: nothing to publish: {disrupted} has only rehearsals (21.0); " in err
    assert "--dry-run publishes them" in err
    assert "Traceback" not in err
    assert (out / "index.html").read_text() == "the page people read"


def test_no_runs_at_all_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "--out", str(tmp_path / "site"), "--state-dir", str(tmp_path)]) == 1
    assert "nothing to publish: no run in" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


def test_an_empty_site_when_asked_has_no_made_up_date(disrupted: Path, tmp_path: Path) -> None:
    files = publish(disrupted, tmp_path / "site", "--allow-empty")
    state = json.loads(files["status.json"])
    assert (state["windows"], state["services"], state["updated"]) == ([], {}, None)
    assert state["major_disruption"] is False
    for data in files.values():
        assert b"1970" not in data
    parsed = feedparser.parse(files["feed.xml"])
    assert (parsed.bozo, parsed.entries, "updated" in parsed.feed) == (False, [], False)


def test_status_json(disrupted: Path, tmp_path: Path) -> None:
    state = json.loads(publish(disrupted, tmp_path, "--dry-run")["status.json"])
    assert state["updated"] == "2021-11-28T08:00:00Z"
    assert state["major_disruption"] is True
    assert state["services"]["erecept"] == {
        "name": "E-recept", "class": "A", "colour": "red",
        "since": "2021-11-28T08:00:00Z", "why": "incident INC-3 opened",
        "why_text": "driftstörning INC-3 öppnad", "rehearsal": True, "until": None,
    }  # fmt: skip
    assert {s["colour"] for k, s in state["services"].items() if k != "erecept"} == {"green"}
    assert [(i["id"], i["major"], i["rehearsal"]) for i in state["incidents"]] == [
        ("INC-3", True, True)
    ]
    # Resolved in the week before the build (the latest journaled moment), latest first.
    assert [(i["id"], i["resolved"]) for i in state["resolved"]] == [
        ("INC-2", "2021-11-28T07:00:00Z"), ("INC-1", "2021-11-28T01:40:00Z"),
    ]  # fmt: skip
    [window] = state["windows"]
    assert (window["start"], window["end"], window["status"], window["outcome"]) == (
        "2021-11-27T23:00:00+01:00", "2021-11-28T07:00:00+01:00", "done", "completed",
    )  # fmt: skip


def test_feed_has_every_window_incident_and_update(disrupted: Path, tmp_path: Path) -> None:
    parsed = feedparser.parse(publish(disrupted, tmp_path, "--dry-run")["feed.xml"])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == "Driftinformation"
    assert parsed.feed.language == "sv"
    titles = [e.title for e in parsed.entries]
    assert titles == [
        "Driftstörning INC-3 (övning, prioritet 1): E-recept svarar inte",
        "Åtgärdad INC-2 (övning): Omstart gjord",
        "Driftstörning INC-2 (övning, prioritet 1): E-recept svarar inte",
        "Servicefönstret är avslutat: Release 21.0 av tjänsteplattformen (övning), "
        "produktionssättningen är genomförd",
        "Åtgärdad INC-1 (övning): Åtgärdat",
        "Uppdatering INC-1 (övning): Felsökning pågår i <db01>",
        "Driftstörning INC-1 (övning, prioritet 2): Förskrivning går långsamt | test",
        "Servicefönster: Release 21.0 av tjänsteplattformen (övning), "
        "2021-11-27 23:00–2021-11-28 07:00",
    ]
    window = parsed.entries[-1]
    assert window.summary.startswith("Under denna tidpunkt genomförs produktionssättning")
    assert window.id == "gonogo:21.0-rehearsal:window"
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)
    assert parsed.entries[0].published == "Sun, 28 Nov 2021 08:00:00 +0000"
    assert "Berörda tjänster: E-recept" in parsed.entries[0].summary


def test_calendar_has_every_window_in_its_time_zone(disrupted: Path, tmp_path: Path) -> None:
    english = EXAMPLES / "english-variant.yaml"
    files = publish(disrupted, tmp_path, "--dry-run", "--runbook", str(english))
    calendar = Calendar.from_ical(files["calendar.ics"])
    events = calendar.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [
        "liiv-npl-4.2-window@gonogo",
        "21.0-rehearsal-window@gonogo",
    ]
    [tz] = calendar.walk("VTIMEZONE")
    assert str(tz["tzid"]) == "Europe/Stockholm"
    night = events[1]
    start, end = night.decoded("dtstart"), night.decoded("dtend")
    assert (start.isoformat(), end.isoformat()) == (
        "2021-11-27T23:00:00+01:00", "2021-11-28T07:00:00+01:00"
    )  # fmt: skip
    assert str(start.tzinfo) == "Europe/Stockholm"
    assert b"DTSTART;TZID=Europe/Stockholm:20211127T230000" in files["calendar.ics"]
    assert b"RDATE" not in files["calendar.ics"]  # Outlook mishandles the RDATE list form
    assert b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10" in files["calendar.ics"]
    # A second, independent parser agrees on the instants.
    other = vobject.readOne(files["calendar.ics"].decode())
    assert [e.dtstart.value.astimezone(dt.UTC) for e in other.vevent_list] == [
        e.decoded("dtstart").astimezone(dt.UTC) for e in events
    ]
    # The announced window's stamp is its start (before the build), the run's its last event.
    assert [e.dtstamp.value for e in other.vevent_list] == [
        dt.datetime(2021, 11, 14, 7, tzinfo=dt.UTC),
        dt.datetime(2021, 11, 28, 8, tzinfo=dt.UTC),
    ]
    assert "Release 21.0" in str(night["summary"])
    liiv = str(events[0]["description"])
    assert "The LiiV system will be shut down" in liiv
    assert "Under denna tidpunkt kommer LiiV att vara nedstängt" in liiv


def test_page_banner_lights_and_windows(disrupted: Path, tmp_path: Path) -> None:
    english = EXAMPLES / "english-variant.yaml"
    html = publish(disrupted, tmp_path, "--dry-run", "--runbook", str(english))["index.html"]
    page = html.decode()
    assert '<div class="banner" role="alert">' in page
    assert "Större driftstörning (övning): E-recept svarar inte (E-recept)." in page
    assert (
        '<div class="light" id="service-erecept"><div class="lamp red" role="img" '
        'aria-label="Röd" title="Röd"></div><div><b>E-recept</b>'
        "<span>Inte tillgänglig sedan 09.00</span>"
    ) in page
    assert '<div class="lamp green" role="img" aria-label="Grön" title="Grön">' in page
    assert 'title="red"' not in page
    assert "söndag 14 november 2021 kl. 08.00 – söndag 14 november 2021 kl. 18.00" in page
    assert '<p class="en" lang="en">The LiiV system will be shut down' in page
    assert "Genomförda servicefönster" in page
    recent = page.split("<h2>Nyligen åtgärdade driftstörningar</h2>")[1].split("<h2>")[0]
    assert "INC-2 (övning): E-recept svarar inte" in recent
    assert "åtgärdad söndag 28 november 2021 kl. 08.00" in recent
    assert "02.25 Felsökning pågår i &lt;db01&gt;" in recent
    assert "<script" not in page


def test_no_banner_without_an_open_major_incident(tmp_path: Path) -> None:
    state = tmp_path / "state"
    completed_night(state)
    page = publish(state, tmp_path / "site", "--dry-run")["index.html"].decode()
    assert "banner" not in page.split("<body>")[1]
    assert 'class="lamp red"' not in page


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _pixels(png: bytes) -> set[tuple[int, int, int]]:
    """The colours of an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, width, channels = 8, b"", 0, 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        body = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, _h, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, interlace) == (8, 0)
            assert colour in (2, 6)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            data += body
        pos += 12 + length
    raw, stride = zlib.decompress(data), width * channels
    found: set[tuple[int, int, int]] = set()
    previous = bytearray(stride)
    for row in range(len(raw) // (stride + 1)):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1 :][:stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                best = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + best) & 0xFF
        found.update((line[i], line[i + 1], line[i + 2]) for i in range(0, stride, channels))
        previous = line
    return found


def _near(colour: tuple[int, int, int], pixels: set[tuple[int, int, int]]) -> bool:
    return any(all(abs(a - b) <= 4 for a, b in zip(colour, p, strict=True)) for p in pixels)


def test_page_shows_the_lights_in_chromium(disrupted: Path, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        reason = "Chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{reason}; CI must run the screenshot check", pytrace=False)
        pytest.skip(reason)
    publish(disrupted, tmp_path / "site", "--dry-run")
    shot = tmp_path / "page.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", "--window-size=1000,700",
             f"--screenshot={shot}", (tmp_path / "site" / "index.html").as_uri()],
            capture_output=True, timeout=120, check=False,
        )  # fmt: skip
    assert shot.is_file(), "Chromium wrote no screenshot"
    pixels = _pixels(shot.read_bytes())
    assert _near(RED, pixels), "no red light (or banner) on the page"
    assert _near(GREEN, pixels), "no green light on the page"


def test_feed_links_are_absolute_with_a_base_url(disrupted: Path, tmp_path: Path) -> None:
    files = publish(disrupted, tmp_path, "--dry-run", "--base-url", "https://drift.example.se/info")
    parsed = feedparser.parse(files["feed.xml"])
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.link == "https://drift.example.se/info/index.html"
    [self_link] = [link for link in parsed.feed.links if link.rel == "self"]
    assert self_link.href == "https://drift.example.se/info/feed.xml"
    assert self_link.type == "application/rss+xml"
    links = {e.title.split(":")[0]: e.link for e in parsed.entries}
    assert links["Driftstörning INC-3 (övning, prioritet 1)"] == (
        "https://drift.example.se/info/index.html#21.0-rehearsal-INC-3"
    )
    assert links["Servicefönster"] == "https://drift.example.se/info/index.html#21.0-rehearsal"
    # Every link points at an element the page has.
    page = files["index.html"].decode()
    for entry in parsed.entries:
        if "INC-3" in entry.link or "INC-2" in entry.link or "#21.0-rehearsal" in entry.link:
            assert f'id="{entry.link.split("#")[1]}"' in page, entry.link


def test_feed_without_a_base_url_says_so(
    disrupted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = publish(disrupted, tmp_path, "--dry-run")
    assert b"atom:link" not in files["feed.xml"]
    assert "give --base-url for feed readers" in capsys.readouterr().err


@pytest.mark.parametrize("address", ["drift.example.se", "ftp://x.se/", "https://", "/site/"])
def test_base_url_must_be_absolute(
    disrupted: Path, tmp_path: Path, address: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["publish", "--out", str(tmp_path), "--state-dir", str(disrupted), "--dry-run"]
    assert main([*args, "--base-url", address]) == 2
    assert "not an absolute http(s) address" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("https://anna:Hemligt77@drift.example.se/", "has a user name or password in it"),
        ("https://anna@drift.example.se/", "has a user name or password in it"),
        ("ftp://anna:Hemligt77@drift.example.se/", "has a user name or password in it"),
        ("https://anna:Hemligt77@drift.example.se/?x=1", "has a user name or password in it"),
        ("https://anna:Hemligt77@[drift.example.se/", "not an absolute http(s) address"),
        ("anna:Hemligt77@drift.example.se/", "not an absolute http(s) address"),
        ("https://drift.example.se:Hemligt77/", "not an absolute http(s) address"),
    ],
)
def test_a_base_url_with_a_login_is_refused_and_not_repeated(
    disrupted: Path, tmp_path: Path, address: str, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    args = ["publish", "--out", str(out), "--state-dir", str(disrupted), "--dry-run"]
    assert main([*args, "--base-url", address]) == 2
    shown = capsys.readouterr()
    assert why in shown.err
    assert "Hemligt77" not in shown.out + shown.err
    assert not out.exists()  # nothing published


def test_feed_says_when_an_incident_is_resolved_and_how_a_window_ended(tmp_path: Path) -> None:
    state = tmp_path / "state"
    rollback_night(state)
    run(state, at(28, "07:40"), "incident", "open", "--priority", "3",
        "--summary", "Klas svarar långsamt", "--services", "klas")  # fmt: skip
    run(state, at(28, "08:10"), "incident", "resolve", "INC-1")  # no --summary
    parsed = feedparser.parse(publish(state, tmp_path / "site", "--dry-run")["feed.xml"])
    by_id = {e.id: e for e in parsed.entries}
    resolved = by_id["gonogo:21.0-rehearsal:INC-1:resolved"]
    assert resolved.title == "Åtgärdad INC-1 (övning): Klas svarar långsamt"
    assert resolved.summary == "Driftstörningen är åtgärdad. Klas svarar långsamt"
    assert resolved.published == "Sun, 28 Nov 2021 07:10:00 +0000"
    outcome = by_id["gonogo:21.0-rehearsal:outcome"]
    assert outcome.title == (
        "Servicefönstret är avslutat: Release 21.0 av tjänsteplattformen (övning), "
        "produktionssättningen avbröts och föregående version är återställd"
    )
    assert outcome.published == "Sun, 28 Nov 2021 06:20:00 +0000"  # rollback-done, 07:20


def _announced(tmp_path: Path, modified: dt.datetime) -> Path:
    """A copy of the bundled runbooks, the 21.0 file last modified at `modified`."""
    copy = tmp_path / "runbooks"
    shutil.copytree(RUNBOOK.parent, copy)
    os.utime(copy / RUNBOOK.name, (modified.timestamp(), modified.timestamp()))
    return copy / RUNBOOK.name


def _dates(files: dict[str, bytes]) -> list[dt.datetime]:
    """Every date the site states as its build time, publication time or stamp."""
    parsed = feedparser.parse(files["feed.xml"])
    found = [dt.datetime(*parsed.feed.updated_parsed[:6], tzinfo=dt.UTC)]
    found += [dt.datetime(*e.published_parsed[:6], tzinfo=dt.UTC) for e in parsed.entries]
    found += [
        e.decoded("dtstamp") for e in Calendar.from_ical(files["calendar.ics"]).walk("VEVENT")
    ]
    updated = json.loads(files["status.json"])["updated"]
    return [*found, dt.datetime.fromisoformat(updated.replace("Z", "+00:00"))]


def test_an_announced_window_is_not_dated_in_the_future(tmp_path: Path) -> None:
    runbook = _announced(tmp_path, dt.datetime(2021, 10, 1, 12, tzinfo=dt.UTC))
    files = publish(tmp_path / "state", tmp_path / "site", "--runbook", str(runbook))
    # No journal: the runbook's modification time is the build time, not 27 November.
    assert set(_dates(files)) == {dt.datetime(2021, 10, 1, 12, tzinfo=dt.UTC)}
    assert "fredag 1 oktober 2021 kl. 14.00" in files["index.html"].decode()
    assert files == publish(tmp_path / "state", tmp_path / "again", "--runbook", str(runbook))


def test_the_clock_caps_the_build_time(tmp_path: Path) -> None:
    runbook = _announced(tmp_path, dt.datetime(2029, 12, 1, tzinfo=dt.UTC))
    with freeze_time("2021-11-01T00:00:00Z"):
        args = ["--state-dir", str(tmp_path / "state"), "--runbook", str(runbook)]
        assert main(["publish", "--out", str(tmp_path / "site"), *args]) == 0
    files = {name: (tmp_path / "site" / name).read_bytes() for name in FILES}
    assert set(_dates(files)) == {dt.datetime(2021, 11, 1, tzinfo=dt.UTC)}


def test_source_date_epoch_is_the_build_time(
    disrupted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1638100800")  # 2021-11-28 12:00 UTC
    files = publish(disrupted, tmp_path, "--dry-run")
    assert json.loads(files["status.json"])["updated"] == "2021-11-28T12:00:00Z"
    assert b"<lastBuildDate>Sun, 28 Nov 2021 12:00:00 +0000</lastBuildDate>" in files["feed.xml"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    assert main(["publish", "--out", str(tmp_path), "--state-dir", str(disrupted)]) == 1


def test_an_ongoing_window_says_when_service_returns(tmp_path: Path) -> None:
    state = tmp_path / "state"
    load_valid(RUNBOOK)
    run(state, at(27, "23:00"), "start", str(RUNBOOK))
    page = publish(state, tmp_path / "site", "--dry-run")["index.html"].decode()
    assert (
        "<b>E-recept</b><span>Inte tillgänglig sedan 23.00. Servicefönster till 07.00</span>"
    ) in page
    assert "(pågår) (övning)" in page
    status = json.loads((tmp_path / "site" / "status.json").read_text())
    assert status["services"]["erecept"]["until"] == "2021-11-28T06:00:00Z"


@pytest.mark.parametrize("width", [390, 1280])
def test_page_is_clean_under_axe_core(disrupted: Path, tmp_path: Path, width: int) -> None:
    publish(
        disrupted,
        tmp_path / "site",
        "--dry-run",
        "--runbook",
        str(EXAMPLES / "english-variant.yaml"),
    )
    result = audit(tmp_path / "site" / "index.html", width)
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert result["width"] <= width
