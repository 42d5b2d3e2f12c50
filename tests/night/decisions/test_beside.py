"""Decisions beside the machine: incidents, disruptions, lights, production verification."""

from __future__ import annotations

from typing import Any

import pytest

from gonogo.errors import TransitionError
from gonogo.night.decisions import Context, Decision
from gonogo.night.decisions.beside import (
    disruption,
    open_incident,
    resolve_incident,
    set_light,
    update_incident,
    verify_report,
    verify_start,
)
from gonogo.night.entries import (
    Disrupted,
    Empty,
    Entry,
    IncidentOpened,
    IncidentWord,
    Kind,
    LightSet,
    NewEntry,
    Reported,
)
from gonogo.night.machine import Effect
from gonogo.night.snapshot import Night
from gonogo.runbook.events import Event

from ..entries import entry
from .nights import PLAN, RUNBOOK, context, english, in_part, journaled, night

INCIDENT_MINUTE = 130  # 01:10 in Stockholm


def opened(minute: int = INCIDENT_MINUTE, id_: str = "INC-1", **data: Any) -> Entry:
    fields = {"id": id_, "priority": 1, "summary": "receptet kommer inte fram"}
    return entry("incident_opened", minute, {"services": ["erecept"], **fields, **data})


def _open(
    priority: int = 1,
    *,
    on: Night | None = None,
    services: list[str] | None = None,
    audiences: list[str] | None = None,
    light: str | None = None,
) -> Decision:
    """open_incident at 01:10, in part 2 unless `on` says otherwise."""
    return open_incident(
        context(INCIDENT_MINUTE), in_part(2) if on is None else on, priority, "trasigt",
        ["erecept"] if services is None else services, audiences, light,
    )  # fmt: skip


# -- incidents -----------------------------------------------------------------------------


def test_open_incident_journals_it_and_sends_to_its_audiences() -> None:
    decision = _open(2, services=["erecept", "klas"], audiences=["vard", "apotek"])
    assert decision.entry == NewEntry(
        Kind.INCIDENT_OPENED,
        IncidentOpened("INC-1", 2, "trasigt", ("erecept", "klas"), ("vard", "apotek"), "red"),
    )
    assert decision.note == "Driftstörning INC-1 öppnad."
    (send,) = decision.sends
    assert (send.effect, send.audiences, send.incident) == (
        Effect(Event.INCIDENT_OPENED), ("vard", "apotek"), "INC-1",
    )  # fmt: skip
    assert send.values["incident_id"] == "INC-1"
    assert send.values["priority"] == "2"
    assert send.values["services"] == "E-recept, Klas"
    assert (send.values["time"], send.values["next_update"]) == ("01:10", "01:40")


def test_the_next_incident_gets_the_next_id() -> None:
    decision = _open(on=in_part(2, opened()))
    assert decision.entry.payload.id == "INC-2"


@pytest.mark.parametrize(
    ("priority", "light"), [(1, "red"), (2, "red"), (3, "yellow"), (5, "yellow")]
)
def test_a_major_incident_is_red_and_a_minor_one_yellow(priority: int, light: str) -> None:
    assert _open(priority).entry.payload.light == light


def test_an_incident_may_be_given_its_light() -> None:
    assert _open(1, light="yellow").entry.payload.light == "yellow"
    with pytest.raises(
        TransitionError, match="en driftstörnings trafikljus är yellow eller red, inte green"
    ):
        _open(1, light="green")


@pytest.mark.parametrize("priority", [0, 6, -1])
def test_priority_out_of_range_is_refused(priority: int) -> None:
    with pytest.raises(
        TransitionError, match=f"prioritet {priority}: ITIL-prioriteter är 1 till 5"
    ):
        _open(priority)


def test_open_incident_before_the_start_is_refused() -> None:
    with pytest.raises(TransitionError, match="servicefönstret har inte startat; starta det först"):
        _open(on=night())


def test_open_incident_after_the_night_is_allowed() -> None:
    over = night(entry("start", 0), entry("nogo", 10, part=1), entry("rollback_done", 60))
    assert _open(on=over).entry.kind == Kind.INCIDENT_OPENED


def test_unknown_services_and_audiences_are_refused() -> None:
    with pytest.raises(TransitionError, match="okänd tjänst nope; tjänster: erecept, "):
        _open(services=["erecept", "nope"])
    with pytest.raises(TransitionError, match="okänd målgrupp nope; målgrupper: vard, "):
        _open(audiences=["nope"])


def test_a_text_naming_the_services_needs_them() -> None:
    with pytest.raises(TransitionError, match="nämner de berörda tjänsterna") as refused:
        _open(services=[])
    assert (refused.value.hint or "").startswith("ange --services, t.ex. --services erecept,")


