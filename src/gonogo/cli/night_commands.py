"""Commands that step through the night: start, go, nogo, hold, progress, rollback-done, end."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.options import AcceptChanged, By, DryRun, Release, StateDir, Yes, make_session

if TYPE_CHECKING:
    from gonogo.night.steps import StepResult

Part = Annotated[str, typer.Argument(help="Part number (from 1) or id.")]
Reason = Annotated[str, typer.Option("--reason", help="Why (journaled).")]


def _finish(result: StepResult) -> int:
    from gonogo.render.summary import print_summary  # noqa: PLC0415

    return print_summary(result)


@app.command()
def start(
    runbook: Annotated[Path, typer.Argument(help="The runbook.")],
    dry_run: DryRun = False,
    state_dir: StateDir = None,
    by: By = None,
    yes: Yes = False,
) -> int:
    """Open the window: create the run and send the window-started message."""
    from gonogo.night import steps  # noqa: PLC0415

    session = make_session(state_dir=state_dir, dry_run=dry_run, by=by, yes=yes)
    return _finish(steps.start(session, runbook))


def _step(
    trigger: str,
    part: str | None,
    reason: str | None,
    *,
    state_dir: Path | None,
    release: str | None,
    dry_run: bool,
    by: str | None,
    yes: bool,
    accept: bool,
) -> int:
    from gonogo.night import steps  # noqa: PLC0415

    session = make_session(
        state_dir=state_dir, release=release, dry_run=dry_run, by=by, yes=yes,
        accept_changed=accept,
    )  # fmt: skip
    return _finish(steps.step(session, trigger, part, reason))


@app.command()
def go(
    part: Part,
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
    by: By = None,
    yes: Yes = False,
    accept_changed_runbook: AcceptChanged = False,
    override_verification: Annotated[
        bool,
        typer.Option(help="Give Go although production verification is not complete."),
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why, with --override-verification.")
    ] = None,
) -> int:
    """Go for PART: its message goes out and the next part starts."""
    from gonogo.night import steps  # noqa: PLC0415
    from gonogo.night.side_steps import verification_gate  # noqa: PLC0415

    if override_verification and not reason:
        raise typer.BadParameter("--override-verification needs --reason TEXT")
    session = make_session(
        state_dir=state_dir, release=release, dry_run=dry_run, by=by, yes=yes,
        accept_changed=accept_changed_runbook,
    )  # fmt: skip
    data: dict[str, object] = {"override_verification": True} if override_verification else {}
    gate = None if override_verification else verification_gate
    return _finish(steps.step(session, "go", part, reason, gate=gate, data=data))


@app.command()
def nogo(
    part: Part,
    reason: Reason,
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
    by: By = None,
    yes: Yes = False,
    accept_changed_runbook: AcceptChanged = False,
) -> int:
    """NoGo for PART: the rollback starts and its message goes out."""
    return _step("nogo", part, reason, state_dir=state_dir, release=release, dry_run=dry_run,
                 by=by, yes=yes, accept=accept_changed_runbook)  # fmt: skip


@app.command()
def hold(
    part: Part,
    reason: Reason,
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
    by: By = None,
    accept_changed_runbook: AcceptChanged = False,
) -> int:
    """The decision on PART waits, with a reason (journaled; nothing is sent)."""
    return _step("hold", part, reason, state_dir=state_dir, release=release, dry_run=dry_run,
                 by=by, yes=True, accept=accept_changed_runbook)  # fmt: skip


@app.command()
def progress(
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
    by: By = None,
    yes: Yes = False,
    accept_changed_runbook: AcceptChanged = False,
) -> int:
    """Send the mid-part status message of the part in progress."""
    return _step("progress", None, None, state_dir=state_dir, release=release, dry_run=dry_run,
                 by=by, yes=yes, accept=accept_changed_runbook)  # fmt: skip


@app.command("rollback-done")
def rollback_done(
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
    by: By = None,
    yes: Yes = False,
    accept_changed_runbook: AcceptChanged = False,
) -> int:
    """The rollback is finished: its message goes out and the window closes."""
    return _step("rollback_done", None, None, state_dir=state_dir, release=release,
                 dry_run=dry_run, by=by, yes=yes, accept=accept_changed_runbook)  # fmt: skip


@app.command()
def end(
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
    by: By = None,
    yes: Yes = False,
    accept_changed_runbook: AcceptChanged = False,
) -> int:
    """The window ends: the window-completed message goes out."""
    return _step("end", None, None, state_dir=state_dir, release=release, dry_run=dry_run,
                 by=by, yes=yes, accept=accept_changed_runbook)  # fmt: skip


@app.command()
def status(
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
) -> int:
    """Where the night stands, against the plan and the clock. Never waits for the lock."""
    from gonogo.night.clock import default_clock  # noqa: PLC0415
    from gonogo.night.view import night_view  # noqa: PLC0415
    from gonogo.render.status import print_status, status_json  # noqa: PLC0415

    view = night_view(state_dir, release, dry_run, default_clock())
    if as_json:
        typer.echo(status_json(view))
    else:
        print_status(view)
    return 0


@app.command()
def log(
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
) -> int:
    """The journal as a timeline in the runbook's time zone. Never waits for the lock."""
    from gonogo.night.clock import default_clock  # noqa: PLC0415
    from gonogo.night.view import night_view  # noqa: PLC0415
    from gonogo.render.log import print_log  # noqa: PLC0415

    print_log(night_view(state_dir, release, dry_run, default_clock()))
    return 0


@app.command()
def resume(
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
    by: By = None,
    yes: Yes = False,
    accept_changed_runbook: AcceptChanged = False,
) -> int:
    """Finish a dispatch that a crash interrupted: pending rows sent, in-flight reconciled."""
    from gonogo.night import steps  # noqa: PLC0415

    session = make_session(
        state_dir=state_dir, release=release, dry_run=dry_run, by=by, yes=yes,
        accept_changed=accept_changed_runbook,
    )  # fmt: skip
    return _finish(steps.resume(session))


@app.command("retry-failed")
def retry_failed(
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
    by: By = None,
    yes: Yes = False,
    accept_changed_runbook: AcceptChanged = False,
) -> int:
    """Try the failed deliveries again."""
    from gonogo.night import steps  # noqa: PLC0415

    session = make_session(
        state_dir=state_dir, release=release, dry_run=dry_run, by=by, yes=yes,
        accept_changed=accept_changed_runbook,
    )  # fmt: skip
    return _finish(steps.retry_failed(session))


@app.command()
def deliveries(
    state_dir: StateDir = None,
    release: Release = None,
    dry_run: DryRun = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="Every delivery, not only problems.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
) -> int:
    """What was delivered per message, and every failed or in-doubt delivery with its reason."""
    from gonogo.night.clock import default_clock  # noqa: PLC0415
    from gonogo.night.view import night_view  # noqa: PLC0415
    from gonogo.render.deliveries import print_deliveries  # noqa: PLC0415

    view = night_view(state_dir, release, dry_run, default_clock())
    return print_deliveries(view, show_all=show_all, as_json=as_json)
