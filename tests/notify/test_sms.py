"""The SMS channel against a Twilio-compatible server on 127.0.0.1."""

from __future__ import annotations

import base64
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from gonogo.errors import ConfigError
from gonogo.notify.base import Outgoing, ProviderError, SendResult
from gonogo.notify.sms import TwilioSms
from servers.twilio_fake import FaultKind, TwilioFake

SENDER = "+46701000000"
SERVICE = "MG" + "abcdef0123456789" * 2
TO = "+46701234567"
SWEDISH = "Release 21.0: del 1 av 5 klar. Go för del 2 – åäö ÅÄÖ é ü"


def sms(to: str = TO, body: str = "Go för del 2") -> Outgoing:
    return Outgoing(channel="sms", to=to, body=body, audience="vården", name="Anna")


@pytest.fixture
def channel(twilio_server: TwilioFake) -> Iterator[TwilioSms]:
    ch = TwilioSms(sender=SENDER, env=twilio_server.env(), timeout=2.0)
    yield ch
    ch.close()


def test_import_does_not_load_twilio() -> None:
    code = (
        "import sys, gonogo.notify.sms;"
        "print(sorted(m for m in ('twilio', 'requests') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_send_returns_the_message_sid(twilio_server: TwilioFake, channel: TwilioSms) -> None:
    result = channel.send(sms())

    assert result.ok
    assert result.provider_id is not None
    assert result.provider_id.startswith("SM")
    assert len(result.provider_id) == 34
    [accepted] = twilio_server.messages
    assert accepted["sid"] == result.provider_id
    assert (accepted["to"], accepted["from"], accepted["body"]) == (TO, SENDER, "Go för del 2")


def test_request_is_basic_auth_and_a_form_as_twilio_expects(
    twilio_server: TwilioFake, channel: TwilioSms
) -> None:
    channel.send(sms())

    [req] = twilio_server.requests
    assert req.method == "POST"
    assert req.path == f"/2010-04-01/Accounts/{twilio_server.account_sid}/Messages.json"
    expected = base64.b64encode(
        f"{twilio_server.account_sid}:{twilio_server.auth_token}".encode()
    ).decode()
    assert req.headers["Authorization"] == f"Basic {expected}"
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert req.form == {"To": TO, "From": SENDER, "Body": "Go för del 2"}


def test_messaging_service_is_sent_instead_of_from(twilio_server: TwilioFake) -> None:
    ch = TwilioSms(messaging_service_sid=SERVICE, env=twilio_server.env())
    try:
        assert ch.send(sms()).ok
    finally:
        ch.close()

    [req] = twilio_server.requests
    assert req.form == {"To": TO, "MessagingServiceSid": SERVICE, "Body": "Go för del 2"}


def test_swedish_text_arrives_intact(twilio_server: TwilioFake, channel: TwilioSms) -> None:
    assert channel.send(sms(body=SWEDISH)).ok

    assert twilio_server.messages[0]["body"] == SWEDISH


@pytest.mark.parametrize(
    ("kind", "code", "retryable", "reason"),
    [
        ("invalid_number", "21211", False, "HTTP 400: Invalid 'To' Phone Number: +46701234567"),
        ("unsubscribed", "21610", False, "HTTP 400: Attempt to send to unsubscribed recipient"),
        ("rate_limited", "20429", True, "HTTP 429: Too Many Requests"),
        ("server_error", "20500", True, "HTTP 500: An internal server error has occurred"),
    ],
)
def test_twilio_errors_are_mapped(
    twilio_server: TwilioFake,
    channel: TwilioSms,
    kind: FaultKind,
    code: str,
    retryable: bool,
    reason: str,
) -> None:
    twilio_server.fail_for(TO, kind)

    result = channel.send(sms())

    assert result == SendResult(ok=False, code=code, reason=reason, retryable=retryable)
    assert twilio_server.messages == []


def test_errors_apply_per_recipient(twilio_server: TwilioFake, channel: TwilioSms) -> None:
    twilio_server.fail_for("+46709999999", "invalid_number")

    assert channel.send(sms()).ok
    assert not channel.send(sms(to="+46709999999")).ok
    assert [m["to"] for m in twilio_server.messages] == [TO]


def test_wrong_credentials_are_a_permanent_failure(twilio_server: TwilioFake) -> None:
    env = twilio_server.env() | {"TWILIO_AUTH_TOKEN": "not-the-token"}
    ch = TwilioSms(sender=SENDER, env=env)
    try:
        result = ch.send(sms())
    finally:
        ch.close()

    assert result == SendResult(ok=False, code="20003", reason="HTTP 401: Authenticate")


def test_dropped_connection_is_retryable(twilio_server: TwilioFake, channel: TwilioSms) -> None:
    twilio_server.fail_next("drop")

    result = channel.send(sms())

    assert (result.ok, result.code, result.retryable) == (False, "connection-lost", True)
    assert channel.send(sms()).ok  # the next send opens a new connection


def test_lost_response_is_in_doubt_and_found_by_sent_to(
    twilio_server: TwilioFake, channel: TwilioSms
) -> None:
    before = datetime.now(UTC)
    twilio_server.fail_next("lost_response")

    result = channel.send(sms())

    assert (result.ok, result.code, result.retryable) == (False, "connection-lost", True)
    [accepted] = twilio_server.messages  # Twilio took it even though we heard nothing
    assert channel.sent_to(TO, before) == [accepted["sid"]]


def test_timeout_is_retryable(twilio_server: TwilioFake) -> None:
    twilio_server.latency = 0.5
    ch = TwilioSms(sender=SENDER, env=twilio_server.env(), timeout=0.1)
    try:
        result = ch.send(sms())
    finally:
        ch.close()

    assert result == SendResult(
        ok=False, code="timeout", reason="no answer from Twilio within 0.1 s", retryable=True
    )


def test_closed_port_is_a_retryable_connect_failure() -> None:
    with TwilioFake() as gone:
        env = gone.env()
    ch = TwilioSms(sender=SENDER, env=env, timeout=1.0)
    try:
        result = ch.send(sms())
    finally:
        ch.close()

    assert (result.ok, result.code, result.retryable) == (False, "connect-failed", True)


def test_check_passes_against_a_listening_server(channel: TwilioSms) -> None:
    channel.check()


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        (("TWILIO_ACCOUNT_SID",), "TWILIO_ACCOUNT_SID not set"),
        (("TWILIO_AUTH_TOKEN",), "TWILIO_AUTH_TOKEN not set"),
        (("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"), "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"),
    ],
)
def test_check_names_missing_credentials(
    twilio_server: TwilioFake, missing: tuple[str, ...], message: str
) -> None:
    env = {k: v for k, v in twilio_server.env().items() if k not in missing}
    with pytest.raises(ConfigError, match=message):
        TwilioSms(sender=SENDER, env=env).check()


