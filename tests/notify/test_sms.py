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
from gonogo.notify.reconcile import InDoubtSms, match_in_doubt
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


@pytest.mark.parametrize("sid", ["AC/../../x", "AC" + "0" * 32 + "\r\nHost: evil", "MG" + "0" * 32])
def test_a_malformed_account_sid_is_refused_and_not_shown(
    twilio_server: TwilioFake, sid: str
) -> None:
    env = twilio_server.env() | {"TWILIO_ACCOUNT_SID": sid}
    with pytest.raises(ConfigError) as refused:
        TwilioSms(sender=SENDER, env=env)
    assert "TWILIO_ACCOUNT_SID is not a Twilio account SID" in refused.value.message
    assert sid not in f"{refused.value.message} {refused.value.hint}"
    assert twilio_server.requests == []


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


@pytest.mark.parametrize(
    "url", ["ftp://twilio:s3cr3t-pw@127.0.0.1:4010", "http://twilio:s3cr3t-pw@127.0.0.1:notaport"]
)
def test_a_password_in_the_base_url_is_never_shown(twilio_server: TwilioFake, url: str) -> None:
    env = twilio_server.env() | {"TWILIO_API_BASE_URL": url}
    with pytest.raises(ConfigError) as caught:
        TwilioSms(sender=SENDER, env=env).check()
    assert "s3cr3t-pw" not in str(caught.value.message) + str(caught.value.hint)
    assert "twilio:***@127.0.0.1" in caught.value.message


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


@pytest.fixture
def queueing() -> Iterator[TwilioFake]:
    """Twilio as it behaves at 10 segments a second: what is sent waits in a queue."""
    with TwilioFake(segments_per_second=10) as server:
        yield server


def in_doubt(key: int, since: datetime, body: str = "Go för del 2") -> InDoubtSms:
    return InDoubtSms(key=key, order=key, to=TO, body=body, since=since)


def test_messages_to_finds_a_message_still_in_the_queue(queueing: TwilioFake) -> None:
    ch = TwilioSms(sender=SENDER, env=queueing.env())
    before = datetime.now(UTC)
    for n in range(20):  # two seconds of queue ahead of ours
        assert ch.send(sms(to=f"+4670100{n:04d}")).ok
    queueing.fail_next("lost_response")
    assert not ch.send(sms()).ok

    found = ch.messages_to(TO, before)
    ch.close()

    [listed] = found
    assert (listed.to, listed.body, listed.status) == (TO, "Go för del 2", "queued")
    assert queueing.message(listed.sid)["date_sent"] is None
    assert ch.sent_to(TO, before) == []  # why the DateSent filter is not used
    [req] = [r for r in queueing.requests if r.method == "GET"][:1]
    assert set(req.query) == {"To", "PageSize"}  # no date filter


def test_messages_to_returns_every_status_oldest_first(
    twilio_server: TwilioFake, channel: TwilioSms
) -> None:
    now = datetime.now(UTC)
    since = now - timedelta(minutes=10)
    twilio_server.add_message(TO, "before", sent=since - timedelta(seconds=1))
    sids = [
        twilio_server.add_message(TO, status, created=now - timedelta(minutes=9 - i),
                                  status=status)
        for i, status in enumerate(["scheduled", "accepted", "failed", "undelivered"])
    ]  # fmt: skip
    sids.append(twilio_server.add_message(TO, "sent", sent=now - timedelta(minutes=1)))
    twilio_server.add_message("+46709999999", "other number", sent=now)

    found = channel.messages_to(TO, since)

    assert [m.sid for m in found] == sids
    assert [m.status for m in found] == ["scheduled", "accepted", "failed", "undelivered", "sent"]
    assert all(m.date_created.tzinfo is not None for m in found)


def test_messages_to_pages_until_a_page_holds_nothing_recent(
    twilio_server: TwilioFake, channel: TwilioSms
) -> None:
    now = datetime.now(UTC)
    since = now - timedelta(minutes=5)
    for i in range(10):
        twilio_server.add_message(TO, f"old {i}", sent=since - timedelta(hours=1, minutes=i))
    recent = [twilio_server.add_message(TO, f"new {i}", sent=now - timedelta(seconds=60 - i))
              for i in range(7)]  # fmt: skip

    found = channel.messages_to(TO, since, page_size=3)

    assert [m.sid for m in found] == recent
    lists = [r for r in twilio_server.requests if r.method == "GET"]
    # 3 + 3 + (1 new, 2 old) + a page of 3 old: four calls, then it stops with 3 pages left.
    assert len(lists) == 4
    assert lists[1].query["PageToken"] == "PA" + recent[4]  # the last of page one


