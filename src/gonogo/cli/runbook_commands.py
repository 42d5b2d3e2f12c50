"""Commands that read a runbook without touching a night: validate, schema, plan, messages."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.json_output import AsJson, echo_json


class Format(enum.StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"


@app.command()
def validate(
    runbooks: Annotated[
        list[Path],
        typer.Argument(
            help="Runbook files to check (with --changed: any files).", metavar="RUNBOOK"
        ),
    ],
    output: Annotated[
        Format,
        typer.Option(
            "--format",
            help="text, json, GitHub workflow annotations, or SARIF 2.1.0 (code scanning).",
        ),
    ] = Format.TEXT,
    strict: Annotated[bool, typer.Option(help="Warnings fail too.")] = False,
    cache: Annotated[
        bool,
        typer.Option(
            help="Reuse recipients-file checks from earlier runs when the file is unchanged "
            "(in $GONOGO_CACHE_DIR, else $XDG_CACHE_HOME/gonogo, else ~/.cache/gonogo).",
        ),
    ] = True,
    recipients_root: Annotated[
        Path | None,
        typer.Option(
            help="Recipients files may be anywhere under this directory "
            "(default: only under each runbook's own directory).",
        ),
    ] = None,
    changed: Annotated[
        bool,
        typer.Option(
            "--changed",
            help="The arguments are changed files (as pre-commit passes them): check the "
            "runbooks among them, and every runbook here that names a changed recipients CSV.",
        ),
    ] = False,
) -> int:
    """Check runbooks: every schema and semantic problem as file:line:col; exit 1 if invalid."""
    import os  # noqa: PLC0415

    from gonogo.render.diagnostics import report  # noqa: PLC0415
    from gonogo.runbook.check_cache import default_cache_dir  # noqa: PLC0415
    from gonogo.runbook.validate import validate_files  # noqa: PLC0415  # fast start

    if changed:
        from gonogo.runbook.discover import runbooks_for  # noqa: PLC0415

        runbooks = runbooks_for(runbooks, Path())
    diagnostics = validate_files(
        runbooks,
        default_cache_dir() if cache else None,
        recipients_root,
        debug=bool(os.environ.get("GONOGO_DEBUG")),
    )
    text, failed = report(diagnostics, len(runbooks), output.value, strict=strict)
    if text:
        typer.echo(text)
    return 1 if failed else 0


@app.command()
def schema(
    scenario: Annotated[
        bool, typer.Option("--scenario", help="The rehearsal scenario format instead.")
    ] = False,
) -> int:
    """Print the JSON Schema of the runbook format (or of the scenario format)."""
    if scenario:
        from gonogo.rehearsal.scenario import scenario_schema  # noqa: PLC0415

        typer.echo(scenario_schema())
        return 0
    from gonogo.runbook.schema import json_schema  # noqa: PLC0415

    typer.echo(json_schema())
    return 0


@app.command()
def plan(
    runbook: Annotated[Path, typer.Argument(help="The runbook.")], as_json: AsJson = False
) -> int:
    """Show the night as a timeline: parts, planned times, owners, messages."""
    from gonogo.runbook.validate import load_valid  # noqa: PLC0415

    loaded = load_valid(runbook)
    if as_json:
        from gonogo.render.json_views import plan_json  # noqa: PLC0415

        assert loaded.runbook is not None  # load_valid guarantees it
        echo_json(plan_json(loaded.runbook))
        return 0
    from gonogo.render.plan import show_plan  # noqa: PLC0415

    show_plan(loaded)
    return 0


@app.command()
def messages(
    runbook: Annotated[Path, typer.Argument(help="The runbook.")], as_json: AsJson = False
) -> int:
    """Render every message for every audience and language, with SMS encoding and segments."""
    from gonogo.runbook.validate import load_valid  # noqa: PLC0415

    loaded = load_valid(runbook)
    if as_json:
        from gonogo.render.json_views import messages_json  # noqa: PLC0415

        assert loaded.runbook is not None  # load_valid guarantees it
        echo_json(messages_json(loaded.runbook))
        return 0
    from gonogo.render.messages import show_messages  # noqa: PLC0415

    show_messages(loaded)
    return 0
