"""decide_start and decide_step: the window's machine as pure decisions (no journal)."""

from __future__ import annotations

import pytest

from gonogo.errors import TransitionError
from gonogo.night.decisions import Caution, Context
from gonogo.night.decisions.window import decide_start, decide_step, verification_blocker
from gonogo.night.entries import Decided, Entry, Kind, NewEntry, Started
from gonogo.night.machine import Effect
from gonogo.runbook.events import Event

from ..entries import entry
from .nights import PLAN, RUNBOOK, context, english, in_part, journaled, night

PARTICIPANTS = ["apoteket-ab", "dalarna", "stockholm", "kalmar", "jonkoping", "norrbotten",
                "orebro"]  # fmt: skip
MINUTES_TO_NO_RETURN = 6 * 60 + 30  # 05:30 in Stockholm


def reports(*results: str, minute: int = 320) -> list[Entry]:
    """verification_started, then one report per participant in order."""
    found = [entry("verification_started", minute)]
    for n, (participant, result) in enumerate(zip(PARTICIPANTS, results, strict=False), 1):
        found.append(
            entry(
                "verification_report",
                minute + n,
                {"participant": participant, "result": result},
                reason="utan testkonto" if result == "skip" else None,
            )
        )
    return found


# -- start -------------------------------------------------------------------------------


def test_start_on_plan_asks_nothing_and_sends_window_started() -> None:
    decision = decide_start(context(10), dry_run=False)
    assert decision.entry == NewEntry(Kind.START, Started(False, None))
    assert decision.cautions == ()
    (send,) = decision.sends
    assert send.effect == Effect(Event.WINDOW_STARTED)
    assert (send.values["time"], send.values["release"]) == ("23:10", "21.0")
    assert (send.audiences, send.incident) == ((), None)


@pytest.mark.parametrize(("minute", "words"), [(-180, "3 h 00 min före"), (90, "1 h 30 min efter")])
def test_start_far_off_plan_needs_confirming_and_is_journaled(minute: int, words: str) -> None:
    decision = decide_start(context(minute), dry_run=False)
    assert decision.entry.payload == Started(False, minute)
    (caution,) = decision.cautions
    assert caution.warning == f"Varning: det här är {words} planerad start 2021-11-27 23:00."
    assert caution.question == "Starta servicefönstret ändå?"


def _english(ctx: Context) -> Context:
    release = ctx.runbook.release.model_copy(update={"language": "en"})
    return Context(ctx.runbook.model_copy(update={"release": release}), ctx.plan, ctx.now)


def test_an_english_runbook_is_cautioned_in_english() -> None:
    (caution,) = decide_start(_english(context(90)), dry_run=False).cautions
    assert caution == Caution(
        "Warning: this is 1 h 30 min after the planned start 2021-11-27 23:00.",
        "Start the window anyway?",
        "en",
    )
    late = MINUTES_TO_NO_RETURN + 1
    (caution,) = decide_step(_english(context(late)), in_part(3), "go", "3").cautions
    assert caution.question == "Give Go anyway?"
    assert caution.warning.startswith("Warning: the point of no return (05:30) has passed")


@pytest.mark.parametrize("minute", [-60, 60])
def test_start_within_the_hour_is_on_plan(minute: int) -> None:
    decision = decide_start(context(minute), dry_run=False)
    assert (decision.cautions, decision.entry.payload) == ((), Started(False, None))


def test_a_rehearsal_is_never_off_plan() -> None:
    decision = decide_start(context(-3 * 24 * 60), dry_run=True)
    assert (decision.cautions, decision.entry.payload) == ((), Started(True, None))


# -- go, nogo, hold ------------------------------------------------------------------------


def test_go_for_the_part_in_progress_sends_part_completed() -> None:
    decision = decide_step(context(60), in_part(1, entry("progress", 30)), "go", "1", "klart")
    assert decision.entry == NewEntry(Kind.GO, Decided(), 1, "klart")
    assert decision.cautions == ()
    assert [s.effect for s in decision.sends] == [Effect(Event.PART_COMPLETED, 1)]
    assert decision.sends[0].values["part_id"] == "databas"


def test_go_without_a_part_means_the_part_in_progress() -> None:
    decision = decide_step(context(60), in_part(2), "go")
    assert decision.entry.part == 2
    assert decision.entry.kind == Kind.GO


def test_go_by_part_id() -> None:
    assert decide_step(context(60), in_part(2), "go", "migrering").entry.part == 2


def test_the_last_go_sends_part_completed_only() -> None:
    decision = decide_step(context(300), in_part(5), "go", override_verification=True)
    assert [s.effect for s in decision.sends] == [Effect(Event.PART_COMPLETED, 5)]


