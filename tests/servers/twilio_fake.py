"""A Twilio-compatible Messages API on 127.0.0.1, for the error paths Prism cannot play.

Speaks the two calls the SMS channel makes, shaped like Twilio's own responses:
`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` and the list call with
`To` / `DateSent>` filters. Tests steer it while it runs: `latency`, injected
errors per recipient or for the next N requests, dropped connections, and a
thread-safe record of every accepted message.

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
from datetime import UTC, datetime
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


class TwilioFake:
    """The server. Use as a context manager, or `start()` / `stop()`."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        latency: float = 0.0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.latency = latency  # seconds before each response; settable while running
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

    def add_message(
        self, to: str, body: str, *, sent: datetime, from_: str = "+46700000000"
    ) -> str:
        """Record a message as if sent earlier (for reconciliation tests); returns its SID."""
        msg = self._message({"To": to, "Body": body, "From": from_}, sent)
        with self._state.lock:
            self._state.messages.append(msg)
        return str(msg["sid"])

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

    def _accept(self, form: dict[str, str]) -> dict[str, Any]:
        msg = self._message(form, datetime.now(UTC))
        with self._state.lock:
            self._state.messages.append(msg)
        return msg

    def _message(self, form: dict[str, str], created: datetime) -> dict[str, Any]:
        sid = "SM" + secrets.token_hex(16)
        stamp = format_datetime(created)
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": form.get("Body", ""),
            "date_created": stamp,
            "date_sent": None,
            "date_updated": stamp,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"),
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if "MessagingServiceSid" in form else "queued",
            "subresource_uris": {
                "media": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}/Media.json"
            },
            "to": form.get("To"),
            "uri": f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{sid}.json",
            "_created": created,  # for filtering; removed from responses
        }

    def _listed(self, query: dict[str, str]) -> tuple[list[dict[str, Any]], int, int]:
        with self._state.lock:
            found = list(self._state.messages)
        if "To" in query:
            found = [m for m in found if m["to"] == query["To"]]
        # "DateSent>" and "DateSent<" are inclusive, as Twilio's ">=" / "<=" reading is.
        if "DateSent>" in query:
            after = _parse_date(query["DateSent>"])
            found = [m for m in found if m["_created"] >= after]
        if "DateSent<" in query:
            before = _parse_date(query["DateSent<"])
            found = [m for m in found if m["_created"] <= before]
        if "DateSent" in query:
            day = _parse_date(query["DateSent"]).date()
            found = [m for m in found if m["_created"].date() == day]
        found.reverse()  # Twilio lists the newest first
        size = min(int(query.get("PageSize", "50")), 1000)
        page = int(query.get("Page", "0"))
        return found, size, page

    def _public(self, msg: dict[str, Any], *, sent: bool) -> dict[str, Any]:
        out = {k: v for k, v in msg.items() if not k.startswith("_")}
        if sent:  # by the time anyone lists it, the fake has "sent" it
            out["status"] = "sent"
            out["date_sent"] = format_datetime(msg["_created"])
        return out


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
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
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
        if fault == "lost_response":
            self.close_connection = True
            return
        self._json(201, fake._public(msg, sent=False))

    def _list(self, query: dict[str, str], path: str) -> None:
        fake = self.server.fake
        found, size, page = fake._listed(query)
        chunk = found[page * size : (page + 1) * size]
        base = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}
        base["PageSize"] = str(size)

        def uri(n: int) -> str:
            extra = {"Page": str(n)}
            if n:
                extra["PageToken"] = f"PA{n}"
            return f"{path}?{urlencode({**base, **extra})}"

        more = (page + 1) * size < len(found)
        self._json(
            200,
            {
                "end": page * size + max(len(chunk) - 1, 0),
                "first_page_uri": uri(0),
                "next_page_uri": uri(page + 1) if more else None,
                "page": page,
                "page_size": size,
                "previous_page_uri": uri(page - 1) if page else None,
                "messages": [fake._public(m, sent=True) for m in chunk],
                "start": page * size,
                "uri": uri(page),
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
