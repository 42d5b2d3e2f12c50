"""`gonogo --help` lists every command, in the order of a release night."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import typer
import typer.main

from gonogo import cli


def test_help_lists_every_command_in_release_order() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    commands = re.findall(r"^  ([a-z-]+)  ", done.stdout.split("Commands:")[1], re.MULTILINE)
    assert commands == [
        *["validate", "schema", "plan", "messages"],
        *["announce", "reschedule", "cancel", "extend"],
        *["start", "go", "nogo", "hold", "progress", "rollback-done", "end"],
        *["status", "log", "resume", "retry-failed", "deliveries", "settle"],
        *["disruption", "lights", "verify"],
        *["rehearse", "run"],
        *["report", "publish", "graph"],
        "incident",
        "journal",
    ]


def _printed(
    make_app: Callable[[list[str]], Callable[..., Any]], args: list[str]
) -> tuple[int, str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = cli._guarded(
            lambda a: make_app(a)(args=a, prog_name="gonogo", standalone_mode=False), args
        )
    return code, buffer.getvalue()


def test_a_command_run_alone_reads_as_in_the_full_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """`gonogo go ...` builds only `go` (cli._app_for): its help, usage errors and exit
    codes are those of the app with every command, for every command and group."""
    monkeypatch.setenv("COLUMNS", "100")
    full = cli._full_app()
    every = typer.main.get_command(full)  # built once: building it is what _app_for saves
    names = [cli._command_name(c) for c in full.registered_commands]
    names += [g.name for g in full.registered_groups if g.name]
    assert len(names) == 31
    for name in names:
        for args in ([name, "--help"], [name, "--no-such-option"]):
            alone = _printed(cli._app_for, args)
            assert alone == _printed(lambda _a: every, args), args
            assert f"Usage: gonogo {name} " in alone[1], args
    # Only the command named is built, and the root's --version stays.
    assert len(cli._app_for(["go", "1"]).registered_commands) == 1
    assert _printed(cli._app_for, ["--version"])[1].startswith("gonogo ")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["status"], "Read the rehearsal's run"),
        (["log"], "Read the rehearsal's run"),
        (["report"], "Read the rehearsal's run"),
        (["deliveries"], "Read the rehearsal's run"),
        (["journal", "check"], "Read the rehearsal's run"),
        (["go"], "Act on the rehearsal: nothing is sent."),
        (["incident", "open"], "Act on the rehearsal: nothing is sent."),
    ],
)
def test_dry_run_help_promises_only_what_the_command_does(args: list[str], says: str) -> None:
    """A command that only reads sends nothing with or without --dry-run: its help does
    not say "nothing is sent" as if that were the option's doing."""
    code, out = _printed(cli._app_for, [*args, "--help"])
    assert code == 0
    assert says in " ".join(out.split())
