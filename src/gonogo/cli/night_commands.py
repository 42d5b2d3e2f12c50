"""Commands that step through the night: start, go, nogo, hold, progress, rollback-done, end."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.json_output import AsJson, echo_json
from gonogo.cli.options import (
    By,
    DryRun,
    JournalUrl,
    StateDir,
    Yes,
    acting,
    make_session,
    view_of,
    viewing,
)

if TYPE_CHECKING:
    from gonogo.night.executor import Outcome
    from gonogo.night.session import Session
    from gonogo.night.view import NightView

Part = Annotated[str, typer.Argument(help="Part number (from 1) or id.")]
Reason = Annotated[str, typer.Option("--reason", help="Why (journaled).")]


def _finish(result: Outcome) -> int:
    from gonogo.render.summary import print_summary  # noqa: PLC0415

    return print_summary(result)


@app.command()
def start(
    runbook: Annotated[Path, typer.Argument(help="The runbook.")],
    dry_run: DryRun = False,
    state_dir: StateDir = None,
    by: By = None,
    yes: Yes = False,
    journal: JournalUrl = None,
) -> int:
    """Open the window: create the run and send the window-started message.

    With a shared journal (--journal) where the night has started elsewhere, this site
    joins it: its copy of the runbook must match the journaled one.
    """
    from gonogo.night import actions  # noqa: PLC0415

    session = make_session(state_dir=state_dir, dry_run=dry_run, by=by, yes=yes,
                           journal=journal)  # fmt: skip
    return _finish(actions.start(session, runbook))


def _step(
    session: Session, trigger: str, part: str | None = None, reason: str | None = None
) -> int:
    from gonogo.night import actions  # noqa: PLC0415

    return _finish(actions.step(session, trigger, part, reason))


@app.command()
@acting
def go(
    session: Session,
    part: Part,
    override_verification: Annotated[
        bool,
        typer.Option(help="Give Go although production verification is not complete."),
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why, with --override-verification.")
    ] = None,
) -> int:
    """Go for PART: its message goes out and the next part starts."""
    from gonogo.night import actions  # noqa: PLC0415

    if override_verification and reason is None:  # a blank one is refused like NoGo's
        raise typer.BadParameter("--override-verification needs --reason TEXT")
    return _finish(
        actions.step(session, "go", part, reason, override_verification=override_verification)
    )


@app.command()
@acting
def nogo(session: Session, part: Part, reason: Reason) -> int:
    """NoGo for PART: the rollback starts and its message goes out."""
    return _step(session, "nogo", part, reason)


@app.command()
@acting
def hold(session: Session, part: Part, reason: Reason) -> int:
    """The decision on PART waits, with a reason (journaled; nothing is sent)."""
    return _step(session, "hold", part, reason)


@app.command()
@acting
def progress(session: Session) -> int:
    """Send the mid-part status message of the part in progress."""
    return _step(session, "progress")


@app.command("rollback-done")
@acting
def rollback_done(session: Session) -> int:
    """The rollback is finished: its message goes out and the window closes."""
    return _step(session, "rollback_done")


@app.command()
@acting
def end(session: Session) -> int:
    """The window ends: the window-completed message goes out."""
    return _step(session, "end")


@app.command()
@viewing
def status(view: NightView, as_json: AsJson = False) -> int:
    """Where the night stands, against the plan and the clock. Never waits for the lock."""
    from gonogo.render.status import print_status, status_json  # noqa: PLC0415

    if as_json:
        echo_json(status_json(view))
    else:
        print_status(view)
    return 0


@app.command()
@viewing
def log(view: NightView, as_json: AsJson = False) -> int:
    """The journal as a timeline in the runbook's time zone. Never waits for the lock."""
    if as_json:
        from gonogo.render.json_views import log_json  # noqa: PLC0415

        echo_json(log_json(view))
        return 0
    from gonogo.render.log import print_log  # noqa: PLC0415

    print_log(view)
    return 0


@app.command()
@acting
def resume(
    session: Session,
    settle: Annotated[
        float | None,
        typer.Option(
            "--settle",
            min=0,
            help="Seconds to let requests a killed command left on the wire land before "
            "asking Twilio (default: the request timeout, 10 s; or $GONOGO_SETTLE).",
        ),
    ] = None,
) -> int:
    """Finish a dispatch that a crash interrupted: pending rows sent, in-flight reconciled."""
    from gonogo.night import actions  # noqa: PLC0415

    if settle is not None:
        session.settle = settle
    return _finish(actions.resume(session))


@app.command("retry-failed")
@acting
def retry_failed(session: Session) -> int:
    """Try the failed deliveries again."""
    from gonogo.night import actions  # noqa: PLC0415

    return _finish(actions.retry_failed(session))


@app.command()
@viewing
def deliveries(
    view: NightView,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every delivery, not only problems.")
    ] = False,
    as_json: AsJson = False,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="First ask Twilio which SMS reached the phone (journaled)."),
    ] = False,
) -> int:
    """What was delivered per message, and every failed or in-doubt delivery with its reason."""
    from gonogo.render.deliveries import print_deliveries  # noqa: PLC0415

    refreshed = 0
    if refresh:
        from gonogo.night.refresh import refresh_receipts  # noqa: PLC0415

        run = view.run
        session = make_session(
            state_dir=run.directory.parents[1], release=run.release, dry_run=run.dry_run
        )
        refreshed = _finish(refresh_receipts(session))
        view = view_of(session)
    return refreshed or print_deliveries(view, show_all=show_all, as_json=as_json)


@app.command()
@acting
def settle(
    session: Session,
    resend: Annotated[
        bool, typer.Option("--resend", help="Send the deliveries in doubt again.")
    ] = False,
    mark_sent: Annotated[
        bool,
        typer.Option("--mark-sent", help="Record them as sent (the server's log shows them)."),
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="What was checked (journaled).")
    ] = None,
) -> int:
    """Settle deliveries left in doubt after a crash: resend them, or record them as sent."""
    from gonogo.night import actions  # noqa: PLC0415
    from gonogo.night.decisions.deliveries import MARK_SENT, RESEND  # noqa: PLC0415

    if resend == mark_sent:
        raise typer.BadParameter("give one of --resend or --mark-sent")
    if reason is None:  # a blank one is refused like NoGo's
        raise typer.BadParameter("--reason TEXT says what was checked (it is journaled)")
    return _finish(actions.settle(session, RESEND if resend else MARK_SENT, reason))
