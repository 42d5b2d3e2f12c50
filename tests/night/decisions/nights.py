"""Nights folded from hand-built entries, and a decision's context at a fixed time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from gonogo.night.decisions import Context
from gonogo.night.entries import Entry, NewEntry
from gonogo.night.journal import Delivery
from gonogo.night.snapshot import Night, fold
from gonogo.runbook.timeline import timeline

from ..entries import T0, entry, load_21, numbered

RUNBOOK = load_21()
PLAN = timeline(RUNBOOK)
assert PLAN.window_start == T0  # minute 0 is 23:00 in Stockholm, the planned start


def context(minute: float = 0) -> Context:
    """The decision's context `minute` minutes after the planned start."""
    return Context(RUNBOOK, PLAN, T0 + dt.timedelta(minutes=minute))


def english(minute: float = 0) -> Context:
    """As `context`, on 21.0 with `release.language: en`: the refusals as always, in English."""
    release = RUNBOOK.release.model_copy(update={"language": "en"})
    return Context(RUNBOOK.model_copy(update={"release": release}), PLAN, context(minute).now)


def night(*entries: Entry, problems: Iterable[Delivery] = ()) -> Night:
    return fold(numbered(*entries), [], RUNBOOK, "0" * 64, problems)


def in_part(part: int, *more: Entry) -> Night:
    """Started at minute 0, Go for every part before `part` (10 minutes apart)."""
    gos = [entry("go", 10 * n, part=n) for n in range(1, part)]
    return night(entry("start", 0), *gos, *more)


def journaled(new: NewEntry, minute: float, operator: str = "anna") -> Entry:
    """A decision's entry as the executor would journal it at `minute`."""
    return Entry(
        0, T0 + dt.timedelta(minutes=minute), operator, new.kind, new.part, new.reason,
        new.payload, "0" * 64,
    )  # fmt: skip
