"""The runbook, version 1, as pydantic models: what a release manager writes in YAML."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal, Self

from pydantic import ConfigDict, Field, model_validator

from gonogo.runbook.message_model import (
    EmailText,
    Message,
    Messages,
    Notice,
    PartMessages,
    Variant,
)
from gonogo.runbook.strict import ID, LANG, Strict, empty_dict, empty_list
from gonogo.runbook.types import (
    Date,
    Duration,
    Flag,
    LocalTime,
    Rate,
    SmsValidity,
    ZoneName,
    quoted_time,
)

# The message models live in message_model.py; they are imported from here too.
__all__ = [
    "FORMAT_VERSION", "Audience", "Channels", "EmailChannel", "EmailText", "IncidentPolicy",
    "Message", "Messages", "Notice", "Part", "PartMessages", "Participant", "Release", "Runbook",
    "Service", "SmsChannel", "Variant", "Verification", "Window",
]  # fmt: skip

FORMAT_VERSION = 1


class Release(Strict):
    """Which release this night installs, the time zone of every local time, the language."""

    id: str = Field(pattern=ID, description='Release id, in quotes: "21.0". `{release}` in texts.')
    title: str = Field(min_length=1, description="Title for people. `{release_title}`.")
    kind: Literal["external", "internal"] = Field(
        description="external: callers may need to adapt; internal: they need not."
    )
    version_package: str = Field(
        min_length=1, description='Version package, in quotes: "21". `{version_package}`.'
    )
    timezone: ZoneName = Field(description="IANA zone every local time is in.")
    language: str = Field(
        default="sv", pattern=LANG, description="Default language of the texts (ISO 639)."
    )
    previous_version: str | None = Field(
        default=None, description='What a rollback restores, in quotes: "17.1".'
    )


class Service(Strict):
    """One service of the platform; its key is what `gonogo lights set KEY` takes."""

    name: str = Field(min_length=1, description="The name people know. Used in `{services}`.")
    class_: Literal["A", "B"] = Field(
        alias="class", description="Availability class: A has a 99.9 % target, B 98 %."
    )
    description: str | None = Field(default=None, description="One line on what it is.")


class Window(Strict):
    """The service window: when systems go down and by when they must be back."""

    date: Date = Field(description="Local date the window starts, YYYY-MM-DD.")
    start: LocalTime = Field(description='When the window starts, in quotes: "23:00".')
    end: LocalTime = Field(
        description='Latest end, in quotes: "07:00"; earlier than start means the next day.',
        json_schema_extra=quoted_time("07:00"),
    )
    downtime: Flag = Field(default=True, description="Whether services go down (red).")
    services: list[str] = Field(
        default_factory=empty_list, description="Keys of the services the window affects."
    )
    rollback: Duration = Field(description="How long a rollback needs, e.g. 1h30m.")
    description: str | None = Field(default=None, description="Published description.")
    description_en: str | None = Field(default=None, description="Published English text.")


class Audience(Strict):
    """A group that is told: care providers, pharmacies, internal, press."""

    name: str = Field(min_length=1, description="A name for people, e.g. Vårdgivare.")
    recipients: str | None = Field(
        default=None,
        description="CSV file (name,phone,email,language), relative to the runbook.",
    )
    press: Flag = Field(default=False, description="A press audience: gets e-mail only.")


class SmsChannel(Strict):
    """SMS through Twilio; credentials come from the environment, never from here."""

    model_config = ConfigDict(
        # "SID or sender, not both" for editors too: exactly one of the two keys.
        json_schema_extra={
            "oneOf": [{"required": ["messaging_service_sid"]}, {"required": ["sender"]}]
        }
    )

    messaging_service_sid: str | None = Field(
        default=None,
        pattern=r"^MG[0-9a-fA-F]{32}$",
        description="Twilio Messaging Service: MG and 32 hex digits. This or sender.",
    )
    sender: str | None = Field(
        default=None,
        description="E.164 number or alphanumeric id. This or messaging_service_sid.",
    )
    rate_limit: Rate = Field(
        default=10.0,
        description="Segments per second at most (Twilio's unit: a 2-segment SMS counts 2); "
        "from 1 a minute (0.0167) to 10000.",
    )
    concurrency: int = Field(
        default=8, ge=1, le=64, description="Requests at the same time at most."
    )
    validity: SmsValidity = Field(
        default="1h",  # parsed by the validator (validate_default)
        validate_default=True,
        description="How long Twilio may hold an SMS before dropping it, 1m-10h; "
        "a message's sms_validity overrides it.",
    )
    max_segments: int = Field(
        default=3, ge=1, le=10, description="validate warns above this many segments."
    )

    @model_validator(mode="after")
    def _one_sender(self) -> Self:
        if (self.messaging_service_sid is None) == (self.sender is None):
            msg = "give exactly one of messaging_service_sid or sender"
            raise ValueError(msg)
        return self


class EmailChannel(Strict):
    """E-mail through SMTP; the login comes from the environment, never from here."""

    host: str = Field(min_length=1, description="SMTP server, e.g. smtp.example.org.")
    port: int = Field(default=587, ge=1, le=65535, description="SMTP port.")
    security: Literal["none", "starttls", "ssl"] = Field(
        default="starttls", description="starttls on 587, ssl on 465; none for a test server."
    )
    sender: str = Field(min_length=3, description='"Name <address>" or an address.')
    reply_to: str | None = Field(default=None, description="A Reply-To: address.")
    rate_limit: Rate = Field(
        default=20.0, description="Messages per second at most; from 1 a minute (0.0167) to 10000."
    )
    concurrency: int = Field(
        default=4, ge=1, le=32, description="SMTP connections at the same time at most."
    )


class Channels(Strict):
    """How audiences are told: SMS, e-mail, or both."""

    sms: SmsChannel | None = Field(default=None, description="SMS through Twilio.")
    email: EmailChannel | None = Field(default=None, description="E-mail through SMTP.")


class Part(Strict):
    """One part of the night; it ends in a Go/NoGo decision."""

    id: str = Field(pattern=ID, description="Short name: `gonogo go ID`. `{part_id}`.")
    title: str = Field(min_length=1, description="E.g. Databasförändringar. `{part_title}`.")
    start: LocalTime = Field(
        description='Planned start, in quotes: "00:00"; before the window start: next day.',
        json_schema_extra=quoted_time("00:00"),
    )
    duration: Duration = Field(description="Planned length, e.g. 1h30m; then Go/NoGo.")
    owner: str = Field(min_length=1, description="Who runs the part, e.g. Team Databas.")
    steps: list[str] = Field(default_factory=empty_list, description="Checklist.")
    status_message: Flag = Field(default=False, description="Send a mid-part status message.")
    note: str | None = Field(default=None, description="For the release manager; not sent.")
    messages: PartMessages = Field(
        default_factory=PartMessages, description="This part's own texts."
    )


class Participant(Strict):
    """One participant of production verification; its key is what `gonogo verify KEY` takes."""

    organisation: str = Field(min_length=1, description="Region or pharmacy actor.")
    system: str = Field(min_length=1, description="Their system, e.g. Cosmic.")
    contact: str | None = Field(default=None, description="Who to reach.")


class Verification(Strict):
    """Production verification: who verifies, from when, and which part waits for it."""

    starts: LocalTime = Field(
        description='When the joint meeting starts, in quotes: "04:00".',
        json_schema_extra=quoted_time("04:00"),
    )
    gates: str = Field(description="Id of the part that cannot get Go until verified.")
    meeting: str | None = Field(default=None, description="How the meeting works.")
    participants: dict[str, Participant] = Field(
        min_length=1, description="The participants, by key."
    )
    checks: dict[str, str] = Field(
        default_factory=empty_dict, description="What is verified, by key."
    )


class IncidentPolicy(Strict):
    """How incidents are followed up."""

    update_interval: Duration = Field(
        default="30m",  # parsed by the validator (validate_default)
        validate_default=True,
        description="A major incident needs an update this often, e.g. 30m.",
    )
    major_priorities: list[int] = Field(
        default_factory=lambda: [1, 2], description="ITIL priorities (1-5) that are major."
    )


class Runbook(Strict):
    """A gonogo runbook: one release night. Check it with `gonogo validate`."""

    format: Literal[1] = Field(description="Runbook format version: 1.")
    release: Release = Field(description="Which release, time zone and language.")
    window: Window = Field(description="The service window.")
    services: dict[str, Service] = Field(
        default_factory=empty_dict, description="The platform's services, by key."
    )
    audiences: dict[str, Audience] = Field(min_length=1, description="Who is told, by key.")
    channels: Channels = Field(default_factory=Channels, description="SMS and e-mail.")
    parts: list[Part] = Field(
        min_length=1, description="The parts of the night, in order; each ends in Go/NoGo."
    )
    verification: Verification | None = Field(default=None, description="Production verification.")
    incidents: IncidentPolicy = Field(
        default_factory=IncidentPolicy, description="Incident follow-up."
    )
    messages: Messages = Field(default_factory=Messages, description="The texts, by event.")
    notices: list[Notice] = Field(
        default_factory=empty_list, description="Advance notices (`gonogo announce`)."
    )

    def sms_validity(self, message: Message) -> timedelta | None:
        """How long Twilio may hold `message`'s SMS: its own, else the channel's."""
        if message.sms_validity is not None:
            return message.sms_validity
        return self.channels.sms.validity if self.channels.sms is not None else None

    def notice(self, notice_id: str) -> Notice | None:
        return next((n for n in self.notices if n.id == notice_id), None)

    def part(self, ref: str) -> tuple[int, Part] | None:
        """Find a part by number (from 1) or id; returns (number, part)."""
        for number, part in enumerate(self.parts, start=1):
            if ref in (part.id, str(number)):
                return number, part
        return None
