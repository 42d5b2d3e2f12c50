"""Commands before the window opens: advance notices."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.night_commands import _finish
from gonogo.cli.options import By, DryRun, StateDir, Yes, make_session


@app.command()
def announce(
    runbook: Annotated[Path, typer.Argument(help="The runbook.")],
    list_: Annotated[
        bool, typer.Option("--list", help="Show the notices: sent, due, coming. Sends nothing.")
    ] = False,
    send_late: Annotated[
        bool,
        typer.Option(
            "--send-late",
            help="Also send notices whose moment passed long ago (--yes alone never does).",
        ),
    ] = False,
    dry_run: DryRun = False,
    state_dir: StateDir = None,
    by: By = None,
    yes: Yes = False,
) -> int:
    """Send the advance notices that are due and not yet sent (safe to repeat, e.g. from
    a timer every few minutes); creates the run in its planned state if needed."""
    from gonogo.night import announce as notices  # noqa: PLC0415

    session = make_session(state_dir=state_dir, dry_run=dry_run, by=by, yes=yes)
    if list_:
        from gonogo.render.notices import print_notices  # noqa: PLC0415

        return print_notices(*notices.notice_schedule(session, runbook))
    return _finish(notices.announce(session, runbook, send_late=send_late))
