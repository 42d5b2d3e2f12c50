"""`gonogo messages`: every message rendered as it would go out, with SMS segments."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rich.markup import escape
from rich.rule import Rule

from gonogo.render.console import console
from gonogo.runbook.catalog import Located, iter_messages, message_for, sample_values, texts_for
from gonogo.runbook.events import Event
from gonogo.runbook.loader import Loaded
from gonogo.runbook.model import Message, Runbook
from gonogo.runbook.notices import format_offset
from gonogo.runbook.segments import measure
from gonogo.runbook.template import render
from gonogo.runbook.types import format_duration


@dataclass(frozen=True)
class Rendered:
    sms: str | None
    subject: str | None
    body: str | None


def occurrences(runbook: Runbook) -> Iterator[tuple[str, Located, int | None]]:
    """Each point of the night that sends a message, in the order the night reaches it."""
    for located in iter_messages(runbook):
        notice = runbook.notice(located.notice) if located.notice else None
        if notice is not None:
            yield f"notice {notice.id} ({format_offset(notice.before)} before)", located, None
    first = message_for(runbook, Event.WINDOW_STARTED)
    if first:
        yield "window opens", first, None
    for number, part in enumerate(runbook.parts, start=1):
        if part.status_message:
            status = message_for(runbook, Event.PART_STATUS, number)
            if status:
                yield f"part {number} status ({part.id})", status, number
        done = message_for(runbook, Event.PART_COMPLETED, number)
        if done:
            yield f"part {number} Go ({part.id})", done, number
    for event in Event:
        if event in (Event.WINDOW_STARTED, Event.PART_STATUS, Event.PART_COMPLETED, Event.NOTICE):
            continue
        shared = message_for(runbook, event)
        if shared:
            yield event.value.replace("_", " "), shared, None


def render_for(
    runbook: Runbook, located: Located, audience: str, language: str, part: int | None
) -> Rendered:
    values = sample_values(runbook, located.event, part)
    texts = texts_for(located.message, audience, language, runbook.release.language)
    press = runbook.audiences[audience].press if audience in runbook.audiences else False
    sms = render(texts.sms, values) if texts.sms is not None and not press else None
    email = texts.email
    return Rendered(
        sms,
        render(email.subject, values) if email else None,
        render(email.body, values) if email else None,
    )


def grouped(
    runbook: Runbook, located: Located, part: int | None
) -> dict[Rendered, list[tuple[str, str]]]:
    """Each distinct rendering of a message, with the (audience, language) pairs that get it."""
    default = runbook.release.language
    message = located.message
    others = {v.language for v in message.variants if v.language and v.language != default}
    groups: dict[Rendered, list[tuple[str, str]]] = {}
    for audience in message.audiences:
        for language in [default, *sorted(others)]:
            rendered = render_for(runbook, located, audience, language, part)
            groups.setdefault(rendered, []).append((audience, language))
    return groups


def _has_sms(message: Message) -> bool:
    return message.sms is not None or any(v.sms is not None for v in message.variants)


def press_audiences(runbook: Runbook) -> list[str]:
    return [a for a, aud in runbook.audiences.items() if aud.press]


def show_messages(loaded: Loaded) -> None:
    runbook = loaded.runbook
    assert runbook is not None  # load_valid guarantees it
    out = console()
    for title, located, part in occurrences(runbook):
        message = located.message
        out.print(Rule(escape(f"{title} [{located.event.value}]"), align="left"))
        if message.silent:
            out.print("  silent: no message is sent")
            continue
        validity = runbook.sms_validity(message)
        if validity is not None and _has_sms(message):
            out.print(
                f"  SMS validity {format_duration(validity)}: dropped if still in "
                "Twilio's queue by then"
            )
        for rendered, who in grouped(runbook, located, part).items():
            out.print(escape(f"  to {', '.join(f'{a} [{lang}]' for a, lang in who)}"))
            if rendered.sms is not None:
                m = measure(rendered.sms)
                out.print(
                    f"  SMS ({m.encoding}, {len(rendered.sms)} characters, "
                    f"{m.segments} segment{'s' if m.segments != 1 else ''}):"
                )
                # One line, never wrapped: what is shown is exactly what is sent.
                out.print("    " + escape(rendered.sms), soft_wrap=True)
            if rendered.subject is not None:
                out.print(f"  E-mail: {escape(rendered.subject)}")
                for line in (rendered.body or "").rstrip("\n").splitlines():
                    out.print("    " + escape(line))
        if message.press is not None:
            values = sample_values(runbook, located.event, part)
            press_to = press_audiences(runbook)
            out.print(
                f"  Press statement (e-mail to {', '.join(press_to) or 'no press audience'}):",
                markup=False,
            )
            out.print(f"  {escape(render(message.press.subject, values))}")
            for line in render(message.press.body, values).rstrip("\n").splitlines():
                out.print("    " + escape(line))
