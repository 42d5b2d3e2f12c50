"""The plan in real time: local times of the night resolved to instants, across DST."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import LocalTimeError, night_instant, resolve, timeline

STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = dt.UTC


def runbook(date: str, start: str, end: str, parts: list[tuple[str, str]], **extra: Any) -> Runbook:
    """A runbook with the given window and (start, duration) parts."""
    data: dict[str, Any] = {
        "format": 1,
        "release": {
            "id": "1.0",
            "title": "Test",
            "kind": "internal",
            "version_package": "1",
            "timezone": "Europe/Stockholm",
        },
        "window": {"date": date, "start": start, "end": end, "rollback": "30m"},
        "audiences": {"drift": {"name": "Drift"}},
        "parts": [
            {"id": f"p{i}", "title": f"P{i}", "start": s, "duration": d, "owner": "T"}
            for i, (s, d) in enumerate(parts, start=1)
        ],
        **extra,
    }
    return Runbook.model_validate(data)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_resolve_winter_and_summer() -> None:
    assert resolve(dt.date(2021, 11, 27), dt.time(23, 0), STOCKHOLM) == utc(2021, 11, 27, 22)
    assert resolve(dt.date(2021, 6, 1), dt.time(23, 0), STOCKHOLM) == utc(2021, 6, 1, 21)


def test_resolve_a_time_the_clocks_skip() -> None:
    with pytest.raises(LocalTimeError) as caught:
        resolve(dt.date(2021, 3, 28), dt.time(2, 30), STOCKHOLM)
    assert str(caught.value) == (
        "2021-03-28 02:30 does not exist in Europe/Stockholm (the clocks skip it)"
    )


def test_the_gap_is_the_whole_hour() -> None:
    # Clocks go from 01:59:59 to 03:00: 02:00 does not exist, 03:00 does.
    with pytest.raises(LocalTimeError):
        resolve(dt.date(2021, 3, 28), dt.time(2, 0), STOCKHOLM)
    assert resolve(dt.date(2021, 3, 28), dt.time(3, 0), STOCKHOLM) == utc(2021, 3, 28, 1)
    assert resolve(dt.date(2021, 3, 28), dt.time(1, 59), STOCKHOLM) == utc(2021, 3, 28, 0, 59)


def test_resolve_an_ambiguous_time_takes_the_first() -> None:
    # 02:30 on 31 October 2021 happens twice: first at +02:00, then at +01:00.
    assert resolve(dt.date(2021, 10, 31), dt.time(2, 30), STOCKHOLM) == utc(2021, 10, 31, 0, 30)


def test_a_time_before_the_window_start_is_the_next_day() -> None:
    book = runbook("2021-11-27", "23:00", "07:00", [("23:00", "1h")])
    assert night_instant(book, dt.time(23, 30)) == utc(2021, 11, 27, 22, 30)
    assert night_instant(book, dt.time(0, 30)) == utc(2021, 11, 27, 23, 30)
    assert night_instant(book, dt.time(6, 59)) == utc(2021, 11, 28, 5, 59)


def test_window_crossing_midnight() -> None:
    book = runbook(
        "2021-11-27", "23:00", "07:00", [("23:00", "1h"), ("00:00", "2h"), ("04:00", "1h15m")]
    )
    plan = timeline(book)
    assert plan.window_start == utc(2021, 11, 27, 22)
    assert plan.window_end == utc(2021, 11, 28, 6)
    assert [(p.start, p.end) for p in plan.parts] == [
        (utc(2021, 11, 27, 22), utc(2021, 11, 27, 23)),
        (utc(2021, 11, 27, 23), utc(2021, 11, 28, 1)),
        (utc(2021, 11, 28, 3), utc(2021, 11, 28, 4, 15)),
    ]
    assert plan.point_of_no_return == utc(2021, 11, 28, 5, 30)
    assert plan.local(plan.parts[1].start).strftime("%a %H:%M") == "Sun 00:00"


def test_window_within_one_day() -> None:
    plan = timeline(runbook("2021-11-14", "08:00", "18:00", [("08:00", "6h")]))
    assert plan.window_end - plan.window_start == dt.timedelta(hours=10)


def test_spring_forward_night_is_an_hour_shorter() -> None:
    plan = timeline(runbook("2021-03-27", "23:00", "07:00", [("23:00", "1h"), ("03:00", "1h")]))
    assert plan.window_end - plan.window_start == dt.timedelta(hours=7)
    assert plan.parts[1].start - plan.parts[0].start == dt.timedelta(hours=3)


def test_fall_back_night_is_an_hour_longer() -> None:
    plan = timeline(runbook("2021-10-30", "23:00", "07:00", [("23:00", "1h"), ("03:00", "1h")]))
    assert plan.window_end - plan.window_start == dt.timedelta(hours=9)
    assert plan.parts[1].start - plan.parts[0].start == dt.timedelta(hours=5)
    # A part's duration is elapsed time, whatever the wall clock does.
    part = timeline(runbook("2021-10-30", "23:00", "07:00", [("02:30", "1h")])).parts[0]
    assert part.end - part.start == dt.timedelta(hours=1)
    assert part.end.astimezone(STOCKHOLM).strftime("%H:%M %Z") == "02:30 CET"


def test_timeline_raises_for_a_part_in_the_gap() -> None:
    book = runbook("2021-03-27", "23:00", "07:00", [("23:00", "1h"), ("02:30", "1h")])
    with pytest.raises(LocalTimeError):
        timeline(book)


def test_verification_start() -> None:
    verification = {
        "starts": "04:00",
        "gates": "p1",
        "participants": {"a": {"organisation": "A", "system": "S"}},
    }
    book = runbook("2021-11-27", "23:00", "07:00", [("23:00", "1h")], verification=verification)
    assert timeline(book).verification_start == utc(2021, 11, 28, 3)
    no_verification = runbook("2021-11-27", "23:00", "07:00", [("23:00", "1h")])
    assert timeline(no_verification).verification_start is None


def test_shifted_moves_every_instant() -> None:
    plan = timeline(runbook("2021-11-27", "23:00", "07:00", [("23:00", "1h")]))
    moved = plan.shifted(dt.timedelta(minutes=-90))
    assert moved.window_start == utc(2021, 11, 27, 20, 30)
    assert moved.window_end == utc(2021, 11, 28, 4, 30)
    assert moved.parts[0].start == utc(2021, 11, 27, 20, 30)
    assert moved.rollback == plan.rollback
    assert moved.verification_start is None
