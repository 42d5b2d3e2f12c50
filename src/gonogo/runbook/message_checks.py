"""The runbook's messages: one for every event, known audiences and placeholders, SMS length."""

from __future__ import annotations

import unicodedata

from gonogo.runbook.catalog import Located, message_for, sample_values
from gonogo.runbook.events import MACHINE_EVENTS, PLACEHOLDERS, Event
from gonogo.runbook.loaded import Loaded
from gonogo.runbook.marks import DocPath
from gonogo.runbook.model import Message, Runbook
from gonogo.runbook.segments import measure
from gonogo.runbook.template import TemplateError, placeholders, render

# Events a runbook should answer, though not every night reaches them.
_OPTIONAL_EVENTS = (
    Event.INCIDENT_OPENED,
    Event.INCIDENT_UPDATED,
    Event.INCIDENT_RESOLVED,
    Event.DISRUPTION,
)


def check_coverage(runbook: Runbook, loaded: Loaded) -> None:
    """Every event the night can reach has a message, or says it is silent."""
    for event in MACHINE_EVENTS:
        if event is Event.PART_COMPLETED:
            missing = [
                str(n)
                for n in range(1, len(runbook.parts) + 1)
                if not message_for(runbook, event, n)
            ]
            if missing:
                loaded.add(
                    ("messages",),
                    "no-message",
                    f"no message for part_completed of part(s) {', '.join(missing)}: add "
                    "messages.part_completed or the part's own messages.completed "
                    "(or `silent: true`)",
                    key=True,
                )
        elif message_for(runbook, event) is None:
            loaded.add(
                ("messages",),
                "no-message",
                f"no message for {event.value}: add messages.{event.value} (or `silent: true`)",
                key=True,
            )
    for number, part in enumerate(runbook.parts, start=1):
        if part.status_message and message_for(runbook, Event.PART_STATUS, number) is None:
            loaded.add(
                ("parts", number - 1, "status_message"),
                "no-message",
                f"part {number} sends a status message but there is no messages.part_status "
                "and no messages.status of its own",
            )
    if runbook.verification and runbook.messages.verification_started is None:
        loaded.add(
            ("verification",),
            "no-message",
            "no message for verification_started: `gonogo verify start` will send nothing "
            "(add messages.verification_started, or `silent: true` to say so)",
            "warning",
            key=True,
        )
    for event in _OPTIONAL_EVENTS:
        if message_for(runbook, event) is None:
            loaded.add(
                ("messages",),
                "no-message",
                f"no message for {event.value}: the command will record it but notify no one "
                f"(add messages.{event.value}, or `silent: true` to say so)",
                "warning",
                key=True,
            )


def check_message(runbook: Runbook, located: Located, loaded: Loaded) -> None:
    """One message: its audiences, channels, variants, placeholders and SMS length."""
    message, path = located.message, located.path
    if message.silent:
        return
    for index, audience in enumerate(message.audiences):
        if audience not in runbook.audiences:
            loaded.add(
                (*path, "audiences", index),
                "unknown-ref",
                f"unknown audience '{audience}'; audiences: {', '.join(runbook.audiences)}",
            )
    has_sms = message.sms is not None or any(v.sms is not None for v in message.variants)
    has_email = message.email is not None or any(v.email is not None for v in message.variants)
    if message.sms_validity is not None and not has_sms:
        loaded.add(
            (*path, "sms_validity"),
            "no-sms",
            "sms_validity, but the message has no sms text: it changes nothing",
            "warning",
            key=True,
        )
    if has_sms and runbook.channels.sms is None:
        loaded.add((*path, "sms"), "no-channel", "an sms text, but channels.sms is not set up")
    if (has_email or message.press) and runbook.channels.email is None:
        loaded.add(path, "no-channel", "an email text, but channels.email is not set up")
    for index, variant in enumerate(message.variants):
        if variant.audience is not None and variant.audience not in message.audiences:
            loaded.add(
                (*path, "variants", index, "audience"),
                "unknown-ref",
                f"variant for audience '{variant.audience}', which this message is not sent to",
            )
    values = sample_values(runbook, located.event, located.part_number)
    for text_path, text in _texts(message, path):
        _check_template(located.event, text_path, text, values, loaded)
    if runbook.channels.sms is not None:
        sms_texts: list[tuple[DocPath, str | None]] = [((*path, "sms"), message.sms)]
        sms_texts += [
            ((*path, "variants", i, "sms"), v.sms) for i, v in enumerate(message.variants)
        ]
        for text_path, sms in sms_texts:
            if sms is not None:
                _check_sms(text_path, sms, values, runbook.channels.sms.max_segments, loaded)


def _texts(message: Message, path: DocPath) -> list[tuple[DocPath, str]]:
    texts: list[tuple[DocPath, str]] = []
    sources = [(path, message.sms, message.email)]
    sources += [((*path, "variants", i), v.sms, v.email) for i, v in enumerate(message.variants)]
    for base, sms, email in sources:
        if sms is not None:
            texts.append(((*base, "sms"), sms))
        if email is not None:
            texts += [((*base, "email", "subject"), email.subject)]
            texts += [((*base, "email", "body"), email.body)]
    if message.press is not None:
        texts += [((*path, "press", "subject"), message.press.subject)]
        texts += [((*path, "press", "body"), message.press.body)]
    return texts


def _check_template(
    event: Event, path: DocPath, text: str, values: dict[str, str], loaded: Loaded
) -> None:
    try:
        names = placeholders(text)
    except TemplateError as exc:
        braces = [i for i in (text.find("{"), text.find("}")) if i >= 0]
        loaded.add_in(path, text, min(braces, default=0), "template", str(exc))
        return
    allowed = PLACEHOLDERS[event]
    for name in dict.fromkeys(names):
        if name not in allowed:
            loaded.add_in(
                path,
                text,
                max(text.find("{" + name), 0),
                "placeholder",
                f"unknown placeholder {{{name}}} for {event.value}; it may use: "
                + ", ".join("{" + n + "}" for n in allowed),
            )
    del values  # rendering is checked by the SMS measure below


def _check_sms(
    path: DocPath, text: str, values: dict[str, str], max_segments: int, loaded: Loaded
) -> None:
    try:
        rendered = render(text, values)
    except TemplateError:
        return  # already reported as a placeholder problem
    measured = measure(rendered)
    if measured.encoding == "UCS-2" and len(measured.non_gsm) <= 3:
        at = min((text.find(c) for c in measured.non_gsm if c in text), default=0)
        named = ", ".join(
            f"'{c}' ({unicodedata.name(c, f'U+{ord(c):04X}')})" for c in measured.non_gsm
        )
        loaded.add_in(
            path,
            text,
            at,
            "sms-ucs2",
            f"SMS is sent as UCS-2 (70 characters a segment, not 160) because of {named}; "
            "replace it to keep GSM-7",
            "warning",
        )
    if measured.segments > max_segments:
        loaded.add(
            path,
            "sms-length",
            f"SMS is {measured.segments} segments ({measured.units} {measured.encoding} units "
            f"with sample values), over the limit of {max_segments}",
            "warning",
        )
