"""snapshot.fold: the night's state and the actuals of every part, from hand-built entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gonogo.errors import StateError
from gonogo.night.entries import Entry
from gonogo.night.journal import Delivery, DeliveryGroup, Status
from gonogo.night.machine import MachineModel, build_machine
from gonogo.night.snapshot import Counts, Hold, continuing, fold

from .entries import entry, load_21

RUNBOOK = load_21()
DISPATCH = {"event": "window_started", "cause": 1, "recipients": 3}
ACCEPTED = {"old": "a" * 64, "new": "b" * 64, "file": "release-21.0.yaml"}


def _entries(*specs: tuple[str, int | None, str | None] | tuple[str, Any, Any, Any]) -> list[Entry]:
    """(kind, part, reason[, data]) per entry: entry n at 10·n minutes, by operator opn."""
    out = []
    for seq, spec in enumerate(specs, start=1):
        kind, part, reason, *rest = spec
        data = rest[0] if rest else None
        out.append(entry(kind, 10 * seq, data, part, reason, operator=f"op{seq}", seq=seq))
    return out


def test_a_night_with_a_hold_and_a_nogo() -> None:
    entries = _entries(
        ("start", None, None),
        ("dispatch", None, None, DISPATCH),
        ("progress", 1, None),
        ("hold", 1, "väntar"),
        ("go", 1, None),
        ("hold", 2, "långsam migrering"),
        ("nogo", 2, "fel i migreringen"),
        ("runbook_change_accepted", None, None, ACCEPTED),
        ("rollback_done", None, None),
    )
    night = fold(entries, [], RUNBOOK, "a" * 64)
    assert night.state == "rolled_back"
    assert night.outcome == "rolled back"
    assert night.part_count == 5
    assert night.started
    assert night.opened == entries[0].at
    assert night.closed == entries[-1].at
    assert night.entries == tuple(entries)
    part1, part2, part3 = night.part(1), night.part(2), night.part(3)
    assert night.parts[0] is part1  # parts is a tuple from 0, part(n) counts from 1
    assert (part1.started, part1.ended, part1.decision, part1.decided_by) == (
        entries[0].at, entries[4].at, "go", "op5",
    )  # fmt: skip
    assert part1.status_sent == entries[2].at
    assert (part2.started, part2.decision, part2.reason) == (
        entries[4].at,
        "nogo",
        "fel i migreringen",
    )
    assert part3.started is None
    # Every hold is kept; a decision ends the part's hold, so none is active.
    assert night.holds == (
        Hold(1, entries[3].at, "op4", "väntar"),
        Hold(2, entries[5].at, "op6", "långsam migrering"),
    )
    assert night.active_holds == ()
    assert night.accepted_sha256 == "b" * 64  # the change accepted replaces the start's
    # The fold sends nothing: the only dispatch is the one journaled.
    assert [(d.seq, d.label) for d in night.dispatches] == [(2, "window_started")]


def test_open_hold_is_shown_until_the_decision() -> None:
    night = fold(_entries(("start", None, None), ("hold", 1, "väntar")), [], RUNBOOK)
    assert [(h.part, h.by, h.reason) for h in night.active_holds] == [(1, "op2", "väntar")]
    assert night.holds == night.active_holds
    assert night.current_part == 1
    assert night.outcome is None
    assert night.closed is None


def test_holds_of_an_earlier_part_are_kept_but_not_active() -> None:
    entries = _entries(("start", None, None), ("hold", 1, "väntar"), ("go", 1, None))
    night = fold(entries, [], RUNBOOK)
    assert [h.part for h in night.holds] == [1]
    assert night.active_holds == ()
    assert night.current_part == 2


def test_the_folded_state_takes_the_next_trigger() -> None:
    night = fold(_entries(("start", None, None), ("go", 1, None)), [], RUNBOOK)
    assert night.state == "part_2"
    model = MachineModel(part_count=night.part_count, state=night.state)
    build_machine(model)
    model.fire("go")
    assert model.state == "part_3"


@pytest.mark.parametrize(
    "kinds", [["go"], ["start", "start"], ["start", "end"], ["start", "rollback_done"]]
)
def test_a_journal_that_does_not_fit_the_machine_is_an_error(kinds: list[str]) -> None:
    with pytest.raises(StateError, match="does not fit state"):
        fold(_entries(*((k, None, None) for k in kinds)), [], RUNBOOK)


def test_what_is_not_a_decision_leaves_the_machine_alone() -> None:
    lights = {"service": "klas", "colour": "yellow"}
    night = fold(
        _entries(("dispatch", None, None, DISPATCH), ("lights_set", None, "x", lights)),
        [],
        RUNBOOK,
    )
    assert night.state == "planned"
    assert not night.started
    assert night.current_part is None
    assert night.lights["klas"] == "yellow"


def test_nothing_journaled_is_a_planned_night() -> None:
    night = fold([], [], RUNBOOK, "c" * 64)
    assert (night.state, night.started, night.accepted_sha256) == ("planned", False, "c" * 64)
    assert len(night.parts) == 5
    assert night.incidents == night.dispatches == night.holds == ()
    assert dict(night.lights) == dict.fromkeys(RUNBOOK.services, "green")
    assert night.deliveries == Counts()


def test_the_reducers_beside_the_machine_feed_the_night() -> None:
    opened = {"id": "INC-1", "priority": 1, "summary": "trasigt", "services": ["klas"]}
    entries = _entries(
        ("start", None, None),
        ("incident_opened", None, None, opened),
        ("verification_started", None, None),
        ("verification_report", None, None, {"participant": "dalarna", "result": "ok"}),
    )
    night = fold(entries, [], RUNBOOK)
    incident = night.incident("inc-1")  # ids are found whatever their case
    assert incident is not None
    assert (incident.opened_by, incident.open) == ("op2", True)
    assert night.verification.started == entries[2].at
    assert list(night.verification.reports) == ["dalarna"]
    assert night.lights["klas"] == "red"
    assert [c.why for c in night.light_changes][:1] == ["window started"]


def _group(dispatch: int, channel: str, status: Status, count: int) -> DeliveryGroup:
    return DeliveryGroup(dispatch, "vard", channel, "sv", None, "Hej", status, count)


def test_dispatches_count_their_deliveries_by_latest_status() -> None:
    dispatch = {"event": "part_completed", "cause": 2, "recipients": 10, "incident": "INC-1"}
    entries = _entries(("start", None, None), ("go", 1, None), ("dispatch", 1, None, dispatch))
    groups = [
        _group(3, "sms", Status.SENT, 5),
        _group(3, "sms", Status.FAILED, 1),
        _group(3, "email", Status.IN_FLIGHT, 2),
        _group(3, "email", Status.IN_DOUBT, 1),
        _group(3, "email", Status.PENDING, 1),
        _group(99, "sms", Status.SENT, 7),  # a dispatch the entries do not name
    ]
    problem = Delivery(1, 3, "sms", "vard", "+46701740605", "P", "sv", None, "Hej", Status.FAILED)
    night = fold(entries, groups, RUNBOOK, problems=[problem])
    (found,) = night.dispatches
    assert night.dispatch(3) is found
    assert night.dispatch(99) is None
    assert (found.event, found.part, found.cause, found.incident, found.recipients) == (
        "part_completed", 1, 2, "INC-1", 10,
    )  # fmt: skip
    assert found.label == "part_completed-part1-INC-1"
    assert found.counts == Counts(pending=1, in_flight=2, sent=5, failed=1, unresolved=1)
    assert (found.counts.in_doubt, found.counts.total, found.counts.unfinished) == (3, 10, 3)
    assert found.counts_by() == {
        ("sms", "vard"): Counts(sent=5, failed=1),
        ("email", "vard"): Counts(pending=1, in_flight=2, unresolved=1),
    }
    assert night.deliveries == found.counts
    assert night.problems == (problem,)


def test_a_fold_gone_on_from_makes_again_only_the_dispatches_whose_counts_changed() -> None:
    first = {"event": "window_started", "cause": 1, "recipients": 2}
    second = {"event": "part_completed", "cause": 3, "recipients": 2}
    entries = _entries(("start", None, None), ("dispatch", None, None, first), ("go", 1, None),
                       ("dispatch", 1, None, second))  # fmt: skip
    sent = (_group(2, "sms", Status.SENT, 2),)
    pending = (_group(4, "sms", Status.PENDING, 2),)
    with continuing():
        before = fold(entries, {2: sent, 4: pending}, RUNBOOK)
        after = fold(entries, {2: sent, 4: (_group(4, "sms", Status.SENT, 2),)}, RUNBOOK)
    assert after.dispatches[0] is before.dispatches[0]  # unchanged: the same
    assert before.dispatch(4).counts == Counts(pending=2)  # type: ignore[union-attr]
    assert after.dispatch(4).counts == Counts(sent=2)  # type: ignore[union-attr]
    flat = fold(entries, [*sent, *pending], RUNBOOK)  # the same counts, not per dispatch
    assert flat.dispatches == before.dispatches


def test_an_override_is_recorded_on_the_part() -> None:
    entries = _entries(
        ("start", None, None),
        ("go", 1, None),
        ("go", 2, None),
        ("go", 3, None),
        ("go", 4, None),
        ("go", 5, "regionerna svarar inte", {"override_verification": True}),
        ("end", None, None),
    )
    night = fold(entries, [], RUNBOOK)
    assert night.state == "completed"
    assert night.outcome == "completed"
    assert [p.override for p in night.parts] == [False, False, False, False, True]
    assert night.part(5).reason == "regionerna svarar inte"
    assert night.closed == entries[-1].at
    assert night.opened is not None
    assert night.closed - night.opened == dt.timedelta(minutes=60)


def test_a_fold_that_goes_on_from_an_earlier_one_is_the_whole_fold() -> None:
    """A command folds its run before and after it acts; the second goes on from the
    first. Each step's night must be the night folded from the start, and a journal
    that only shares its first entries must not inherit what came after them."""
    night = _entries(
        ("start", None, None),
        ("dispatch", None, None, DISPATCH),
        (
            "incident_opened",
            None,
            None,
            {"id": "INC-1", "priority": 1, "summary": "x", "services": [], "audiences": None},
        ),
        ("hold", 1, "väntar"),
        ("go", 1, None),
        ("runbook_change_accepted", None, None, ACCEPTED),
        ("nogo", 2, "fel"),
        ("rollback_done", None, None),
    )
    # The same first three entries, then another hold and a NoGo: longer than a fold of
    # the first four, which it does not begin with.
    other = _entries(*[(e.kind.value, e.part, e.reason, e.data) for e in night[:3]],
                     ("hold", 1, "annan orsak"), ("nogo", 1, "annat"))  # fmt: skip
    with continuing():
        steps = [fold(night[:n], [], RUNBOOK, "a" * 64) for n in range(1, len(night) + 1)]
        fold(night[:4], [], RUNBOOK, "a" * 64)
        branched = fold(other, [], RUNBOOK, "a" * 64)
        again = fold(night[:3], [], RUNBOOK, "a" * 64)
    assert [h.reason for h in branched.holds] == ["annan orsak"]
    for n, went_on in enumerate(steps, start=1):  # outside: each from its start
        assert went_on == fold(night[:n], [], RUNBOOK, "a" * 64), n
    assert branched == fold(other, [], RUNBOOK, "a" * 64)
    assert branched.state == "rolling_back"
    assert again == steps[2]
    assert steps[-1].state == "rolled_back"
    assert steps[-1].accepted_sha256 == "b" * 64
    assert steps[4].accepted_sha256 == "a" * 64  # not changed by what was folded later