def test_update_of_an_open_incident() -> None:
    now = in_part(2, opened(audiences=["vard"]))
    decision = update_incident(context(150), now, "inc-1", "fortfarande trasigt")
    assert decision.entry == NewEntry(
        Kind.INCIDENT_UPDATED, IncidentWord("INC-1", "fortfarande trasigt")
    )
    (send,) = decision.sends
    assert (send.effect, send.audiences, send.incident) == (
        Effect(Event.INCIDENT_UPDATED), ("vard",), "INC-1",
    )  # fmt: skip
    assert (send.values["summary"], send.values["next_update"]) == ("fortfarande trasigt", "02:00")


def test_update_of_a_resolved_incident_is_refused() -> None:
    done = in_part(2, opened(), entry("incident_resolved", 140, {"id": "INC-1"}))
    with pytest.raises(TransitionError) as refused:
        update_incident(context(150), done, "INC-1", "igen")
    assert refused.value.message == "driftstörning INC-1 åtgärdades 01:20; inget har skickats"
    with pytest.raises(TransitionError, match="åtgärdades 01:20"):
        resolve_incident(context(150), done, "INC-1", None)


def test_an_unknown_incident_is_refused_and_the_known_named() -> None:
    with pytest.raises(TransitionError, match="ingen driftstörning INC-9; driftstörningar: INC-1"):
        update_incident(context(150), in_part(2, opened()), "INC-9", "?")
    with pytest.raises(TransitionError, match="ingen driftstörning INC-1; driftstörningar: inga"):
        resolve_incident(context(150), in_part(2), "INC-1", "klart")


def test_resolution_without_summary_names_the_incident_as_opened() -> None:
    # Not the latest update ("felsökning pågår"): the text says the incident is over.
    update = entry("incident_updated", 140, {"id": "INC-1", "summary": "felsökning pågår"})
    decision = resolve_incident(context(150), in_part(2, opened(), update), "INC-1", None)
    assert decision.entry == NewEntry(Kind.INCIDENT_RESOLVED, IncidentWord("INC-1", ""))
    assert decision.sends[0].effect == Effect(Event.INCIDENT_RESOLVED)
    assert decision.sends[0].values["summary"] == "receptet kommer inte fram"
    closing = resolve_incident(context(150), in_part(2, opened()), "INC-1", "klart")
    assert closing.entry.payload == IncidentWord("INC-1", "klart")
    assert closing.sends[0].values["summary"] == "klart"


def test_an_opened_incident_folds_back_into_the_night() -> None:
    decision = _open(3, services=["klas"])
    after = in_part(2, journaled(decision.entry, INCIDENT_MINUTE, "bo"))
    incident = after.incident("INC-1")
    assert incident is not None
    assert (incident.priority, incident.light, incident.opened_by) == (3, "yellow", "bo")
    assert after.lights["klas"] == "red"  # the window's red is worse than the incident's


# -- disruptions and lights ----------------------------------------------------------------


def test_disruption_names_its_services() -> None:
    decision = disruption(context(600), "långsamt", ["erecept", "klas"])
    assert decision.entry == NewEntry(Kind.DISRUPTION, Disrupted("långsamt", ("erecept", "klas")))
    (send,) = decision.sends
    assert send.effect == Effect(Event.DISRUPTION)
    assert (send.values["summary"], send.values["services"]) == ("långsamt", "E-recept, Klas")
    with pytest.raises(TransitionError, match="okänd tjänst nope"):
        disruption(context(600), "långsamt", ["nope"])


@pytest.mark.parametrize("colour", ["green", "yellow", "red"])
def test_set_light_journals_the_colour_with_its_reason(colour: str) -> None:
    decision = set_light(context(10), "klas", colour, "prio-trafik")
    assert decision.entry == NewEntry(
        Kind.LIGHTS_SET, LightSet("klas", colour), reason="prio-trafik"
    )
    assert decision.sends == ()
    after = night(journaled(decision.entry, 10))
    assert after.lights["klas"] == colour
    assert after.lights["erecept"] == "green"


def test_set_light_refuses_other_colours_and_unknown_services() -> None:
    with pytest.raises(TransitionError, match="färg blue: använd green, yellow eller red"):
        set_light(context(10), "klas", "blue", "x")
    with pytest.raises(TransitionError, match="okänd tjänst nope"):
        set_light(context(10), "nope", "red", "x")


# -- production verification ---------------------------------------------------------------


def test_verify_start_sends_the_participant_count() -> None:
    decision = verify_start(context(300), in_part(5))
    assert decision.entry == NewEntry(Kind.VERIFICATION_STARTED, Empty())
    (send,) = decision.sends
    assert (send.effect, send.values["participant_count"]) == (
        Effect(Event.VERIFICATION_STARTED), "7",
    )  # fmt: skip


NOGO_2 = entry("nogo", 30, part=2)