def test_check_names_an_unreachable_host() -> None:
    with TwilioFake() as gone:
        env = gone.env()
    ch = TwilioSms(sender=SENDER, env=env)
    with pytest.raises(
        ConfigError, match=rf"Twilio API at 127\.0\.0\.1:{gone.port} is unreachable"
    ):
        ch.check()


def test_check_rejects_a_base_url_that_is_not_http(twilio_server: TwilioFake) -> None:
    env = twilio_server.env() | {"TWILIO_API_BASE_URL": "127.0.0.1:4010"}
    with pytest.raises(ConfigError, match="not an http"):
        TwilioSms(sender=SENDER, env=env).check()


def test_the_token_is_never_shown(
    twilio_server: TwilioFake, capfd: pytest.CaptureFixture[str]
) -> None:
    token = "TOKEN-c0ffee-SHOULD-NEVER-BE-SHOWN"
    env = {"TWILIO_ACCOUNT_SID": twilio_server.account_sid, "TWILIO_AUTH_TOKEN": token}
    texts: list[str] = []
    wrong = TwilioSms(sender=SENDER, env=env | {"TWILIO_API_BASE_URL": twilio_server.base_url})
    texts += [repr(wrong), str(wrong), str(wrong.send(sms()))]  # 401: server has another token
    twilio_server.fail_next("drop")
    texts.append(str(wrong.send(sms())))
    wrong.close()
    with TwilioFake() as gone:
        pass
    unreachable = TwilioSms(sender=SENDER, env=env | {"TWILIO_API_BASE_URL": gone.base_url})
    texts.append(str(unreachable.send(sms())))
    for call in (unreachable.check, lambda: unreachable.sent_to(TO, datetime.now(UTC))):
        with pytest.raises((ConfigError, ProviderError)) as info:
            call()
        texts += [
            str(info.value),
            repr(info.value),
            "".join(traceback.format_exception(info.value)),
        ]
    unreachable.close()
    out, err = capfd.readouterr()
    texts += [out, err]

    assert all(token not in text for text in texts)
    assert any("Authenticate" in text for text in texts)  # the failures were real


