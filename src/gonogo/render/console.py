"""One place that decides how output reaches the terminal."""

from __future__ import annotations

import os

from rich.console import Console


def console(*, stderr: bool = False) -> Console:
    # Wide enough for tables when piped (CI logs); colour only on a terminal.
    width = None if os.environ.get("COLUMNS") else 120
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False)
