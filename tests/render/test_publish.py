"""The operational-information site: read back as a feed reader, a calendar and a browser would."""

from __future__ import annotations

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
from freezegun import freeze_time
from icalendar import Calendar

from gonogo.cli import main
from render import at, completed_night, run

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
        "since": "2021-11-28T08:00:00Z", "why": "incident INC-3 opened", "until": None,
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
        "Driftstörning INC-3 (prioritet 1): E-recept svarar inte",
        "Åtgärdad INC-2: Omstart gjord",
        "Driftstörning INC-2 (prioritet 1): E-recept svarar inte",
        "Servicefönstret är avslutat: Release 21.0 av tjänsteplattformen (övning), "
        "produktionssättningen är genomförd",
        "Åtgärdad INC-1: Åtgärdat",
        "Uppdatering INC-1: Felsökning pågår i <db01>",
        "Driftstörning INC-1 (prioritet 2): Förskrivning går långsamt | test",
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