@pytest.mark.parametrize(
    ("entries", "message", "hint"),
    [
        ((), "the run has not started; open the window first", "next: `gonogo start RUNBOOK`"),
        ((entry("start", 0), entry("go", 10, part=1), NOGO_2),
         "production verification cannot start now: the night is rolling back; nothing was sent",
         "next: `gonogo rollback-done` when the rollback is finished"),
        ((entry("start", 0), entry("go", 10, part=1), NOGO_2, entry("rollback_done", 60)),
         "production verification cannot start now: the night is over: rolled back; nothing "
         "was sent", "nothing more to do; see `gonogo report` or `gonogo log`"),
        ((*in_part(6).entries, entry("end", 60)),
         "production verification cannot start now: the night is over: completed; nothing was "
         "sent", "nothing more to do; see `gonogo report` or `gonogo log`"),
        (in_part(6).entries,
         "production verification cannot start now: every part has had Go; the window waits "
         "to be ended; nothing was sent", "next: `gonogo end`"),
    ],
)  # fmt: skip
def test_verify_start_is_refused_where_verification_cannot_start_in_english(
    entries: tuple[Entry, ...], message: str, hint: str
) -> None:
    with pytest.raises(TransitionError) as refused:
        verify_start(english(300), night(*entries))
    assert (refused.value.message, refused.value.hint) == (message, hint)


@pytest.mark.parametrize(
    ("entries", "message", "hint"),
    [
        ((), "servicefönstret har inte startat; starta det först",
         "nästa: `gonogo start RUNBOOK`"),
        ((entry("start", 0), entry("go", 10, part=1), NOGO_2),
         "produktionsverifieringen kan inte starta nu: tillbakarullning pågår; inget har "
         "skickats", "nästa: `gonogo rollback-done` när tillbakarullningen är klar"),
        ((entry("start", 0), entry("go", 10, part=1), NOGO_2, entry("rollback_done", 60)),
         "produktionsverifieringen kan inte starta nu: natten är över: tillbakarullad; inget "
         "har skickats", "inget mer att göra; se `gonogo report` eller `gonogo log`"),
        ((*in_part(6).entries, entry("end", 60)),
         "produktionsverifieringen kan inte starta nu: natten är över: genomförd; inget har "
         "skickats", "inget mer att göra; se `gonogo report` eller `gonogo log`"),
        (in_part(6).entries,
         "produktionsverifieringen kan inte starta nu: alla delar har fått Go, fönstret är "
         "inte avslutat; inget har skickats", "nästa: `gonogo end`"),
    ],
)  # fmt: skip
def test_verify_start_is_refused_where_verification_cannot_start_in_swedish(
    entries: tuple[Entry, ...], message: str, hint: str
) -> None:
    with pytest.raises(TransitionError) as refused:
        verify_start(context(300), night(*entries))
    assert (refused.value.message, refused.value.hint) == (message, hint)


def test_verify_start_twice_is_refused() -> None:
    started = in_part(5, entry("verification_started", 300))
    with pytest.raises(TransitionError, match="startades redan 04:00"):
        verify_start(context(310), started)


def test_a_runbook_without_verification_refuses_both() -> None:
    ctx = Context(RUNBOOK.model_copy(update={"verification": None}), PLAN, context(300).now)
    with pytest.raises(TransitionError, match="runbooken har ingen produktionsverifiering"):
        verify_start(ctx, in_part(5))
    with pytest.raises(TransitionError, match="runbooken har ingen produktionsverifiering"):
        verify_report(ctx, in_part(5), "dalarna", "ok", None)


def test_verify_report_before_the_start_is_refused() -> None:
    with pytest.raises(
        TransitionError, match="produktionsverifieringen har inte startat"
    ) as refused:
        verify_report(context(300), in_part(5), "dalarna", "ok", None)
    assert refused.value.hint == "`gonogo verify start` först"


def test_verify_report_is_journaled_with_its_note() -> None:
    started = in_part(5, entry("verification_started", 300))
    decision = verify_report(context(310), started, "orebro", "skip", "inget testkonto")
    assert decision.entry == NewEntry(
        Kind.VERIFICATION_REPORT, Reported("orebro", "skip"), reason="inget testkonto"
    )
    assert decision.sends == ()
    after = in_part(5, entry("verification_started", 300), journaled(decision.entry, 310))
    assert after.verification.reports["orebro"].note == "inget testkonto"


@pytest.mark.parametrize(
    ("participant", "result", "note", "words"),
    [
        ("dalarna", "maybe", None, "resultat maybe: använd ok, fail eller skip"),
        ("gotland", "ok", None, "okänd deltagare 'gotland'; deltagare: apoteket-ab, "),
        ("dalarna", "skip", None, "en deltagare som hoppas över kräver --note som säger varför"),
    ],
)
def test_verify_report_refusals(
    participant: str, result: str, note: str | None, words: str
) -> None:
    started = in_part(5, entry("verification_started", 300))
    with pytest.raises(TransitionError) as refused:
        verify_report(context(310), started, participant, result, note)
    assert words in refused.value.message
