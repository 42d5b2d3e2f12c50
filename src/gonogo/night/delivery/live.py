"""Real delivery: SMS through Twilio and e-mail through SMTP, concurrent and exactly once.

Every row is journaled `in_flight` just before its request is handed to a free worker
(never more rows than the pool has workers), and `sent` or `failed` after it. A crash
therefore leaves each row pending (never tried), in flight (at most one per worker: in
doubt, reconciled on resume) or finished — never lost. Only the main thread touches the
journal; workers only send (`fanout.FanOut`, which batches the marks into few commits).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from gonogo.errors import ConfigError, JournalWriteError, join_hints
from gonogo.night.delivery.fanout import FanOut
from gonogo.night.delivery.progress import ProgressBar
from gonogo.night.delivery.rate import TokenBucket
from gonogo.night.delivery.validity import Validity, sms_validities
from gonogo.night.journal import Delivery, Journal
from gonogo.notify.base import Channel, Outgoing, SendResult
from gonogo.runbook.segments import measure

if TYPE_CHECKING:
    from gonogo.runbook.model import Runbook

MAX_ATTEMPTS = 4
BASE_DELAY = 0.5  # seconds; doubled per attempt, with full jitter


@dataclass
class _Lane:
    """One channel's sender with its pool size and rate limit."""

    make: Callable[[], Channel]  # one per worker thread where the channel needs it
    shared: bool  # True: one instance serves every thread
    concurrency: int
    bucket: TokenBucket


