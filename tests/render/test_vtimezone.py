"""The VTIMEZONE in RRULE form, read back by two independent parsers (icalendar, vobject).

Each zone is renamed before parsing, so neither parser can look its name up in its own
time-zone database: the offsets they find come from what calendar.ics says.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar, Event

from gonogo.render.vtimezone import vtimezone

# Summer and winter time, both hemispheres, a zone without DST, and a half-hour zone.
ZONES = ["Europe/Stockholm", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
         "Australia/Adelaide"]  # fmt: skip
# Each side of each change, around the hours the clocks move.
DAYS = [(2024, 1, 15), (2024, 3, 30), (2024, 4, 1), (2024, 7, 1), (2024, 10, 6),
        (2024, 10, 28), (2024, 11, 4), (2025, 3, 9), (2025, 3, 31), (2026, 12, 24)]  # fmt: skip


def _calendar(key: str) -> tuple[bytes, list[dt.datetime]]:
    zone = ZoneInfo(key)
    moments = [dt.datetime(*day, hour, 30, tzinfo=zone) for day in DAYS for hour in (1, 4, 23)]
    cal = Calendar()
    cal.add("prodid", "-//gonogo tests//")
    cal.add("version", "2.0")
    cal.add_component(vtimezone(key, min(moments), max(moments)))
    for number, moment in enumerate(moments):
        event = Event()
        event.add("uid", f"{number}@test")
        event.add("dtstamp", dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
        event.add("dtstart", moment)
        cal.add_component(event)
    # A name of its own per zone: both parsers remember a zone by its name, process-wide.
    alias = f"Test-{key.replace('/', '-')}".encode()
    return bytes(cal.to_ical()).replace(key.encode(), alias), moments


@pytest.mark.parametrize("key", ZONES)
def test_rrule_form_only(key: str) -> None:
    data, _moments = _calendar(key)
    assert b"RDATE" not in data
    if key != "Asia/Kolkata":
        assert data.count(b"RRULE:FREQ=YEARLY;BYDAY=") == 2


def test_stockholm_is_the_classic_eu_rule() -> None:
    data, _moments = _calendar("Europe/Stockholm")
    text = data.decode().replace("\r\n", "\n")
    assert (
        "BEGIN:DAYLIGHT\nDTSTART:20230326T020000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\n" in text
    )
    assert (
        "BEGIN:STANDARD\nDTSTART:20231029T030000\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\n" in text
    )
    assert "TZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n" in text


@pytest.mark.parametrize("key", ZONES)
def test_icalendar_reads_the_offsets_back(key: str) -> None:
    data, moments = _calendar(key)
    events = Calendar.from_ical(data).walk("VEVENT")
    found = [e.decoded("dtstart") for e in events]
    assert [m.utcoffset() for m in found] == [m.utcoffset() for m in moments]
    assert [m.astimezone(dt.UTC) for m in found] == [m.astimezone(dt.UTC) for m in moments]


@pytest.mark.parametrize("key", ZONES)
def test_vobject_reads_the_offsets_back(key: str) -> None:
    data, moments = _calendar(key)
    parsed = vobject.readOne(data.decode())
    found = [event.dtstart.value for event in parsed.vevent_list]
    assert [m.utcoffset() for m in found] == [m.utcoffset() for m in moments]


def test_a_zone_whose_rule_changed_falls_back_to_the_listed_form() -> None:
    # Europe/Moscow kept summer time all year from 2011, then moved to +03 in 2014.
    zone = ZoneInfo("Europe/Moscow")
    tz = vtimezone("Europe/Moscow", dt.datetime(2010, 6, 1, tzinfo=zone),
                   dt.datetime(2015, 6, 1, tzinfo=zone))  # fmt: skip
    assert b"RRULE" not in tz.to_ical()
