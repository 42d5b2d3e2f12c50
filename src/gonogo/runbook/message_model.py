"""The runbook's messages as pydantic models: per event, the audiences and their texts."""

from __future__ import annotations

from typing import Self

from pydantic import ConfigDict, Field, model_validator

from gonogo.runbook.strict import ID, LANG, Strict, empty_list
from gonogo.runbook.types import Flag, Offset, SmsValidity


class EmailText(Strict):
    """An e-mail text; `{placeholders}` are filled in when it is sent."""

    subject: str = Field(min_length=1, description="Subject line.")
    body: str = Field(min_length=1, description="Body; write it as a block with `|`.")


class Variant(Strict):
    """Texts for one audience, one language, or both, instead of the message's own."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {"anyOf": [{"required": ["audience"]}, {"required": ["language"]}]},
                {"anyOf": [{"required": ["sms"]}, {"required": ["email"]}]},
            ]
        }
    )

    audience: str | None = Field(default=None, description="Audience key it is for.")
    language: str | None = Field(default=None, pattern=LANG, description="Language it is in.")
    sms: str | None = Field(default=None, description="The SMS text.")
    email: EmailText | None = Field(default=None, description="The e-mail text.")

    @model_validator(mode="after")
    def _targets(self) -> Self:
        if self.audience is None and self.language is None:
            msg = "a variant needs an audience, a language or both"
            raise ValueError(msg)
        if self.sms is None and self.email is None:
            msg = "a variant needs an sms or an email text"
            raise ValueError(msg)
        return self


class Message(Strict):
    """What goes out for one event: to which audiences, which SMS and e-mail texts."""

    silent: Flag = Field(default=False, description="Deliberately no message for this event.")
    audiences: list[str] = Field(
        default_factory=empty_list, description="Keys of the audiences it goes to."
    )
    sms: str | None = Field(default=None, description="The SMS text.")
    sms_validity: SmsValidity | None = Field(
        default=None,
        description="How long Twilio may hold its SMS before dropping it, 1m-10h; "
        "default channels.sms.validity.",
    )
    email: EmailText | None = Field(default=None, description="The e-mail text.")
    press: EmailText | None = Field(default=None, description="Press statement for the event.")
    variants: list[Variant] = Field(
        default_factory=empty_list,
        description="Texts for an audience or a language; the most specific one wins.",
    )

    @model_validator(mode="after")
    def _shape(self) -> Self:
        has_text = self.sms is not None or self.email is not None or self.press is not None
        if self.silent:
            if has_text or self.audiences or self.variants or self.sms_validity is not None:
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


class PartMessages(Strict):
    """A part's own texts, instead of the shared ones under `messages`."""

    status: Message | None = Field(default=None, description="Overrides messages.part_status.")
    completed: Message | None = Field(
        default=None, description="Overrides messages.part_completed."
    )


class Notice(Message):
    """An advance notice: a message that goes out a while before the window opens."""

    id: str = Field(pattern=ID, description="Names the notice in the journal, e.g. week.")
    before: Offset = Field(description="How long before the window's start: 7d, 24h, 1h.")


class Messages(Strict):
    """The texts of the night, one message per event."""

    window_started: Message | None = Field(default=None, description="`gonogo start`.")
    part_status: Message | None = Field(
        default=None, description="`gonogo progress`, for parts with status_message."
    )
    part_completed: Message | None = Field(
        default=None, description="`gonogo go PART`: the part got Go."
    )
    window_completed: Message | None = Field(
        default=None, description="`gonogo end`: after the last Go."
    )
    rollback_started: Message | None = Field(
        default=None, description="`gonogo nogo PART`: the rollback starts."
    )
    rollback_completed: Message | None = Field(
        default=None, description="`gonogo rollback-done`: the previous version is back."
    )
    verification_started: Message | None = Field(
        default=None, description="`gonogo verify start`: go-ahead for verification."
    )
    incident_opened: Message | None = Field(default=None, description="`gonogo incident open`.")
    incident_updated: Message | None = Field(default=None, description="`gonogo incident update`.")
    incident_resolved: Message | None = Field(
        default=None, description="`gonogo incident resolve`."
    )
    disruption: Message | None = Field(
        default=None, description="`gonogo disruption`: a short interruption."
    )
    window_moved: Message | None = Field(default=None, description="`gonogo reschedule`.")
    window_cancelled: Message | None = Field(default=None, description="`gonogo cancel`.")
    window_extended: Message | None = Field(default=None, description="`gonogo extend`.")
