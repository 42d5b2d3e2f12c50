"""Stoplight Prism serving Twilio's own OpenAPI description, on 127.0.0.1.

Prism validates every request against the description (path, query, form body,
Basic auth) and answers 422 (401 without credentials) when one does not fit; a
valid request gets the description's example. `--errors` is deliberately not
used: it also fails Prism's own responses against the schema, and Twilio's
example for the Messages list has relative `*_page_uri` values that break the
schema's `format: uri`, so the list call would always get a 500.

Installed by `.ci/run` into `.ci/node` (5.14.2: later releases require Node >= 24):

    npm install --prefix .ci/node --no-save --no-audit --no-fund --ignore-scripts \\
        @stoplight/prism-cli@5.14.2
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import IO, Self

from . import free_port

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / ".." / "shared" / "twilio" / "twilio_api_v2010.json"
LOCAL_PRISM = REPO / ".ci" / "node" / "node_modules" / ".bin" / "prism"
START_TIMEOUT = 60.0  # seconds; Prism reads a 3 MB description before it listens


def find_prism() -> str | None:
    """The Prism command: `$PRISM`, the repository's `.ci/node` install, or PATH."""
    if os.environ.get("PRISM"):
        return os.environ["PRISM"]
    if LOCAL_PRISM.exists():
        return str(LOCAL_PRISM)
    return shutil.which("prism")


class PrismError(RuntimeError):
    """Prism did not start."""


class Prism:
    """A running `prism mock`. Use as a context manager, or `start()` / `stop()`."""

    def __init__(self, command: str, log_path: Path, spec: Path = SPEC) -> None:
        self.command = command
        self.spec = spec.resolve()
        self.log_path = log_path
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The description's `servers` URL stand-in: the root, paths start at /2010-04-01."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        if not self.spec.is_file():
            raise PrismError(f"Twilio's OpenAPI description is missing: {self.spec}")
        self.port = free_port()
        self._log = self.log_path.open("wb")
        try:
            self._proc = self._spawn()
        except OSError as err:
            self.stop()
            raise PrismError(f"cannot run {self.command}: {err}") from None
        try:
            self._wait()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self) -> subprocess.Popen[bytes]:
        assert self._log is not None
        return subprocess.Popen(
            [self.command, "mock", str(self.spec), "--host", "127.0.0.1",
             "--port", str(self.port), "--verboseLevel", "warn"],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log(self) -> str:
        """Everything Prism has printed so far (warnings and errors only)."""
        return self.log_path.read_text(errors="replace")

    def _wait(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise PrismError(
                    f"prism exited with {self._proc.returncode}:\n{self.log()[-2000:]}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise PrismError(f"prism did not listen within {START_TIMEOUT:g} s:\n{self.log()[-2000:]}")
