"""Real delivery: SMS through Twilio and e-mail through SMTP, concurrent and exactly once.

Every row is journaled `in_flight` (in batches, one commit each) before its request
is made, and `sent` or `failed` after it. A crash therefore leaves each row pending
(never tried), in flight (in doubt: reconciled on resume) or finished — never lost.
Only the main thread touches the journal; workers only send.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gonogo.errors import ConfigError
from gonogo.night.journal import Delivery, Journal
from gonogo.notify.base import Channel, Outgoing, SendResult

if TYPE_CHECKING:
    from gonogo.night.run import Run
    from gonogo.night.steps import Session
    from gonogo.runbook.model import Runbook

MAX_ATTEMPTS = 4
BASE_DELAY = 0.5  # seconds; doubled per attempt, with full jitter


class TokenBucket:
    """At most `rate` acquisitions a second on average, bursts up to `capacity`.

    The default capacity is one: sends are spaced 1/rate apart, so no one-second window
    holds more than `rate` (+1) of them. A capacity of `rate` would let a full second's
    worth go out at once and then the next second's, twice the limit in one window.
    """

    def __init__(self, rate: float, capacity: float = 1.0) -> None:
        self.rate = rate
        self.capacity = capacity
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                # max(0): a clock frozen in another thread (tests) must not stall sending.
                elapsed = max(0.0, now - self._stamp)
                self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                delay = (1 - self._tokens) / self.rate
            time.sleep(delay)


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
        session: Session | None = None,
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

    def _channel(self, name: str) -> Channel:
        lane = self._lane(name)
        if lane.shared:
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

    def check(self, channels: Iterable[str]) -> None:
        """Credentials and servers, before the first send (ConfigError names the problem)."""
        for name in sorted(set(channels)):
            probe = self._lane(name).make()
            try:
                probe.check()
            finally:
                probe.close()

    def close(self) -> None:
        with self._made_lock:
            made, self._made = self._made, []
        for channel in made:
            channel.close()

    # -- sending -------------------------------------------------------------------------
    def _send_one(self, row: Delivery) -> SendResult:
        channel = self._channel(row.channel)
        lane = self._lane(row.channel)
        outgoing = Outgoing(
            channel="sms" if row.channel == "sms" else "email",
            to=row.address,
            body=row.body,
            subject=row.subject,
            audience=row.audience,
            name=row.name,
        )
        result = SendResult(ok=False, code="not-tried", reason="not tried")
        for attempt in range(MAX_ATTEMPTS):
            lane.bucket.acquire()
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
        try:
            for name in ("sms", "email"):
                rows = [d for d in deliveries if d.channel == name]
                if rows:
                    self._deliver_lane(journal, name, rows)
        finally:
            self.close()

    def _deliver_lane(self, journal: Journal, name: str, rows: list[Delivery]) -> None:
        lane = self._lane(name)
        batch = max(lane.concurrency * 4, 16)
        bar = _Progress(len(rows), f"{name}", enabled=self.progress)
        running: dict[Future[SendResult], Delivery] = {}
        done: list[tuple[int, str, str | None, str | None, str | None]] = []
        try:
            with ThreadPoolExecutor(max_workers=lane.concurrency, thread_name_prefix=name) as pool:
                try:
                    self._pump(journal, pool, running, done, list(rows), batch, bar)
                except KeyboardInterrupt:
                    # Sends not yet begun go back to pending; those under way stay in doubt.
                    back = [row for future, row in running.items() if future.cancel()]
                    done += [(d.id, "pending", None, None, "interrupted") for d in back]
                    journal.mark_many(done, _now())
                    raise
        finally:
            bar.close()

    def _pump(
        self,
        journal: Journal,
        pool: ThreadPoolExecutor,
        running: dict[Future[SendResult], Delivery],
        done: list[tuple[int, str, str | None, str | None, str | None]],
        queue: list[Delivery],
        batch: int,
        bar: _Progress,
    ) -> None:
        """Keep the pool fed in journaled batches; journal outcomes in batches too."""
        while queue or running:
            if queue and len(running) < batch // 2:
                chunk, queue = queue[:batch], queue[batch:]
                journal.mark_many([(d.id, "in_flight", None, None, None) for d in chunk], _now())
                for row in chunk:
                    running[pool.submit(self._send_one, row)] = row
            finished, _ = wait(running, timeout=0.2, return_when=FIRST_COMPLETED)
            for future in finished:
                done.append(_outcome(running.pop(future), future))
            if done and (len(done) >= batch or not running):
                journal.mark_many(done, _now())
                bar.advance(len(done))
                done.clear()


def _outcome(
    row: Delivery, future: Future[SendResult]
) -> tuple[int, str, str | None, str | None, str | None]:
    try:
        result = future.result()
    except Exception as exc:  # noqa: BLE001  # a bug in one send must not lose the others
        return (row.id, "in_flight", None, "error", f"unexpected error: {type(exc).__name__}")
    if result.ok:
        return (row.id, "sent", result.provider_id, None, None)
    if result.code == "in-doubt":
        return (row.id, "in_flight", None, result.code, result.reason)
    return (row.id, "failed", None, result.code, result.reason)


def _in_doubt(result: SendResult) -> SendResult:
    return SendResult(
        ok=False,
        code="in-doubt",
        reason=f"{result.reason or result.code}: the message may have gone out",
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Progress:
    """A rich progress bar on a terminal; nothing when output is piped."""

    def __init__(self, total: int, label: str, *, enabled: bool) -> None:
        self._progress = None
        self._task = None
        if enabled and total >= 20:
            from rich.progress import Progress  # noqa: PLC0415

            from gonogo.render.console import console  # noqa: PLC0415

            out = console(stderr=True)
            if out.is_terminal:
                self._progress = Progress(console=out, transient=True)
                self._progress.start()
                self._task = self._progress.add_task(f"Sending {label}", total=total)

    def advance(self, n: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task, n)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def resume_live(run: Run, session: Session, unfinished: list[Delivery]) -> None:
    """Finish a crashed dispatch: pending rows are sent; in-flight rows are reconciled first.

    SMS in flight: Twilio is asked which messages went to that number since the dispatch
    began; found means sent, not found means it is sent now. E-mail in flight: the
    operator decides, since no server can be asked.
    """
    journal = run.journal
    transport = LiveTransport(run.runbook, session)
    started = {e.seq: e.at for e in journal.events() if e.kind == "dispatch"}
    pending = [d for d in unfinished if d.status == "pending"]
    doubtful_sms = [d for d in unfinished if d.status == "in_flight" and d.channel == "sms"]
    doubtful_mail = [d for d in unfinished if d.status == "in_flight" and d.channel == "email"]
    again: list[Delivery] = []
    if doubtful_sms:
        from gonogo.notify.sms import TwilioSms  # noqa: PLC0415

        transport.check({"sms"})
        sms = transport._channel("sms")
        assert isinstance(sms, TwilioSms)
        found_any: list[tuple[int, str, str | None, str | None, str | None]] = []
        # A Message another row already accounts for is not this row's: without this, the
        # previous dispatch's SMS to the same number (sent within the minute of slack, or
        # just before) would mark this one sent and the recipient would silently miss it.
        known = {d.provider_id for d in journal.deliveries() if d.provider_id}
        doubtful_sms = sorted(doubtful_sms, key=lambda d: d.id)

        def look(row: Delivery) -> list[str]:
            since = started.get(row.dispatch, row_time_floor()) - dt.timedelta(minutes=1)
            return sms.sent_to(row.address, since)

        # One list call per row: made concurrently, as the sends are (a kill leaves up to a
        # few batches in flight, and each call waits for Twilio's answer).
        workers = transport._lane("sms").concurrency
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reconcile") as pool:
            listed = list(pool.map(look, doubtful_sms))
        for row, found in zip(doubtful_sms, listed, strict=True):
            sids = [sid for sid in found if sid not in known]
            if sids:
                sid = sids[-1]  # newest first: the oldest unclaimed one belongs to the oldest row
                known.add(sid)
                found_any.append((row.id, "sent", sid, None, "reconciled with Twilio"))
            else:
                again.append(row)
        if found_any:
            journal.mark_many(found_any, _now())
        session.show(
            f"{len(doubtful_sms)} SMS were in flight: {len(found_any)} had arrived at Twilio, "
            f"{len(doubtful_sms) - len(found_any)} are sent now."
        )
    if doubtful_mail:
        question = (
            f"{len(doubtful_mail)} e-mail(s) were in flight when the command stopped and may "
            "have gone out. Send them again? (no: they are marked sent as in doubt)"
        )
        if session.decide(question, False):
            again += doubtful_mail
        else:
            journal.mark_many(
                [
                    (d.id, "sent", None, "in-doubt", "marked sent by the operator after a crash")
                    for d in doubtful_mail
                ],
                _now(),
            )
    if again:
        journal.mark_many([(d.id, "pending", None, None, "resent after a crash") for d in again],
                          _now())  # fmt: skip
    rows = pending + again
    if rows:
        fresh = journal.deliveries(statuses=("pending",))
        transport.deliver(journal, fresh, _now())
    transport.close()


def row_time_floor() -> dt.datetime:
    return _now() - dt.timedelta(days=1)