def test_sent_to_filters_by_recipient_and_time(
    twilio_server: TwilioFake, channel: TwilioSms
) -> None:
    now = datetime.now(UTC)
    twilio_server.add_message(TO, "igår", sent=now - timedelta(days=1))
    twilio_server.add_message("+46709999999", "annan", sent=now - timedelta(minutes=1))
    recent = twilio_server.add_message(TO, "nyss", sent=now - timedelta(minutes=1))
    sent = channel.send(sms())

    found = channel.sent_to(TO, now - timedelta(minutes=5))

    assert found == [sent.provider_id, recent]
    [req] = [r for r in twilio_server.requests if r.method == "GET"]
    assert req.query["To"] == TO
    assert req.query["DateSent>"] == (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_sent_to_follows_pages(twilio_server: TwilioFake, channel: TwilioSms) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    sids = [
        twilio_server.add_message(TO, f"{i}", sent=start + timedelta(seconds=i)) for i in range(5)
    ]

    assert channel.sent_to(TO, start, limit=2) == sids[::-1][:2]
    assert sorted(TwilioSms(sender=SENDER, env=twilio_server.env()).sent_to(TO, start)) == sorted(
        sids
    )


def test_sent_to_needs_an_aware_time(channel: TwilioSms) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        channel.sent_to(TO, datetime(2026, 11, 22, 1, 0))


def test_sent_to_failure_is_a_provider_error(twilio_server: TwilioFake, channel: TwilioSms) -> None:
    twilio_server.fail_next("server_error")

    with pytest.raises(ProviderError) as info:
        channel.sent_to(TO, datetime.now(UTC))
    assert info.value.message == (
        f"could not list the SMS sent to {TO}: HTTP 500: An internal server error has occurred"
    )
    assert info.value.retryable


def test_one_instance_sends_from_many_threads(
    twilio_server: TwilioFake, channel: TwilioSms
) -> None:
    twilio_server.latency = 0.01
    numbers = [f"+4670100{i:04d}" for i in range(80)]
    results: dict[str, SendResult] = {}

    def work(chunk: list[str]) -> None:
        for number in chunk:
            results[number] = channel.send(sms(to=number))

    threads = [threading.Thread(target=work, args=(numbers[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert all(r.ok for r in results.values())
    assert sorted(m["to"] for m in twilio_server.messages) == numbers
    assert len({r.provider_id for r in results.values()}) == len(numbers)


@pytest.mark.parametrize(("service", "sender"), [(None, None), (SERVICE, SENDER)])
def test_exactly_one_of_sender_and_service(service: str | None, sender: str | None) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        TwilioSms(messaging_service_sid=service, sender=sender, env={})


def test_refuses_an_email(channel: TwilioSms) -> None:
    with pytest.raises(ValueError, match="cannot send a email"):
        channel.send(Outgoing(channel="email", to="a@example.se", body="x", subject="s"))
