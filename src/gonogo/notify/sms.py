"""SMS through Twilio's Messages API, with the official `twilio` package.

`twilio.rest` is imported only when a client is first needed: it costs about 150 ms,
and most commands never send.
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from gonogo.errors import ConfigError
from gonogo.notify.base import Outgoing, ProviderError, SendResult
from gonogo.notify.reconcile import ListedSms

if TYPE_CHECKING:
    from twilio.rest import Client

DEFAULT_BASE_URL = "https://api.twilio.com"
CHECK_TIMEOUT = 5.0  # seconds for the reachability check's TCP connect
LIST_PAGE_SIZE = 100  # Messages per list call: most numbers' whole history at this account
LIST_MAX_PAGES = 50  # more Messages than this to one number since `since`: refuse to guess
_PREFIX = re.compile(r"^Unable to (create record|fetch page|fetch record): ")


class TwilioSms:
    """Sends each `Outgoing` SMS as one Twilio Message.

    Credentials come only from `env` (`TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`); the
    token never appears in a result, an exception, a log line or `repr`.
    `TWILIO_API_BASE_URL` points the client at another server (a test server, Prism):
    the host root such as `http://127.0.0.1:4010`, since the client adds
    `/2010-04-01/Accounts/{sid}/Messages.json` itself. `TWILIO_EDGE` / `TWILIO_REGION`
    are honoured as the `twilio` package does, except with a base URL override.

    Thread-safe: each thread gets its own `twilio.rest.Client`, because the client's
    `TwilioHttpClient` holds a `requests.Session` (not guaranteed thread-safe) and
    keeps the last request and response on itself. `close()` closes them all. Each
    client reads the proxy and CA settings from the environment once, when it is built.

    Results: 201 is success with the Message SID. HTTP 429 / Twilio 20429, any 5xx,
    timeouts and connection errors are retryable; other 4xx (21211 invalid number,
    21610 unsubscribed, 20003 bad credentials, ...) are permanent, with Twilio's code
    and message. A retryable failure is not always safe to repeat blindly: with
    code `timeout` or `connection-lost` the request may have reached Twilio, so look
    with `messages_to()` first; `connect-failed` means nothing was sent.
    """

    def __init__(
        self,
        *,
        messaging_service_sid: str | None = None,
        sender: str | None = None,
        env: Mapping[str, str],
        timeout: float = 10.0,
    ) -> None:
        if (messaging_service_sid is None) == (sender is None):
            raise ValueError("give exactly one of messaging_service_sid and sender")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._from: dict[str, str] = (
            {"messaging_service_sid": messaging_service_sid}
            if messaging_service_sid is not None
            else {"from_": sender or ""}
        )
        self._sid = env.get("TWILIO_ACCOUNT_SID", "")
        self._token = env.get("TWILIO_AUTH_TOKEN", "")
        self._base_url = env.get("TWILIO_API_BASE_URL") or None
        self._edge = env.get("TWILIO_EDGE") or None
        self._region = env.get("TWILIO_REGION") or None
        self._timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._clients: list[Client] = []

    def __repr__(self) -> str:
        target = self._base_url or DEFAULT_BASE_URL
        return f"TwilioSms(account_sid={self._sid!r}, api={target!r}, {self._from!r})"

    # -- Channel -----------------------------------------------------------------------

    def check(self) -> None:
        """Credentials are set and the API host accepts a TCP connection.

        No API call is made: every cheap-looking one still touches the account, and a
        connect is enough to catch a wrong base URL, a missing route or a firewall.
        Wrong credentials show up on the first send as a permanent 20003.
        """
        missing = [
            name
            for name, value in (
                ("TWILIO_ACCOUNT_SID", self._sid),
                ("TWILIO_AUTH_TOKEN", self._token),
            )
            if not value
        ]
        if missing:
            raise ConfigError(
                f"SMS cannot be sent: {' and '.join(missing)} not set in the environment",
                hint="Export the Twilio account SID and auth token before the night starts.",
            )
        host, port = self._api_host()
        try:
            with socket.create_connection((host, port), timeout=min(self._timeout, CHECK_TIMEOUT)):
                pass
        except OSError as err:
            raise ConfigError(
                f"SMS cannot be sent: the Twilio API at {host}:{port} is unreachable ({err})",
                hint="Check the network, or TWILIO_API_BASE_URL if it is set.",
            ) from None

    def send(self, msg: Outgoing) -> SendResult:
        """Create one Message; never raises for a failed delivery."""
        if msg.channel != "sms":
            raise ValueError(f"TwilioSms cannot send a {msg.channel} message")
        client = self._client()
        try:
            created = client.messages.create(to=msg.to, body=msg.body, **self._from)
        except _provider_errors() as err:
            return self._failure(err)
        return SendResult(ok=True, provider_id=str(created.sid))

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            session = client.http_client.session
            if session is not None:
                session.close()

    # -- reconciliation ----------------------------------------------------------------

    @property
    def timeout(self) -> float:
        """Seconds a request may take: after that long, one on the wire has landed or died."""
        return self._timeout

    def messages_to(
        self,
        to: str,
        since: datetime,
        *,
        page_size: int = LIST_PAGE_SIZE,
        max_pages: int = LIST_MAX_PAGES,
    ) -> list[ListedSms]:
        """Every outbound Message to `to` created at or after `since` (aware), oldest first.

        For finding the Messages of sends whose outcome is unknown; match them to those
        sends with `reconcile.match_in_doubt`. No date filter is used: Twilio filters
        on `DateSent`, and a Message still in the sender's queue has none, so it would
        be left out for as long as the queue takes (minutes at 10 segments a second).
        Every status is returned, `queued`, `accepted` and `scheduled` included.

        Twilio lists newest first ("sorted by DateSent", a queued Message before every
        sent one). Pages are read until one holds no Message created since `since`, so
        Messages a little out of order at a page's edge are still found. Costs one
        list call per `page_size` recent Messages plus one, usually a single call.
        Raises `ProviderError`, also when more than `max_pages` pages are all recent
        (an answer that cannot be trusted is not taken as "not sent").
        """
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        if page_size < 1 or max_pages < 1:
            raise ValueError("page_size and max_pages must be positive")
        floor = since.astimezone(UTC).replace(microsecond=0)  # Twilio's dates are whole seconds
        client = self._client()
        found: dict[str, ListedSms] = {}
        try:
            page: Any = client.messages.page(to=to, page_size=min(page_size, 1000))
            for _ in range(max_pages):
                recent = [m for m in (_listed(r) for r in page) if m.date_created >= floor]
                for msg in recent:
                    found.setdefault(msg.sid, msg)  # a Message shifted across pages: once
                if not recent:
                    break
                page = page.next_page()
                if page is None:
                    break
            else:
                raise ProviderError(
                    f"more than {max_pages * page_size} Messages to {to} since "
                    f"{floor:%Y-%m-%d %H:%M:%S} UTC: too many to tell which are ours",
                    retryable=False,
                )
        except _provider_errors() as err:
            failure = self._failure(err)
            raise ProviderError(
                f"could not list the SMS sent to {to}: {failure.reason}",
                retryable=failure.retryable,
            ) from None
        # Oldest first; within a second, the listing's order (newest first) reversed.
        listed = list(found.values())
        order = sorted(range(len(listed)), key=lambda i: (listed[i].date_created, -i))
        return [listed[i] for i in order]

    def sent_to(self, to: str, since: datetime, *, limit: int = 200) -> list[str]:
        """SIDs of Messages to `to` sent at or after `since` (aware), newest first.

        Superseded by `messages_to`: Twilio filters on the send date (`DateSent>`),
        which leaves out every Message still in the sender's queue, so this finds too
        little after a crash. Kept until its caller moves. Raises `ProviderError`.
        """
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        since = since.astimezone(UTC).replace(microsecond=0)
        client = self._client()
        try:
            found = client.messages.list(
                to=to, date_sent_after=since, page_size=min(limit, 1000), limit=limit
            )
            sids = [
                str(m.sid)
                for m in found
                if (m.date_sent or m.date_created) is None
                or (m.date_sent or m.date_created) >= since
            ]
        except _provider_errors() as err:
            failure = self._failure(err)
            raise ProviderError(
                f"could not list the SMS sent to {to}: {failure.reason}",
                retryable=failure.retryable,
            ) from None
        return sids

    # -- internals ---------------------------------------------------------------------

    def _api_host(self) -> tuple[str, int]:
        if self._base_url is None:
            url = self._client().get_hostname(DEFAULT_BASE_URL + "/")
        else:
            url = self._base_url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(
                f"TWILIO_API_BASE_URL is not an http(s) URL: {self._base_url!r}",
                hint="Use the server's root, e.g. http://127.0.0.1:4010",
            )
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ConfigError(f"TWILIO_API_BASE_URL has a bad port: {url!r}") from None
        return parts.hostname, port

    def _client(self) -> Client:
        client: Client | None = getattr(self._local, "client", None)
        if client is not None:
            return client
        # Deferred: importing twilio.rest costs ~150 ms, paid only when SMS is used.
        from twilio.http.http_client import TwilioHttpClient  # noqa: PLC0415
        from twilio.rest import Client  # noqa: PLC0415

        http = TwilioHttpClient(timeout=self._timeout)
        client = Client(
            username=self._sid,
            password=self._token,
            account_sid=self._sid,
            edge=self._edge,
            region=self._region,
            http_client=http,
            # Never empty: twilio falls back to os.environ when given an empty mapping.
            environment={"GONOGO": "1"},
        )
        if self._base_url is not None:
            client.api.base_url = self._base_url.rstrip("/")
            # An edge or region would rewrite the override's host name.
            client.edge = client.region = None
        _settle_environment(http, client.get_hostname(client.api.base_url + "/"))
        with self._lock:
            self._clients.append(client)
        self._local.client = client
        return client

    def _failure(self, err: BaseException) -> SendResult:
        from requests import exceptions as rex  # noqa: PLC0415 - loaded with twilio anyway
        from twilio.base.exceptions import (  # noqa: PLC0415
            TwilioRestException,
            TwilioServiceException,
        )

        if isinstance(err, TwilioRestException | TwilioServiceException):
            text = err.msg if isinstance(err, TwilioRestException) else _service_text(err)
            return self._http_failure(int(err.status), err.code, str(text))
        page_response = err.args[1] if len(err.args) == 2 else None
        if hasattr(page_response, "status_code"):
            # A list page answered with an error: twilio raises it bare, with the response.
            return self._http_failure(*_error_of(page_response))
        if isinstance(err, rex.ConnectTimeout):
            return self._result("connect-failed", "timed out connecting to Twilio", True)
        if isinstance(err, rex.Timeout):
            return self._result(
                "timeout", f"no answer from Twilio within {self._timeout:g} s", True
            )
        if isinstance(err, rex.ConnectionError):
            cause = _innermost(err)
            if _refused(err):
                return self._result("connect-failed", f"cannot connect to Twilio: {cause}", True)
            return self._result(
                "connection-lost", f"connection to Twilio lost before an answer: {cause}", True
            )
        # Anything else: an answer that is not the JSON Twilio sends, or a failed page.
        return self._result("bad-response", f"unusable answer from Twilio: {err}", True)

    def _http_failure(self, status: int, code: object, text: str) -> SendResult:
        code = str(code) if code is not None else f"http-{status}"
        retryable = status == 429 or code == "20429" or status >= 500
        return self._result(code, f"HTTP {status}: {_PREFIX.sub('', text)}", retryable)

    def _result(self, code: str, reason: str, retryable: bool) -> SendResult:
        if self._token:
            reason = reason.replace(self._token, "***")
        return SendResult(ok=False, code=code, reason=reason, retryable=retryable)


def _settle_environment(http: Any, url: str) -> None:
    """Read the proxy and CA settings once, not on every request.

    `TwilioHttpClient.request` calls `merge_environment_settings` for each request,
    which with `trust_env` on rescans the environment for proxies and `no_proxy`
    (a measurable share of the CPU per SMS). The client only ever talks to one host,
    so the answer is the same each time: take it now, then turn the rescan off.
    """
    from requests.utils import get_environ_proxies  # noqa: PLC0415 - loaded with twilio

    session = http.session
    if session is None:
        return
    http.proxy = {**get_environ_proxies(url), **(http.proxy or {})}
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False


def _listed(record: Any) -> ListedSms:
    created = record.date_created
    return ListedSms(
        sid=str(record.sid),
        to=str(record.to or ""),
        body=str(record.body or ""),
        status=str(record.status or ""),
        # A Message without a creation date is unheard of; if one comes, treat it as new.
        date_created=created.astimezone(UTC) if created is not None else datetime.now(UTC),
    )


def _provider_errors() -> tuple[type[BaseException], ...]:
    """What a Twilio call raises when the provider, not our code, fails."""
    from requests import RequestException  # noqa: PLC0415 - loaded with twilio anyway
    from twilio.base.exceptions import TwilioException  # noqa: PLC0415

    return (TwilioException, RequestException, json.JSONDecodeError)


def _error_of(response: Any) -> tuple[int, object, str]:
    """Status, Twilio error code and message of an error response."""
    status = int(response.status_code)
    try:
        payload = json.loads(response.text)
    except ValueError:
        return status, None, str(response.text)[:200]
    if not isinstance(payload, dict):
        return status, None, str(response.text)[:200]
    return status, payload.get("code"), str(payload.get("message") or payload.get("detail"))


def _service_text(err: Any) -> str:
    return str(err.detail or err.title)


def _chain(err: BaseException) -> list[BaseException]:
    """requests' exception, urllib3's inside it, and so on down to the socket's."""
    chain: list[BaseException] = []
    seen: BaseException | None = err
    while seen is not None and seen not in chain:
        chain.append(seen)
        reason = getattr(seen, "reason", None)
        nested = next((a for a in seen.args if isinstance(a, BaseException)), None)
        seen = reason if isinstance(reason, BaseException) else nested
    return chain


def _innermost(err: BaseException) -> str:
    last = _chain(err)[-1]
    return str(last) or type(last).__name__


def _refused(err: BaseException) -> bool:
    """Whether a requests ConnectionError happened before the request went out."""
    from urllib3.exceptions import NewConnectionError  # noqa: PLC0415

    return any(isinstance(e, NewConnectionError) for e in _chain(err))