def test_nogo_sends_rollback_started_and_hold_sends_nothing() -> None:
    nogo = decide_step(context(60), in_part(2), "nogo", "2", "fel i migreringen")
    assert nogo.entry == NewEntry(Kind.NOGO, Decided(), 2, "fel i migreringen")
    assert [s.effect for s in nogo.sends] == [Effect(Event.ROLLBACK_STARTED, 2)]
    hold = decide_step(context(60), in_part(2), "hold", None, "väntar")
    assert hold.entry == NewEntry(Kind.HOLD, Decided(), 2, "väntar")
    assert hold.sends == ()


def test_go_is_refused_for_a_part_not_in_progress() -> None:
    with pytest.raises(TransitionError) as refused:
        decide_step(context(60), in_part(2), "go", "3")
    assert refused.value.message == "`go 3`: del 2 (migrering) pågår, inte del 3; inget har gjorts"
    assert refused.value.hint == "nästa: `gonogo go 2` eller `gonogo nogo 2 --reason ...`"
    with pytest.raises(TransitionError) as refused:
        decide_step(english(60), in_part(2), "go", "3")
    assert refused.value.message == (
        "`go 3`: part 2 (migrering) is in progress, not part 3; nothing was done"
    )
    assert refused.value.hint == "next: `gonogo go 2` or `gonogo nogo 2 --reason ...`"


def test_go_for_a_part_already_decided_says_when_and_by_whom() -> None:
    with pytest.raises(TransitionError, match=r"inte del 1 \(del 1 fick Go 23:10 av anna\)"):
        decide_step(context(60), in_part(2), "go", "1")
    with pytest.raises(TransitionError, match=r"not part 1 \(part 1 got Go at 23:10 by anna\)"):
        decide_step(english(60), in_part(2), "go", "1")


def test_go_before_the_start_is_refused() -> None:
    with pytest.raises(TransitionError) as refused:
        decide_step(context(0), night(), "go", "1")
    assert refused.value.message == "`go 1`: ingen del pågår; servicefönstret har inte startat"
    assert refused.value.hint == "nästa: `gonogo start RUNBOOK`"
    with pytest.raises(TransitionError) as refused:
        decide_step(context(0), night(), "go")
    assert (
        refused.value.message
        == "`go` går inte nu: servicefönstret har inte startat; inget har gjorts"
    )
    with pytest.raises(TransitionError) as refused:
        decide_step(english(0), night(), "go", "1")
    assert refused.value.message == "`go 1`: no part is in progress; the window has not started"
    assert refused.value.hint == "next: `gonogo start RUNBOOK`"
    with pytest.raises(TransitionError) as refused:
        decide_step(english(0), night(), "go")
    assert refused.value.message == (
        "`go` is not possible now: the window has not started; nothing was done"
    )


def test_an_unknown_part_is_refused_and_the_parts_named() -> None:
    with pytest.raises(TransitionError, match=r"okänd del 'x'; delar: 1 \(databas\), 2 "):
        decide_step(context(60), in_part(1), "go", "x")
    with pytest.raises(TransitionError, match=r"unknown part 'x'; parts: 1 \(databas\), 2 "):
        decide_step(english(60), in_part(1), "go", "x")


@pytest.mark.parametrize(
    ("trigger", "last", "words"),
    [
        ("end", "go", "del 1 (databas) pågår"),
        ("rollback_done", "go", "del 1 (databas) pågår"),
        ("go", "nogo", "tillbakarullning pågår"),
        ("start", "go", "del 1 (databas) pågår"),
    ],
)
def test_a_step_the_machine_does_not_allow_now_is_explained(
    trigger: str, last: str, words: str
) -> None:
    now = night(entry("start", 0), entry("nogo", 5, part=1)) if last == "nogo" else in_part(1)
    with pytest.raises(TransitionError, match="går inte nu") as refused:
        decide_step(context(10), now, trigger)
    assert words in refused.value.message


def test_end_after_every_go_sends_window_completed() -> None:
    done = night(entry("start", 0), *(entry("go", 10 * n, part=n) for n in range(1, 6)))
    decision = decide_step(context(400), done, "end")
    assert decision.entry == NewEntry(Kind.END, Decided(), None, None)
    assert [s.effect for s in decision.sends] == [Effect(Event.WINDOW_COMPLETED)]


# -- production verification gates part 5 -------------------------------------------------


