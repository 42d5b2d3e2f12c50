"""Who is acting, where, and how: everything a step needs besides its request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gonogo.night.clock import Clock


@dataclass
class Session:
    clock: Clock
    operator: str
    # shown a question in a language ("sv", "en"), answers it (--yes answers yes)
    confirm: Callable[[str, str], bool]
    show: Callable[[str], None]  # prints a line for the operator
    # A real choice (resend e-mails that may have gone out?), asked in a language, with
    # its default (--yes takes the default).
    decide: Callable[[str, bool, str], bool] = field(
        default=lambda _question, default, _language: default
    )
    state_dir: Path | None = None
    release: str | None = None
    dry_run: bool = False
    journal_url: str | None = None  # the shared journal (PostgreSQL); None: SQLite
    accept_changed_runbook: bool = False
    lock_wait: float = 5.0
    command: str = "gonogo"
    progress: bool = True  # a progress bar while sending, on a terminal
    # Seconds to let requests a killed command left on the wire land before asking the
    # provider what arrived (None: the channel's request timeout).
    settle: float | None = None
