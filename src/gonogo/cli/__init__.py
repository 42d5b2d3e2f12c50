"""The `gonogo` command line: options and help text, one call into the core each."""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

import typer
import typer._click
import typer.main
import typer.models

from gonogo.cli import completion, runbook_commands
from gonogo.cli.app import app
from gonogo.errors import ExitCode, GonogoError, Stop, StoppedError


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; turn expected errors into one message and the contract's exit code."""
    args = sys.argv[1:] if argv is None else argv
    _stop_on_signals()
    shell = completion.named_shell(args)
    if shell is not None:
        return _guarded(lambda _a: completion.show(shell), args)
    if args[:1] == ["validate"] and "--help" not in args:
        # CI runs validate on every commit: build only its command, not all thirty.
        return _guarded(
            lambda a: _validate_app()(args=a[1:], prog_name="gonogo validate",
                                      standalone_mode=False),
            args,
        )  # fmt: skip
    return _guarded(lambda a: _app_for(a)(args=a, prog_name="gonogo", standalone_mode=False), args)


def _stop_on_signals() -> None:
    """SIGTERM (CI runners, systemd, container stops) and SIGHUP (a closed terminal) stop
    a command as Ctrl-C does: requests under way finish and are journaled, the rest wait
    for `gonogo resume`. Only the main thread can set handlers (tests call main elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, _frame: object) -> None:
        raise Stop(signum)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, stop)


# The order `gonogo --help` lists the commands in (runbook_commands, imported above,
# comes first): the night, what happens beside it, the rehearsal, what comes after.
_COMMAND_MODULES = ("before_commands", "night_commands", "side_commands", "rehearse_commands",
                    "run_command", "after_commands", "journal_commands")  # fmt: skip


def _full_app() -> typer.Typer:
    """The app with every command: importing a command module registers its commands.

    Imported here, not at the top, so that `validate` does not pay for the other
    twenty-nine (about 7 ms of a run CI repeats on every commit). `--help` lists them
    in the order of a release.
    """
    for module in _COMMAND_MODULES:
        importlib.import_module(f"gonogo.cli.{module}")
    return app


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command (or group) `args` names, beside the root options.

    Typer builds a click command for every registered function on each run, about 40 ms
    for all thirty, while one costs under 1 ms: a command run alone pays only for its
    own. Usage lines, help and errors read as with the full app (`gonogo go ...`).
    Anything else (no command, an option first, an unknown name, shell completion)
    gets the full app, whose errors and help list every command.
    """
    full = _full_app()
    if not args or os.environ.get("_GONOGO_COMPLETE"):
        return full
    commands = [c for c in full.registered_commands if _command_name(c) == args[0]]
    groups = [g for g in full.registered_groups if g.name == args[0]]
    if not commands and not groups:
        return full
    one = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                      rich_markup_mode=None)  # fmt: skip
    one.info = full.info
    one.registered_callback = full.registered_callback
    one.registered_commands = commands
    one.registered_groups = groups
    return one


def _command_name(info: typer.models.CommandInfo) -> str:
    if info.name:
        return info.name
    assert info.callback is not None  # every command here is a decorated function
    return typer.main.get_command_name(info.callback.__name__)


def _validate_app() -> typer.Typer:
    single = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                         rich_markup_mode=None)  # fmt: skip
    single.command()(runbook_commands.validate)
    return single


def runner() -> Callable[[list[str]], tuple[int, str]]:
    """Run many commands in one process (a rehearsal): (exit code, what it printed).

    The click command is built once; building it costs more than most commands.
    """
    command = _full_command()

    def run(args: list[str]) -> tuple[int, str]:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            code = _guarded(lambda a: _invoke(command, a), args, interrupts=False)
        return code, buffer.getvalue()

    return run


@functools.cache
def _full_command() -> typer._click.Command:
    """The click command of every command, built once (a rehearsal checks, then runs)."""
    return typer.main.get_command(_full_app())


