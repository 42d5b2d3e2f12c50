"""What is due now: derived from the `Night`, the runbook and the clock, nothing else.

`status`, `status --json` and `run` show this list; `next_command` picks from it the
one step to suggest, never one that would be refused.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonogo.night.decisions import Context
from gonogo.night.decisions.due_words import due_text
from gonogo.night.journal import Status
from gonogo.night.machine import PARTS_DONE, PLANNED, ROLLING_BACK
from gonogo.night.snapshot import Night
from gonogo.runbook.catalog import message_for
from gonogo.runbook.events import Event

IN_DOUBT_CODE = "in-doubt"  # a request its sender gave up on: it may have gone out


@dataclass(frozen=True)
class Due:
    key: str  # what is due, in due_words' catalogue; filled in with `fields`
    command: str
    at: dt.datetime | None = None  # when it is due; None: now
    overdue: bool = False
    fields: tuple[tuple[str, object], ...] = ()

    @property
    def what(self) -> str:
        """In English: `status --json`'s `what`, a machine contract."""
        return self.said("en")

    def said(self, language: str) -> str:
        """What is due in `language` (the runbook's, for the status screen)."""
        return due_text(language, self.key, self.fields)


def due_now(ctx: Context, night: Night, *, sending: bool = False) -> tuple[Due, ...]:
    """Everything the operator should do next, most pressing first. `sending`: a
    command holds the run's lock now, so what is pending or in flight is its to send."""
    found: list[Due] = []
    if night.state == PLANNED and night.outcome is None:  # not when called off
        found.append(Due("open window", "gonogo start RUNBOOK", ctx.plan.window_start))
    current = night.current_part
    if current is not None:
        found += _part_due(ctx, night, current)
    if night.state == ROLLING_BACK:
        found.append(_rollback_due(ctx, night))
    if night.state == PARTS_DONE:
        found.append(Due("end window", "gonogo end"))
    found += _incidents_due(ctx, night)
    found += _deliveries_due(night, sending)
    return tuple(found)


def status_message_unsent(ctx: Context, night: Night, part: int) -> bool:
    """Whether `part` has a mid-part status message in the plan that has not gone out."""
    spec = ctx.runbook.parts[part - 1]
    wanted = spec.status_message or spec.messages.status is not None
    if not wanted or message_for(ctx.runbook, Event.PART_STATUS, part) is None:
        return False
    return night.part(part).status_sent is None


def _gated(ctx: Context) -> int | None:
    spec = ctx.runbook.verification
    if spec is None:
        return None
    return next((n for n, p in enumerate(ctx.runbook.parts, 1) if p.id == spec.gates), None)


def _part_due(ctx: Context, night: Night, part: int) -> list[Due]:
    found: list[Due] = []
    planned = ctx.plan.parts[part - 1]
    if status_message_unsent(ctx, night, part):
        found.append(
            Due("status message", "gonogo progress", planned.start, fields=(("part", part),))
        )  # fmt: skip
    blocker = None
    if _gated(ctx) == part:
        blocker = night.verification.blocker(ctx.runbook)
        found += _verification_due(ctx, night)
    late = ctx.now > planned.end
    if blocker:
        found.append(
            Due("decision waits", f"gonogo nogo {part} --reason TEXT", planned.end, late,
                (("part", part),))
        )  # fmt: skip
    else:
        found.append(
            Due("go or nogo", f"gonogo go {part}", planned.end, late, (("part", part),))
        )  # fmt: skip
    return found


