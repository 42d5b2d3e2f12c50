"""Decisions of the window's machine: start, go, nogo, hold, progress, rollback-done, end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from transitions import MachineError

from gonogo.errors import TransitionError
from gonogo.night.decisions import Caution, Context, Decision, Send
from gonogo.night.decisions.due import status_message_unsent
from gonogo.night.decisions.names import find_part, require_reason
from gonogo.night.decisions.refusal_words import blocked, refusal, said_next, said_where
from gonogo.night.dispatch import values_for
from gonogo.night.entries import Decided, Kind, NewEntry, Started
from gonogo.night.machine import Effect, MachineModel, build_machine
from gonogo.night.snapshot import Night
from gonogo.night.wording import STEP_NAMES
from gonogo.render.send_words import language_of, word
from gonogo.render.status_words import span
from gonogo.runbook.catalog import message_for
from gonogo.runbook.events import Event
from gonogo.runbook.model import Runbook


def sends_for(ctx: Context, effects: list[Effect]) -> tuple[Send, ...]:
    return tuple(Send(e, values_for(ctx.runbook, e, ctx.now, ctx.local(ctx.now))) for e in effects)


def decide_start(ctx: Context, *, dry_run: bool) -> Decision:
    """Open the window. A real start far from the planned time needs confirming."""
    off_plan = ctx.now - ctx.plan.window_start
    cautions: tuple[Caution, ...] = ()
    minutes: int | None = None
    if not dry_run and abs(off_plan) > dt.timedelta(hours=1):
        lang = language_of(ctx.runbook.release.language)
        minutes = int(off_plan.total_seconds() // 60)
        local = ctx.local(ctx.plan.window_start)
        warning = word(lang, "off plan", span=span(lang, off_plan),
                       side=word(lang, "after" if minutes > 0 else "before"),
                       at=f"{local:%Y-%m-%d %H:%M}")  # fmt: skip
        cautions = (Caution(warning, word(lang, "start anyway"), lang),)
    return Decision(
        NewEntry(Kind.START, Started(dry_run, minutes)),
        sends_for(ctx, [Effect(Event.WINDOW_STARTED)]),
        cautions,
    )


def verification_blocker(runbook: Runbook, night: Night, part: int, lang: str = "en") -> str | None:
    """Why `part` may not get Go yet (production verification), or None."""
    spec = runbook.verification
    if spec is None or runbook.parts[part - 1].id != spec.gates:
        return None
    return blocked(lang, runbook, night)


def decide_step(
    ctx: Context,
    night: Night,
    trigger: str,
    part_ref: str | None = None,
    reason: str | None = None,
    *,
    override_verification: bool = False,
) -> Decision:
    """One decision of the window's machine; TransitionError if not allowed now."""
    runbook = ctx.runbook
    lang = language_of(runbook.release.language)
    if trigger in ("nogo", "hold") or reason is not None:
        over = trigger == "go" and override_verification
        reason = require_reason(
            reason, "a Go over production verification" if over else f"`{trigger}`", lang=lang
        )
    part = _check_part(ctx, night, trigger, part_ref)
    if trigger == "progress":
        _check_progress(ctx, night, part)
    blocker: list[str] = []
    model = MachineModel(part_count=night.part_count, state=night.state)
    build_machine(model)
    gate: Callable[[int], str | None] = (
        (lambda _n: None)
        if override_verification
        else (lambda n: verification_blocker(runbook, night, n, lang))
    )

    def may_pass(number: int) -> bool:
        found = gate(number)
        if found:
            blocker.append(found)
        return not found

    model.may_pass_gate = may_pass
    try:
        allowed = model.fire(trigger)
    except MachineError:
        name, where = STEP_NAMES.get(trigger, trigger), said_where(lang, runbook, night)
        raise TransitionError(
            refusal(lang, "not possible", name=name, where=where), hint=said_next(lang, night)
        ) from None
    if not allowed:
        why = blocker[0] if blocker else refusal(lang, "a guard refused")
        raise TransitionError(
            refusal(lang, "cannot get go", n=part, why=why), hint=refusal(lang, "wait for reports")
        )
    cautions: list[Caution] = []
    past = False
    if trigger == "go" and ctx.now > ctx.plan.point_of_no_return:
        at = ctx.local(ctx.plan.point_of_no_return).strftime("%H:%M")
        cautions.append(Caution(word(lang, "pnr passed", at=at), word(lang, "go anyway"), lang))
        past = True
    if trigger == "go" and part is not None and status_message_unsent(ctx, night, part):
        cautions.append(
            Caution(word(lang, "status unsent", part=part), word(lang, "go without"), lang)
        )
    payload = Decided(override_verification=override_verification, past_point_of_no_return=past)
    return Decision(
        NewEntry(Kind(trigger), payload, part, reason),
        sends_for(ctx, model.take_effects()),
        tuple(cautions),
    )


def _check_part(ctx: Context, night: Night, trigger: str, ref: str | None) -> int | None:
    runbook = ctx.runbook
    if ref is None:
        return night.current_part
    number = find_part(runbook, ref)
    current, lang = night.current_part, language_of(runbook.release.language)
    if current != number:
        step = f"{STEP_NAMES.get(trigger, trigger)} {ref}"
        if current is None:
            where = said_where(lang, runbook, night)
            raise TransitionError(
                refusal(lang, "no part", step=step, where=where), hint=said_next(lang, night)
            )
        actual = night.part(number)
        done = ""
        if actual.decision:
            at = ctx.local(actual.ended).strftime("%H:%M") if actual.ended else "?"
            done = refusal(lang, "part done", n=number, decision=actual.decision.title(),
                           at=at, by=actual.decided_by)  # fmt: skip
        current_id = runbook.parts[current - 1].id
        raise TransitionError(
            refusal(lang, "other part", step=step, current=current, id=current_id, n=number,
                    done=done),
            hint=said_next(lang, night),
        )  # fmt: skip
    return number


def _check_progress(ctx: Context, night: Night, part: int | None) -> None:
    if part is None:
        return  # the machine explains
    sent, lang = night.part(part).status_sent, language_of(ctx.runbook.release.language)
    if sent is not None:
        at = ctx.local(sent).strftime("%H:%M")
        raise TransitionError(refusal(lang, "status sent", n=part, at=at))
    spec = ctx.runbook.parts[part - 1]
    # Only parts the plan gives a status message have one (message 2 is part 1's); the
    # shared text would otherwise go out for every part as a message nobody approved.
    wanted = spec.status_message or spec.messages.status is not None
    if not wanted or message_for(ctx.runbook, Event.PART_STATUS, part) is None:
        raise TransitionError(
            refusal(lang, "no status message", n=part, id=spec.id),
            hint=refusal(lang, "status message how"),
        )
