"""A Twilio-compatible Messages API on 127.0.0.1, for the error paths Prism cannot play.

Speaks the two calls the SMS channel makes, shaped like Twilio's own responses:
`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` and the list call with
`To` / `DateSent` / `DateSent<` / `DateSent>` filters and paging (`PageSize`,
`PageToken`, `next_page_uri`). Tests steer it while it runs: `latency`, injected
errors per recipient or for the next N requests, dropped connections, and a
thread-safe record of every accepted message.

Twilio's queue, when `segments_per_second` is set: each sender (`From`, or the
Messaging Service) sends that many segments a second (Twilio counts segments, not
messages: GSM-7 160 / 153 septets, UCS-2 70 / 67 units). Until a Message leaves its
sender's queue it is `queued` (`accepted` through a Messaging Service) with
`date_sent` null, and a `DateSent` filter leaves it out; then it is `sent` with its
`date_sent`, and `delivered` after `delivered_after` seconds if that is set.
Without `segments_per_second` a Message counts as sent the moment it is created.

A request is processed whatever its client does: the body is read, `latency`
passes, the Message is created, `response_latency` passes, and only then is the
answer written, to a client that may be long gone (killed, or timed out). A request
whose body never fully arrived creates nothing.

Built for concurrency too (a benchmark sends 10,000 messages through a pool): one
thread per connection, HTTP/1.1 keep-alive, no logging, a deep listen backlog.
"""

from __future__ import annotations

import base64
import json
import secrets
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Self
from urllib.parse import parse_qs, urlencode, urlsplit

API_VERSION = "2010-04-01"
DEFAULT_ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
DEFAULT_AUTH_TOKEN = "fake-token-5f1d0c2e9b7a4e3d8c6b"

FaultKind = Literal[
    "invalid_number",  # 400, 21211
    "unsubscribed",  # 400, 21610
    "rate_limited",  # 429, 20429
    "server_error",  # 500, 20500
    "drop",  # close the connection without a response; nothing was accepted
    "lost_response",  # accept and record the message, then close without a response
]

# status, Twilio error code, message ({to} is filled in)
_ERRORS: dict[str, tuple[int, int, str]] = {
    "invalid_number": (400, 21211, "Invalid 'To' Phone Number: {to}"),
    "unsubscribed": (400, 21610, "Attempt to send to unsubscribed recipient"),
    "rate_limited": (429, 20429, "Too Many Requests"),
    "server_error": (500, 20500, "An internal server error has occurred"),
}


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it (every request, accepted or not)."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    auth: tuple[str, str] | None  # Basic auth user and password as sent
    headers: dict[str, str]


@dataclass
class _Rule:
    kind: FaultKind
    remaining: int | None  # None: for ever


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    messages: list[dict[str, Any]] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    next_faults: deque[FaultKind] = field(default_factory=deque)
    per_number: dict[str, _Rule] = field(default_factory=dict)
    queue_tail: dict[str, datetime] = field(default_factory=dict)  # per sender
    busy: int = 0  # requests being handled
    last_activity: float = 0.0  # time.monotonic() of the last request's start or end
    idle: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.idle = threading.Condition(self.lock)


