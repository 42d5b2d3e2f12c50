"""One place that decides how output reaches the terminal."""

from __future__ import annotations

import os
import sys

from rich.console import Console


def console(*, stderr: bool = False) -> Console:
    """On a terminal, as wide as the terminal (bash does not export COLUMNS, so it is
    asked); piped (CI logs, a file), 120 columns unless COLUMNS says; colour only on a
    terminal."""
    stream = sys.stderr if stderr else sys.stdout
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):  # replaced by an object without one, or closed
        terminal = False
    width = None if terminal or os.environ.get("COLUMNS") else 120
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False)
