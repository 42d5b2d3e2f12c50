"""The Typer application object the command modules register on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="gonogo",
    help="Run the Go/NoGo night of a platform release: runbook, state machine, SMS and e-mail.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
