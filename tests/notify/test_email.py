"""The e-mail channel against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from email.headerregistry import Address
from email.policy import SMTP
from pathlib import Path
from typing import Literal

import pytest

from gonogo.errors import ConfigError
from gonogo.notify.base import Outgoing, SendResult
from gonogo.notify.email import SmtpEmail
from gonogo.notify.email_wire import wire
from servers.smtp import SmtpServer, TlsFiles, make_tls_files

SENDER = "Driftinformation E-hälsomyndigheten <drift@ehalsomyndigheten.example>"
REPLY_TO = "support@ehalsomyndigheten.example"
TO = "anna.svensson@region.example"
SUBJECT = "Release 21.0: del 1 av 5 klar – Go för del 2"
BODY = "Hej!\n\nDel 1 är klar. Vi fortsätter med del 2 (ÅÄÖ åäö).\n\nMvh Driften\n"


def mail(to: str = TO, subject: str | None = SUBJECT, body: str = BODY) -> Outgoing:
    return Outgoing(channel="email", to=to, body=body, subject=subject, audience="vården")


@pytest.fixture
def channel(smtp_server: SmtpServer) -> Iterator[SmtpEmail]:
    # The runbook's host and port are deliberately wrong: the environment overrides them.
    ch = SmtpEmail("smtp.invalid", 2525, "ssl", SENDER, REPLY_TO, env=smtp_server.env(), timeout=5)
    yield ch
    ch.close()


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return make_tls_files(Path(tmp_path_factory.mktemp("tls")))


def test_message_arrives_with_headers_and_utf8(smtp_server: SmtpServer, channel: SmtpEmail) -> None:
    result = channel.send(mail())

    assert result.ok
    [got] = smtp_server.received
    assert got.mail_from == "drift@ehalsomyndigheten.example"
    assert got.rcpt_tos == [TO]
    msg = got.message
    assert msg["Subject"] == SUBJECT
    assert msg["From"].addresses == (
        Address("Driftinformation E-hälsomyndigheten", "drift", "ehalsomyndigheten.example"),
    )
    assert msg["To"] == TO
    assert msg["Reply-To"] == REPLY_TO
    assert msg["Date"].datetime is not None
    # A long Message-ID is folded onto its own line (legal CFWS); the parser keeps the space.
    assert msg["Message-ID"].strip() == result.provider_id
    assert msg["Message-ID"].endswith("@ehalsomyndigheten.example>")
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg.get_content() == BODY
    assert got.raw.isascii()  # headers RFC 2047-encoded, body quoted-printable


def test_no_reply_to_and_no_subject_are_left_out(smtp_server: SmtpServer) -> None:
    ch = SmtpEmail("x", 1, "none", "drift@example.se", env=smtp_server.env())
    try:
        assert ch.send(mail(subject=None)).ok
    finally:
        ch.close()

    msg = smtp_server.received[0].message
    assert "Reply-To" not in msg
    assert "Subject" not in msg


def test_one_connection_for_several_sends(smtp_server: SmtpServer, channel: SmtpEmail) -> None:
    channel.check()
    results = [channel.send(mail(to=f"person{i}@region.example")) for i in range(5)]

    assert all(r.ok for r in results)
    assert smtp_server.connections == 1
    assert len({r.peer for r in smtp_server.received}) == 1
    assert len({r.provider_id for r in results}) == 5


def test_reconnects_once_when_the_server_dropped_the_connection(
    smtp_server: SmtpServer, channel: SmtpEmail
) -> None:
    assert channel.send(mail()).ok
    smtp_server.disconnect_all()  # an idle timeout between two messages of the night

    assert channel.send(mail()).ok
    assert smtp_server.connections == 2
    assert len(smtp_server.received) == 2


@pytest.mark.parametrize(
    ("code", "retryable", "reason"),
    [(550, False, "550 5.1.1 No such user"), (451, True, "451 4.3.0 Try again later")],
)
def test_refused_recipients_are_mapped(
    smtp_server: SmtpServer, channel: SmtpEmail, code: int, retryable: bool, reason: str
) -> None:
    smtp_server.reject("nobody@region.example", code)

    result = channel.send(mail(to="nobody@region.example"))

    assert result == SendResult(ok=False, code=str(code), reason=reason, retryable=retryable)
    assert channel.send(mail()).ok  # the connection is still good for the next message
    assert smtp_server.connections == 1
    assert [r.rcpt_tos for r in smtp_server.received] == [[TO]]


def test_check_names_host_and_port_of_a_closed_port() -> None:
    with SmtpServer() as gone:
        env = gone.env()
    ch = SmtpEmail("x", 1, "none", "drift@example.se", env=env)

    with pytest.raises(ConfigError) as info:
        ch.check()
    assert f"127.0.0.1:{gone.port}" in info.value.message
    assert "Connection refused" in info.value.message


def test_send_to_a_closed_port_is_retryable() -> None:
    with SmtpServer() as gone:
        env = gone.env()
    ch = SmtpEmail("x", 1, "none", "drift@example.se", env=env)

    result = ch.send(mail())

    assert (result.ok, result.code, result.retryable) == (False, "connection-failed", True)


def test_password_is_refused_over_an_unencrypted_connection() -> None:
    with SmtpServer(users={"drift": "hemligt"}) as server:  # it would accept AUTH in clear
        ch = SmtpEmail("x", 1, "none", "drift@example.se", env=server.env())
        with pytest.raises(ConfigError, match="over an unencrypted connection") as info:
            ch.check()
        with pytest.raises(ConfigError, match="over an unencrypted connection"):
            ch.send(mail())
        assert server.connections == 0
        assert server.logins == []
    assert "hemligt" not in str(info.value)


def test_user_without_password_is_a_config_error(smtp_server: SmtpServer) -> None:
    env = smtp_server.env() | {"GONOGO_SMTP_USER": "drift", "GONOGO_SMTP_SECURITY": "starttls"}
    with pytest.raises(ConfigError, match="GONOGO_SMTP_PASSWORD is not"):
        SmtpEmail("x", 1, "none", "drift@example.se", env=env).check()


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_login_over_tls(tls_files: TlsFiles, mode: Literal["starttls", "ssl"]) -> None:
    with SmtpServer(users={"drift": "hemligt"}, tls=tls_files, mode=mode) as server:
        ch = SmtpEmail(
            "x", 1, "none", SENDER, env=server.env(), tls_context=tls_files.client_context()
        )
        try:
            ch.check()
            assert ch.send(mail()).ok
        finally:
            ch.close()
        assert server.logins == ["drift"]
        assert server.received[0].message["Subject"] == SUBJECT


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("fel-losen-123", "refused the login of 'drift': 535"),
        ("fel-lösen-123", "characters outside ASCII"),  # smtplib cannot send it at all
    ],
)
def test_bad_password_fails_check_without_showing_it(
    tls_files: TlsFiles, password: str, message: str
) -> None:
    with SmtpServer(users={"drift": "hemligt"}, tls=tls_files, mode="starttls") as server:
        env = server.env() | {"GONOGO_SMTP_PASSWORD": password}
        ch = SmtpEmail("x", 1, "none", SENDER, env=env, tls_context=tls_files.client_context())
        with pytest.raises(ConfigError, match=message) as info:
            ch.check()
        ch.close()
    assert password not in f"{info.value} {info.value.hint} {ch!r}"


def test_untrusted_certificate_fails_check(tls_files: TlsFiles) -> None:
    with SmtpServer(tls=tls_files, mode="ssl") as server:
        ch = SmtpEmail("x", 1, "none", SENDER, env=server.env())  # system CAs only
        with pytest.raises(ConfigError, match="CERTIFICATE_VERIFY_FAILED"):
            ch.check()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GONOGO_SMTP_PORT": "smtp"}, "GONOGO_SMTP_PORT is not a port number: 'smtp'"),
        ({"GONOGO_SMTP_PORT": "70000"}, "GONOGO_SMTP_PORT is not a port number"),
        ({"GONOGO_SMTP_SECURITY": "tls"}, "must be one of none, starttls, ssl, not 'tls'"),
    ],
)
def test_bad_settings_are_config_errors(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SmtpEmail("smtp.example", 587, "starttls", SENDER, env=env)


def test_environment_overrides_the_runbook() -> None:
    env = {
        "GONOGO_SMTP_HOST": "mail.example",
        "GONOGO_SMTP_PORT": "465",
        "GONOGO_SMTP_SECURITY": "ssl",
    }
    ch = SmtpEmail("smtp.example", 587, "starttls", SENDER, env=env)

    assert (ch.host, ch.port, ch.security) == ("mail.example", 465, "ssl")
    assert repr(ch) == "SmtpEmail(mail.example:465, security='ssl')"


def test_refuses_an_sms(channel: SmtpEmail) -> None:
    with pytest.raises(ValueError, match="cannot send a sms"):
        channel.send(Outgoing(channel="sms", to="+46701234567", body="x"))


@pytest.mark.parametrize("sender", [SENDER, "drift@example.se"])
@pytest.mark.parametrize("reply_to", [REPLY_TO, None])
@pytest.mark.parametrize("subject", [SUBJECT, None, "Å" * 120])
@pytest.mark.parametrize("to", [TO, "åsa@exempel.se", "a" * 64 + "@" + "b" * 60 + ".example"])
@pytest.mark.parametrize("body", [BODY, "utan radslut", "x" * 300 + "\n"])
def test_the_bytes_sent_are_what_compose_gives(
    sender: str, reply_to: str | None, subject: str | None, to: str, body: str
) -> None:
    """send() builds the bytes from parts shared by a text's recipients (email_wire):
    exactly the message compose() builds, flattened as SMTP wants it."""
    ch = SmtpEmail("x", 1, "none", sender, reply_to, env={})
    outgoing = Outgoing(channel="email", to=to, body=body, subject=subject)
    date = "Tue, 01 Dec 2026 08:22:26 +0000"
    message_id = "<179611334687.23650.9303829437979320491@ehalsomyndigheten.example>"

    sent = wire(sender, reply_to, to, subject, body, date, message_id)

    composed = ch.compose(outgoing, date=date, message_id=message_id)
    assert sent == composed.as_bytes(policy=SMTP)


def test_each_recipient_gets_their_own_to_date_and_message_id(
    smtp_server: SmtpServer, channel: SmtpEmail
) -> None:
    results = [channel.send(mail(to=f"person{i}@region.example")) for i in range(3)]

    got = smtp_server.received
    assert [str(m.message["To"]) for m in got] == [f"person{i}@region.example" for i in range(3)]
    assert [m.message["Message-ID"].strip() for m in got] == [r.provider_id for r in results]
    assert len({r.provider_id for r in results}) == 3
    assert all(m.message.get_content() == BODY for m in got)
