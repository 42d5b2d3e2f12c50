"""Forgiving names: parts and participants as a tired operator types them."""

from __future__ import annotations

import pytest

from gonogo.errors import TransitionError
from gonogo.night.decisions.beside import set_light, verify_report
from gonogo.night.decisions.names import find_part, find_participant, require_reason
from gonogo.night.decisions.window import decide_step

from ..entries import entry
from .nights import RUNBOOK, context, in_part


@pytest.mark.parametrize(
    ("ref", "number"),
    [("1", 1), ("databas", 1), ("DATABAS", 1), (" Databasförändringar ", 1),
     ("uppstart av MILJÖER", 3), ("ev", 5)],
)  # fmt: skip
def test_a_part_by_number_id_or_title_in_any_case(ref: str, number: int) -> None:
    assert find_part(RUNBOOK, ref) == number


def test_a_near_miss_is_refused_with_did_you_mean() -> None:
    with pytest.raises(TransitionError, match=r"unknown part 'databs' \(did you mean 'databas'\?\); parts: 1 \(databas\)"):  # fmt: skip  # noqa: E501
        find_part(RUNBOOK, "databs")
    with pytest.raises(TransitionError, match=r"unknown part 'xyz'; parts: "):
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
    with pytest.raises(TransitionError, match=r"'TakeCare' names 2 participants \(dalarna, stockholm\)"):  # fmt: skip  # noqa: E501
        find_participant(RUNBOOK, "TakeCare")
    with pytest.raises(TransitionError, match=r"did you mean 'dalarna'"):
        find_participant(RUNBOOK, "dalrna")


def test_verify_report_takes_the_forgiving_name() -> None:
    started = in_part(5, entry("verification_started", 51))
    decision = verify_report(context(52), started, "Apoteket AB", "OK", None)
    assert decision.entry.payload.participant == "apoteket-ab"  # type: ignore[attr-defined]


@pytest.mark.parametrize("reason", [None, "", "   ", "\t\n"])
def test_an_empty_reason_is_refused(reason: str | None) -> None:
    with pytest.raises(TransitionError, match="needs --reason TEXT"):
        require_reason(reason, "`nogo`")
    with pytest.raises(TransitionError, match="`nogo` needs --reason"):
        decide_step(context(5), in_part(1), "nogo", "1", reason)
    with pytest.raises(TransitionError, match="`hold` needs --reason"):
        decide_step(context(5), in_part(1), "hold", "1", reason)
    if reason is not None:
        with pytest.raises(TransitionError, match="setting a light needs --reason"):
            set_light(context(5), "erecept", "red", reason)


def test_go_by_title_in_capitals() -> None:
    decision = decide_step(context(5), in_part(1, entry("progress", 2)), "go", "DATABAS")
    assert decision.entry.part == 1


def test_verify_start_before_its_part_asks_first() -> None:
    from gonogo.night.decisions.beside import verify_start  # noqa: PLC0415

    (caution,) = verify_start(context(5), in_part(1)).cautions
    assert "verification gates part 5 (ev), but part 1 is in progress" in caution.warning
    assert verify_start(context(300), in_part(5)).cautions == ()
