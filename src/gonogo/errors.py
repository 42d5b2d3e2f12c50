"""Domain errors and the exit codes they map to.

Core code raises these; only `gonogo.cli` turns them into messages and exit codes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class ExitCode(enum.IntEnum):
    """The command-line contract's exit codes (see README)."""

    OK = 0
    INVALID = 1  # the runbook or the request is wrong: nothing changed, nothing sent
    USAGE = 2
    DELIVERY_FAILED = 3  # some deliveries failed; the rest went out
    LOCKED = 4  # another operator holds the run's lock
    INTERRUPTED = 130


class GonogoError(Exception):
    """An expected failure: shown to the user as one clear message, never a traceback."""

    exit_code: ExitCode = ExitCode.INVALID

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def join_hints(hints: Iterable[str]) -> str:
    """Several hints as one: each a sentence of its own ("Check A. Check B."), never
    run together as "Check A.; Check B."."""
    sentences = []
    for hint in hints:
        text = hint.strip()
        if not text:
            continue
        text = text[0].upper() + text[1:]
        sentences.append(text if text.endswith((".", "!", "?")) else text + ".")
    return " ".join(sentences)


class RunbookError(GonogoError):
    """The runbook file cannot be read or is invalid."""


class TransitionError(GonogoError):
    """The requested step is not allowed in the run's current state."""


class StateError(GonogoError):
    """The state directory or journal is missing, ambiguous or inconsistent."""


class NoRunError(StateError):
    """There is no run of that release (and mode) yet: `run` offers to open the window."""


class JournalDamagedError(StateError):
    """The journal exists but cannot be read whole: nothing may be written to it."""


class JournalWriteError(StateError):
    """The journal cannot be written (disk full, read-only, no permission).

    `sent` counts the messages that went out before sending stopped.
    """

    def __init__(self, message: str, *, hint: str | None = None, sent: int = 0) -> None:
        super().__init__(message, hint=hint)
        self.sent = sent


class UsageError(GonogoError):
    """The command was called wrongly (an option or environment variable out of range)."""

    exit_code = ExitCode.USAGE


class ConfigError(GonogoError):
    """Missing credentials or an unreachable provider, found before anything is sent."""


class DeliveryFailedError(GonogoError):
    """Some deliveries failed; the others went out."""

    exit_code = ExitCode.DELIVERY_FAILED


class LockHeldError(GonogoError):
    """Another operator's command holds the run's lock."""

    exit_code = ExitCode.LOCKED


class Stop(BaseException):  # like KeyboardInterrupt: not an error to catch
    """SIGTERM or SIGHUP: stop as Ctrl-C does (see `gonogo.cli.main`)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class StoppedError(GonogoError):
    """Ctrl-C or a stop signal while sending: what is unfinished and how to finish it."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, message: str, *, hint: str | None = None, signum: int | None = None):
        super().__init__(message, hint=hint)
        self.signum = signum

    @property
    def code(self) -> int:
        """130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP: 128 plus the signal."""
        return 128 + self.signum if self.signum else int(ExitCode.INTERRUPTED)
