"""The `--json` option the viewing commands share, and how its document is printed.

Its own module, not options.py, so `validate`'s fast start does not import the rest.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

AsJson = Annotated[
    bool, typer.Option("--json", help="Machine-readable (versioned; see docs/json.md).")
]


def echo_json(document: dict[str, Any]) -> None:
    """A `--json` document on stdout, exactly as docs/json.md describes it."""
    from gonogo.render.json_head import dumps  # noqa: PLC0415

    typer.echo(dumps(document))
