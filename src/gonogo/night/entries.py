"""The kinds of journal entry, each with its own frozen payload type.

The journal stores an entry's payload as JSON; `Entry.payload` gives it back typed.
Kinds are a `StrEnum`, so an entry's kind is compared with `Kind.GO`, never with a
string spelled out in another module.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import MISSING, dataclass, field, fields
from typing import Any


class Kind(enum.StrEnum):
    # The machine's triggers, replayed in order.
    START = "start"
    GO = "go"
    NOGO = "nogo"
    HOLD = "hold"
    PROGRESS = "progress"
    ROLLBACK_DONE = "rollback_done"
    END = "end"
    # What a decision sends: one dispatch entry per message, its rows beside it.
    DISPATCH = "dispatch"
    # Beside the machine.
    RUNBOOK_CHANGE_ACCEPTED = "runbook_change_accepted"
    INCIDENT_OPENED = "incident_opened"
    INCIDENT_UPDATED = "incident_updated"
    INCIDENT_RESOLVED = "incident_resolved"
    DISRUPTION = "disruption"
    LIGHTS_SET = "lights_set"
    VERIFICATION_STARTED = "verification_started"
    VERIFICATION_REPORT = "verification_report"
    # Before the window: advance notices (`gonogo announce`).
    ANNOUNCE = "announce"
    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    # During the night: the window runs past its announced end.
    EXTEND = "extend"
    # Delivery bookkeeping an operator decided on.
    RETRY = "retry"
    SETTLED = "deliveries_settled"
    # Dispatches a crash or an interrupt left unfinished, finished by the next command.
    RESUMED = "resumed"
    # What Twilio says became of sent SMS (`deliveries --refresh`).
    RECEIPTS = "receipts"


TRIGGERS = (Kind.START, Kind.GO, Kind.NOGO, Kind.HOLD, Kind.PROGRESS, Kind.ROLLBACK_DONE, Kind.END)


@dataclass(frozen=True)
class Empty:
    """No payload beyond the entry's own fields (part, reason)."""


@dataclass(frozen=True)
class Started:
    dry_run: bool = False
    off_plan_minutes: int | None = None


@dataclass(frozen=True)
class Decided:
    """Go, NoGo, hold, progress: the part is the entry's, the reason too."""

    override_verification: bool = False
    past_point_of_no_return: bool = False
    status_not_sent: bool = False


@dataclass(frozen=True)
class Dispatched:
    event: str
    cause: int
    recipients: int
    incident: str | None = None
    notice: str | None = None  # the advance notice this dispatch sends
    # Seconds Twilio may hold its SMS (ValidityPeriod), so a resumed send keeps them.
    # None in journals from before it was journaled: the runbook's channel default.
    sms_validity: int | None = None


@dataclass(frozen=True)
class Announced:
    """Advance notices sent for the window starting at `window_start` (ISO, UTC).

    `late` names those sent after their moment had long passed, on the operator's word.
    """

    notices: tuple[str, ...]
    window_start: str
    late: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChangeAccepted:
    old: str
    new: str
    file: str
    parts: tuple[str, ...] = ()  # the runbook's part ids from now on ((): not journaled)


@dataclass(frozen=True)
class IncidentOpened:
    id: str
    priority: int
    summary: str
    services: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    light: str = "red"
    repeat: bool = False  # confirmed after the warning that it may repeat one (repeats.py)


@dataclass(frozen=True)
class IncidentWord:
    """An update or a resolution; a resolution's summary may be empty."""

    id: str
    summary: str = ""
    repeat: bool = False  # confirmed after the warning that it may repeat one (repeats.py)


@dataclass(frozen=True)
class Disrupted:
    summary: str
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class LightSet:
    service: str
    colour: str


@dataclass(frozen=True)
class Reported:
    participant: str
    result: str


@dataclass(frozen=True)
class Requeued:
    """Deliveries put back to pending (retry-failed) or settled by the operator."""

    count: int
    action: str = "retry"  # retry | resend | mark_sent
    deliveries: tuple[int, ...] = ()


@dataclass(frozen=True)
class Resumed:
    """Who finished which interrupted dispatches (the entry's operator and time), and
    how many of their deliveries were not yet tried and how many in flight then."""

    dispatches: tuple[int, ...]
    pending: int = 0
    in_flight: int = 0


@dataclass(frozen=True)
class Rescheduled:
    """The window moved: its new start and end (ISO, UTC); the reason is the entry's."""

    window_start: str
    window_end: str


@dataclass(frozen=True)
class Extended:
    """The window's end moved later (ISO, UTC), from `previous_end`."""

    window_end: str
    previous_end: str


@dataclass(frozen=True)
class Receipts:
    """SMS deliveries (ids) Twilio now reports delivered to the phone, or not; `codes`
    are the undelivered ones' Twilio error codes, in the same order ("" if none)."""

    delivered: tuple[int, ...] = ()
    undelivered: tuple[int, ...] = ()
    codes: tuple[str, ...] = ()


PAYLOADS: dict[Kind, type] = {
    Kind.START: Started,
    Kind.GO: Decided,
    Kind.NOGO: Decided,
    Kind.HOLD: Decided,
    Kind.PROGRESS: Decided,
    Kind.ROLLBACK_DONE: Empty,
    Kind.END: Empty,
    Kind.DISPATCH: Dispatched,
    Kind.RUNBOOK_CHANGE_ACCEPTED: ChangeAccepted,
    Kind.INCIDENT_OPENED: IncidentOpened,
    Kind.INCIDENT_UPDATED: IncidentWord,
    Kind.INCIDENT_RESOLVED: IncidentWord,
    Kind.DISRUPTION: Disrupted,
    Kind.LIGHTS_SET: LightSet,
    Kind.VERIFICATION_STARTED: Empty,
    Kind.VERIFICATION_REPORT: Reported,
    Kind.ANNOUNCE: Announced,
    Kind.RESCHEDULE: Rescheduled,
    Kind.CANCEL: Empty,
    Kind.EXTEND: Extended,
    Kind.RETRY: Requeued,
    Kind.SETTLED: Requeued,
    Kind.RESUMED: Resumed,
    Kind.RECEIPTS: Receipts,
}


def encode(payload: object) -> dict[str, Any]:
    """A payload as the JSON object the journal stores (defaults left out)."""
    out: dict[str, Any] = {}
    for f in fields(payload):  # type: ignore[arg-type]
        value = getattr(payload, f.name)
        if f.default is not MISSING and value == f.default:
            continue
        out[f.name] = list(value) if isinstance(value, tuple) else value
    return out


def decode(kind: Kind, data: dict[str, Any]) -> object:
    """The typed payload of a stored entry; unknown keys are a damaged entry."""
    cls = PAYLOADS[kind]
    names = {f.name: f for f in fields(cls)}
    unknown = set(data) - set(names)
    if unknown:
        msg = f"unknown field(s) {', '.join(sorted(unknown))} in a {kind.value} entry"
        raise ValueError(msg)
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    return cls(**values)


@dataclass(frozen=True)
class Entry:
    """One journaled entry: who did what, when, with the runbook content it acted on."""

    seq: int
    at: dt.datetime
    operator: str
    kind: Kind
    part: int | None
    reason: str | None
    payload: Any
    runbook_sha256: str

    @property
    def data(self) -> dict[str, Any]:
        """The payload as stored (for renderers that show it generically)."""
        return encode(self.payload)


@dataclass(frozen=True)
class NewEntry:
    """An entry a decision wants journaled; the executor adds seq, time and operator."""

    kind: Kind
    payload: object = field(default_factory=Empty)
    part: int | None = None
    reason: str | None = None
