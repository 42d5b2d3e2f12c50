"""After the night: the release report, the operational-information site, the diagram."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.options import JournalUrl, ReadDryRun, Release, StateDir


class ReportFormat(StrEnum):
    md = "md"
    html = "html"


class GraphFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"


def _write(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    from gonogo.regular_file import write_output  # noqa: PLC0415

    out.parent.mkdir(parents=True, exist_ok=True)
    write_output(out, text.encode("utf-8"))
    typer.echo(f"Wrote {out}", err=True)


@app.command()
def report(
    fmt: Annotated[
        ReportFormat, typer.Option("--format", help="md for the meeting, html to look at.")
    ] = ReportFormat.md,
    out: Annotated[Path | None, typer.Option("--out", help="Write here, not to stdout.")] = None,
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: ReadDryRun = False,
    journal: JournalUrl = None,
) -> int:
    """The release report, from the journal and the runbook it names (which must still be
    there). Never waits for the lock."""
    from gonogo.night.clock import SystemClock  # noqa: PLC0415
    from gonogo.night.view import night_view  # noqa: PLC0415
    from gonogo.render.report import render  # noqa: PLC0415

    view = night_view(state_dir, release, dry_run, SystemClock(), journal)
    try:
        _write(render(view, fmt.value), out)
    finally:
        view.run.close()
    return 0


@app.command()
def publish(
    out: Annotated[Path, typer.Option("--out", help="Directory of the site.")],
    state_dir: StateDir = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Include rehearsals (real runs are always in).")
    ] = False,
    runbook: Annotated[
        list[Path] | None,
        typer.Option(
            "--runbook",
            help="Also announce this runbook's window (not started yet); with --journal, "
            "this site's copy of a started run's runbook.",
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="GONOGO_SITE_URL",
            callback=_absolute_url,
            help="The site's public address (https://…/): the feed's links are made absolute.",
        ),
    ] = None,
    allow_empty: Annotated[
        bool,
        typer.Option("--allow-empty", help="Publish even when there is nothing to show."),
    ] = False,
    journal: JournalUrl = None,
) -> int:
    """status.json, feed.xml (RSS), index.html, calendar.ics: same input, same bytes."""
    from gonogo.night.places import journal_url  # noqa: PLC0415
    from gonogo.night.runs import state_root  # noqa: PLC0415
    from gonogo.render.publish import publish as build_site  # noqa: PLC0415

    written = build_site(
        state_root(state_dir), out, dry_run=dry_run, runbooks=runbook or [],
        base_url=base_url or "", allow_empty=allow_empty, url=journal_url(journal),
    )  # fmt: skip
    for path in written:
        typer.echo(f"Wrote {path}")
    if not base_url:
        typer.echo("Note: feed.xml has relative links; give --base-url for feed readers.", err=True)
    return 0


def _absolute_url(value: str | None) -> str | None:
    from urllib.parse import urlsplit  # noqa: PLC0415

    if not value:
        return value
    # The value is not repeated in these messages: it may carry a password.
    try:
        parts = urlsplit(value)
        _port = parts.port  # a port that is not a number raises here
    except ValueError:
        parts = None
    if parts is not None and "@" in parts.netloc:
        raise typer.BadParameter(
            "the site's public address has a user name or password in it, which feed.xml "
            "would publish; give it as https://HOST/PATH/"
        )
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise typer.BadParameter("not an absolute http(s) address, e.g. https://drift.example.org/")
    if parts.query or parts.fragment:
        raise typer.BadParameter("the site's address takes no ?query or #fragment")
    return value


@app.command()
def graph(
    runbook: Annotated[Path, typer.Argument(help="The runbook.")],
    fmt: Annotated[
        GraphFormat, typer.Option("--format", help="mermaid (stateDiagram-v2) or dot (Graphviz).")
    ] = GraphFormat.mermaid,
) -> int:
    """The runbook's Go/NoGo machine as a diagram, from transitions' own diagram support."""
    from gonogo.render.graph import diagram  # noqa: PLC0415
    from gonogo.runbook.validate import load_valid  # noqa: PLC0415

    loaded = load_valid(runbook)
    assert loaded.runbook is not None  # load_valid guarantees it
    typer.echo(diagram(loaded.runbook, fmt.value))
    return 0
