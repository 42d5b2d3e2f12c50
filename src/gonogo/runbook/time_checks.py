"""The runbook's times: real local times, parts in the window and in order, time to roll back."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple
from zoneinfo import ZoneInfo

from gonogo.runbook.diagnostics import Severity
from gonogo.runbook.loaded import Loaded
from gonogo.runbook.marks import DocPath
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import (
    LocalTimeError,
    Timeline,
    ambiguity,
    night_day,
    resolve,
    timeline,
)
from gonogo.runbook.types import format_duration

ENDS_WHEN_IT_STARTS = "the window ends when it starts"


def check_times(runbook: Runbook, loaded: Loaded) -> None:
    """Times the zone has, parts inside the window and in order, room for a rollback."""
    window = runbook.window
    if window.start.replace(tzinfo=None) == window.end.replace(tzinfo=None):
        loaded.add(("window", "end"), "window", ENDS_WHEN_IT_STARTS)
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
    for problem in plan_problems(timeline(runbook)):
        loaded.add(*problem)


class Problem(NamedTuple):
    """One thing wrong with a plan: where in the runbook, its code, what, how bad."""

    path: DocPath
    code: str
    message: str
    severity: Severity = "error"


def plan_problems(plan: Timeline) -> list[Problem]:
    """What is wrong with a resolved plan's window: parts inside it and in order, room
    for a rollback, verification inside it. `validate` applies these to the runbook's
    plan, `reschedule` to the plan it would move the window to."""
    start, end = plan.local(plan.window_start), plan.local(plan.window_end)
    if start.time() == end.time():
        return [Problem(("window", "end"), "window", ENDS_WHEN_IT_STARTS)]
    window = f"{start:%H:%M}-{end:%H:%M}"
    problems: list[Problem] = []
    previous_end = None
    outside = False
    for planned in plan.parts:
        path: DocPath = ("parts", planned.number - 1)
        local_start = planned.start.astimezone(plan.zone).strftime("%H:%M")
        if planned.start < plan.window_start or planned.start >= plan.window_end:
            problems.append(
                Problem(
                    (*path, "start"),
                    "outside-window",
                    f"part {planned.number} starts at {local_start}, outside the window {window}",
                )
            )
            outside = True
        elif planned.end > plan.window_end:
            problems.append(
                Problem(
                    (*path, "duration"),
                    "outside-window",
                    f"part {planned.number} ends after the window's end {end:%H:%M}",
                )
            )
            outside = True
        if previous_end is not None and planned.start < previous_end:
            before = plan.parts[planned.number - 2]
            if planned.start < before.start:
                problems.append(
                    Problem(
                        (*path, "start"),
                        "order",
                        f"part {planned.number} starts at {local_start}, before part "
                        f"{planned.number - 1}; parts run in the order they are written",
                    )
                )
            else:
                problems.append(
                    Problem(
                        (*path, "start"),
                        "overlap",
                        f"part {planned.number} starts at {local_start}, before part "
                        f"{planned.number - 1} is planned to end",
                        "warning",
                    )
                )
        previous_end = planned.end
    last = plan.parts[-1]
    # Once a part is outside the window, that error says it; the warning would repeat it.
    if not outside and last.end + plan.rollback > plan.window_end:
        late = last.end + plan.rollback - plan.window_end
        problems.append(
            Problem(
                ("window", "rollback"),
                "rollback-fit",
                f"a NoGo at the last part leaves no room: its planned end plus the rollback "
                f"({format_duration(plan.rollback)}) is {format_duration(late)} past the window's "
                f"end {end:%H:%M}",
                "warning",
            )
        )
    if plan.verification_start is not None and not (
        plan.window_start <= plan.verification_start < plan.window_end
    ):
        problems.append(
            Problem(
                ("verification", "starts"),
                "outside-window",
                "production verification starts outside the window",
            )
        )
    return problems
