"""The Typer application object the command modules register on."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    name="gonogo",
    help="Run the Go/NoGo night of a platform release: runbook, state machine, SMS and e-mail.",
    no_args_is_help=True,
    # Typer's --install-completion / --show-completion: the shell calls `gonogo` back with
    # _GONOGO_COMPLETE set, and click answers before any command runs.
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        from gonogo import __version__  # noqa: PLC0415

        typer.echo(f"gonogo {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print gonogo's version and exit.", is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:  # fmt: skip
    """Run the Go/NoGo night of a platform release: runbook, state machine, SMS and e-mail."""
