"""Fixtures shared by all tests: the real local servers, and the guard around them."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from servers.prism import Prism, PrismError, find_prism
from servers.smtp import SmtpServer
from servers.twilio_fake import TwilioFake

# A suite started in the background by a shell without job control (`pytest ... &` in a
# script, nohup) inherits SIGINT ignored, Python leaves it so, and every process the
# tests start inherits it too: the tests that press Ctrl-C would wait in vain for a
# command to stop. Handled here, it is back to its default in every process started.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Variables that would point a test at a real provider, a proxy or the user's files.
_ISOLATED_ENV = (
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_API_BASE_URL",
    "TWILIO_EDGE",
    "TWILIO_REGION",
    "GONOGO_SMTP_HOST",
    "GONOGO_SMTP_PORT",
    "GONOGO_SMTP_SECURITY",
    "GONOGO_SMTP_USER",
    "GONOGO_SMTP_PASSWORD",
    "GONOGO_STATE_DIR",
    "GONOGO_JOURNAL_URL",
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSERVICE",
    "GONOGO_CACHE_DIR",
    "XDG_CACHE_HOME",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class RealNetworkError(AssertionError):
    """A test tried to leave 127.0.0.1. Not an OSError, so no retry logic swallows it."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow first, the rest in their order after them.

    Under pytest-xdist (`--dist loadgroup`, one test at a time to whichever worker is
    free) the long kill and race tests then start at once on both cores and the short
    ones fill in around them; left to where they are collected, a 40 s test started
    near the end keeps one core busy while the other has nothing to do.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _no_real_providers(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No test reaches a real SMS or e-mail provider, or writes to the home directory."""
    for name in _ISOLATED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    # The local servers answer within milliseconds: resume need not wait out Twilio's
    # 10 s request timeout before asking (tests of the wait itself set their own).
    monkeypatch.setenv("GONOGO_SETTLE", "0.5")

    attempts: list[str] = []

    def refuse(address: object) -> None:
        attempts.append(repr(address))
        raise RealNetworkError(f"test tried to connect to {address!r}; only loopback is allowed")

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create_connection = socket.create_connection

    def connect(self: socket.socket, address: Any) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            refuse(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            refuse(address)
        return real_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        # Checked by name too, so a real host fails here, before any DNS lookup.
        if not _is_loopback(address[0]):
            refuse(address)
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    yield
    if attempts:
        pytest.fail(f"test tried to reach the network beyond 127.0.0.1: {', '.join(attempts)}")


@pytest.fixture
def twilio_server() -> Iterator[TwilioFake]:
    """A Twilio-compatible Messages API; `.env()` points `TwilioSms` at it."""
    with TwilioFake() as server:
        yield server


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """An SMTP server without TLS or AUTH; `.env()` points `SmtpEmail` at it."""
    with SmtpServer() as server:
        yield server


@pytest.fixture(scope="session")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prism]:
    """Prism serving Twilio's OpenAPI description; skipped if not installed, unless in CI."""
    command = find_prism()
    if command is None:
        reason = (
            "Stoplight Prism is not installed (npm install --prefix .ci/node --no-save "
            "@stoplight/prism-cli@5.14.2)"
        )
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{reason}; CI must run the contract tests", pytrace=False)
        pytest.skip(reason)
    log = Path(tmp_path_factory.mktemp("prism")) / "prism.log"
    try:
        server = Prism(command, log).start()
    except PrismError as err:
        pytest.fail(str(err), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """One real PostgreSQL server for the session (tests/servers/postgres.py)."""
    from servers.postgres import Postgres, find_bin  # noqa: PLC0415

    bindir = find_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (.ci/run installs Debian's postgresql)")
    server = Postgres(bindir)
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """Each test that takes it runs on both journals: the SQLite file and PostgreSQL.

    Returns the shared journal's URL (set as GONOGO_JOURNAL_URL) or None for SQLite.
    """
    if request.param == "sqlite":
        return None
    server = request.getfixturevalue("postgres")
    url: str = server.new_database()
    monkeypatch.setenv("GONOGO_JOURNAL_URL", url)
    return url
