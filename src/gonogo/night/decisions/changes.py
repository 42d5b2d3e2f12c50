"""The window moves, is called off, or runs late (pure; see decisions/).

Before it opens: `reschedule` and `cancel` tell those who already had a notice (no one
else has heard of the window yet). During the night: `extend` tells the audiences of
its message that the window ends later than announced.
"""

from __future__ import annotations

import datetime as dt

from gonogo.errors import TransitionError
from gonogo.night.decisions import Caution, Context, Decision, Send
from gonogo.night.decisions.names import require_reason
from gonogo.night.decisions.refusal_words import refusal, words_of
from gonogo.night.dispatch import values_for
from gonogo.night.entries import Empty, Extended, Kind, NewEntry, Rescheduled
from gonogo.night.machine import Effect
from gonogo.night.snapshot import Night
from gonogo.render.send_words import word
from gonogo.runbook.events import Event
from gonogo.runbook.notices import day_words, notice_values
from gonogo.runbook.time_checks import plan_problems
from gonogo.runbook.timeline import LocalTimeError, Timeline, ambiguity, resolve


def reschedule(
    ctx: Context,
    night: Night,
    day: dt.date,
    start: dt.time | None,
    end: dt.time | None,
    reason: str,
) -> Decision:
    """Move the window (start and end; the parts move with it) before it opens."""
    lang = words_of(ctx.runbook)
    reason = require_reason(reason, "`reschedule`", lang=lang)
    _before_opening(night, "reschedule", lang)
    plan = ctx.plan
    start = start or ctx.local(plan.window_start).time()
    end = end or ctx.local(plan.window_end).time()
    end_day = day if end > start else day + dt.timedelta(days=1)
    try:
        new_start, new_end = resolve(day, start, plan.zone), resolve(end_day, end, plan.zone)
    except LocalTimeError as exc:
        raise TransitionError(refusal(lang, "nothing changed", why=exc)) from None
    if new_start <= ctx.now:
        raise TransitionError(refusal(lang, "start passed", at=f"{day} {start:%H:%M}"))
    if (new_start, new_end) == (plan.window_start, plan.window_end):
        raise TransitionError(refusal(lang, "same time"))
    moved = plan.shifted(new_start - plan.window_start)._replace(window_end=new_end)
    cautions = _check_moved(plan, moved, f"{day} {start:%H:%M}-{end:%H:%M}", lang)
    for clock, on in ((start, day), (end, end_day)):
        if twice := ambiguity(on, clock, plan.zone):
            cautions += (_caution(twice, lang),)
    payload = Rescheduled(new_start.isoformat(), new_end.isoformat())
    sends = _to_notified(ctx, night, Event.WINDOW_MOVED, moved, reason)
    return Decision(NewEntry(Kind.RESCHEDULE, payload, reason=reason), sends, cautions)


def _caution(what: str, language: str) -> Caution:
    """A warning of `validate`'s (its detail as `validate` words it) before the move."""
    return Caution(word(language, "warning", what=what), word(language, "move anyway"), language)


def _check_moved(plan: Timeline, moved: Timeline, where: str, lang: str) -> tuple[Caution, ...]:
    """The rules `validate` applies to the runbook's window, applied to the moved one:
    its errors refuse the move; a warning the plan did not have already asks first."""
    problems = plan_problems(moved)
    errors = [p.message for p in problems if p.severity == "error"]
    if errors:
        more = refusal(lang, "and more", n=len(errors) - 1) if len(errors) > 1 else ""
        raise TransitionError(
            refusal(lang, "does not fit", where=where, error=errors[0], more=more),
            hint=refusal(lang, "parts move"),
        )
    known = {(p.path, p.code) for p in plan_problems(plan)}
    return tuple(_caution(p.message, lang) for p in problems if (p.path, p.code) not in known)


def cancel(ctx: Context, night: Night, reason: str) -> Decision:
    """Call the window off before it opens."""
    lang = words_of(ctx.runbook)
    reason = require_reason(reason, "`cancel`", lang=lang)
    _before_opening(night, "cancel", lang)
    sends = _to_notified(ctx, night, Event.WINDOW_CANCELLED, ctx.plan, reason)
    return Decision(NewEntry(Kind.CANCEL, Empty(), reason=reason), sends)


def extend(ctx: Context, night: Night, until: dt.time, reason: str) -> Decision:
    """The window runs past its announced end: it now ends at `until` (local)."""
    lang = words_of(ctx.runbook)
    reason = require_reason(reason, "`extend`", lang=lang)
    if not night.started or night.closed is not None:
        raise TransitionError(refusal(lang, "not open"), hint=refusal(lang, "move instead"))
    plan = ctx.plan
    first = ctx.local(plan.window_start).date()
    try:
        new_end = resolve(first, until, plan.zone)
        if new_end <= plan.window_start:
            new_end = resolve(first + dt.timedelta(days=1), until, plan.zone)
    except LocalTimeError as exc:
        raise TransitionError(refusal(lang, "nothing changed", why=exc)) from None
    if new_end <= plan.window_end:
        end = f"{ctx.local(plan.window_end):%H:%M}"
        raise TransitionError(refusal(lang, "not later", until=f"{until:%H:%M}", end=end))
    payload = Extended(new_end.isoformat(), plan.window_end.isoformat())
    values = _values(ctx, plan._replace(window_end=new_end), reason)
    sends = (Send(Effect(Event.WINDOW_EXTENDED), values),)
    return Decision(NewEntry(Kind.EXTEND, payload, reason=reason), sends)


def _before_opening(night: Night, what: str, lang: str) -> None:
    if night.started:
        raise TransitionError(
            refusal(lang, "has opened", what=refusal(lang, what)),
            hint=refusal(lang, "extend instead"),
        )
    if night.window.cancelled is not None:
        raise TransitionError(refusal(lang, "is cancelled", what=refusal(lang, what)))


def _to_notified(
    ctx: Context, night: Night, event: Event, plan: Timeline, reason: str
) -> tuple[Send, ...]:
    """The event's message to the audiences that already had a notice; none: no message."""
    audiences: dict[str, None] = {}
    for notice_id in night.notices:
        notice = ctx.runbook.notice(notice_id)
        if notice is not None:
            audiences |= dict.fromkeys(notice.audiences)
    if not audiences:
        return ()
    return (Send(Effect(event), _values(ctx, plan, reason), tuple(audiences)),)


def _values(ctx: Context, plan: Timeline, reason: str) -> dict[str, str]:
    before = ctx.local(ctx.plan.window_start)
    language = ctx.runbook.release.language
    extra = notice_values(ctx.runbook, plan) | {
        "reason": reason,
        "previous_window": f"{day_words(language, before.date())} {before:%H:%M}",
    }
    return values_for(ctx.runbook, Effect(Event.NOTICE), ctx.now, ctx.local(ctx.now), extra)
