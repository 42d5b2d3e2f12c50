"""The runbook, version 1, as pydantic models: what a release manager writes in YAML."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gonogo.runbook.types import Date, Duration, Flag, LocalTime, Offset, ZoneName

FORMAT_VERSION = 1
_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_LANG = r"^[a-z]{2,3}$"


def _empty_list() -> list[Any]:
    # Not `default_factory=list`: pydantic inspects a factory's signature, and for a
    # builtin that means tokenizing its text signature, which compiles the tokenizer's
    # regular expressions: 4 ms of every `gonogo validate`.
    return []


def _empty_dict() -> dict[Any, Any]:
    return {}


class _Strict(BaseModel):
    # Unknown keys are errors: a typo in a message key must not silently drop a message.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Release(_Strict):
    id: str = Field(pattern=_ID, description="Release id, e.g. 21.0.")
    title: str = Field(min_length=1)
    kind: Literal["external", "internal"] = Field(
        description="external: callers may need to adapt; internal: they need not."
    )
    version_package: str = Field(min_length=1, description="Version package, e.g. 21.")
    timezone: ZoneName = Field(description="IANA zone all local times are in.")
    language: str = Field(default="sv", pattern=_LANG, description="Default language.")
    previous_version: str | None = Field(default=None, description="What a rollback restores.")


class Service(_Strict):
    name: str = Field(min_length=1)
    class_: Literal["A", "B"] = Field(alias="class", description="Availability class.")
    description: str | None = None


class Window(_Strict):
    date: Date = Field(description="Local date the window starts, YYYY-MM-DD.")
    start: LocalTime
    end: LocalTime = Field(description="Latest end; earlier than start means the next day.")
    downtime: Flag = Field(default=True, description="Whether services go down (red).")
    services: list[str] = Field(default_factory=_empty_list, description="Services affected.")
    rollback: Duration = Field(description="How long a rollback needs.")
    description: str | None = Field(default=None, description="Published description.")
    description_en: str | None = Field(default=None, description="Published English text.")


class Audience(_Strict):
    name: str = Field(min_length=1)
    recipients: str | None = Field(
        default=None, description="CSV file (name,phone,email,language), relative to the runbook."
    )
    press: Flag = Field(default=False, description="A press audience: gets e-mail only.")


class SmsChannel(_Strict):
    messaging_service_sid: str | None = Field(default=None, pattern=r"^MG[0-9a-fA-F]{32}$")
    sender: str | None = Field(default=None, description="E.164 number or alphanumeric id.")
    rate_limit: float = Field(default=10.0, gt=0, description="Messages per second at most.")
    concurrency: int = Field(default=8, ge=1, le=64)
    max_segments: int = Field(default=3, ge=1, le=10, description="Warn above this.")

    @model_validator(mode="after")
    def _one_sender(self) -> Self:
        if (self.messaging_service_sid is None) == (self.sender is None):
            msg = "give exactly one of messaging_service_sid or sender"
            raise ValueError(msg)
        return self


class EmailChannel(_Strict):
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    sender: str = Field(min_length=3, description='"Name <address>" or an address.')
    reply_to: str | None = None
    rate_limit: float = Field(default=20.0, gt=0, description="Messages per second at most.")
    concurrency: int = Field(default=4, ge=1, le=32)


class Channels(_Strict):
    sms: SmsChannel | None = None
    email: EmailChannel | None = None


class EmailText(_Strict):
    subject: str = Field(min_length=1)
    body: str = Field(min_length=1)


class Variant(_Strict):
    audience: str | None = None
    language: str | None = Field(default=None, pattern=_LANG)
    sms: str | None = None
    email: EmailText | None = None

    @model_validator(mode="after")
    def _targets(self) -> Self:
        if self.audience is None and self.language is None:
            msg = "a variant needs an audience, a language or both"
            raise ValueError(msg)
        if self.sms is None and self.email is None:
            msg = "a variant needs an sms or an email text"
            raise ValueError(msg)
        return self


class Message(_Strict):
    silent: Flag = Field(default=False, description="Deliberately no message for this event.")
    audiences: list[str] = Field(default_factory=_empty_list)
    sms: str | None = None
    email: EmailText | None = None
    press: EmailText | None = Field(default=None, description="Press statement for the event.")
    variants: list[Variant] = Field(default_factory=_empty_list)

    @model_validator(mode="after")
    def _shape(self) -> Self:
        has_text = self.sms is not None or self.email is not None or self.press is not None
        if self.silent:
            if has_text or self.audiences or self.variants:
                msg = "a silent message has no audiences and no texts"
                raise ValueError(msg)
            return self
        if not self.audiences:
            msg = "a message needs audiences (or `silent: true`)"
            raise ValueError(msg)
        if not has_text:
            msg = "a message needs an sms or an email text (or `silent: true`)"
            raise ValueError(msg)
        return self


class Notice(Message):
    """An advance notice: a message that goes out a while before the window opens."""

    id: str = Field(pattern=_ID, description="Names the notice in the journal, e.g. week.")
    before: Offset = Field(description="How long before the window's start: 7d, 24h, 1h.")


class PartMessages(_Strict):
    status: Message | None = Field(default=None, description="Overrides messages.part_status.")
    completed: Message | None = Field(
        default=None, description="Overrides messages.part_completed."
    )


class Part(_Strict):
    id: str = Field(pattern=_ID)
    title: str = Field(min_length=1)
    start: LocalTime
    duration: Duration
    owner: str = Field(min_length=1)
    steps: list[str] = Field(default_factory=_empty_list, description="Checklist.")
    status_message: Flag = Field(default=False, description="Send a mid-part status message.")
    note: str | None = None
    messages: PartMessages = Field(default_factory=PartMessages)


class Participant(_Strict):
    organisation: str = Field(min_length=1)
    system: str = Field(min_length=1)
    contact: str | None = None


class Verification(_Strict):
    starts: LocalTime
    gates: str = Field(description="Id of the part that cannot get Go until verified.")
    meeting: str | None = None
    participants: dict[str, Participant] = Field(min_length=1)
    checks: dict[str, str] = Field(default_factory=_empty_dict)


class IncidentPolicy(_Strict):
    update_interval: Duration = Field(
        default="30m",  # parsed by the validator (validate_default)
        validate_default=True,
    )
    major_priorities: list[int] = Field(default_factory=lambda: [1, 2])


class Messages(_Strict):
    window_started: Message | None = None
    part_status: Message | None = None
    part_completed: Message | None = None
    window_completed: Message | None = None
    rollback_started: Message | None = None
    rollback_completed: Message | None = None
    verification_started: Message | None = None
    incident_opened: Message | None = None
    incident_updated: Message | None = None
    incident_resolved: Message | None = None
    disruption: Message | None = None
    window_moved: Message | None = Field(default=None, description="`gonogo reschedule`.")
    window_cancelled: Message | None = Field(default=None, description="`gonogo cancel`.")
    window_extended: Message | None = Field(default=None, description="`gonogo extend`.")


class Runbook(_Strict):
    format: Literal[1] = Field(description="Runbook format version.")
    release: Release
    window: Window
    services: dict[str, Service] = Field(default_factory=_empty_dict)
    audiences: dict[str, Audience] = Field(min_length=1)
    channels: Channels = Field(default_factory=Channels)
    parts: list[Part] = Field(min_length=1)
    verification: Verification | None = None
    incidents: IncidentPolicy = Field(default_factory=IncidentPolicy)
    messages: Messages = Field(default_factory=Messages)
    notices: list[Notice] = Field(
        default_factory=_empty_list, description="Advance notices (`gonogo announce`)."
    )

    def notice(self, notice_id: str) -> Notice | None:
        return next((n for n in self.notices if n.id == notice_id), None)

    def part(self, ref: str) -> tuple[int, Part] | None:
        """Find a part by number (from 1) or id; returns (number, part)."""
        for number, part in enumerate(self.parts, start=1):
            if ref in (part.id, str(number)):
                return number, part
        return None
