"""lights.history: the traffic lights replayed from hand-built entries."""

from __future__ import annotations

from typing import Any

from gonogo.night.entries import Entry
from gonogo.night.lights import Change, history
from gonogo.runbook.model import Runbook

from .entries import entry, load_21

RUNBOOK: Runbook = load_21()
SERVICES = list(RUNBOOK.services)


def event(
    kind: str, minutes: int, data: dict[str, Any] | None = None, reason: str | None = None
) -> Entry:
    return entry(kind, minutes, data, reason=reason)


def opened(minutes: int, id_: str, services: list[str], light: str) -> Entry:
    data = {"id": id_, "priority": 1, "summary": "s", "services": services, "light": light}
    return event("incident_opened", minutes, data)


def resolved(minutes: int, id_: str) -> Entry:
    return event("incident_resolved", minutes, {"id": id_})


def lights_after(*events: Entry, runbook: Runbook = RUNBOOK) -> dict[str, str]:
    return history(runbook, list(events))[0]


def only(colour: str, **others: str) -> dict[str, str]:
    return {s: others.get(s.replace("-", "_"), colour) for s in SERVICES}


def test_every_service_is_green_before_the_window() -> None:
    assert history(RUNBOOK, []) == (only("green"), [])


def test_window_start_turns_its_services_red_and_the_end_green() -> None:
    start = event("start", 0)
    lights, changes = history(RUNBOOK, [start])
    assert RUNBOOK.window.services == SERVICES  # every service of release 21.0 goes down
    assert lights == only("red")
    assert changes == [
        Change(start.at, s, "red", "window started", "anna") for s in sorted(SERVICES)
    ]
    end = event("end", 480)
    lights, changes = history(RUNBOOK, [start, end])
    assert lights == only("green")
    assert changes[len(SERVICES) :] == [
        Change(end.at, s, "green", "window ended", "anna") for s in sorted(SERVICES)
    ]


def test_a_completed_rollback_turns_them_green() -> None:
    lights, changes = history(
        RUNBOOK, [event("start", 0), event("nogo", 60), event("rollback_done", 150)]
    )
    assert lights == only("green")
    assert {c.why for c in changes[len(SERVICES) :]} == {"rollback completed"}
    # NoGo alone changes nothing: the services stay down during the rollback.
    assert lights_after(event("start", 0), event("nogo", 60)) == only("red")


def test_an_incident_in_the_window_cannot_make_a_red_service_better() -> None:
    events = [event("start", 0), opened(130, "INC-1", ["erecept"], "yellow")]
    lights, changes = history(RUNBOOK, events)
    assert lights == only("red")
    assert len(changes) == len(SERVICES)  # no change: it was red already
    # Resolved while the window is open: back to the window's red, not green.
    assert lights_after(*events, resolved(150, "INC-1")) == only("red")


def test_incident_lights_after_the_window_and_their_restoration() -> None:
    window = [event("start", 0), event("end", 480)]
    first = opened(500, "INC-1", ["erecept", "klas"], "yellow")
    second = opened(510, "INC-2", ["erecept"], "red")
    assert lights_after(*window, first) == only("green", erecept="yellow", klas="yellow")
    # The worst open incident wins.
    assert lights_after(*window, first, second) == only("green", erecept="red", klas="yellow")
    after_second = lights_after(*window, first, second, resolved(520, "INC-2"))
    assert after_second == only("green", erecept="yellow", klas="yellow")
    lights, changes = history(
        RUNBOOK, [*window, first, second, resolved(520, "INC-2"), resolved(530, "INC-1")]
    )
    assert lights == only("green")
    assert [(c.service, c.colour, c.why) for c in changes[2 * len(SERVICES) :]] == [
        ("erecept", "yellow", "incident INC-1 opened"),
        ("klas", "yellow", "incident INC-1 opened"),
        ("erecept", "red", "incident INC-2 opened"),
        ("erecept", "yellow", "incident INC-2 resolved"),
        ("erecept", "green", "incident INC-1 resolved"),
        ("klas", "green", "incident INC-1 resolved"),
    ]


def test_window_end_leaves_an_open_incidents_light() -> None:
    lights = lights_after(
        event("start", 0), opened(60, "INC-1", ["klas"], "yellow"), event("end", 480)
    )
    assert lights == only("green", klas="yellow")


def test_a_manual_light_holds_until_the_next_change_of_that_service() -> None:
    start = event("start", 0)
    manual = event("lights_set", 10, {"service": "erecept", "colour": "yellow"}, "prio-trafik")
    lights, changes = history(RUNBOOK, [start, manual])
    assert lights == only("red", erecept="yellow")
    assert changes[-1] == Change(manual.at, "erecept", "yellow", "set by hand: prio-trafik", "anna")
    # Another service's incident leaves it alone ...
    other = opened(20, "INC-1", ["klas"], "red")
    assert lights_after(start, manual, other) == only("red", erecept="yellow")
    # ... an incident on the service itself recomputes it.
    mine = opened(30, "INC-2", ["erecept"], "yellow")
    assert lights_after(start, manual, other, mine) == only("red")
    # And so does the window's end.
    assert lights_after(start, manual, event("end", 480)) == only("green")


def test_a_manual_light_to_the_same_colour_is_no_change() -> None:
    lights, changes = history(
        RUNBOOK,
        [event("start", 0), event("lights_set", 5, {"service": "klas", "colour": "red"}, "x")],
    )
    assert lights == only("red")
    assert len(changes) == len(SERVICES)


def test_unknown_services_and_incidents_are_ignored() -> None:
    lights, changes = history(
        RUNBOOK,
        [opened(0, "INC-1", ["no-such-service"], "red"), resolved(5, "INC-7")],
    )
    assert (lights, changes) == (only("green"), [])


def test_a_window_without_downtime_leaves_the_lights_green() -> None:
    window = RUNBOOK.window.model_copy(update={"downtime": False})
    runbook = RUNBOOK.model_copy(update={"window": window})
    assert lights_after(event("start", 0), runbook=runbook) == only("green")
    incident = opened(10, "INC-1", ["nkoo"], "yellow")
    assert lights_after(event("start", 0), incident, runbook=runbook) == only(
        "green", nkoo="yellow"
    )
    assert lights_after(event("start", 0), incident, resolved(20, "INC-1"), runbook=runbook) == (
        only("green")
    )


def test_a_manual_reason_is_kept_as_written() -> None:
    reason = "se ärende: "
    changes = history(
        RUNBOOK, [event("lights_set", 0, {"service": "klas", "colour": "yellow"}, reason)]
    )[1]
    assert [c.why for c in changes] == ["set by hand: se ärende: "]
    changes = history(RUNBOOK, [event("lights_set", 0, {"service": "klas", "colour": "red"})])[1]
    assert [c.why for c in changes] == ["set by hand"]
