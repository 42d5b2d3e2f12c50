"""A VTIMEZONE in the RRULE form: one STANDARD and one DAYLIGHT rule, as Outlook expects.

icalendar's own `Timezone.from_tzinfo` lists every change date as RDATEs, which Outlook
desktop is known to mishandle. The rule here is read off the zone's changes in the year
before the first event and checked against every year up to the last one; a zone whose
rule changed in between gets icalendar's RDATE form, which is at least correct.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from icalendar import Timezone

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _changes(zone: ZoneInfo, year: int) -> list[tuple[dt.datetime, dt.timedelta, dt.timedelta]]:
    """Each offset change in `year`: the instant (UTC), the offset before and after."""
    found = []
    instant = dt.datetime(year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + 1, 1, 1, tzinfo=dt.UTC)
    before = instant.astimezone(zone).utcoffset()
    while instant < end:
        after = (instant + dt.timedelta(hours=1)).astimezone(zone).utcoffset()
        if after != before:
            minute = instant
            while minute.astimezone(zone).utcoffset() == before:
                minute += dt.timedelta(minutes=1)
            assert before is not None  # a ZoneInfo always has an offset
            assert after is not None
            found.append((minute, before, after))
            before = after
        instant += dt.timedelta(hours=1)
    return found


def _rule(local: dt.datetime) -> dict[str, Any]:
    """FREQ=YEARLY on the same weekday of the same week (or the last one) of the month."""
    last = calendar.monthrange(local.year, local.month)[1]
    week = -1 if local.day > last - 7 else (local.day - 1) // 7 + 1
    return {"FREQ": "YEARLY", "BYMONTH": local.month, "BYDAY": f"{week}{_DAYS[local.weekday()]}"}


def _same_rule(zone: ZoneInfo, first: int, last: int) -> bool:
    def shape(year: int) -> list[tuple[Any, ...]]:
        return [
            (tuple(sorted(_rule(at + old).items())), (at + old).time(), old, new)
            for at, old, new in _changes(zone, year)
        ]

    expected = shape(first)
    return all(shape(year) == expected for year in range(first + 1, last + 1))


def vtimezone(key: str, first: dt.datetime, last: dt.datetime) -> Timezone:
    """The VTIMEZONE of `key` for events from `first` to `last`."""
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard  # noqa: PLC0415

    zone = ZoneInfo(key)
    year = first.year - 1
    if not _same_rule(zone, year, last.year):
        return Timezone.from_tzinfo(zone, key, dt.date(year, 1, 1), dt.date(last.year + 1, 1, 1))
    tz = Timezone()
    tz.add("tzid", key)
    changes = _changes(zone, year)
    if not changes:
        offset = dt.datetime(year, 1, 1, tzinfo=zone).utcoffset()
        standard = TimezoneStandard()
        standard.add("dtstart", dt.datetime(year, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", dt.datetime(year, 1, 1, tzinfo=zone).tzname())
        tz.add_component(standard)
        return tz
    for at, old, new in changes:
        local = (at + old).replace(tzinfo=None)  # onset in the wall time it replaces
        is_dst = at.astimezone(zone).dst() not in (None, dt.timedelta(0))
        part = TimezoneDaylight() if is_dst else TimezoneStandard()
        part.add("dtstart", local)
        part.add("rrule", _rule(local))
        part.add("tzoffsetfrom", old)
        part.add("tzoffsetto", new)
        part.add("tzname", at.astimezone(zone).tzname())
        tz.add_component(part)
    return tz
