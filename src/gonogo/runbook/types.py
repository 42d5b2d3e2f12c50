"""Scalar types of the runbook format: local times and durations, written as text."""

from __future__ import annotations

import re
from datetime import UTC, date, time, timedelta, timezone
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# With an explicit UTC offset, to say which of a time that happens twice is meant.
_HHMM_OFFSET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?:([+-])(0\d|1[0-4]):([0-5]\d)|(Z))?$")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$")
# No step of a release night lasts a week; beyond that a duration is a typo, and beyond
# timedelta's range (a billion days) it would end in OverflowError.
MAX_DURATION = timedelta(days=7)
# Dates gonogo can do arithmetic on without leaving datetime's range, and that a
# release could plausibly have: 9999-12-31 plus the night's next day overflows.
FIRST_YEAR, LAST_YEAR = 1970, 2100


def parse_local_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        match = _HHMM_OFFSET.match(value.strip())
        if match:
            zone = None
            if match[6]:
                zone = UTC
            elif match[3]:
                sign = 1 if match[3] == "+" else -1
                offset = timedelta(hours=int(match[4]), minutes=int(match[5]))
                zone = timezone(sign * offset)
            return time(int(match[1]), int(match[2]), tzinfo=zone)
    msg = f'expected a local time as HH:MM in quotes, like "23:00", got {value!r}'
    raise ValueError(msg)


def parse_duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match and (match[1] or match[2]):
            # In whole minutes first: `99999999999999999999h` must not reach timedelta.
            minutes = int(match[1] or 0) * 60 + int(match[2] or 0)
            if minutes > MAX_DURATION // timedelta(minutes=1):
                msg = "longer than a week (168h); a step of a release night is hours long"
                raise ValueError(msg)
            return timedelta(minutes=minutes)
    msg = f"expected a duration like 90m, 1h or 1h30m, got {value!r}"
    raise ValueError(msg)


def parse_zone(value: Any) -> str:
    if not isinstance(value, str) or not value:
        msg = "expected an IANA time zone name like Europe/Stockholm"
        raise ValueError(msg)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"unknown time zone {value!r}; use an IANA name like Europe/Stockholm"
        raise ValueError(msg) from None
    return value


def check_date(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        msg = f"a date between {FIRST_YEAR} and {LAST_YEAR}, got {value.isoformat()}"
        raise ValueError(msg)
    return value


def format_duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours}h{minutes:02d}m"
    return f"{hours}h" if hours else f"{minutes}m"


def quoted_time(hhmm: str) -> dict[str, Any]:
    """What an editor offers for a local time: the text with its quotes.

    Not `examples`: yaml-language-server 2 inserts an example as plain YAML (`23:00`,
    which YAML 1.1 readers such as PyYAML take for the number 1380). `defaultSnippets`
    with `bodyText` is inserted as written, by every version.
    """
    return {"defaultSnippets": [{"label": f'"{hhmm}"', "bodyText": f'"{hhmm}"'}]}


LocalTime = Annotated[
    time,
    BeforeValidator(parse_local_time),
    # The schema's pattern admits the offset form too (02:30+01:00, for the hour the
    # clocks repeat); what an editor offers is the common case, with its quotes.
    WithJsonSchema({"type": "string", "pattern": _HHMM_OFFSET.pattern, **quoted_time("23:00")}),
]
Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    WithJsonSchema(
        {"type": "string", "pattern": r"^\d+h(\d+m)?$|^(\d+h)?\d+m(in)?$", "examples": ["90m"]}
    ),
]
# Twilio's ValidityPeriod: 1 to 36000 seconds (10 hours) in its queue, then dropped.
MAX_VALIDITY = timedelta(seconds=36000)


def parse_validity(value: Any) -> timedelta:
    """How long Twilio may hold an SMS before dropping it: a duration, 1 s to 10h."""
    try:
        duration: timedelta | None = parse_duration(value)
    except ValueError:
        if not isinstance(value, str) or not _DURATION.match(value):
            raise
        duration = None  # a duration, but longer than a week
    if duration is None or not timedelta(seconds=1) <= duration <= MAX_VALIDITY:
        msg = (
            "out of the range of Twilio's ValidityPeriod, 1 s to 10h (36000 s): "
            f"give a duration from 1m to 10h, got {value!r}"
        )
        raise ValueError(msg)
    return duration


SmsValidity = Annotated[
    timedelta,
    BeforeValidator(parse_validity),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d+h(\d+m)?$|^(\d+h)?\d+m(in)?$",
            "examples": ["1h", "30m"],
        }
    ),
]
# A channel's rate limit, a second: below one a minute a night's messages take days (a
# slip such as 1e-3 for 1e3); above 10000 it is no limit Twilio or a mail server keeps.
MIN_RATE = 1 / 60
MAX_RATE = 10_000.0


def check_rate(value: float) -> float:
    if not MIN_RATE <= value <= MAX_RATE:  # nan and inf fail too
        msg = (
            f"expected at least 1 a minute (0.0167 a second) and at most {MAX_RATE:g} a second, "
            f"got {value:g}"
        )
        raise ValueError(msg)
    return value


Rate = Annotated[
    float,
    AfterValidator(check_rate),
    WithJsonSchema({"type": "number", "minimum": MIN_RATE, "maximum": MAX_RATE}),
]
_OFFSET = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*$")
# Twilio schedules at most 35 days ahead, and a notice sent earlier than that is
# forgotten before the night; beyond it an offset is a typo.
MAX_OFFSET = timedelta(days=35)


def parse_offset(value: Any) -> timedelta:
    """How long before the window a notice goes out: 7d, 24h, 1h, 1d12h, 90m."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        match = _OFFSET.match(value)
        if match and any(match.groups()):
            minutes = (int(match[1] or 0) * 24 + int(match[2] or 0)) * 60 + int(match[3] or 0)
            if minutes > MAX_OFFSET // timedelta(minutes=1):
                msg = "more than 35 days before the window; a notice is days or hours ahead"
                raise ValueError(msg)
            if minutes == 0:
                msg = "an offset of 0: a notice goes out before the window, e.g. 1h"
                raise ValueError(msg)
            return timedelta(minutes=minutes)
    msg = f"expected an offset before the window like 7d, 24h, 1h or 90m, got {value!r}"
    raise ValueError(msg)


Offset = Annotated[
    timedelta,
    BeforeValidator(parse_offset),
    WithJsonSchema(
        {"type": "string", "pattern": r"^(\d+d)?(\d+h)?(\d+m)?$", "examples": ["7d", "24h"]}
    ),
]
Date = Annotated[
    date,
    AfterValidator(check_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2021-11-27"]}),
]
ZoneName = Annotated[
    str,
    BeforeValidator(parse_zone),
    WithJsonSchema({"type": "string", "examples": ["Europe/Stockholm"]}),
]


def parse_flag(value: Any) -> bool:
    # Only true/false: YAML 1.1's yes/no/on/off are read as text by the loader, and
    # accepting them here would bring back the `no` that means Norway.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    msg = f"expected true or false, got {value!r}"
    raise ValueError(msg)


Flag = Annotated[bool, BeforeValidator(parse_flag), WithJsonSchema({"type": "boolean"})]
