"""`gonogo --show-completion SHELL`: the script for the shell named.

Typer's `--show-completion` is a flag that detects the shell it runs under (through
shellingham, from the parent processes) and takes no value: `--show-completion zsh`
run from bash printed bash's script, and from a process without a shell above it
(cron, a CI step, an editor) it failed with "Shell  not supported.". A shell named
here is the one printed for; the flag alone still detects.
"""

from __future__ import annotations

import typer

from gonogo.errors import UsageError
from gonogo.runbook.diagnostics import printable

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def named_shell(args: list[str]) -> str | None:
    """The shell in `gonogo --show-completion SHELL`, or None for any other command line."""
    if len(args) == 2 and args[0] == "--show-completion" and not args[1].startswith("-"):
        return args[1]
    return None


def show(shell: str) -> int:
    from typer._completion_shared import get_completion_script  # noqa: PLC0415

    if shell not in SHELLS:
        raise UsageError(f"--show-completion {printable(shell)}: no such shell; one of "
                         f"{', '.join(SHELLS)}")  # fmt: skip
    typer.echo(get_completion_script(prog_name="gonogo", complete_var="_GONOGO_COMPLETE",
                                     shell=shell))  # fmt: skip
    return 0
