"""The `gonogo` command line: options and help text, one call into the core each."""

from __future__ import annotations

import os
import sys
import traceback

import typer

from gonogo.cli import night_commands, runbook_commands, side_commands  # noqa: F401
from gonogo.cli.app import app
from gonogo.errors import ExitCode, GonogoError


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn expected errors into one message and the contract's exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or bool(os.environ.get("GONOGO_DEBUG"))
    args = [a for a in args if a != "--debug"]
    try:
        result = app(args=args, prog_name="gonogo", standalone_mode=False)
    except GonogoError as exc:
        if debug:
            traceback.print_exc()
        typer.echo(f"gonogo: error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        return int(exc.exit_code)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        typer.echo("gonogo: interrupted; nothing more was done", err=True)
        return int(ExitCode.INTERRUPTED)
    except typer.TyperException as exc:  # usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            typer.echo(f"gonogo: {exc.format_message()}", err=True)
        return int(ExitCode.USAGE)
    except KeyboardInterrupt:
        typer.echo("gonogo: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    return result if isinstance(result, int) else int(ExitCode.OK)
