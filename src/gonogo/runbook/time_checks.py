"""The runbook's times: real local times, parts in the window and in order, time to roll back."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from gonogo.runbook.loaded import Loaded
from gonogo.runbook.marks import DocPath
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import LocalTimeError, ambiguity, night_day, resolve, timeline
from gonogo.runbook.types import format_duration


def check_times(runbook: Runbook, loaded: Loaded) -> None:
    """Times the zone has, parts inside the window and in order, room for a rollback."""
    window = runbook.window
    if window.start.replace(tzinfo=None) == window.end.replace(tzinfo=None):
        loaded.add(("window", "end"), "window", "the window ends when it starts")
        return
    local_times: list[tuple[DocPath, dt.time]] = [
        (("window", "start"), window.start),
        (("window", "end"), window.end),
    ]
    local_times += [(("parts", i, "start"), p.start) for i, p in enumerate(runbook.parts)]
    if runbook.verification:
        local_times.append((("verification", "starts"), runbook.verification.starts))
    bad = False
    zone = ZoneInfo(runbook.release.timezone)
    for at, clock in local_times:
        day = window.date if at == ("window", "start") else night_day(runbook, clock)
        try:
            resolve(day, clock, zone)
        except LocalTimeError as exc:
            loaded.add(at, "dst", str(exc))
            bad = True
            continue
        if twice := ambiguity(day, clock, zone):
            loaded.add(at, "dst-ambiguous", twice, "warning")
    if bad:
        return
    plan = timeline(runbook)
    previous_end = None
    outside = False
    for planned in plan.parts:
        path: DocPath = ("parts", planned.number - 1)
        local_start = planned.start.astimezone(plan.zone).strftime("%H:%M")
        if planned.start < plan.window_start or planned.start >= plan.window_end:
            loaded.add(
                (*path, "start"),
                "outside-window",
                f"part {planned.number} starts at {local_start}, outside the window "
                f"{window.start:%H:%M}-{window.end:%H:%M}",
            )
            outside = True
        elif planned.end > plan.window_end:
            loaded.add(
                (*path, "duration"),
                "outside-window",
                f"part {planned.number} ends after the window's end {window.end:%H:%M}",
            )
            outside = True
        if previous_end is not None and planned.start < previous_end:
            before = plan.parts[planned.number - 2]
            if planned.start < before.start:
                loaded.add(
                    (*path, "start"),
                    "order",
                    f"part {planned.number} starts at {local_start}, before part "
                    f"{planned.number - 1}; parts run in the order they are written",
                )
            else:
                loaded.add(
                    (*path, "start"),
                    "overlap",
                    f"part {planned.number} starts at {local_start}, before part "
                    f"{planned.number - 1} is planned to end",
                    "warning",
                )
        previous_end = planned.end
    last = plan.parts[-1]
    # Once a part is outside the window, that error says it; the warning would repeat it.
    if not outside and last.end + plan.rollback > plan.window_end:
        late = last.end + plan.rollback - plan.window_end
        loaded.add(
            ("window", "rollback"),
            "rollback-fit",
            f"a NoGo at the last part leaves no room: its planned end plus the rollback "
            f"({format_duration(plan.rollback)}) is {format_duration(late)} past the window's "
            f"end {window.end:%H:%M}",
            "warning",
        )
    if plan.verification_start is not None and not (
        plan.window_start <= plan.verification_start < plan.window_end
    ):
        loaded.add(
            ("verification", "starts"),
            "outside-window",
            "production verification starts outside the window",
        )