class TwilioFake:
    """The server. Use as a context manager, or `start()` / `stop()`."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        latency: float = 0.0,
        response_latency: float = 0.0,
        segments_per_second: float | None = None,
        delivered_after: float | None = None,
    ) -> None:
        if segments_per_second is not None and segments_per_second <= 0:
            raise ValueError("segments_per_second must be positive")
        self.account_sid = account_sid
        self.auth_token = auth_token
        # All settable while running:
        self.latency = latency  # seconds between a request's arrival and its processing
        self.response_latency = response_latency  # seconds between creating and answering
        self.segments_per_second = segments_per_second  # per sender; None: no queue
        self.delivered_after = delivered_after  # seconds from sent to delivered; None: never
        self._state = _State()
        self._httpd: _Server | None = None
        self._port: int | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Self:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="twilio-fake",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens (or, once stopped, listened) on."""
        assert self._port is not None, "server never started"
        return self._port

    @property
    def base_url(self) -> str:
        """What `TWILIO_API_BASE_URL` must be: the host root, the API version is in paths."""
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """An environment that points the SMS channel at this server."""
        return {
            "TWILIO_ACCOUNT_SID": self.account_sid,
            "TWILIO_AUTH_TOKEN": self.auth_token,
            "TWILIO_API_BASE_URL": self.base_url,
        }

    # -- switches ----------------------------------------------------------------------

    def fail_next(self, kind: FaultKind, n: int = 1) -> None:
        """The next `n` requests (of any kind) fail with `kind`."""
        with self._state.lock:
            self._state.next_faults.extend([kind] * n)

    def fail_for(self, to: str, kind: FaultKind, times: int | None = None) -> None:
        """Messages to `to` fail with `kind`, `times` times or (None) for ever."""
        with self._state.lock:
            self._state.per_number[to] = _Rule(kind, times)

    def clear_faults(self) -> None:
        with self._state.lock:
            self._state.next_faults.clear()
            self._state.per_number.clear()

    # -- records -----------------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every accepted message, in order, as the JSON the server returned."""
        with self._state.lock:
            return list(self._state.messages)

    @property
    def requests(self) -> list[Seen]:
        """Every request received, in order."""
        with self._state.lock:
            return list(self._state.seen)

    def message(self, sid: str) -> dict[str, Any]:
        """One Message as the list call would show it now (status and date_sent)."""
        now = datetime.now(UTC)
        with self._state.lock:
            found = [m for m in self._state.messages if m["sid"] == sid]
        if not found:
            raise KeyError(sid)
        return self._public(found[0], now)

    @property
    def queued(self) -> int:
        """How many Messages have not left their sender's queue yet."""
        now = datetime.now(UTC)
        with self._state.lock:
            return sum(1 for m in self._state.messages if not _has_left(m, now))

    def pin_status(self, to: str, status: str, error_code: int | None = None) -> None:
        """Messages to `to` show `status` (and Twilio's error code) from now on."""
        with self._state.lock:
            for msg in self._state.messages:
                if msg["to"] == to:
                    msg["_status"], msg["error_code"] = status, error_code

    def add_message(
        self,
        to: str,
        body: str,
        *,
        sent: datetime | None = None,
        created: datetime | None = None,
        status: str | None = None,
        from_: str = "+46700000000",
    ) -> str:
        """Record a Message made earlier (for reconciliation tests); returns its SID.

        `created` defaults to `sent`; `sent=None` leaves it queued for good. `status`
        pins the status the list shows (`scheduled`, `failed`, `undelivered`, ...).
        """
        if created is None:
            created = sent or datetime.now(UTC)
        msg = self._message({"To": to, "Body": body, "From": from_}, created, sent)
        if status is not None:
            msg["_status"] = status
        with self._state.lock:
            self._state.messages.append(msg)
        return str(msg["sid"])

    def wait_idle(self, timeout: float = 30.0, *, quiet: float = 0.2) -> bool:
        """Wait until no request is being handled and none began for `quiet` seconds.

        For counting after a client was killed: its requests on the wire still land.
        The quiet spell covers a request accepted but not yet read. False on timeout.
        """
        began = time.monotonic()
        deadline = began + timeout
        with self._state.idle:
            while True:
                now = time.monotonic()
                calm = now - max(self._state.last_activity, began)
                if not self._state.busy and calm >= quiet:
                    return True
                if now >= deadline:
                    return False
                wait = quiet - calm if not self._state.busy else deadline - now
                self._state.idle.wait(max(min(wait, deadline - now), 0.001))

    # -- internals used by the handler ---------------------------------------------------

    def _fault_for(self, to: str | None) -> FaultKind | None:
        with self._state.lock:
            if self._state.next_faults:
                return self._state.next_faults.popleft()
            rule = self._state.per_number.get(to) if to is not None else None
            if rule is None:
                return None
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    del self._state.per_number[to]  # type: ignore[arg-type]
            return rule.kind

    def _record_seen(self, seen: Seen) -> None:
        with self._state.lock:
            self._state.seen.append(seen)

    def _begin(self) -> None:
        with self._state.lock:
            self._state.busy += 1
            self._state.last_activity = time.monotonic()

    def _end(self) -> None:
        with self._state.idle:
            self._state.busy -= 1
            self._state.last_activity = time.monotonic()
            if not self._state.busy:
                self._state.idle.notify_all()

    def _accept(self, form: dict[str, str]) -> dict[str, Any]:
        now = datetime.now(UTC)
        rate = self.segments_per_second
        msg = self._message(form, now, now if rate is None else None)
        with self._state.lock:
            if rate is not None:
                sender = form.get("MessagingServiceSid") or form.get("From") or ""
                start = max(now, self._state.queue_tail.get(sender, now))
                leaves = start + timedelta(seconds=int(msg["num_segments"]) / rate)
                self._state.queue_tail[sender] = msg["_sent"] = leaves
            self._state.messages.append(msg)
        return msg

    def _message(
        self, form: dict[str, str], created: datetime, sent: datetime | None
    ) -> dict[str, Any]:
        sid = "SM" + secrets.token_hex(16)
        stamp = format_datetime(created)
        body = form.get("Body", "")
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": body,
            "date_created": stamp,
            "date_sent": None,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": str(segments(body)),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if "MessagingServiceSid" in form else "queued",
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "to": form.get("To"),
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json",
            # Private, removed from responses: for the queue, filters and order.
            "_created": created,
            "_sent": sent,  # when it leaves (left) the queue; None: never
            "_status": None,  # a pinned status
        }

    def _listed(self, query: dict[str, str]) -> tuple[list[dict[str, Any]], int, int]:
        """The matching Messages in Twilio's order, the page size, the first index."""
        now = datetime.now(UTC)
        with self._state.lock:
            found = [self._public(m, now) | {"_m": m} for m in self._state.messages]
        if "To" in query:
            found = [m for m in found if m["to"] == query["To"]]
        # A DateSent filter sees only Messages that have a date_sent: never a queued one.
        # "DateSent>" and "DateSent<" are inclusive, as Twilio's ">=" / "<=" reading is.
        for key, keep in (
            ("DateSent>", lambda sent, bound: sent >= bound),
            ("DateSent<", lambda sent, bound: sent <= bound),
            ("DateSent", lambda sent, bound: sent.date() == bound.date()),
        ):
            if key in query:
                bound = _parse_date(query[key])
                found = [
                    m for m in found if m["_m"]["_sent"] is not None and _has_left(m["_m"], now)
                ]
                found = [m for m in found if keep(m["_m"]["_sent"], bound)]
        # Newest first by date_sent ("sorted by the DateSent field, most recent first");
        # a Message with no date_sent yet is newer than any sent one.
        found.sort(key=lambda m: _order_key(m["_m"], now), reverse=True)
        size = max(1, min(int(query.get("PageSize", "50")), 1000))
        first = int(query.get("Page", "0")) * size
        token = query.get("PageToken", "")
        if token.startswith("PA"):  # a cursor: the SID of the previous page's last Message
            sids = [m["sid"] for m in found]
            if token[2:] in sids:
                first = sids.index(token[2:]) + 1
        return [{k: v for k, v in m.items() if k != "_m"} for m in found], size, first

    def _public(self, msg: dict[str, Any], now: datetime) -> dict[str, Any]:
        """A Message as Twilio shows it at `now`."""
        out = {k: v for k, v in msg.items() if not k.startswith("_")}
        sent: datetime | None = msg["_sent"]
        if msg["_status"] is not None:
            out["status"] = msg["_status"]
            out["date_sent"] = format_datetime(sent) if sent is not None else None
        elif _has_left(msg, now):
            assert sent is not None
            out["date_sent"] = out["date_updated"] = format_datetime(sent)
            out["status"] = "sent"
            if self.delivered_after is not None:
                delivered = sent + timedelta(seconds=self.delivered_after)
                if delivered <= now:
                    out["status"] = "delivered"
                    out["date_updated"] = format_datetime(delivered)
        return out


