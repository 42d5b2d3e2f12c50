"""The Message create's own HTTP/1.1 exchange against a raw server on 127.0.0.1 that
answers with bytes chosen per request: the shapes of answer HTTP allows that the
Twilio-compatible server never sends (chunked, to the close, 1xx, garbled)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from gonogo.errors import ConfigError
from gonogo.notify.base import Outgoing, SendResult
from gonogo.notify.sms import TwilioSms
from gonogo.notify.twilio_wire import DEFAULT_ROOT, api_address

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "raw-server-token"
CREATED = json.dumps({"sid": "SM" + "f" * 32, "status": "queued"}).encode()


@dataclass
class Raw:
    """Answers the n-th request with `answers[n]` (bytes, and whether to close after)."""

    answers: list[tuple[bytes, bool]]
    requests: list[bytes] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        with conn, reader:
            while True:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                length = next(
                    int(h.split(b":")[1])
                    for h in head.split(b"\r\n")
                    if h.lower().startswith(b"content-length:")
                )
                self.requests.append(head + reader.read(length))
                answer, close = self.answers[len(self.requests) - 1]
                conn.sendall(answer)
                if close:
                    return


@pytest.fixture
def raw() -> Iterator[list[Raw]]:
    made: list[Raw] = []
    yield made
    for server in made:
        server.sock.close()


def send(server: Raw, env: dict[str, str] | None = None) -> list[SendResult]:
    base = {
        "TWILIO_ACCOUNT_SID": SID,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "TWILIO_API_BASE_URL": server.url,
    }
    channel = TwilioSms(sender="+46701000000", env=base | (env or {}), timeout=2.0)
    results = []
    try:
        for _ in server.answers:
            results.append(
                channel.send(Outgoing(channel="sms", to="+46701234567", body="Go för del 2"))
            )
            time.sleep(0.05)  # a connection the server closed is seen closed before the next
        return results
    finally:
        channel.close()


def ok(body: bytes = CREATED, extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


def chunked(body: bytes) -> bytes:
    parts = b"".join(
        b"%x;ext=1\r\n%s\r\n" % (len(body[i : i + 7]), body[i : i + 7])
        for i in range(0, len(body), 7)
    )
    return (
        b"HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
        + parts
        + b"0\r\nX-Trailer: 1\r\n\r\n"
    )


CREATED_OK = SendResult(ok=True, provider_id="SM" + "f" * 32)


@pytest.mark.parametrize(
    ("answers", "connections"),
    [
        ([(ok(), False), (ok(), False)], 1),  # keep-alive: one connection
        ([(chunked(CREATED), False), (ok(), False)], 1),
        ([(b"HTTP/1.1 100 Continue\r\n\r\n" + ok(), False), (ok(), False)], 1),
        ([(ok(extra=b"Connection: close\r\n"), True), (ok(), False)], 2),
        ([(b"HTTP/1.0 201 Created\r\n\r\n" + CREATED, True), (ok(), False)], 2),  # to the close
        # The server closed an idle connection: the next request opens a new one, and is
        # not reported lost (it would be put in doubt for nothing).
        ([(ok(), True), (ok(), False)], 2),
    ],
    ids=["keep-alive", "chunked", "continue", "connection-close", "to-the-close", "closed-idle"],
)
def test_every_shape_of_a_created_answer_is_read(
    raw: list[Raw], answers: list[tuple[bytes, bool]], connections: int
) -> None:
    server = Raw(answers)
    raw.append(server)

    assert send(server) == [CREATED_OK, CREATED_OK]
    assert server.connections == connections


def test_the_request_is_one_form_post_with_basic_auth(raw: list[Raw]) -> None:
    server = Raw([(ok(), False)])
    raw.append(server)
    send(server)

    [request] = server.requests
    head, _, body = request.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == f"POST /2010-04-01/Accounts/{SID}/Messages.json HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}" in lines
    assert "Content-Type: application/x-www-form-urlencoded" in lines
    assert "Accept: application/json" in lines
    assert any(line.startswith("Authorization: Basic ") for line in lines)
    assert body == b"To=%2B46701234567&From=%2B46701000000&Body=Go+f%C3%B6r+del+2"


def test_a_plain_http_proxy_gets_the_whole_url_and_its_credentials(
    raw: list[Raw], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = Raw([(ok(), False)])
    raw.append(proxy)
    monkeypatch.setenv("HTTP_PROXY", f"http://user:p%40ss@127.0.0.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    api = "http://api.twilio.invalid:8080"

    [result] = send(proxy, {"TWILIO_API_BASE_URL": api})

    assert result == CREATED_OK
    lines = proxy.requests[0].decode().split("\r\n")
    assert lines[0] == f"POST {api}/2010-04-01/Accounts/{SID}/Messages.json HTTP/1.1"
    assert "Host: api.twilio.invalid:8080" in lines
    assert "Proxy-Authorization: Basic dXNlcjpwQHNz" in lines  # user:p@ss


def error(status: int, body: bytes) -> bytes:
    return b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n\r\n%s" % (status, len(body), body)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (
            error(
                400,
                json.dumps(
                    {
                        "type": "https://www.twilio.com/docs/errors/21211",
                        "title": "Invalid",
                        "status": 400,
                        "code": 21211,
                        "detail": "Invalid 'To'",
                    }
                ).encode(),
            ),
            SendResult(ok=False, code="21211", reason="HTTP 400: Invalid 'To'"),
        ),
        (
            error(502, b"<html>Bad Gateway</html>"),
            SendResult(
                ok=False, code="502", reason="HTTP 502: Unable to create record", retryable=True
            ),
        ),
        (
            error(503, json.dumps({"code": 20503, "message": "Service Unavailable"}).encode()),
            SendResult(
                ok=False, code="20503", reason="HTTP 503: Service Unavailable", retryable=True
            ),
        ),
    ],
    ids=["rfc9457-problem", "not-json", "legacy-error"],
)
def test_error_answers_are_read_as_the_twilio_package_reads_them(
    raw: list[Raw], answer: bytes, expected: SendResult
) -> None:
    server = Raw([(answer, False)])
    raw.append(server)

    assert send(server) == [expected]


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (b"garbage\r\n\r\n", "connection-lost"),  # the request may have been taken
        (b"HTTP/1.1 201 Created\r\nContent-Length: 500\r\n\r\n{", "connection-lost"),
        (ok(b"not json"), "bad-response"),
    ],
    ids=["garbled-status", "cut-short", "created-not-json"],
)
def test_an_unusable_answer_is_a_retryable_failure(
    raw: list[Raw], answer: bytes, code: str
) -> None:
    server = Raw([(answer, True)])
    raw.append(server)

    [result] = send(server)

    assert (result.ok, result.code, result.retryable) == (False, code, True)


def test_a_proxy_that_is_not_http_is_refused_before_sending(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "https://user:s3cr3t@proxy.example:3128")
    channel = TwilioSms(
        sender="+46701000000", env={"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": TOKEN}
    )

    with pytest.raises(
        ConfigError, match=r"https proxy https://proxy\.example is not an http:// proxy"
    ) as caught:
        channel.check()
    assert "s3cr3t" not in caught.value.message
    result = channel.send(Outgoing(channel="sms", to="+46701234567", body="x"))
    assert (result.ok, result.code, result.retryable) == (False, "config", False)


@pytest.mark.parametrize(
    ("edge", "region"), [(None, None), ("sydney", None), (None, "au1"), ("dublin", "ie1")]
)
def test_edge_and_region_name_the_host_as_the_twilio_package_does(
    edge: str | None, region: str | None
) -> None:
    from twilio.rest import Client  # noqa: PLC0415

    client = Client(SID, TOKEN, edge=edge, region=region, environment={"GONOGO": "1"})
    expected = client.get_hostname(DEFAULT_ROOT + "/").rstrip("/")

    root, host, port = api_address(None, edge, region)

    assert root == expected
    assert (host, port) == (expected.removeprefix("https://"), 443)


@pytest.mark.parametrize(
    ("base_url", "says"),
    [
        ("http://u:Pw/Hemligt@127.0.0.1:4010", "has a bad port: 'http://u:***@127.0.0.1:4010'"),
        ("http://u:PwHemligt@[::1", "is not an http(s) URL: 'http://u:***@[::1'"),
        ("http://u:PwHemligt@h:xx", "has a bad port: 'http://u:***@h:xx'"),
    ],
)
def test_an_unusable_base_url_is_a_config_error_without_its_password(
    base_url: str, says: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        api_address(base_url, None, None)
    assert says in caught.value.message
    assert "Hemligt" not in caught.value.message
