"""Advance notices: when each goes out, and the placeholder values only notices have."""

from __future__ import annotations

import datetime as dt

# A leaf catalogue of month and day names (no locale): shared with the report.
from gonogo.render.words import DAYS, LANGUAGES, MONTHS
from gonogo.runbook.model import Notice, Runbook
from gonogo.runbook.timeline import Timeline


def format_offset(value: dt.timedelta) -> str:
    """E.g. 7d, 24h, 1h30m: as a runbook writes offsets."""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24) if hours % 24 == 0 and hours > 24 else (0, hours)
    out = f"{days}d" if days else ""
    out += f"{hours}h" if hours else ""
    out += f"{minutes}m" if minutes else ""
    return out


def moment(plan: Timeline, notice: Notice) -> dt.datetime:
    """The instant (UTC) a notice is due: its offset before the window's start."""
    return plan.window_start - notice.before


def late_after(notice: Notice) -> dt.timedelta:
    """How long after its moment a notice may still go out without asking.

    A quarter of its offset, at most 12 hours: a week's notice may go out a day late,
    an hour's notice 15 minutes late. Later than that it says something stale ("in an
    hour" at five to eleven) or comes on top of the next notice, so `announce` sends
    it only when the operator asks for it by name (`--send-late`).
    """
    return min(notice.before / 4, dt.timedelta(hours=12))


def day_words(language: str, day: dt.date) -> str:
    """E.g. "lördag 27 november" or "Saturday 27 November"."""
    words = language if language in LANGUAGES else "en"
    return f"{DAYS[words][day.weekday()]} {day.day} {MONTHS[words][day.month - 1]}"


def notice_values(runbook: Runbook, plan: Timeline) -> dict[str, str]:
    """The window as notices name it: its day, its services, the date it ends."""
    start, end = plan.local(plan.window_start), plan.local(plan.window_end)
    names = [runbook.services[s].name for s in runbook.window.services if s in runbook.services]
    return {
        "window_date": start.date().isoformat(),
        "window_start": start.strftime("%H:%M"),
        "window_end": end.strftime("%H:%M"),
        "window_day": day_words(runbook.release.language, start.date()),
        "window_end_date": end.date().isoformat(),
        "services": ", ".join(names),
    }
