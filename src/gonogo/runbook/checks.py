"""Semantic rules a structurally valid runbook must also satisfy before it is merged."""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

from gonogo.errors import RunbookError
from gonogo.runbook.catalog import Located, iter_messages, message_for, sample_values
from gonogo.runbook.check_cache import recipient_problems
from gonogo.runbook.diagnostics import Diagnostic, RecipientProblem, safe_message
from gonogo.runbook.events import MACHINE_EVENTS, PLACEHOLDERS, Event
from gonogo.runbook.loader import DocPath, Loaded
from gonogo.runbook.model import Message, Runbook
from gonogo.runbook.recipients_file import read_limited, resolve_recipients
from gonogo.runbook.segments import measure
from gonogo.runbook.template import TemplateError, placeholders, render
from gonogo.runbook.timeline import LocalTimeError, ambiguity, night_day, resolve, timeline
from gonogo.runbook.types import format_duration

# Events a runbook should answer, though not every night reaches them.
_OPTIONAL_EVENTS = (
    Event.INCIDENT_OPENED,
    Event.INCIDENT_UPDATED,
    Event.INCIDENT_RESOLVED,
    Event.DISRUPTION,
)


def check(
    loaded: Loaded,
    cache_dir: Path | None = None,
    recipients_root: Path | None = None,
    *,
    recipients: bool = True,
) -> None:
    """Add every semantic problem of a structurally valid runbook to `loaded`.

    Recipients files' checks are remembered in `cache_dir`, if given (see check_cache);
    `recipients=False` leaves them out (a run whose files were checked when it started).
    Recipients files must be under `recipients_root` (default: the runbook's directory).
    """
    runbook = loaded.runbook
    if runbook is None:
        return
    _check_times(runbook, loaded)
    _check_references(runbook, loaded)
    _check_coverage(runbook, loaded)
    for located in iter_messages(runbook):
        _check_message(runbook, located, loaded)
    if recipients:
        _check_recipients(runbook, loaded, cache_dir, recipients_root)


def _check_times(runbook: Runbook, loaded: Loaded) -> None:
    window = runbook.window
    if window.start.replace(tzinfo=None) == window.end.replace(tzinfo=None):
        loaded.add(("window", "end"), "window", "the window ends when it starts")
        return
    local_times: list[tuple[DocPath, dt.time]] = [
        (("window", "start"), window.start),
        (("window", "end"), window.end),
    ]
    local_times += [(("parts", i, "start"), p.start) for i, p in enumerate(runbook.parts)]
    if runbook.verification:
        local_times.append((("verification", "starts"), runbook.verification.starts))
    bad = False
    zone = ZoneInfo(runbook.release.timezone)
    for at, clock in local_times:
        day = window.date if at == ("window", "start") else night_day(runbook, clock)
        try:
            resolve(day, clock, zone)
        except LocalTimeError as exc:
            loaded.add(at, "dst", str(exc))
            bad = True
            continue
        if twice := ambiguity(day, clock, zone):
            loaded.add(at, "dst-ambiguous", twice, "warning")
    if bad:
        return
    plan = timeline(runbook)
    previous_end = None
    outside = False
    for planned in plan.parts:
        path: DocPath = ("parts", planned.number - 1)
        local_start = planned.start.astimezone(plan.zone).strftime("%H:%M")
        if planned.start < plan.window_start or planned.start >= plan.window_end:
            loaded.add(
                (*path, "start"),
                "outside-window",
                f"part {planned.number} starts at {local_start}, outside the window "
                f"{window.start:%H:%M}-{window.end:%H:%M}",
            )
            outside = True
        elif planned.end > plan.window_end:
            loaded.add(
                (*path, "duration"),
                "outside-window",
                f"part {planned.number} ends after the window's end {window.end:%H:%M}",
            )
            outside = True
        if previous_end is not None and planned.start < previous_end:
            before = plan.parts[planned.number - 2]
            if planned.start < before.start:
                loaded.add(
                    (*path, "start"),
                    "order",
                    f"part {planned.number} starts at {local_start}, before part "
                    f"{planned.number - 1}; parts run in the order they are written",
                )
            else:
                loaded.add(
                    (*path, "start"),
                    "overlap",
                    f"part {planned.number} starts at {local_start}, before part "
                    f"{planned.number - 1} is planned to end",
                    "warning",
                )
        previous_end = planned.end
    last = plan.parts[-1]
    # Once a part is outside the window, that error says it; the warning would repeat it.
    if not outside and last.end + plan.rollback > plan.window_end:
        late = last.end + plan.rollback - plan.window_end
        loaded.add(
            ("window", "rollback"),
            "rollback-fit",
            f"a NoGo at the last part leaves no room: its planned end plus the rollback "
            f"({format_duration(plan.rollback)}) is {format_duration(late)} past the window's "
            f"end {window.end:%H:%M}",
            "warning",
        )
    if plan.verification_start is not None and not (
        plan.window_start <= plan.verification_start < plan.window_end
    ):
        loaded.add(
            ("verification", "starts"),
            "outside-window",
            "production verification starts outside the window",
        )