def _as_created(msg: dict[str, Any]) -> dict[str, Any]:
    """The create call's answer: still in the queue, whatever happens next."""
    out = {k: v for k, v in msg.items() if not k.startswith("_")}
    return out | {"status": "accepted" if out["messaging_service_sid"] else "queued"}


def _has_left(msg: dict[str, Any], now: datetime) -> bool:
    sent: datetime | None = msg["_sent"]
    return sent is not None and sent <= now


def _order_key(msg: dict[str, Any], now: datetime) -> tuple[int, datetime, datetime]:
    sent: datetime | None = msg["_sent"]
    if sent is None or sent > now:
        return (1, msg["_created"], msg["_created"])
    return (0, sent, msg["_created"])


def segments(body: str) -> int:
    """Segments Twilio counts for `body`: GSM-7 160 / 153 septets, else UCS-2 70 / 67.

    Measured with the `gsm0338` codec (extension characters take two septets), not
    with gonogo's own counter, so the fake does not share that counter's mistakes.
    """
    import gsm0338  # noqa: F401, PLC0415 - registers the codec

    try:
        units, single, part = len(body.encode("gsm03.38")), 160, 153
    except UnicodeEncodeError:
        units, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else -(-units // part)


def _parse_date(text: str) -> datetime:
    if len(text) == 10:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # a benchmark opens many connections at once
    fake: TwilioFake

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out or hung up on purpose is a test scenario, not a failure.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as requests' pool expects
    server_version = "twilio-fake/1"
    timeout = 60  # a forgotten idle connection does not pin a thread for ever
    # Headers and body go out in two writes; with Nagle on, the client's delayed ACK
    # would add ~40 ms to every response.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # silence: tests and the benchmark read their own records

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        fake._begin()
        try:
            self._process(method)
        finally:
            fake._end()

    def _process(self, method: str) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if len(raw) < length:  # the client went away mid-request: Twilio creates nothing
            self.close_connection = True
            return
        form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
        auth = _basic_auth(self.headers.get("Authorization"))
        fake._record_seen(Seen(method, parts.path, query, form, auth, dict(self.headers.items())))
        if fake.latency:
            time.sleep(fake.latency)

        prefix = f"/{API_VERSION}/Accounts/"
        if not parts.path.startswith(prefix) or not parts.path.endswith("/Messages.json"):
            self._error(404, 20404, f"The requested resource {parts.path} was not found")
            return
        account = parts.path[len(prefix) : -len("/Messages.json")]
        if auth != (fake.account_sid, fake.auth_token):
            self._error(401, 20003, "Authenticate")
            return
        if account != fake.account_sid:
            self._error(404, 20404, f"The requested resource {parts.path} was not found")
            return

        fault = fake._fault_for(form.get("To") if method == "POST" else None)
        if fault == "drop" or (fault == "lost_response" and method == "GET"):
            self.close_connection = True
            return
        if fault is not None and fault != "lost_response":
            status, code, text = _ERRORS[fault]
            self._error(status, code, text.format(to=form.get("To")))
            return

        if method == "GET":
            self._list(query, parts.path)
            return
        problem = _invalid(form)
        if problem is not None:
            self._error(400, *problem)
            return
        msg = fake._accept(form)
        if fake.response_latency:
            time.sleep(fake.response_latency)
        if fault == "lost_response":
            self.close_connection = True
            return
        self._json(201, _as_created(msg))

    def _list(self, query: dict[str, str], path: str) -> None:
        found, size, first = self.server.fake._listed(query)
        chunk = found[first : first + size]
        page = int(query.get("Page", "0"))
        base = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}
        base["PageSize"] = str(size)

        def uri(n: int, token: str | None = None) -> str:
            extra = {"Page": str(n)} | ({"PageToken": token} if token else {})
            return f"{path}?{urlencode({**base, **extra})}"

        more = first + size < len(found)
        self._json(
            200,
            {
                "end": first + max(len(chunk) - 1, 0),
                "first_page_uri": uri(0),
                # Twilio's cursor: the next page starts after this page's last Message,
                # so Messages created meanwhile do not shift it.
                "next_page_uri": uri(page + 1, f"PA{chunk[-1]['sid']}") if more else None,
                "page": page,
                "page_size": size,
                "previous_page_uri": uri(page - 1) if page else None,
                "messages": chunk,
                "start": first,
                "uri": uri(page, query.get("PageToken")),
            },
        )

    def _error(self, status: int, code: int, message: str) -> None:
        self._json(
            status,
            {
                "code": code,
                "message": message,
                "more_info": f"https://www.twilio.com/docs/errors/{code}",
                "status": status,
            },
        )

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _invalid(form: dict[str, str]) -> tuple[int, str] | None:
    if not form.get("To"):
        return 21604, "A 'To' phone number is required."
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return 21603, "A 'From' phone number is required."
    if not form.get("Body"):
        return 21602, "Message body is required."
    return None


def _basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password
