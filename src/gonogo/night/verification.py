"""Production verification: who reported what, and whether the gated part may get Go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from gonogo.night.entries import Entry, Kind, Reported
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
    started: dt.datetime | None = None
    reports: dict[str, Report] = field(default_factory=dict)  # the latest per participant
    history: tuple[Report, ...] = ()  # every report in the journal's order; the latest decides

    def blocker(self, runbook: Runbook) -> str | None:
        """Why the gated part cannot get Go yet, or None."""
        spec = runbook.verification
        if spec is None:
            return None
        failed = [p for p, r in self.reports.items() if r.result == "fail"]
        if failed:
            names = ", ".join(participant_name(runbook, p) for p in failed)
            return f"production verification failed for {names}"
        missing = [p for p in spec.participants if p not in self.reports]
        if missing:
            names = ", ".join(participant_name(runbook, p) for p in missing)
            return f"production verification is not complete: waiting for {names}"
        return None


def participant_name(runbook: Runbook, participant: str) -> str:
    """A participant as the runbook names it ("Organisation/System"), else its id."""
    spec = runbook.verification
    if spec is None or participant not in spec.participants:
        return participant
    p = spec.participants[participant]
    return f"{p.organisation}/{p.system}"


def by_participant(history: Iterable[Report]) -> list[Report]:
    """Every report, each participant's together (in the order they first reported), the
    latest last: a failure that a later report replaced stays on the record."""
    grouped: dict[str, list[Report]] = {}
    for report in history:
        grouped.setdefault(report.participant, []).append(report)
    return [report for reports in grouped.values() for report in reports]


def apply_verification(state: Verification, entry: Entry) -> Verification:
    """Fold one entry into the verification (entries of other kinds change nothing)."""
    if entry.kind == Kind.VERIFICATION_STARTED and state.started is None:
        return replace(state, started=entry.at)
    payload = entry.payload
    if entry.kind == Kind.VERIFICATION_REPORT and isinstance(payload, Reported):
        report = Report(payload.participant, payload.result, entry.at, entry.operator, entry.reason)
        reports = {**state.reports, payload.participant: report}
        return replace(state, reports=reports, history=(*state.history, report))
    return state


def verification(entries: Iterable[Entry]) -> Verification:
    """The verification after `entries` alone (the fold's verification reducer)."""
    state = Verification()
    for entry in entries:
        state = apply_verification(state, entry)
    return state
