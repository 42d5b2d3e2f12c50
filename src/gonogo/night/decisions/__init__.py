"""Pure decisions: from the `Night` and a request to what to journal and send, or a refusal.

A decision reads nothing but its arguments: no journal, no clock, no file. It returns a
`Decision` or raises `TransitionError` (nothing done). The executor (`executor.py`)
carries a decision out: it confirms, plans the recipients, journals and sends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gonogo.night.entries import NewEntry
from gonogo.night.journal import Mark
from gonogo.night.machine import Effect
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import Timeline


@dataclass(frozen=True)
class Context:
    """What a decision may know besides the night: the runbook, its plan and the time."""

    runbook: Runbook
    plan: Timeline
    now: dt.datetime

    def local(self, instant: dt.datetime) -> dt.datetime:
        return self.plan.local(instant)


@dataclass(frozen=True)
class Send:
    """One message to send: its event, its placeholder values, whom it may reach."""

    effect: Effect
    values: dict[str, str]
    audiences: tuple[str, ...] = ()  # empty: the message's own audiences
    incident: str | None = None


@dataclass(frozen=True)
class Caution:
    """Something the operator must read and confirm before the decision is carried out."""

    warning: str
    question: str
    language: str = "en"  # the question's, for how it is answered ("sv": j/n besides y/n)


@dataclass(frozen=True)
class Decision:
    entry: NewEntry
    sends: tuple[Send, ...] = ()
    cautions: tuple[Caution, ...] = ()
    marks: tuple[Mark, ...] = ()  # delivery status changes journaled with the entry
    channels: frozenset[str] = field(default_factory=frozenset)  # to check before journaling
    note: str | None = None  # shown after it is journaled