def _verification_due(ctx: Context, night: Night) -> list[Due]:
    spec = ctx.runbook.verification
    assert spec is not None
    state = night.verification
    if state.started is None:
        at = ctx.plan.verification_start
        late = at is not None and ctx.now > at
        return [Due("verify start", "gonogo verify start", at, late)]
    waiting = [f"{p.organisation}/{p.system}" for pid, p in spec.participants.items()
               if pid not in state.reports]  # fmt: skip
    failed = [(pid, f"{p.organisation}/{p.system}") for pid, p in spec.participants.items()
              if pid in state.reports and state.reports[pid].result == "fail"]  # fmt: skip
    found = [
        Due("verify failed", f"gonogo verify {pid} ok", fields=(("name", name),))
        for pid, name in failed
    ]
    if waiting:
        found.append(
            Due("verify waiting", "gonogo verify PARTICIPANT ok|fail",
                fields=(("n", len(waiting)), ("names", ", ".join(waiting))))
        )  # fmt: skip
    return found


def _rollback_due(ctx: Context, night: Night) -> Due:
    nogo = next((p.ended for p in night.parts if p.decision == "nogo"), None)
    expected = (nogo or ctx.now) + ctx.plan.rollback
    return Due("rollback end", "gonogo rollback-done", expected, ctx.now > expected)


def _incidents_due(ctx: Context, night: Night) -> list[Due]:
    policy = ctx.runbook.incidents
    found = []
    for incident in night.incidents:
        due = incident.next_update_due(policy)
        if due is not None:
            found.append(
                Due("incident update", f"gonogo incident update {incident.id} --summary TEXT",
                    due, ctx.now > due, (("id", incident.id), ("priority", incident.priority)))
            )  # fmt: skip
    return found


def being_sent(night: Night) -> dict[int, int]:
    """Per dispatch, its rows in flight that a live sender has out now: all those in
    flight but the ones whose request it already gave up on (code `in-doubt`)."""
    out: dict[int, int] = {}
    for d in night.problems:
        if d.status == Status.IN_FLIGHT and d.code != IN_DOUBT_CODE:
            out[d.dispatch] = out.get(d.dispatch, 0) + 1
    return out


def _deliveries_due(night: Night, sending: bool) -> list[Due]:
    counts = night.deliveries
    found = []
    if counts.failed:
        found.append(Due("failed", "gonogo retry-failed", fields=(("n", counts.failed),)))
    # In flight with no command sending: its sender stopped. `resume` asks Twilio about
    # the SMS and the operator about the e-mails.
    in_flight = counts.in_flight - (sum(being_sent(night).values()) if sending else 0)
    if in_flight:
        found.append(Due("in doubt", "gonogo resume", fields=(("n", in_flight),)))
    if counts.unresolved:  # e-mails left in doubt: only the mail server's log can tell
        found.append(
            Due("in doubt mail", "gonogo settle --mark-sent|--resend --reason TEXT",
                fields=(("n", counts.unresolved),))
        )  # fmt: skip
    if counts.pending and not sending:
        found.append(Due("pending", "gonogo resume", fields=(("n", counts.pending),)))
    return found


def next_command(ctx: Context, night: Night, *, sending: bool = False, language: str = "en") -> str:
    """The one step to suggest: the window's own, never one the rules would refuse; with
    none left in the window, what is still due beside it (an incident's update, failed
    deliveries), so that Next never says "nothing" above a Due list. In English unless
    `language` says otherwise (`status --json`'s `next` is English)."""
    due = due_now(ctx, night, sending=sending)
    window = [d for d in due if not d.command.startswith(_BESIDE)]
    if window:
        step = window[0]
        part = (("part", night.current_part),)
        if step.command.startswith("gonogo go "):
            return due_text(language, "next go", part)
        if step.command == "gonogo verify start":
            return due_text(language, "next verify start", part)
        if step.command.startswith("gonogo verify "):
            return due_text(language, "next reports", part)
        return f"`{step.command}`"
    if due:  # only what is due beside the window
        return f"`{due[0].command}` ({due[0].said(language)})"
    return due_text(language, "next nothing")


_BESIDE = (
    "gonogo progress",
    "gonogo incident",
    "gonogo retry-failed",
    "gonogo deliveries",
    "gonogo resume",
    "gonogo settle",
)
