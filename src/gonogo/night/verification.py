"""Production verification: who reported what, and whether the gated part may get Go."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonogo.night.journal import Event
from gonogo.runbook.model import Runbook

RESULTS = ("ok", "fail", "skip")


@dataclass(frozen=True)
class Report:
    participant: str
    result: str
    at: dt.datetime
    by: str
    note: str | None


@dataclass(frozen=True)
class Verification:
    started: dt.datetime | None
    reports: dict[str, Report]  # the latest report per participant

    def blocker(self, runbook: Runbook) -> str | None:
        """Why the gated part cannot get Go yet, or None."""
        spec = runbook.verification
        if spec is None:
            return None
        failed = [p for p, r in self.reports.items() if r.result == "fail"]
        if failed:
            names = ", ".join(_name(runbook, p) for p in failed)
            return f"production verification failed for {names}"
        missing = [p for p in spec.participants if p not in self.reports]
        if missing:
            names = ", ".join(_name(runbook, p) for p in missing)
            return f"production verification is not complete: waiting for {names}"
        return None


def _name(runbook: Runbook, participant: str) -> str:
    spec = runbook.verification
    if spec is None or participant not in spec.participants:
        return participant
    p = spec.participants[participant]
    return f"{p.organisation}/{p.system}"


def verification(events: list[Event]) -> Verification:
    started = None
    reports: dict[str, Report] = {}
    for event in events:
        if event.kind == "verification_started" and started is None:
            started = event.at
        elif event.kind == "verification_report":
            participant = str(event.data["participant"])
            reports[participant] = Report(
                participant, str(event.data["result"]), event.at, event.operator, event.reason
            )
    return Verification(started, reports)
