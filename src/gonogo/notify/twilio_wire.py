"""Creating a Message: one form POST to Messages.json on a keep-alive connection per thread.

The only request a night sends by the thousand. The `twilio` package builds each one
through `requests` and `urllib3` (a fresh request object, a rescan of the settings, a
pool look-up: about 0.9 ms of CPU a message here); this sends the same request, as
Twilio documents it, over a connection `http.client` opened and `http1` speaks to
(about 0.1 ms): `POST {root}/2010-04-01/Accounts/{AccountSid}/
Messages.json`, Basic auth with the account SID and auth token, a form-encoded body,
`Accept: application/json`. Any form field goes through (`To`, `Body`, `From` or
`MessagingServiceSid`, `ValidityPeriod`, ...). The answer is read as the `twilio`
package reads it: 2xx is the created Message, anything else an error with Twilio's
code and message (see `twilio_failures.answer_failure`). Nothing is retried here.

Proxies and CA certificates are those `requests` would use, read once when built:
`HTTP(S)_PROXY` / `ALL_PROXY` with `NO_PROXY`, and `REQUESTS_CA_BUNDLE` /
`CURL_CA_BUNDLE` or else certifi's bundle. Only `http://` proxies are spoken to
(HTTPS goes through them with CONNECT).
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import platform
import ssl
import threading
from collections.abc import Mapping
from urllib.parse import unquote, urlencode, urlsplit

from gonogo import __version__
from gonogo.errors import ConfigError
from gonogo.notify.base import SendResult
from gonogo.notify.http1 import Connection
from gonogo.notify.twilio_failures import answer_failure, wire_failure
from gonogo.url_mask import masked

DEFAULT_ROOT = "https://api.twilio.com"
API_PATH = "/2010-04-01/Accounts/{sid}/Messages.json"


def api_address(base_url: str | None, edge: str | None, region: str | None) -> tuple[str, str, int]:
    """The API's root URL, host and port: `TWILIO_API_BASE_URL` as it is, or Twilio's
    with `TWILIO_EDGE` / `TWILIO_REGION` applied as `twilio` does (`api.twilio.com`
    becomes `api.{edge}.{region}.twilio.com`). A `ConfigError` for an unusable URL."""
    root = DEFAULT_ROOT if base_url is None else base_url.rstrip("/")
    try:
        parts = urlsplit(root)
    except ValueError:  # an unclosed [ of an IPv6 address
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"TWILIO_API_BASE_URL is not an http(s) URL: {shown_url(base_url)!r}",
            hint="Use the server's root, e.g. http://127.0.0.1:4010",
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ConfigError(f"TWILIO_API_BASE_URL has a bad port: {shown_url(root)!r}") from None
    if base_url is not None or not (edge or region):
        return root, parts.hostname, port
    pieces = parts.netloc.split(".")
    had_edge = pieces[1] if len(pieces) == 5 else None
    had_region = pieces[2] if len(pieces) == 5 else pieces[1] if len(pieces) == 4 else None
    edge = edge or had_edge
    region = region or had_region or (edge and "us1")
    host = ".".join(p for p in (pieces[0], edge, region, ".".join(pieces[-2:])) if p)
    return parts._replace(netloc=host).geturl(), host, port


def shown_url(url: str | None) -> str:
    """`url` as it may be printed: a password in it is always *** (`url_mask.masked`)."""
    return masked(url) if url else ""


class MessagePoster:
    """Creates Messages at one account; thread-safe, one connection per thread."""

    def __init__(self, *, root: str, sid: str, token: str, timeout: float) -> None:
        parts = urlsplit(root)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("root must be an http(s) URL")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._token = token
        self._timeout = timeout
        path = parts.path.rstrip("/") + API_PATH.format(sid=sid)
        name = self._host.encode("idna").decode("ascii")  # a non-ASCII name: punycode
        host = f"[{name}]" if ":" in name else name
        if parts.port is not None and self._port != (443 if self._https else 80):
            host = f"{host}:{self._port}"
        credentials = base64.b64encode(f"{sid}:{token}".encode()).decode("ascii")
        headers = {
            "Host": host,
            "User-Agent": f"gonogo/{__version__} Python/{platform.python_version()}",
            "Accept-Encoding": "identity",
            "Accept": "application/json",
            "Accept-Charset": "utf-8",
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {credentials}",
        }
        self._proxy = _proxy_for(parts.scheme, self._host)
        if self._proxy is not None and not self._https:
            # Plain HTTP through a proxy: the whole URL as the request target.
            path = f"http://{host}{path}"
            headers |= self._proxy[2]
        lines = [f"POST {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
        # Every request's head but its length; the body is form-encoded ASCII.
        try:
            self._head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode("ascii")
        except UnicodeEncodeError:
            raise ConfigError(
                "SMS cannot be sent: TWILIO_ACCOUNT_SID or the path of TWILIO_API_BASE_URL has"
                " characters outside ASCII, which no HTTP request line can carry"
            ) from None
        self._context = _tls_context() if self._https else None
        self._local = threading.local()
        self._lock = threading.Lock()
        self._open: list[Connection] = []

    def create(self, form: Mapping[str, object]) -> SendResult:
        """POST one Message; a failure is a `SendResult`, never an exception."""
        body = urlencode({k: str(v) for k, v in form.items()}).encode("ascii")
        conn = self._connection()
        try:
            conn.open()
        except (OSError, ValueError) as err:  # nothing was sent (ValueError: a bad host name)
            return wire_failure(err, sent=False, timeout=self._timeout, token=self._token)
        try:
            status, answer = conn.exchange(b"%s%d\r\n\r\n%s" % (self._head, len(body), body))
        except (OSError, http.client.HTTPException) as err:  # the connection is closed
            return wire_failure(err, sent=True, timeout=self._timeout, token=self._token)
        if not 200 <= status < 300:
            return answer_failure(status, answer, self._token)
        try:
            created = json.loads(answer) if answer else {}
        except ValueError as err:
            return answer_failure(status, answer, self._token, unusable=err)
        sid = created.get("sid") if isinstance(created, dict) else None
        return SendResult(ok=True, provider_id=str(sid) if sid is not None else None)

    def close(self) -> None:
        with self._lock:
            conns, self._open = self._open, []
        for conn in conns:
            conn.close()

    def _connection(self) -> Connection:
        mine: Connection | None = getattr(self._local, "conn", None)
        if mine is not None:
            return mine
        proxy = self._proxy
        host, port = (proxy[0], proxy[1]) if proxy is not None else (self._host, self._port)
        conn: http.client.HTTPConnection
        if self._context is not None:
            conn = http.client.HTTPSConnection(
                host, port, timeout=self._timeout, context=self._context
            )
            if proxy is not None:
                conn.set_tunnel(self._host, self._port, headers=proxy[2])
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self._timeout)
        mine = Connection(conn)
        with self._lock:
            self._open.append(mine)
        self._local.conn = mine
        return mine


def _proxy_for(scheme: str, host: str) -> tuple[str, int, dict[str, str]] | None:
    """The proxy `requests` would use for `scheme://host`: host, port, auth header."""
    from urllib.request import getproxies, proxy_bypass  # noqa: PLC0415 - only when sending

    proxies = getproxies()
    url = proxies.get(scheme) or proxies.get("all")
    if not url or proxy_bypass(host):
        return None
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ConfigError(
            f"SMS cannot be sent: the {scheme} proxy {parts.scheme}://{parts.hostname or ''}"
            " is not an http:// proxy",
            hint=f"Set {scheme.upper()}_PROXY to an http:// proxy, or add the API to NO_PROXY.",
        )
    headers: dict[str, str] = {}
    if parts.username is not None:
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    return parts.hostname, parts.port or 80, headers


def _tls_context() -> ssl.SSLContext:
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if not bundle:
        import certifi  # noqa: PLC0415 - the bundle requests uses, installed with it

        bundle = certifi.where()
    if os.path.isdir(bundle):
        return ssl.create_default_context(capath=bundle)
    return ssl.create_default_context(cafile=bundle)