def _check_references(runbook: Runbook, loaded: Loaded) -> None:
    seen: dict[str, int] = {}
    for index, part in enumerate(runbook.parts):
        if part.id in seen:
            loaded.add(
                ("parts", index, "id"),
                "duplicate-id",
                f"part id '{part.id}' is used by part {seen[part.id] + 1} too",
            )
        seen.setdefault(part.id, index)
        if part.id.isdigit():
            loaded.add(
                ("parts", index, "id"),
                "bad-value",
                f"part id '{part.id}' is a number; `gonogo go {part.id}` would be ambiguous "
                "with the part's number",
            )
    for index, service in enumerate(runbook.window.services):
        if service not in runbook.services:
            loaded.add(
                ("window", "services", index),
                "unknown-ref",
                f"unknown service '{service}'; services: {', '.join(runbook.services) or 'none'}",
            )
    if runbook.verification and runbook.verification.gates not in seen:
        loaded.add(
            ("verification", "gates"),
            "unknown-ref",
            f"unknown part '{runbook.verification.gates}'; parts: {', '.join(seen)}",
        )
    for index, priority in enumerate(runbook.incidents.major_priorities):
        if not 1 <= priority <= 5:
            loaded.add(
                ("incidents", "major_priorities", index),
                "bad-value",
                f"priority {priority}: ITIL priorities are 1 to 5",
            )


def _check_coverage(runbook: Runbook, loaded: Loaded) -> None:
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


def _check_message(runbook: Runbook, located: Located, loaded: Loaded) -> None:
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


def _check_recipients(
    runbook: Runbook, loaded: Loaded, cache_dir: Path | None, root: Path | None
) -> None:
    for name, audience in runbook.audiences.items():
        if audience.recipients is None:
            continue
        path: DocPath = ("audiences", name, "recipients")
        try:
            csv_path = resolve_recipients(loaded.path, audience.recipients, root)
            shown = loaded.path.parent / audience.recipients  # as the runbook names it
            problems = _recipient_problems(csv_path, cache_dir)
        except RunbookError as exc:
            hint = f"; {exc.hint}" if exc.hint else ""
            loaded.add(path, "recipients", exc.message + hint)
            continue
        loaded.diagnostics += [
            Diagnostic(
                str(shown), p.line, p.column, p.severity, "recipients", safe_message(p.message)
            )
            for p in problems
        ]


# Runbooks validated in one call often share recipients files: each is read once.
_checked_recipients: dict[tuple[Path, int, int], tuple[RecipientProblem, ...]] = {}


def _recipient_problems(csv_path: Path, cache_dir: Path | None) -> tuple[RecipientProblem, ...]:
    """`csv_path` is resolved and confined (resolve_recipients): read, checked once."""
    info = csv_path.stat()
    key = (csv_path, info.st_mtime_ns, info.st_size)
    if key not in _checked_recipients:
        _checked_recipients[key] = recipient_problems(csv_path, read_limited(csv_path), cache_dir)
    return _checked_recipients[key]
