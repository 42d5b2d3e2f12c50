"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

Optional AUTH, optional TLS (STARTTLS or implicit TLS, with a throwaway CA made by
the `openssl` command), and switches to refuse given recipients with 550 or 451.
"""

from __future__ import annotations

import email
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any, Literal, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from . import free_port


@dataclass(frozen=True)
class Received:
    """One message as delivered: the envelope and the parsed content."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes
    peer: tuple[str, int]  # the client's address: the same for sends on one connection


@dataclass(frozen=True)
class TlsFiles:
    """A CA and a server certificate for 127.0.0.1 and localhost, signed by it."""

    ca_cert: Path
    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        """What a client that trusts only this CA uses (hostname checked)."""
        return ssl.create_default_context(cafile=str(self.ca_cert))

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(self.cert), str(self.key))
        return ctx


def make_tls_files(directory: Path) -> TlsFiles:
    """Make a CA and a server certificate with the `openssl` command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise FileNotFoundError("the openssl command is needed to make test certificates")
    ca_key, ca_cert = directory / "ca.key", directory / "ca.pem"
    key, csr, cert = directory / "server.key", directory / "server.csr", directory / "server.pem"
    ext = directory / "server.ext"
    ext.write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n"
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = [
        [openssl, "req", "-x509", *ec, "-keyout", ca_key, "-out", ca_cert, "-days", "2",
         "-subj", "/CN=gonogo test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        [openssl, "req", "-new", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost"],
        [openssl, "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key,
         "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext],
    ]  # fmt: skip
    for cmd in run:
        subprocess.run([str(c) for c in cmd], check=True, capture_output=True)
    return TlsFiles(ca_cert, cert, key)


@dataclass
class _Records:
    lock: threading.Lock = field(default_factory=threading.Lock)
    received: list[Received] = field(default_factory=list)
    connections: int = 0
    logins: list[str] = field(default_factory=list)
    reject: dict[str, tuple[int, str]] = field(default_factory=dict)
    live: list[SMTP] = field(default_factory=list)


class _Handler:
    def __init__(self, records: _Records) -> None:
        self.records = records

    async def handle_RCPT(  # noqa: N802 - aiosmtpd calls its hooks by these names
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        with self.records.lock:
            refusal = self.records.reject.get(address)
        if refusal is not None:
            return f"{refusal[0]} {refusal[1]}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - ditto
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = bytes(envelope.original_content or b"")
        # Parsed with "\n" line ends, so get_content() reads as the sender wrote it.
        message = email.message_from_bytes(raw.replace(b"\r\n", b"\n"), policy=default)
        assert isinstance(message, EmailMessage)
        with self.records.lock:
            self.records.received.append(
                Received(
                    mail_from=str(envelope.mail_from),
                    rcpt_tos=list(envelope.rcpt_tos),
                    message=message,
                    raw=raw,
                    peer=_address(session.peer),
                )
            )
        return "250 Message accepted for delivery"


def _address(peer: object) -> tuple[str, int]:
    assert isinstance(peer, tuple), peer
    return str(peer[0]), int(peer[1])


class _Controller(Controller):
    records: _Records

    def factory(self) -> SMTP:
        # aiosmtpd makes one SMTP protocol object per connection: count them here.
        smtp: SMTP = super().factory()  # type: ignore[no-untyped-call]
        with self.records.lock:
            self.records.connections += 1
            self.records.live.append(smtp)
        return smtp


class SmtpServer:
    """The server. Use as a context manager, or `start()` / `stop()`.

    `tls` with `mode="starttls"` offers STARTTLS; `mode="ssl"` is TLS from the first
    byte. `users` turns on AUTH LOGIN/PLAIN (also allowed without TLS, so tests can
    show that the client, not the server, refuses to send a password in clear).
    """

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        tls: TlsFiles | None = None,
        mode: Literal["plain", "starttls", "ssl"] = "plain",
    ) -> None:
        if (mode == "plain") != (tls is None):
            raise ValueError("TLS files go with mode starttls or ssl, and only with them")
        self.host = "127.0.0.1"
        self.port = 0
        self.users = dict(users or {})
        self.tls = tls
        self.mode = mode
        self._records = _Records()
        self._controller: _Controller | None = None

    def start(self) -> Self:
        self.port = free_port()
        kwargs: dict[str, Any] = {"server_hostname": "localhost"}
        if self.users:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=False)
        if self.mode == "starttls":
            assert self.tls is not None
            kwargs["tls_context"] = self.tls.server_context()
        elif self.mode == "ssl":
            assert self.tls is not None
            kwargs["ssl_context"] = self.tls.server_context()
        controller = _Controller(
            _Handler(self._records), hostname=self.host, port=self.port, **kwargs
        )
        controller.records = self._records
        controller.start()
        with self._records.lock:
            self._records.connections = 0  # start() made one to see the server is up
            self._records.live.clear()
        self._controller = controller
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        """An environment that points the e-mail channel at this server."""
        security = {"plain": "none", "starttls": "starttls", "ssl": "ssl"}[self.mode]
        env = {
            "GONOGO_SMTP_HOST": self.host,
            "GONOGO_SMTP_PORT": str(self.port),
            "GONOGO_SMTP_SECURITY": security,
        }
        if self.users:
            user, password = next(iter(self.users.items()))
            env |= {"GONOGO_SMTP_USER": user, "GONOGO_SMTP_PASSWORD": password}
        return env

    # -- switches and records ----------------------------------------------------------

    def reject(self, address: str, code: int = 550, text: str | None = None) -> None:
        """Refuse RCPT TO `address` with `code` (550 permanent, 451 temporary)."""
        default_text = "5.1.1 No such user" if code >= 500 else "4.3.0 Try again later"
        with self._records.lock:
            self._records.reject[address] = (code, text or default_text)

    def disconnect_all(self) -> None:
        """Close every client connection, as a server's idle timeout or restart does."""
        assert self._controller is not None, "server not running"
        with self._records.lock:
            live, self._records.live = self._records.live, []
        done = threading.Event()

        def close() -> None:
            for smtp in live:
                if smtp.transport is not None:
                    smtp.transport.close()
            done.set()

        self._controller.loop.call_soon_threadsafe(close)
        done.wait(5)

    def accept_all(self) -> None:
        with self._records.lock:
            self._records.reject.clear()

    @property
    def received(self) -> list[Received]:
        with self._records.lock:
            return list(self._records.received)

    @property
    def connections(self) -> int:
        """How many client connections the server has accepted."""
        with self._records.lock:
            return self._records.connections

    @property
    def logins(self) -> list[str]:
        """User names that logged in successfully, in order."""
        with self._records.lock:
            return list(self._records.logins)

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = data.login.decode(), data.password.decode()
        if self.users.get(user) != password:
            return AuthResult(success=False, handled=False)
        with self._records.lock:
            self._records.logins.append(user)
        return AuthResult(success=True)
