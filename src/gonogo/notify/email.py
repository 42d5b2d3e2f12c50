"""E-mail through SMTP (`smtplib`), in plain text, UTF-8, properly MIME-encoded."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Literal, get_args

from gonogo.errors import ConfigError
from gonogo.notify.base import Outgoing, SendResult
from gonogo.notify.email_wire import wire

Security = Literal["none", "starttls", "ssl"]
SECURITIES: tuple[str, ...] = get_args(Security)


class SmtpEmail:
    """Sends each `Outgoing` e-mail as one message over one reused SMTP connection.

    `GONOGO_SMTP_HOST`, `GONOGO_SMTP_PORT` and `GONOGO_SMTP_SECURITY` in `env`
    override the runbook's values. With `GONOGO_SMTP_USER` set the channel logs in
    with it and `GONOGO_SMTP_PASSWORD`, and refuses to do so over an unencrypted
    connection (`security="none"`). `tls_context` replaces the default context
    (system CAs, host name checked), e.g. for a private CA.

    Results: 4xx replies and connection errors are retryable, 5xx replies permanent,
    each with the SMTP code and the server's text. A connection lost after the
    message body was sent has code `connection-lost`: the server may have taken the
    message, so a retry can deliver it twice.

    Not thread-safe: it holds one open connection. Use one instance per worker thread.
    """

    def __init__(
        self,
        host: str,
        port: int,
        security: Security,
        sender: str,
        reply_to: str | None = None,
        *,
        env: Mapping[str, str],
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host = env.get("GONOGO_SMTP_HOST") or host
        self.port = _port(env.get("GONOGO_SMTP_PORT"), port)
        self.security = _security(env.get("GONOGO_SMTP_SECURITY"), security)
        self.sender = sender
        self.reply_to = reply_to
        self._user = env.get("GONOGO_SMTP_USER") or None
        self._password = env.get("GONOGO_SMTP_PASSWORD") or None
        self._timeout = timeout
        self._tls_context = tls_context
        self._domain = parseaddr(sender)[1].rpartition("@")[2] or None
        self._conn: smtplib.SMTP | None = None

    def __repr__(self) -> str:
        user = f", user={self._user!r}" if self._user else ""
        return f"SmtpEmail({self.host}:{self.port}, security={self.security!r}{user})"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    # -- Channel -----------------------------------------------------------------------

    def check(self) -> None:
        """Connect, EHLO, STARTTLS and log in as configured; keep the connection."""
        self.close()
        try:
            self._connection()
        except smtplib.SMTPAuthenticationError as err:
            raise ConfigError(
                f"e-mail cannot be sent: {self.where} refused the login of {self._user!r}: "
                f"{err.smtp_code} {_text(err.smtp_error)}",
                hint="Check GONOGO_SMTP_USER and GONOGO_SMTP_PASSWORD.",
            ) from None
        except (OSError, smtplib.SMTPException) as err:
            raise ConfigError(
                f"e-mail cannot be sent: the SMTP server {self.where} "
                f"(security {self.security}) failed: {_describe(err)}",
                hint="Check GONOGO_SMTP_HOST, GONOGO_SMTP_PORT and GONOGO_SMTP_SECURITY.",
            ) from None

    def send(self, msg: Outgoing) -> SendResult:
        """Deliver one message; never raises for a failed delivery.

        Raises `ConfigError` only for what `check()` reports (a password that would
        go out in clear, no password for the user).
        """
        if msg.channel != "email":
            raise ValueError(f"SmtpEmail cannot send a {msg.channel} message")
        message_id = make_msgid(domain=self._domain)
        # The bytes compose() would give, the part shared by a text's recipients made once.
        data = wire(self.sender, self.reply_to, msg.to, msg.subject, msg.body,
                    format_datetime(datetime.now(UTC)), message_id)  # fmt: skip
        for attempt in (1, 2):
            reused = self._conn is not None
            try:
                conn = self._connection()
            except smtplib.SMTPResponseException as err:  # refused greeting, TLS or login
                return _reply_failure(err.smtp_code, err.smtp_error)
            except (OSError, smtplib.SMTPException) as err:
                return _failure("connection-failed", _describe(err), retryable=True)
            try:
                return self._transaction(conn, msg.to, data, message_id)
            except _BeforeDataError as err:
                self._drop()
                if reused and attempt == 1:
                    continue  # a stale connection: nothing was taken, reconnect once
                return _failure("connection-failed", _describe(err.cause), retryable=True)
            except smtplib.SMTPResponseException as err:  # DATA refused before the body
                self._reset(conn, err.smtp_code)
                return _reply_failure(err.smtp_code, err.smtp_error)
            except (OSError, smtplib.SMTPException) as err:
                self._drop()
                return _failure("connection-lost", _describe(err), retryable=True)
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            conn.close()

    # -- the message -------------------------------------------------------------------

    def compose(
        self, msg: Outgoing, *, date: str | None = None, message_id: str | None = None
    ) -> EmailMessage:
        """The MIME message that `send` transmits for `msg` (as `email_wire.wire` bytes)."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = msg.to
        if self.reply_to:
            message["Reply-To"] = self.reply_to
        if msg.subject is not None:
            message["Subject"] = msg.subject
        message["Date"] = date or format_datetime(datetime.now(UTC))
        message["Message-ID"] = message_id or make_msgid(domain=self._domain)
        # quoted-printable keeps the body 7-bit, so no server needs 8BITMIME.
        message.set_content(msg.body, charset="utf-8", cte="quoted-printable")
        return message

    # -- internals ---------------------------------------------------------------------

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None:
            return self._conn
        if self._user is not None and self._password is None:
            raise ConfigError(
                f"GONOGO_SMTP_USER is set but GONOGO_SMTP_PASSWORD is not ({self.where})"
            )
        if self._user is not None and self.security == "none":
            raise ConfigError(
                f"refusing to send the SMTP password for {self._user!r} to {self.where} "
                "over an unencrypted connection",
                hint="Set GONOGO_SMTP_SECURITY to starttls or ssl, or unset GONOGO_SMTP_USER.",
            )
        if self._password is not None and not self._password.isascii():
            # smtplib encodes AUTH as ASCII and would crash with UnicodeEncodeError.
            raise ConfigError(
                "GONOGO_SMTP_PASSWORD has characters outside ASCII, which smtplib cannot send",
                hint="Use an ASCII password (or an app password) for the SMTP account.",
            )
        context = self._tls_context or ssl.create_default_context()
        conn: smtplib.SMTP
        if self.security == "ssl":
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self._timeout, context=context)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self._timeout)
        try:
            conn.ehlo()
            if self.security == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
            if self._user is not None and self._password is not None:
                conn.login(self._user, self._password)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _transaction(self, conn: smtplib.SMTP, to: str, data: bytes, message_id: str) -> SendResult:
        try:
            code, reply = conn.mail(parseaddr(self.sender)[1])
            if code == 250:
                code, reply = conn.rcpt(to)
        except (OSError, smtplib.SMTPServerDisconnected) as err:
            raise _BeforeDataError(err) from err
        if code not in (250, 251):
            self._reset(conn, code)
            return _reply_failure(code, reply)
        code, reply = conn.data(data)
        if code != 250:
            self._reset(conn, code)
            return _reply_failure(code, reply)
        return SendResult(ok=True, provider_id=message_id)

    def _reset(self, conn: smtplib.SMTP, code: int) -> None:
        """Make the connection fit for the next message, or drop it."""
        if code == 421:  # the server is closing the connection
            self._drop()
            return
        try:
            conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


