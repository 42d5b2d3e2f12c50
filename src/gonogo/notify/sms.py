"""SMS through Twilio's Messages API: each Message created with one form POST
(`twilio_wire`), the lists read with the official `twilio` package.

`twilio.rest` is imported only when a list is first read: it costs about 150 ms, and
sending does not need it.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gonogo.errors import ConfigError
from gonogo.notify.base import Outgoing, ProviderError, SendResult
from gonogo.notify.reconcile import ListedSms
from gonogo.notify.twilio_client import new_client
from gonogo.notify.twilio_failures import failure_result, provider_errors
from gonogo.notify.twilio_wire import DEFAULT_ROOT, MessagePoster, api_address, shown_url

if TYPE_CHECKING:
    from twilio.rest import Client

CHECK_TIMEOUT = 5.0  # seconds for the reachability check's TCP connect
LIST_PAGE_SIZE = 100  # Messages per list call: most numbers' whole history at this account
LIST_MAX_PAGES = 50  # more Messages than this to one number since `since`: refuse to guess
# Twilio's own pattern for an Account SID (twilio_api_v2010.json). It goes into every
# request's path: anything else (a `/`, `..`, a line break) would change the request.
_ACCOUNT_SID = re.compile(r"AC[0-9a-fA-F]{32}")


class TwilioSms:
    """Sends each `Outgoing` SMS as one Twilio Message.

    Credentials come only from `env` (`TWILIO_ACCOUNT_SID`, `TWILIO_AUTH_TOKEN`); the
    token never appears in a result, an exception, a log line or `repr`.
    `TWILIO_API_BASE_URL` points the client at another server (a test server, Prism):
    the host root such as `http://127.0.0.1:4010`, since the client adds
    `/2010-04-01/Accounts/{sid}/Messages.json` itself. `TWILIO_EDGE` / `TWILIO_REGION`
    are honoured as the `twilio` package does, except with a base URL override.

    Thread-safe: a Message is created over the sending thread's own keep-alive
    connection (`twilio_wire.MessagePoster`, about an eighth of the `twilio` package's
    CPU a message); the lists are read with a `twilio.rest.Client` per thread, because
    its `TwilioHttpClient` holds a `requests.Session` (not guaranteed thread-safe).
    `close()` closes them all. The proxy and CA settings are read from the environment
    once, when the connection or client is built.

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
        self._sid = env.get("TWILIO_ACCOUNT_SID", "")
        if self._sid and not _ACCOUNT_SID.fullmatch(self._sid):
            # Refused before any request, and not shown: only a well-formed SID is printed.
            raise ConfigError(
                "SMS cannot be sent: TWILIO_ACCOUNT_SID is not a Twilio account SID "
                "(AC and 32 hex digits)",
                hint="Copy the Account SID from the Twilio console (its value is not shown here).",
            )
        self._token = env.get("TWILIO_AUTH_TOKEN", "")
        self._base_url = env.get("TWILIO_API_BASE_URL") or None
        self._edge = env.get("TWILIO_EDGE") or None
        self._region = env.get("TWILIO_REGION") or None
        self._timeout = timeout
        self._local = threading.local()
        self._lock = threading.Lock()
        self._clients: list[Client] = []
        self._posting: MessagePoster | None = None
        # The form field naming the sender, as Twilio's Messages API spells it.
        self._sender: dict[str, str] = (
            {"MessagingServiceSid": messaging_service_sid}
            if messaging_service_sid is not None
            else {"From": sender or ""}
        )

    def __repr__(self) -> str:
        target = shown_url(self._base_url) or DEFAULT_ROOT
        return f"TwilioSms(account_sid={self._sid!r}, api={target!r}, {self._sender!r})"

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
        self._poster()  # the proxy settings, read once, are usable
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
        try:
            poster = self._poster()
        except ConfigError as err:
            return SendResult(ok=False, code="config", reason=err.message)
        form: dict[str, object] = {"To": msg.to, **self._sender, "Body": msg.body}
        if msg.validity is not None:
            # ValidityPeriod: a message stuck in Twilio's queue longer is dropped, not late.
            form["ValidityPeriod"] = msg.validity
        return poster.create(form)

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, []
            poster, self._posting = self._posting, None
        if poster is not None:
            poster.close()
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
        except provider_errors() as err:
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
        except provider_errors() as err:
            failure = self._failure(err)
            raise ProviderError(
                f"could not list the SMS sent to {to}: {failure.reason}",
                retryable=failure.retryable,
            ) from None
        return sids

    # -- internals ---------------------------------------------------------------------

    def _api_host(self) -> tuple[str, int]:
        _root, host, port = api_address(self._base_url, self._edge, self._region)
        return host, port

    def _poster(self) -> MessagePoster:
        with self._lock:
            if self._posting is None:
                root, _host, _port = api_address(self._base_url, self._edge, self._region)
                self._posting = MessagePoster(
                    root=root, sid=self._sid, token=self._token, timeout=self._timeout
                )
            return self._posting

    def _client(self) -> Client:
        client: Client | None = getattr(self._local, "client", None)
        if client is not None:
            return client
        client = new_client(
            sid=self._sid,
            token=self._token,
            base_url=self._base_url,
            edge=self._edge,
            region=self._region,
            timeout=self._timeout,
        )
        with self._lock:
            self._clients.append(client)
        self._local.client = client
        return client

    def _failure(self, err: BaseException) -> SendResult:
        return failure_result(err, timeout=self._timeout, token=self._token)


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