class LiveTransport:
    """Sends journaled rows for real; see the module docstring for the guarantees."""

    def __init__(
        self,
        runbook: Runbook,
        env: Mapping[str, str] | None = None,
        *,
        progress: bool = True,
    ) -> None:
        self.runbook = runbook
        self.env = dict(os.environ if env is None else env)
        self.progress = progress
        self._lanes: dict[str, _Lane] = {}
        self._local = threading.local()
        self._made: list[Channel] = []
        self._made_lock = threading.Lock()
        self._shared: dict[str, Channel] = {}
        self.went_out = 0  # messages sent by this transport, journaled or not
        self._validity: dict[int, Validity] = {}  # dispatch seq -> SMS ValidityPeriod
        self._clock: tuple[dt.datetime, float] | None = None  # the command's now, monotonic

    # -- channels ------------------------------------------------------------------------
    def _lane(self, channel: str) -> _Lane:
        if channel in self._lanes:
            return self._lanes[channel]
        channels = self.runbook.channels
        if channel == "sms":
            sms = channels.sms
            if sms is None:
                raise ConfigError("the runbook has no sms channel")
            from gonogo.notify.sms import TwilioSms  # noqa: PLC0415  # twilio is slow to import

            lane = _Lane(
                lambda: TwilioSms(
                    messaging_service_sid=sms.messaging_service_sid,
                    sender=sms.sender,
                    env=self.env,
                ),
                True,
                sms.concurrency,
                TokenBucket(sms.rate_limit),
            )
        else:
            email = channels.email
            if email is None:
                raise ConfigError("the runbook has no email channel")
            from gonogo.notify.email import SmtpEmail  # noqa: PLC0415

            lane = _Lane(
                lambda: SmtpEmail(
                    email.host, email.port, email.security, email.sender, email.reply_to,
                    env=self.env,
                ),
                False,
                email.concurrency,
                TokenBucket(email.rate_limit),
            )  # fmt: skip
        self._lanes[channel] = lane
        return lane

    def channel(self, name: str) -> Channel:
        lane = self._lane(name)
        if lane.shared:
            made = self._shared.get(name)
            if made is not None:  # made once, then only read: no lock per send
                return made
            with self._made_lock:
                if name not in self._shared:
                    self._shared[name] = lane.make()
                    self._made.append(self._shared[name])
                return self._shared[name]
        mine: dict[str, Channel] = self._local.__dict__.setdefault("channels", {})
        if name not in mine:
            mine[name] = self._keep(lane.make())
        return mine[name]

    def _keep(self, channel: Channel) -> Channel:
        with self._made_lock:
            self._made.append(channel)
        return channel

    def concurrency(self, name: str) -> int:
        return self._lane(name).concurrency

    def check(self, channels: Iterable[str]) -> None:
        """Credentials and servers, before the first send: one ConfigError naming every
        problem (SMTP down and Twilio credentials missing are both reported)."""
        problems: list[ConfigError] = []
        for name in sorted(set(channels)):
            try:
                probe = self._lane(name).make()
                try:
                    probe.check()
                finally:
                    probe.close()
            except ConfigError as exc:
                problems.append(exc)
        if len(problems) == 1:
            raise problems[0]
        if problems:
            hints = join_hints(p.hint for p in problems if p.hint)
            message = "; and ".join(p.message for p in problems)
            raise ConfigError(f"{len(problems)} problems: {message}", hint=hints or None)

    def close(self) -> None:
        with self._made_lock:
            made, self._made = self._made, []
        for channel in made:
            channel.close()

    # -- sending -------------------------------------------------------------------------
    def _now(self) -> dt.datetime:
        """The command's clock (a rehearsal's or a test's too), moved on by real time."""
        assert self._clock is not None  # set by deliver()
        began, at = self._clock
        return began + dt.timedelta(seconds=time.monotonic() - at)

    def _send_one(self, row: Delivery) -> SendResult:
        try:
            channel = self.channel(row.channel)
        except ConfigError as exc:  # e.g. a malformed TWILIO_ACCOUNT_SID: nothing was sent
            return SendResult(ok=False, code="config", reason=exc.message)
        lane = self._lane(row.channel)
        outgoing = Outgoing(
            channel="sms" if row.channel == "sms" else "email",
            to=row.address,
            body=row.body,
            subject=row.subject,
            audience=row.audience,
            name=row.name,
        )
        validity = self._validity.get(row.dispatch) if row.channel == "sms" else None
        # Twilio's throughput is counted in segments: an SMS of two costs two.
        cost = _segments(row.body) if row.channel == "sms" else 1
        result = SendResult(ok=False, code="not-tried", reason="not tried")
        for attempt in range(MAX_ATTEMPTS):
            lane.bucket.acquire(cost)
            if validity is not None:
                left = validity.left(self._now())
                if left < 1:
                    return _expired(validity)
                outgoing = replace(outgoing, validity=left)
            result = channel.send(outgoing)
            if result.ok or not result.retryable:
                return result
            if result.code in ("timeout", "connection-lost"):
                # The request may have arrived: never resend blindly.
                return _in_doubt(result)
            if attempt + 1 < MAX_ATTEMPTS:
                time.sleep(random.uniform(0, BASE_DELAY * 2**attempt))  # noqa: S311  # jitter
        return result

    def deliver(self, journal: Journal, deliveries: list[Delivery], now: dt.datetime) -> None:
        """Send every row; journal in_flight before and the outcome after each request."""
        if not deliveries:
            return
        self.check({d.channel for d in deliveries})
        self._validity |= sms_validities(journal, deliveries, self.runbook)
        self._clock = (now, time.monotonic())
        try:
            for name in ("sms", "email"):
                rows = [d for d in deliveries if d.channel == name]
                if rows:
                    self._deliver_lane(journal, name, rows)
        except JournalWriteError as exc:
            exc.sent = self.went_out
            raise
        finally:
            self.close()

    def _deliver_lane(self, journal: Journal, name: str, rows: list[Delivery]) -> None:
        bar = ProgressBar(len(rows), f"{name}", enabled=self.progress)
        fan = FanOut(journal, self._lane(name).concurrency, self._send_one, name)
        try:
            fan.run(rows, bar.advance)
        finally:
            self.went_out += fan.went_out
            bar.close()


@functools.lru_cache(maxsize=256)  # a dispatch has a few texts, sent to thousands
def _expired(validity: Validity) -> SendResult:
    minutes = validity.seconds // 60
    return SendResult(
        ok=False,
        code="expired",
        reason=f"not sent: its validity ({minutes} min from the decision at "
        f"{validity.decided:%H:%M} UTC) had passed",
    )


def _segments(body: str) -> int:
    return measure(body).segments


def _in_doubt(result: SendResult) -> SendResult:
    return SendResult(
        ok=False,
        code="in-doubt",
        reason=f"{result.reason or result.code}: the message may have gone out",
    )