def test_messages_to_stops_at_the_last_page(twilio_server: TwilioFake, channel: TwilioSms) -> None:
    now = datetime.now(UTC)
    sids = [twilio_server.add_message(TO, f"{i}", sent=now - timedelta(seconds=9 - i))
            for i in range(4)]  # fmt: skip

    assert [m.sid for m in channel.messages_to(TO, now - timedelta(minutes=1), page_size=2)] == sids
    assert len([r for r in twilio_server.requests if r.method == "GET"]) == 2


def test_messages_to_refuses_to_guess_past_max_pages(
    twilio_server: TwilioFake, channel: TwilioSms
) -> None:
    now = datetime.now(UTC)
    for i in range(5):
        twilio_server.add_message(TO, f"{i}", sent=now - timedelta(seconds=i))

    with pytest.raises(ProviderError, match="more than 4 Messages to") as info:
        channel.messages_to(TO, now - timedelta(minutes=1), page_size=2, max_pages=2)
    assert not info.value.retryable


def test_messages_to_failure_is_a_provider_error(
    twilio_server: TwilioFake, channel: TwilioSms
) -> None:
    twilio_server.fail_next("rate_limited")

    with pytest.raises(ProviderError) as info:
        channel.messages_to(TO, datetime.now(UTC))
    assert info.value.message == f"could not list the SMS sent to {TO}: HTTP 429: Too Many Requests"
    assert info.value.retryable


def test_messages_to_needs_an_aware_time(channel: TwilioSms) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        channel.messages_to(TO, datetime(2026, 11, 22, 1, 0))


def test_a_request_on_the_wire_lands_after_its_client_gave_up(queueing: TwilioFake) -> None:
    """Why resume must wait before it asks: the Message appears after the timeout."""
    queueing.latency = 0.4
    queueing.segments_per_second = 1  # still queued when asked again
    ch = TwilioSms(sender=SENDER, env=queueing.env(), timeout=0.1)
    before = datetime.now(UTC)
    assert ch.send(sms()).code == "timeout"
    queueing.latency = 0.0

    assert ch.messages_to(TO, before) == []  # asked at once: not there yet
    assert queueing.wait_idle(5)
    [landed] = ch.messages_to(TO, before)
    ch.close()
    assert landed.status == "queued"


def test_two_rows_to_one_number_claim_two_messages(queueing: TwilioFake) -> None:
    ch = TwilioSms(sender=SENDER, env=queueing.env())
    before = datetime.now(UTC)
    queueing.fail_next("lost_response", 2)
    assert not ch.send(sms()).ok
    assert not ch.send(sms()).ok
    rows = [in_doubt(1, before), in_doubt(2, before), in_doubt(3, before)]

    found = ch.messages_to(TO, before)
    ch.close()
    matched = match_in_doubt(rows, found).found

    assert sorted(matched) == [1, 2]  # the third was never made: it is sent again
    assert {matched[1].sid, matched[2].sid} == {m["sid"] for m in queueing.messages}
    assert matched[1].date_created <= matched[2].date_created


def test_a_message_with_another_body_is_not_claimed(queueing: TwilioFake) -> None:
    ch = TwilioSms(sender=SENDER, env=queueing.env())
    before = datetime.now(UTC)
    assert ch.send(sms(body="Nu startar servicefönstret.")).ok  # a previous message

    found = ch.messages_to(TO, before)
    ch.close()

    assert len(found) == 1
    assert match_in_doubt([in_doubt(1, before)], found).found == {}


def test_the_environment_is_read_once_not_per_request(
    twilio_server: TwilioFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests rescans proxies on every request unless trust_env is off (it costs CPU)."""
    ch = TwilioSms(sender=SENDER, env=twilio_server.env())
    assert ch.send(sms()).ok
    session = ch._client().http_client.session
    assert session is not None
    assert session.trust_env is False
    # A proxy that appears later is not picked up: nothing is rescanned.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    assert ch.send(sms()).ok
    ch.close()


def test_a_proxy_set_before_the_first_send_is_still_used(
    twilio_server: TwilioFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    with TwilioFake() as gone:
        dead = gone.base_url
    monkeypatch.setenv("HTTP_PROXY", dead)
    ch = TwilioSms(sender=SENDER, env=twilio_server.env(), timeout=1.0)
    result = ch.send(sms())
    ch.close()

    assert (result.ok, result.code) == (False, "connect-failed")  # it went to the proxy
    assert twilio_server.messages == []


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
