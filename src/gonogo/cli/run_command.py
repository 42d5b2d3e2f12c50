"""`gonogo run`: the guided night in one terminal, on the same journal and rules."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.options import By, DryRun, JournalUrl, StateDir, make_session
from gonogo.errors import ExitCode, GonogoError, NoRunError, StoppedError

if TYPE_CHECKING:
    from gonogo.night.session import Session

# An 8-hour night in about 3 seconds; a scaled clock left running for a week still stays
# inside the years a datetime can hold.
MAX_SPEED = 10_000


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
    journal: JournalUrl = None,
) -> int:
    """A guided, interactive night: the plan, what is due, and a key or a command for
    every step (any gonogo command can be typed as on the shell)."""
    from gonogo.night import clock as clocks  # noqa: PLC0415
    from gonogo.night.places import find  # noqa: PLC0415
    from gonogo.night.runs import load_cached, state_root  # noqa: PLC0415
    from gonogo.runbook.timeline import timeline  # noqa: PLC0415

    if not (math.isfinite(speed) and 0 < speed <= MAX_SPEED):  # nan, inf, 0, backwards
        raise typer.BadParameter(
            f"--speed {speed:g}: give a number greater than 0 and at most {MAX_SPEED}, e.g. 60"
        )
    if speed != 1.0 and not dry_run:
        raise typer.BadParameter("--speed is for rehearsals: add --dry-run")
    from gonogo.cli.guided import new_session  # noqa: PLC0415
    from gonogo.cli.run_words import confirm, language_of, said  # noqa: PLC0415

    new_session()
    loaded = load_cached(runbook)
    assert loaded.runbook is not None
    release = loaded.runbook.release.id
    lang = language_of(loaded.runbook.release.language)
    clock: clocks.Clock = clocks.SystemClock()
    if speed != 1.0:
        clock = clocks.ScaledClock(timeline(loaded.runbook).window_start, speed)
    with clocks.using(clock):
        session = make_session(state_dir=state_dir, release=release, dry_run=dry_run, by=by,
                               journal=journal)  # fmt: skip
        try:  # only a missing run is offered; an unreachable journal is an error, as anywhere
            find(state_root(state_dir), session.journal_url, release, dry_run)
        except NoRunError:
            what = said(lang, "a rehearsal" if dry_run else "a run")
            if not confirm(lang, said(lang, "no run yet", run=what, release=release)):
                return 0
            from gonogo.cli.guided import act  # noqa: PLC0415

            act(lambda: _start(session, runbook))
        code = _loop(session, state_dir, release, dry_run, by, journal, lang)
    return _worst(code)


def _worst(code: int) -> int:
    """`code`, but never 0 after an unexpected error: a script must not take the night
    for a clean one."""
    from gonogo.cli.guided import unexpected_errors  # noqa: PLC0415

    count = unexpected_errors()
    if count and code == 0:
        typer.echo(f"gonogo: {count} unexpected error(s) in this session (see above)", err=True)
        return int(ExitCode.INVALID)
    return code


def _loop(
    session: Session,
    state_dir: Path | None,
    release: str,
    dry_run: bool,
    by: str | None,
    journal: str | None,
    lang: str,
) -> int:
    from gonogo.cli.guided import command_line, key  # noqa: PLC0415
    from gonogo.cli.run_words import KEYS, help_text, said  # noqa: PLC0415

    typer.echo(help_text(lang))
    line = command_line(dry_run, state_dir, by, journal, language=lang)
    while True:
        current, incidents = _show(state_dir, release, dry_run, session.journal_url)
        try:
            asked = typer.prompt("gonogo", default="", show_default=False, prompt_suffix="> ")
            typed = str(asked).strip()
        except typer.Abort as exc:
            if isinstance(exc.__context__, EOFError):
                return 0  # the input ended: as `q`
            typer.echo(f"\ngonogo: {said(lang, 'interrupted at the prompt')}", err=True)
            return int(ExitCode.INTERRUPTED)
        choice = typed.lower()
        try:
            if choice in ("q", "quit", "exit"):
                return 0
            if choice in ("?", "help"):
                typer.echo(help_text(lang))
            elif choice in ("", "s"):
                pass  # the status is shown before every prompt
            elif len(choice) == 1 and choice not in KEYS:
                typer.echo(said(lang, "no key", typed=typed))
            elif choice[:2] in _PART_KEYS and len(choice) > 2:  # `g 2`: a key and its part
                key(session, choice[0], current, incidents, typed[2:].strip(), language=lang)
            elif (
                len(choice) > 1 or not key(session, choice, current, incidents, language=lang)
            ) and line(typed) == ExitCode.INTERRUPTED:
                return int(ExitCode.INTERRUPTED)
        except typer.Abort as exc:  # at one of a key's questions: before anything is done
            if isinstance(exc.__context__, EOFError):  # Ctrl-D: this step only is dropped
                typer.echo(f"\ngonogo: {said(lang, 'dropped')}", err=True)
                continue
            typer.echo(f"\ngonogo: {said(lang, 'interrupted in a step')}", err=True)
            return int(ExitCode.INTERRUPTED)
        except (StoppedError, KeyboardInterrupt) as exc:
            if isinstance(exc, StoppedError):  # the command's own words, then the night's
                typer.echo(f"\ngonogo: {said(lang, 'stopped', message=exc.message)}", err=True)
            else:
                typer.echo(f"\ngonogo: {said(lang, 'interrupted')}", err=True)
            return int(ExitCode.INTERRUPTED)


_PART_KEYS = ("g ", "o ", "n ", "h ")


def _start(session: Session, runbook: Path) -> int:
    from gonogo.night import actions  # noqa: PLC0415
    from gonogo.render.summary import print_summary  # noqa: PLC0415

    return print_summary(actions.start(session, runbook))


def _show(
    state_dir: Path | None, release: str, dry_run: bool, journal: str | None
) -> tuple[int | None, list[str]]:
    """The status screen; the part in progress and the open incidents, for the prompts."""
    from gonogo.night.clock import default_clock  # noqa: PLC0415
    from gonogo.night.view import night_view  # noqa: PLC0415
    from gonogo.render.status import print_status  # noqa: PLC0415

    try:
        view = night_view(state_dir, release, dry_run, default_clock(), journal or "")
    except GonogoError as exc:
        typer.echo(f"gonogo: error: {exc.message}", err=True)
        return None, []
    print_status(view)
    return view.night.current_part, [i.id for i in view.night.incidents if i.open]
