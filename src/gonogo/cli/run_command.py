"""`gonogo run`: the guided night in one terminal, on the same journal and rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.options import By, DryRun, StateDir, make_session
from gonogo.errors import GonogoError

if TYPE_CHECKING:
    from gonogo.night.session import Session

_HELP = (
    "g = Go, n = NoGo, h = hold, p = progress message, e = end the window, "
    "d = rollback done, i = open incident, u = update incident, s = status, "
    "Enter = refresh, q = quit"
)


@app.command()
def run(
    runbook: Annotated[Path, typer.Argument(help="The runbook.")],
    dry_run: DryRun = False,
    speed: Annotated[
        float,
        typer.Option(help="With --dry-run: play the plan this many times faster (table-top)."),
    ] = 1.0,
    state_dir: StateDir = None,
    by: By = None,
) -> int:
    """A guided, interactive night: the plan, the current part, and the prompts."""
    from gonogo.night import clock as clocks  # noqa: PLC0415
    from gonogo.night.places import find, journal_url  # noqa: PLC0415
    from gonogo.night.runs import load_cached, state_root  # noqa: PLC0415
    from gonogo.runbook.timeline import timeline  # noqa: PLC0415

    if speed != 1.0 and not dry_run:
        raise typer.BadParameter("--speed is for rehearsals: add --dry-run")
    loaded = load_cached(runbook)
    assert loaded.runbook is not None
    release = loaded.runbook.release.id
    clock: clocks.Clock = clocks.SystemClock()
    if speed != 1.0:
        clock = clocks.ScaledClock(timeline(loaded.runbook).window_start, speed)
    with clocks.using(clock):
        session = make_session(state_dir=state_dir, release=release, dry_run=dry_run, by=by)
        try:
            find(state_root(state_dir), journal_url(None), release, dry_run)
        except GonogoError:
            if not session.confirm(f"No {'rehearsal' if dry_run else 'run'} of {release} yet. "
                                   "Open the window now?"):  # fmt: skip
                return 0
            _act(session, lambda: _start(session, runbook))
        typer.echo(_HELP)
        while True:
            _show(state_dir, release, dry_run)
            try:
                choice = typer.prompt("gonogo", default="", show_default=False).strip().lower()
            except typer.Abort:
                return 0
            if choice in ("q", "quit"):
                return 0
            if choice:
                _dispatch(session, choice)


def _start(session: Session, runbook: Path) -> int:
    from gonogo.night import actions  # noqa: PLC0415
    from gonogo.render.summary import print_summary  # noqa: PLC0415

    return print_summary(actions.start(session, runbook))


def _act(session: Session, action: Callable[[], object]) -> None:
    """Run one action; an expected error is shown and the night goes on."""
    del session
    try:
        action()
    except GonogoError as exc:
        typer.echo(f"gonogo: error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)


def _dispatch(session: Session, choice: str) -> None:
    from gonogo.night import actions  # noqa: PLC0415
    from gonogo.render.summary import print_summary  # noqa: PLC0415

    def current() -> str:
        return str(typer.prompt("Part", default=""))

    simple = {"p": "progress", "e": "end", "d": "rollback_done"}
    if choice in simple:
        _act(session, lambda: print_summary(actions.step(session, simple[choice])))
    elif choice == "g":
        part = current()

        _act(session, lambda: print_summary(actions.step(session, "go", part or None)))
    elif choice in ("n", "h"):
        part = current()
        reason = typer.prompt("Reason")
        trigger = "nogo" if choice == "n" else "hold"
        _act(session, lambda: print_summary(actions.step(session, trigger, part or None, reason)))
    elif choice == "i":
        priority = int(typer.prompt("Priority (1-5)", default="2"))
        summary = typer.prompt("Summary")
        services = [s for s in typer.prompt("Services (comma separated)", default="").split(",")
                    if s.strip()]  # fmt: skip

        named = [s.strip() for s in services]
        _act(session, lambda: print_summary(
            actions.open_incident(session, priority, summary, named, None, None)))  # fmt: skip
    elif choice == "u":
        incident_id = typer.prompt("Incident id")
        summary = typer.prompt("Summary")
        _act(session, lambda: print_summary(
            actions.update_incident(session, incident_id, summary)))  # fmt: skip
    elif choice == "s":
        pass  # the status is shown before every prompt
    else:
        typer.echo(_HELP)


def _show(state_dir: Path | None, release: str, dry_run: bool) -> None:
    from gonogo.night.clock import default_clock  # noqa: PLC0415
    from gonogo.night.view import night_view  # noqa: PLC0415
    from gonogo.render.status import print_status  # noqa: PLC0415

    print_status(night_view(state_dir, release, dry_run, default_clock()))
