"""`gonogo journal ...`: the journal itself: check it, copy a run between backends."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.options import JournalUrl, ReadDryRun, Release, StateDir

if TYPE_CHECKING:
    from gonogo.night.sqlite_check import CheckReport

journal_app = typer.Typer(
    help="The journal itself: check it, copy a run between backends.", no_args_is_help=True
)
app.add_typer(journal_app, name="journal")


@journal_app.command("check")
def check(
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: ReadDryRun = False,
    journal: JournalUrl = None,
    runbook: Annotated[
        Path | None,
        typer.Option("--runbook", help="A shared run: this site's copy of its runbook."),
    ] = None,
) -> int:
    """Read every entry and row of the run's journal: what is damaged, and where the night
    stands by what can be read. Exit 0 only when the journal is whole; never writes."""
    from gonogo.night.places import find, journal_url, site_runbook  # noqa: PLC0415
    from gonogo.night.runs import JOURNAL, state_root  # noqa: PLC0415

    place = find(state_root(state_dir), journal_url(journal), release, dry_run)
    if place.url is None:
        from gonogo.night.sqlite_check import check_journal  # noqa: PLC0415

        report = check_journal(place.directory / JOURNAL, (place.release, place.mode))
    else:
        from gonogo.night.pg_check import check_run  # noqa: PLC0415

        mine = runbook or site_runbook(place)
        report = check_run(place.url, place.release, place.mode, mine)
    for line in report_lines(report):
        typer.echo(line)
    return 0 if report.whole else 1


def report_lines(report: CheckReport) -> list[str]:
    count = len(report.problems)
    verdict = "whole" if report.whole else f"damaged ({count} problem{'s' * (count > 1)})"
    lines = [f"journal {report.path}: {verdict}"]
    lines += [f"  - {problem}" for problem in report.problems]
    kinds = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in report.statuses) or "none"
    lines.append(f"readable: {len(report.entries)} entries; deliveries: {kinds}")
    night = report.night
    if night is None:
        lines.append(f"the night cannot be derived: {report.no_night}")
    else:
        where = night.state.replace("_", " ")
        if night.current_part:
            where = f"part {night.current_part} of {night.part_count} in progress"
        lines.append(
            f"the night by what is readable: {where}; dispatches: {len(night.dispatches)}; "
            f"deliveries unfinished: {night.deliveries.unfinished}"
        )
    if not report.whole:
        lines.append(
            "hint: restore the journal from a copy; no command writes to it while it is damaged"
        )
    return lines


@journal_app.command("copy")
def journal_copy(
    source: Annotated[
        str, typer.Option("--from", help="A state directory, or postgresql://HOST/DB.")
    ],
    to: Annotated[str, typer.Option("--to", help="A state directory, or postgresql://HOST/DB.")],
    release: Release = None,
    dry_run: ReadDryRun = False,
) -> int:
    """Copy a run unchanged: it replays to the same night and the same report."""
    from gonogo.night.journal_copy import copy  # noqa: PLC0415

    typer.echo(copy(source, to, release, dry_run))
    return 0