class _BeforeDataError(Exception):
    """The connection failed before the server could have taken the message."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _port(value: str | None, fallback: int) -> int:
    if not value:
        return fallback
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 0 < port < 65536:
        raise ConfigError(f"GONOGO_SMTP_PORT is not a port number: {value!r}")
    return port


def _security(value: str | None, fallback: Security) -> Security:
    chosen = value or fallback
    if chosen not in SECURITIES:
        raise ConfigError(
            f"SMTP security must be one of {', '.join(SECURITIES)}, not {chosen!r}",
            hint="Check GONOGO_SMTP_SECURITY or the runbook's smtp.security.",
        )
    return chosen  # type: ignore[return-value]


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _describe(err: BaseException) -> str:
    if isinstance(err, smtplib.SMTPServerDisconnected):
        return str(err.args[0]) if err.args else "connection closed"
    return str(err) or type(err).__name__


def _reply_failure(code: int, reply: bytes | str) -> SendResult:
    if 400 <= code < 500:
        return _failure(str(code), f"{code} {_text(reply)}", retryable=True)
    # 5xx, and anything a server should not answer (code -1: a garbled reply)
    return _failure(str(code), f"{code} {_text(reply)}", retryable=code < 0)


def _failure(code: str, reason: str, *, retryable: bool) -> SendResult:
    return SendResult(ok=False, code=code, reason=reason, retryable=retryable)
