"""Commands around the window: advance notices; a window moved, cancelled or extended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.options import By, DryRun, JournalUrl, StateDir, Yes, acting, make_session

if TYPE_CHECKING:
    from gonogo.night.executor import Outcome
    from gonogo.night.session import Session


def _finish(result: Outcome) -> int:
    from gonogo.render.summary import print_summary  # noqa: PLC0415

    return print_summary(result)


Reason = Annotated[str, typer.Option("--reason", help="Why (journaled, and in the message).")]


@app.command()
def announce(
    runbook: Annotated[Path, typer.Argument(help="The runbook.")],
    list_: Annotated[
        bool, typer.Option("--list", help="Show the notices: sent, due, coming. Sends nothing.")
    ] = False,
    send_late: Annotated[
        bool,
        typer.Option(
            "--send-late",
            help="Also send notices whose moment passed long ago (--yes alone never does).",
        ),
    ] = False,
    dry_run: DryRun = False,
    state_dir: StateDir = None,
    by: By = None,
    yes: Yes = False,
    journal: JournalUrl = None,
) -> int:
    """Send the advance notices that are due and not yet sent (safe to repeat, e.g. from
    a timer every few minutes); creates the run in its planned state if needed."""
    from gonogo.night import announce as notices  # noqa: PLC0415

    session = make_session(state_dir=state_dir, dry_run=dry_run, by=by, yes=yes, journal=journal)
    if list_:
        from gonogo.render.notices import print_notices  # noqa: PLC0415

        return print_notices(*notices.notice_schedule(session, runbook))
    return _finish(notices.announce(session, runbook, send_late=send_late))


def _time(value: str | None) -> dt.time | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(value, "%H:%M").time()  # a local time
    except ValueError:
        raise typer.BadParameter(f"{value!r}: give a local time as HH:MM, e.g. 23:00") from None


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: give a date as YYYY-MM-DD") from None


@app.command()
@acting
def reschedule(
    session: Session,
    date: Annotated[str, typer.Option("--date", help="The window's new date, YYYY-MM-DD.")],
    reason: Reason,
    start: Annotated[str | None, typer.Option(help="New start, HH:MM (default: as now).")] = None,
    end: Annotated[str | None, typer.Option(help="New latest end, HH:MM.")] = None,
) -> int:
    """Move the window before it opens: the "window moved" text goes to everyone who had a
    notice; the notices are due again for the new time."""
    from gonogo.night import actions  # noqa: PLC0415

    with _before_the_first_notice():
        return _finish(actions.reschedule(session, _date(date), _time(start), _time(end), reason))


@app.command()
@acting
def cancel(session: Session, reason: Reason) -> int:
    """Call the window off before it opens: the "window cancelled" text goes to everyone
    who had a notice."""
    from gonogo.night import actions  # noqa: PLC0415

    with _before_the_first_notice():
        return _finish(actions.cancel(session, reason))


@contextmanager
def _before_the_first_notice() -> Iterator[None]:
    """No run found: before the first notice nobody has heard of the window, so there is
    nothing to move or call off but the runbook; or the run is elsewhere (another state
    directory, the shared journal). `start`, the general hint, would open the window."""
    from gonogo.errors import NoRunError  # noqa: PLC0415

    try:
        yield
    except NoRunError as exc:
        hint = (
            "if no notice has gone out yet, nobody was told of the window: change `window:` "
            "in the runbook instead; if notices did go out, point --state-dir (or --journal, "
            "--release) at the run that sent them; nothing was sent"
        )
        raise NoRunError(exc.message, hint=hint) from None


@app.command()
@acting
def extend(
    session: Session,
    until: Annotated[str, typer.Option("--until", help="The window's new end, local HH:MM.")],
    reason: Reason,
) -> int:
    """The window runs past its announced end: the "window extended" text goes out; the
    end, time left and point of no return move."""
    from gonogo.night import actions  # noqa: PLC0415

    new_end = _time(until)
    assert new_end is not None
    return _finish(actions.extend(session, new_end, reason))
