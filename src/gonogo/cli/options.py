"""Options shared by the commands that act on a run, and the Session they make."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from gonogo.night.steps import Session

StateDir = Annotated[
    Path | None,
    typer.Option("--state-dir", help="Where runs live (default .gonogo, or $GONOGO_STATE_DIR)."),
]
Release = Annotated[
    str | None, typer.Option("--release", help="Which release's run, when several exist.")
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Act on the rehearsal: nothing is sent.")]
By = Annotated[
    str | None, typer.Option("--by", help="Operator name for the journal (default: OS user).")
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Answer yes to confirmations.")]
AcceptChanged = Annotated[
    bool,
    typer.Option(
        "--accept-changed-runbook",
        help="Go on although the runbook changed since the run started (journaled).",
    ),
]


def operator(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def make_session(
    *,
    state_dir: Path | None,
    release: str | None = None,
    dry_run: bool = False,
    by: str | None = None,
    yes: bool = False,
    accept_changed: bool = False,
) -> Session:
    from gonogo.night.clock import default_clock  # noqa: PLC0415
    from gonogo.night.steps import Session  # noqa: PLC0415

    def confirm(question: str) -> bool:
        if yes:
            return True
        try:
            return typer.confirm(question, default=False)
        except typer.Abort:
            return False

    def show(line: str) -> None:
        typer.echo(line)

    def decide(question: str, default: bool) -> bool:
        if yes:
            return default  # --yes confirms steps; it does not make choices
        try:
            return typer.confirm(question, default=default)
        except typer.Abort:
            return default

    return Session(
        clock=default_clock(),
        operator=operator(by),
        confirm=confirm,
        show=show,
        decide=decide,
        state_dir=state_dir,
        release=release,
        dry_run=dry_run,
        accept_changed_runbook=accept_changed,
        lock_wait=float(os.environ.get("GONOGO_LOCK_WAIT", "5")),
        command="gonogo " + " ".join(sys.argv[1:]),
    )
