"""Forgiving names: parts and participants as a tired operator types them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from gonogo.errors import TransitionError
from gonogo.night.decisions import Decision
from gonogo.night.decisions.beside import (
    disruption,
    open_incident,
    resolve_incident,
    set_light,
    update_incident,
    verify_report,
)
from gonogo.night.decisions.changes import cancel, extend, reschedule
from gonogo.night.decisions.deliveries import RESEND, settle
from gonogo.night.decisions.names import find_part, find_participant, require_reason
from gonogo.night.decisions.window import decide_step

from ..entries import entry
from .nights import RUNBOOK, context, in_part, night


@pytest.mark.parametrize(
    ("ref", "number"),
    [("1", 1), ("databas", 1), ("DATABAS", 1), (" Databasförändringar ", 1),
     ("uppstart av MILJÖER", 3), ("ev", 5)],
)  # fmt: skip
def test_a_part_by_number_id_or_title_in_any_case(ref: str, number: int) -> None:
    assert find_part(RUNBOOK, ref) == number


def test_a_near_miss_is_refused_with_did_you_mean() -> None:
    with pytest.raises(TransitionError, match=r"okänd del 'databs' \(menade du 'databas'\?\); delar: 1 \(databas\)"):  # fmt: skip  # noqa: E501
        find_part(RUNBOOK, "databs")
    with pytest.raises(TransitionError, match=r"okänd del 'xyz'; delar: "):
        find_part(RUNBOOK, "xyz")


@pytest.mark.parametrize(
    ("ref", "pid"),
    [("dalarna", "dalarna"), ("Dalarna", "dalarna"), ("Region Dalarna", "dalarna"),
     ("Apoteket AB", "apoteket-ab"), ("apoteket ab", "apoteket-ab"), ("Rex", "apoteket-ab"),
     ("NCS Cross", "orebro"), ("region örebro", "orebro"), ("VAS", "norrbotten")],
)  # fmt: skip
def test_a_participant_by_id_organisation_or_system(ref: str, pid: str) -> None:
    assert find_participant(RUNBOOK, ref) == pid


def test_a_system_two_participants_share_is_refused_naming_both() -> None:
    with pytest.raises(TransitionError, match=r"'TakeCare' passar 2 deltagare \(dalarna, stockholm\); ange vilken"):  # fmt: skip  # noqa: E501
        find_participant(RUNBOOK, "TakeCare")
    with pytest.raises(TransitionError, match=r"menade du 'dalarna'"):
        find_participant(RUNBOOK, "dalrna")


def test_verify_report_takes_the_forgiving_name() -> None:
    started = in_part(5, entry("verification_started", 51))
    decision = verify_report(context(52), started, "Apoteket AB", "OK", None)
    assert decision.entry.payload.participant == "apoteket-ab"  # type: ignore[attr-defined]


@pytest.mark.parametrize("reason", [None, "", "   ", "\t\n"])
def test_an_empty_reason_is_refused(reason: str | None) -> None:
    with pytest.raises(TransitionError, match="needs --reason TEXT"):
        require_reason(reason, "`nogo`")
    with pytest.raises(TransitionError, match="`nogo` kräver --reason TEXT, inte en tom text"):
        decide_step(context(5), in_part(1), "nogo", "1", reason)
    with pytest.raises(TransitionError, match="`hold` kräver --reason"):
        decide_step(context(5), in_part(1), "hold", "1", reason)
    if reason is not None:
        with pytest.raises(TransitionError, match="att sätta ett trafikljus kräver --reason"):
            set_light(context(5), "erecept", "red", reason)


def test_go_by_title_in_capitals() -> None:
    decision = decide_step(context(5), in_part(1, entry("progress", 2)), "go", "DATABAS")
    assert decision.entry.part == 1


def test_verify_start_before_its_part_asks_first() -> None:
    from gonogo.night.decisions.beside import verify_start  # noqa: PLC0415

    (caution,) = verify_start(context(5), in_part(1)).cautions
    assert "verifieringen spärrar del 5 (ev), men del 1 pågår" in caution.warning
    assert (caution.question, caution.language) == ("Skicka klartecknet ändå?", "sv")
    assert verify_start(context(300), in_part(5)).cautions == ()


INCIDENT = entry("incident_opened", 20, {"id": "INC-1", "priority": 2, "summary": "seg",
                                          "services": ["erecept"]})  # fmt: skip
VERIFYING = in_part(5, entry("verification_started", 51))
# Every decision that takes an operator's text, with that text blank. Each would
# otherwise send or journal it ("Kort störning:  . Berörda tjänster…").
BLANK_TEXT: dict[str, tuple[Callable[[str], Decision], str]] = {
    "incident open": (
        lambda t: open_incident(context(30), in_part(1), 2, t, ["erecept"], None, None),
        "en driftstörning kräver --summary TEXT",
    ),
    "incident update": (
        lambda t: update_incident(context(30), in_part(1, INCIDENT), "INC-1", t),
        "en uppdatering av en driftstörning kräver --summary TEXT",
    ),
    "incident resolve": (
        lambda t: resolve_incident(context(30), in_part(1, INCIDENT), "INC-1", t),
        "att åtgärda en driftstörning: --summary är tom; ange TEXT eller utelämna --summary",
    ),
    "disruption": (
        lambda t: disruption(context(30), t, ["erecept"]),
        "ett meddelande om kort störning kräver --summary TEXT",
    ),
    "verify note": (
        lambda t: verify_report(context(52), VERIFYING, "dalarna", "ok", t),
        "en återrapport: --note är tom; ange TEXT eller utelämna --note",
    ),
    "verify skip": (
        lambda t: verify_report(context(52), VERIFYING, "dalarna", "skip", t),
        "en återrapport: --note är tom",
    ),
    "go": (
        lambda t: decide_step(context(5), in_part(1), "go", "1", t),
        "`go` kräver --reason TEXT",
    ),
    "go override": (
        lambda t: decide_step(context(5), in_part(1), "go", "1", t, override_verification=True),
        "en Go förbi produktionsverifieringen kräver --reason TEXT",
    ),
    "lights": (
        lambda t: set_light(context(5), "erecept", "red", t),
        "att sätta ett trafikljus kräver --reason TEXT",
    ),
    "settle": (
        lambda t: settle(night(), RESEND, t, "sv"),
        "att avgöra osäkra leveranser kräver --reason",
    ),
    "reschedule": (
        lambda t: reschedule(context(-9000), night(), dt.date(2021, 12, 4), None, None, t),
        "`reschedule` kräver --reason TEXT",
    ),
    "cancel": (lambda t: cancel(context(-9000), night(), t), "`cancel` kräver --reason TEXT"),
    "extend": (
        lambda t: extend(context(60), in_part(1), dt.time(8), t),
        "`extend` kräver --reason TEXT",
    ),
}


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
@pytest.mark.parametrize("command", list(BLANK_TEXT))
def test_a_blank_text_is_refused_wherever_an_operator_gives_one(command: str, text: str) -> None:
    decide, message = BLANK_TEXT[command]
    with pytest.raises(TransitionError) as refused:
        decide(text)
    assert refused.value.message.startswith(message)
    assert refused.value.message.endswith("; inget har gjorts")


def test_a_given_text_is_journaled_and_sent_stripped() -> None:
    decision = disruption(context(30), "  seg  ", ["erecept"])
    assert decision.sends[0].values["summary"] == "seg"
    decision = extend(context(60), in_part(1), dt.time(8), " migreringen ")
    assert (decision.entry.reason, decision.sends[0].values["reason"]) == ("migreringen",) * 2