def test_the_gated_part_is_refused_until_every_participant_reported() -> None:
    assert RUNBOOK.parts[4].id == RUNBOOK.verification.gates  # type: ignore[union-attr]
    waiting = in_part(5, *reports("ok", "ok", "ok", "ok", "ok", "ok"))
    with pytest.raises(TransitionError) as refused:
        decide_step(context(340), waiting, "go", "5")
    assert refused.value.message == (
        "del 5 kan inte få Go: produktionsverifieringen är inte klar: väntar på "
        "Region Örebro/NCS Cross; inget har gjorts"
    )
    assert refused.value.hint == (
        "vänta på återrapporterna (`gonogo verify`), eller ge Go med "
        "--override-verification --reason TEXT"
    )
    with pytest.raises(TransitionError) as refused:
        decide_step(english(340), waiting, "go", "5")
    assert refused.value.message == (
        "part 5 cannot get Go: production verification is not complete: waiting for "
        "Region Örebro/NCS Cross; nothing was done"
    )
    assert "--override-verification" in (refused.value.hint or "")
    assert verification_blocker(RUNBOOK, waiting, 5) is not None
    assert verification_blocker(RUNBOOK, waiting, 4) is None  # only the gated part


def test_a_failed_report_refuses_the_gated_part() -> None:
    failed = in_part(5, *reports("ok", "fail"))
    with pytest.raises(TransitionError, match="misslyckades för Region Dalarna/TakeCare"):
        decide_step(context(340), failed, "go")
    with pytest.raises(TransitionError, match="verification failed for Region Dalarna/TakeCare"):
        decide_step(english(340), failed, "go")


@pytest.mark.parametrize("last", ["ok", "skip"])
def test_the_gated_part_may_go_once_everyone_reported(last: str) -> None:
    complete = in_part(5, *reports("ok", "ok", "ok", "ok", "ok", "ok", last))
    decision = decide_step(context(340), complete, "go", "5")
    assert decision.entry == NewEntry(Kind.GO, Decided(), 5, None)


def test_override_verification_lets_the_gated_part_go_and_is_journaled() -> None:
    decision = decide_step(
        context(340), in_part(5), "go", "5", "regionerna svarar inte", override_verification=True
    )
    assert decision.entry.payload == Decided(override_verification=True)
    assert decision.entry.reason == "regionerna svarar inte"


def test_nogo_of_the_gated_part_needs_no_verification() -> None:
    assert decide_step(context(340), in_part(5), "nogo", "5", "fel").entry.kind == Kind.NOGO


def test_a_runbook_without_verification_does_not_gate() -> None:
    runbook = RUNBOOK.model_copy(update={"verification": None})
    ctx = Context(runbook, PLAN, context(340).now)
    assert decide_step(ctx, in_part(5), "go", "5").entry.part == 5


# -- point of no return -------------------------------------------------------------------


def test_go_after_the_point_of_no_return_needs_confirming() -> None:
    late = MINUTES_TO_NO_RETURN + 1
    decision = decide_step(context(late), in_part(3), "go", "3")
    assert decision.cautions == (
        Caution(
            "Varning: sista tidpunkt för NoGo (05:30) har passerats: efter denna Go hinner "
            "tillbakarullningen efter en NoGo inte bli klar inom servicefönstret.",
            "Ge Go ändå?",
            "sv",
        ),
    )
    assert decision.entry.payload == Decided(past_point_of_no_return=True)


def test_go_at_the_point_of_no_return_is_not_past_it() -> None:
    assert context(MINUTES_TO_NO_RETURN).now == PLAN.point_of_no_return
    decision = decide_step(context(MINUTES_TO_NO_RETURN), in_part(3), "go", "3")
    assert (decision.cautions, decision.entry.payload) == ((), Decided())


def test_nogo_after_the_point_of_no_return_asks_nothing() -> None:
    decision = decide_step(context(MINUTES_TO_NO_RETURN + 60), in_part(3), "nogo", "3", "fel")
    assert decision.cautions == ()


# -- progress -----------------------------------------------------------------------------


def test_progress_sends_the_parts_status_message() -> None:
    decision = decide_step(context(30), in_part(1), "progress", "1")
    assert decision.entry == NewEntry(Kind.PROGRESS, Decided(), 1, None)
    assert [s.effect for s in decision.sends] == [Effect(Event.PART_STATUS, 1)]


def test_progress_is_refused_twice() -> None:
    sent = decide_step(context(30), in_part(1), "progress", "1").entry
    again = in_part(1, journaled(sent, 30))
    assert again.part(1).status_sent is not None
    with pytest.raises(TransitionError) as refused:
        decide_step(context(40), again, "progress", "1")
    assert refused.value.message == "statusmeddelandet för del 1 skickades redan 23:30"


def test_progress_of_a_part_without_a_status_message_is_refused() -> None:
    with pytest.raises(TransitionError, match="inget statusmeddelande för del 2 \\(migrering\\)"):
        decide_step(context(70), in_part(2), "progress")


def test_progress_before_the_start_is_explained_by_the_machine() -> None:
    with pytest.raises(TransitionError, match="`progress` går inte nu"):
        decide_step(context(0), night(), "progress")
