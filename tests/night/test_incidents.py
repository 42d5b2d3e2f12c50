"""incidents(): incidents and their update clock, replayed from hand-built entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gonogo.night.entries import Entry
from gonogo.night.incidents import Incident, incidents, next_id
from gonogo.runbook.model import IncidentPolicy

from .entries import entry

POLICY = IncidentPolicy.model_validate({"update_interval": "30m", "major_priorities": [1, 2]})
T0 = dt.datetime(2021, 11, 28, 0, 10, tzinfo=dt.UTC)  # 01:10 in Stockholm


def event(
    kind: str, minutes: float, data: dict[str, Any] | None = None, operator: str = "anna"
) -> Entry:
    return entry(kind, minutes, data, operator=operator, t0=T0)


def opened(minutes: float, id_: str, priority: int, **data: Any) -> Entry:
    fields = {"id": id_, "priority": priority, "summary": f"{id_} is wrong", **data}
    return event("incident_opened", minutes, fields)


def test_open_update_resolve_replays_to_one_incident() -> None:
    found = incidents(
        [
            event("start", -130),
            opened(0, "INC-1", 1, services=["erecept"], audiences=["vard"], light="red"),
            event("incident_updated", 20, {"id": "INC-1", "summary": "still broken"}, "bo"),
            event("incident_resolved", 45, {"id": "INC-1", "summary": "fixed"}, "cecilia"),
        ]
    )
    assert list(found) == ["INC-1"]
    incident = found["INC-1"]
    assert (incident.priority, incident.summary, incident.light) == (1, "INC-1 is wrong", "red")
    assert (incident.services, incident.audiences) == (("erecept",), ("vard",))
    assert (incident.opened, incident.opened_by) == (T0, "anna")
    assert incident.updates == (
        (T0 + dt.timedelta(minutes=20), "bo", "still broken"),
        (T0 + dt.timedelta(minutes=45), "cecilia", "fixed"),
    )
    assert (incident.resolved_by, incident.latest_summary) == ("cecilia", "fixed")
    assert incident.resolved == T0 + dt.timedelta(minutes=45)
    assert not incident.open


def test_defaults_for_an_incident_without_services_audiences_or_light() -> None:
    incident = incidents([opened(0, "INC-1", 3)])["INC-1"]
    assert (incident.services, incident.audiences, incident.light) == ((), (), "red")
    assert incident.open
    assert incident.updates == ()
    assert incident.latest_summary == "INC-1 is wrong"


def test_resolution_without_summary_adds_no_update() -> None:
    found = incidents([opened(0, "INC-1", 2), event("incident_resolved", 5, {"id": "INC-1"})])
    assert found["INC-1"].updates == ()
    assert found["INC-1"].resolved == T0 + dt.timedelta(minutes=5)


def test_events_for_unknown_incidents_are_ignored() -> None:
    found = incidents(
        [
            event("incident_updated", 1, {"id": "INC-9", "summary": "?"}),
            event("incident_resolved", 2, {"id": "INC-9"}),
            opened(3, "INC-1", 1),
        ]
    )
    assert list(found) == ["INC-1"]
    assert found["INC-1"].open


def test_several_open_at_once_in_the_order_opened() -> None:
    found = incidents(
        [
            opened(0, "INC-1", 3),
            opened(1, "INC-2", 1),
            event("incident_resolved", 2, {"id": "INC-1"}),
            opened(3, "INC-3", 2),
        ]
    )
    assert list(found) == ["INC-1", "INC-2", "INC-3"]
    assert [i.open for i in found.values()] == [False, True, True]
    assert next_id(tuple(found.values())) == "INC-4"


def test_next_id_starts_at_one() -> None:
    assert next_id(()) == "INC-1"


@pytest.mark.parametrize(
    ("minutes", "overdue"),
    [(0, False), (29, False), (30, False), (30 + 1 / 60, True), (31, True), (600, True)],
)
def test_major_incident_is_overdue_only_after_the_interval(minutes: float, overdue: bool) -> None:
    incident = incidents([opened(0, "INC-1", 1)])["INC-1"]
    assert incident.major(POLICY)
    assert incident.next_update_due(POLICY) == T0 + dt.timedelta(minutes=30)
    assert incident.overdue(POLICY, T0 + dt.timedelta(minutes=minutes)) is overdue


def test_an_update_restarts_the_clock() -> None:
    incident = incidents(
        [opened(0, "INC-1", 2), event("incident_updated", 31, {"id": "INC-1", "summary": "s"})]
    )["INC-1"]
    assert incident.last_word == T0 + dt.timedelta(minutes=31)
    assert incident.next_update_due(POLICY) == T0 + dt.timedelta(minutes=61)
    assert not incident.overdue(POLICY, T0 + dt.timedelta(minutes=61))
    assert incident.overdue(POLICY, T0 + dt.timedelta(minutes=62))


@pytest.mark.parametrize("priority", [3, 4, 5])
def test_minor_incident_needs_no_update(priority: int) -> None:
    incident = incidents([opened(0, "INC-1", priority)])["INC-1"]
    assert not incident.major(POLICY)
    assert incident.next_update_due(POLICY) is None
    assert not incident.overdue(POLICY, T0 + dt.timedelta(days=3))


def test_resolved_major_incident_needs_no_update() -> None:
    incident = incidents([opened(0, "INC-1", 1), event("incident_resolved", 10, {"id": "INC-1"})])[
        "INC-1"
    ]
    assert incident.next_update_due(POLICY) is None
    assert not incident.overdue(POLICY, T0 + dt.timedelta(hours=5))


def test_the_runbooks_policy_decides_what_is_major() -> None:
    policy = IncidentPolicy.model_validate({"update_interval": "1h", "major_priorities": [1]})
    p1, p2 = (Incident("INC-1", p, "s", (), (), T0, "anna", "red") for p in (1, 2))
    assert p1.next_update_due(policy) == T0 + dt.timedelta(hours=1)
    assert p2.next_update_due(policy) is None
