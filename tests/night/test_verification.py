"""Production verification replayed from hand-built entries, and what blocks Go."""

from __future__ import annotations

import datetime as dt

import pytest

from gonogo.night.entries import Entry
from gonogo.night.verification import Report, verification
from gonogo.runbook.model import Runbook

from .entries import entry, load_21

RUNBOOK: Runbook = load_21()
PARTICIPANTS = [
    "apoteket-ab",
    "dalarna",
    "stockholm",
    "kalmar",
    "jonkoping",
    "norrbotten",
    "orebro",
]
T0 = dt.datetime(2021, 11, 28, 3, 0, tzinfo=dt.UTC)  # 04:00 in Stockholm


def event(
    kind: str, minutes: int, data: dict[str, str] | None = None, note: str | None = None
) -> Entry:
    return entry(kind, minutes, data, reason=note, t0=T0)


def report(minutes: int, participant: str, result: str, note: str | None = None) -> Entry:
    data = {"participant": participant, "result": result}
    return event("verification_report", minutes, data, note)


def test_the_runbook_names_the_seeds_participants() -> None:
    assert RUNBOOK.verification is not None
    assert list(RUNBOOK.verification.participants) == PARTICIPANTS
    assert RUNBOOK.verification.gates == "ev"


def test_nothing_reported_waits_for_everyone() -> None:
    state = verification([])
    assert (state.started, state.reports) == (None, {})
    assert state.blocker(RUNBOOK) == (
        "production verification is not complete: waiting for Apoteket AB/Rex, "
        "Region Dalarna/TakeCare, Region Stockholm/TakeCare, Region Kalmar/Cosmic, "
        "Region Jönköping/Cosmic, Region Norrbotten/VAS, Region Örebro/NCS Cross"
    )


def test_the_first_start_counts() -> None:
    state = verification([event("verification_started", 0), event("verification_started", 5)])
    assert state.started == T0


def test_the_latest_report_per_participant_counts() -> None:
    state = verification(
        [
            event("verification_started", 0),
            report(10, "dalarna", "fail", "testreceptet kom inte fram"),
            report(25, "dalarna", "ok"),
        ]
    )
    latest = Report("dalarna", "ok", T0 + dt.timedelta(minutes=25), "anna", None)
    assert state.reports == {"dalarna": latest}
    # The failure it replaced stays on the record, for the report.
    failed = Report("dalarna", "fail", T0 + dt.timedelta(minutes=10), "anna",
                    "testreceptet kom inte fram")  # fmt: skip
    assert state.history == (failed, latest)


def test_missing_participants_are_named() -> None:
    events = [
        report(i, p, "ok") for i, p in enumerate(PARTICIPANTS) if p not in ("kalmar", "orebro")
    ]
    assert verification(events).blocker(RUNBOOK) == (
        "production verification is not complete: waiting for Region Kalmar/Cosmic, "
        "Region Örebro/NCS Cross"
    )


def test_a_fail_blocks_and_names_who_even_when_others_are_missing() -> None:
    events = [report(1, "stockholm", "fail", "makulering misslyckades"), report(2, "dalarna", "ok")]
    assert verification(events).blocker(RUNBOOK) == (
        "production verification failed for Region Stockholm/TakeCare"
    )


@pytest.mark.parametrize("last", ["ok", "skip"])
def test_everyone_ok_or_skipped_lets_go(last: str) -> None:
    events = [report(i, p, "ok") for i, p in enumerate(PARTICIPANTS[:-1])]
    events.append(report(9, PARTICIPANTS[-1], last, "NCS Cross har inget testkonto"))
    state = verification(events)
    assert state.blocker(RUNBOOK) is None
    assert state.reports["orebro"].note == "NCS Cross har inget testkonto"


def test_a_runbook_without_verification_never_blocks() -> None:
    runbook = RUNBOOK.model_copy(update={"verification": None})
    assert verification([report(0, "dalarna", "fail")]).blocker(runbook) is None
