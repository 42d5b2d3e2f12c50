"""`gonogo plan`: the night as a timeline table."""

from __future__ import annotations

import datetime as dt

from rich.markup import escape
from rich.table import Table

from gonogo.render.console import console
from gonogo.runbook.catalog import message_for
from gonogo.runbook.events import Event
from gonogo.runbook.loader import Loaded
from gonogo.runbook.model import Message, Runbook
from gonogo.runbook.timeline import timeline
from gonogo.runbook.types import format_duration


def channels_of(message: Message) -> list[str]:
    """The channels a message has a text for, in its base or in a variant."""
    return [
        c
        for c in ("sms", "email")
        if getattr(message, c) is not None or any(getattr(v, c) for v in message.variants)
    ]


def describe_message(message: Message | None) -> str:
    if message is None:
        return "(no message)"
    if message.silent:
        return "silent"
    return f"{', '.join(channels_of(message))} -> {', '.join(message.audiences)}"


def show_plan(loaded: Loaded) -> None:
    runbook = loaded.runbook
    assert runbook is not None  # load_valid guarantees it
    plan = timeline(runbook)
    out = console()

    def at(instant: dt.datetime) -> str:
        local = plan.local(instant)
        return local.strftime("%a %H:%M")

    release = runbook.release
    # Everything from the runbook is escaped: a title like "Release [beta]" is not markup.
    out.print(
        f"[bold]{escape(release.title)}[/bold] ({escape(release.id)}, {release.kind} release)"
    )
    out.print(
        f"Window {plan.local(plan.window_start):%Y-%m-%d %H:%M} to "
        f"{plan.local(plan.window_end):%Y-%m-%d %H:%M} {plan.zone.key}; "
        f"rollback needs {format_duration(plan.rollback)}; "
        f"point of no return {at(plan.point_of_no_return)}"
    )
    table = Table(show_lines=False)
    # Nothing is cut short ("…"): a part's id is what one types, so a word too long for
    # a narrow screen folds onto the next line instead.
    for column in ("#", "Part", "Start", "End", "Owner", "Go/NoGo", "Message at Go"):
        table.add_column(column, no_wrap=column in ("#", "Start", "End"), overflow="fold")
    table.add_row(
        "", "Window opens", at(plan.window_start), "", "", "",
        escape(describe_message(_message(runbook, Event.WINDOW_STARTED))),
    )  # fmt: skip
    gated = runbook.verification.gates if runbook.verification else None
    for planned in plan.parts:
        part = planned.part
        decision = "Go/NoGo" + (" after verification" if part.id == gated else "")
        title = escape(f"{part.title} ({part.id})")
        if part.status_message:
            title += "\n  status message mid-part"
        table.add_row(
            str(planned.number), title, at(planned.start), at(planned.end), escape(part.owner),
            decision,
            escape(describe_message(_message(runbook, Event.PART_COMPLETED, planned.number))),
        )  # fmt: skip
    table.add_row(
        "", "Window ends", at(plan.window_end), "", "", "",
        escape(describe_message(_message(runbook, Event.WINDOW_COMPLETED))),
    )  # fmt: skip
    out.print(table)
    if plan.verification_start is not None and runbook.verification is not None:
        v = runbook.verification
        out.print(
            f"Production verification from {at(plan.verification_start)} with "
            f"{len(v.participants)} participants; gates part '{v.gates}'.",
            markup=False,
        )
    out.print(
        f"At NoGo: {describe_message(_message(runbook, Event.ROLLBACK_STARTED))}; "
        f"rollback done: {describe_message(_message(runbook, Event.ROLLBACK_COMPLETED))}",
        markup=False,
    )


def _message(runbook: Runbook, event: Event, part: int | None = None) -> Message | None:
    located = message_for(runbook, event, part)
    return located.message if located else None
