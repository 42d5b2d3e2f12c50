"""What every channel takes and gives back, and the Protocol they share.

A channel sends one message per call, synchronously, and reports the outcome as a
`SendResult` instead of raising: a failed delivery is an expected event of the night,
not an error. Journaling, retries and concurrency live above the channels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from gonogo.errors import ExitCode, GonogoError


@dataclass(frozen=True)
class Outgoing:
    """One message to one recipient, rendered and ready to go out."""

    channel: Literal["sms", "email"]
    to: str  # E.164 number for SMS, address for e-mail
    body: str
    subject: str | None = None  # e-mail only
    audience: str = ""  # the runbook audience the recipient came from, for the record
    name: str = ""  # the recipient's name, for the record
    validity: int | None = None  # SMS: seconds the provider may hold it, then drops it


@dataclass(frozen=True)
class SendResult:
    """The outcome of one send.

    `provider_id` is the provider's id of the accepted message (Twilio's Message SID,
    the e-mail's Message-ID). On failure `code` is the provider's error code when it
    gave one (Twilio's `21211`, SMTP's `550`) or a transport code such as `timeout`,
    and `reason` is text a person can act on. `retryable` says whether another try
    may succeed; it does not say a blind retry is safe: see the channel's docs for
    the failures where the message may have gone out anyway.
    """

    ok: bool
    provider_id: str | None = None
    code: str | None = None
    reason: str | None = None
    retryable: bool = False


class Channel(Protocol):
    """A way to deliver `Outgoing` messages of one kind."""

    def send(self, msg: Outgoing) -> SendResult:
        """Deliver one message; report the outcome, never raise for a failed delivery."""
        ...

    def check(self) -> None:
        """Raise `ConfigError` if credentials are missing or the provider is unreachable.

        Called before the first send of a dispatch, so a night never starts sending
        with a channel that cannot work.
        """
        ...

    def close(self) -> None:
        """Release connections; the channel is not used afterwards."""
        ...


class ProviderError(GonogoError):
    """A provider request other than a send failed (e.g. looking up sent messages)."""

    exit_code = ExitCode.DELIVERY_FAILED

    def __init__(self, message: str, *, retryable: bool, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retryable = retryable