def usage_problem(args: list[str]) -> str | None:
    """What the command line would refuse as a usage error (exit 2) in `args`, with its
    did-you-mean, or None. Parsed only, never invoked: nothing is read, written or sent
    (the output of `--help` or `--version`, which need no check, is dropped)."""
    from typer.core import TyperGroup  # noqa: PLC0415

    command = _full_command()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            ctx = command.make_context("gonogo", list(args), resilient_parsing=False)
            while isinstance(command, TyperGroup):
                rest = [*ctx._protected_args, *ctx.args]  # the group's own parse left these
                name, found, rest = command.resolve_command(ctx, rest)
                assert found is not None  # an unknown name raised UsageError
                command = found
                ctx = command.make_context(name, rest, parent=ctx, resilient_parsing=False)
    except typer.Exit:
        return None  # --help or --version: they only print
    except typer._click.exceptions.NoArgsIsHelpError as exc:
        group = exc.ctx.command if exc.ctx else None
        names = ", ".join(getattr(group, "commands", {}))
        return f"`{exc.ctx.command_path if exc.ctx else 'gonogo'}` needs a command: {names}"
    except typer._click.exceptions.UsageError as exc:
        message = exc.format_message()
        message = message[:1].lower() + message[1:]
        if exc.ctx is None or isinstance(exc.ctx.command, TyperGroup):
            return message  # an unknown command: its did-you-mean says enough
        usage = exc.ctx.get_usage()
        return f"{message.removesuffix('.')} ({usage[:1].lower() + usage[1:]})"
    return None


def _invoke(command: typer._click.Command, args: list[str]) -> Any:
    """What `command.main(args, standalone_mode=False)` does, less Typer's turning Ctrl-C
    into a returned 130: one command of a rehearsal must not swallow the rehearsal's."""
    with command.make_context("gonogo", args) as ctx:
        return command.invoke(ctx)


def _guarded(
    invoke: Callable[[list[str]], Any], args: list[str], *, interrupts: bool = True
) -> int:
    """`invoke(args)`'s exit code; an expected error becomes one message and its code.

    With `interrupts=False` (one command of many, as a rehearsal runs them) Ctrl-C and a
    stop signal are not this command's result but the caller's: they are raised on."""
    debug = "--debug" in args or bool(os.environ.get("GONOGO_DEBUG"))
    args = [a for a in args if a != "--debug"]
    if debug:  # for core code that would otherwise turn any exception into a message
        os.environ["GONOGO_DEBUG"] = "1"
    try:
        result = invoke(args)
    except (StoppedError, KeyboardInterrupt, Stop) as exc:
        if not interrupts:  # the caller's to stop, not this command's to report
            if isinstance(exc, StoppedError):
                raise (Stop(exc.signum) if exc.signum else KeyboardInterrupt()) from exc
            raise
        if isinstance(exc, StoppedError):
            return _failed(exc, debug=debug)
        typer.echo("gonogo: interrupted" if isinstance(exc, KeyboardInterrupt)
                   else "gonogo: stopped by a signal", err=True)  # fmt: skip
        return 128 + exc.signum if isinstance(exc, Stop) else int(ExitCode.INTERRUPTED)
    except GonogoError as exc:
        return _failed(exc, debug=debug)
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
    except OSError as exc:  # a filesystem fault no layer below named: still one line
        if debug:
            traceback.print_exc()
        where = f": {exc.filename}" if exc.filename else ""
        typer.echo(f"gonogo: error: {exc.strerror or exc}{where}", err=True)
        typer.echo("hint: fix the file or directory named, then run the command again",
                   err=True)  # fmt: skip
        return int(ExitCode.INVALID)
    return result if isinstance(result, int) else int(ExitCode.OK)


def _failed(exc: GonogoError, *, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    typer.echo(f"gonogo: error: {exc.message}", err=True)
    if exc.hint:
        typer.echo(f"hint: {exc.hint}", err=True)
    return exc.code if isinstance(exc, StoppedError) else int(exc.exit_code)
