"""Options shared by the commands that act on a run, and the Session they make."""

from __future__ import annotations

import getpass
import inspect
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gonogo.cli.answers import confirmed, yes_or_no
from gonogo.errors import UsageError

if TYPE_CHECKING:
    from gonogo.night.session import Session
    from gonogo.night.view import NightView

StateDir = Annotated[
    Path | None,
    typer.Option(
        "--state-dir",
        help="Where runs live (default .gonogo, or $GONOGO_STATE_DIR).",
        parser=Path,  # as typed; Typer's own path handling costs a validator per command
        metavar="<path>",
    ),
]
Release = Annotated[
    str | None, typer.Option("--release", help="Which release's run, when several exist.")
]
JournalUrl = Annotated[
    str | None,
    typer.Option(
        "--journal",
        metavar="URL",
        help="A shared journal: postgresql://HOST/DB (default $GONOGO_JOURNAL_URL, "
        "else the SQLite file in the state directory).",
        show_default=False,
    ),
]
DryRun = Annotated[bool, typer.Option("--dry-run", help="Act on the rehearsal: nothing is sent.")]
# The same option on a command that only reads: it sends nothing either way.
ReadDryRun = Annotated[
    bool, typer.Option("--dry-run", help="Read the rehearsal's run, not the real one.")
]
By = Annotated[
    str | None, typer.Option("--by", help="Operator name for the journal (default: OS user).")
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Answer yes to confirmations.")]
AcceptChanged = Annotated[
    bool,
    typer.Option(
        "--accept-changed-runbook",
        help="Go on although the runbook changed since the run started (journaled).",
    ),
]


def operator(by: str | None) -> str:
    """Who acts: `--by`, else the system user. A name is journaled and shown to every
    operator after: blank or with a terminal control character, it is refused as any
    operator's text is (`require_reason`: exit 1, nothing done)."""
    if by is not None:
        from gonogo.night.decisions.names import require_reason  # noqa: PLC0415

        return require_reason(by, "who acts", "--by")
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _env_seconds(name: str, default: float | None) -> float | None:
    """A number of seconds from the environment: finite and not negative, else a usage
    error before anything is journaled or sent."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise UsageError(
            f"{name}={text[:40]!r} is not a number of seconds (0 or more)",
            hint=f"set {name} to seconds, e.g. 5, or unset it",
        )
    return seconds


def make_session(
    *,
    state_dir: Path | None,
    release: str | None = None,
    dry_run: bool = False,
    by: str | None = None,
    yes: bool = False,
    accept_changed: bool = False,
    journal: str | None = None,
) -> Session:
    from gonogo.night.clock import default_clock  # noqa: PLC0415
    from gonogo.night.pg_url import masked_command  # noqa: PLC0415
    from gonogo.night.places import journal_url  # noqa: PLC0415
    from gonogo.night.session import Session  # noqa: PLC0415

    def confirm(question: str, language: str) -> bool:
        return True if yes else confirmed(question, language)

    def show(line: str) -> None:
        typer.echo(line)

    def decide(question: str, default: bool, language: str) -> bool:
        if yes:
            return default  # --yes confirms steps; it does not make choices
        try:
            return yes_or_no(question, language, default=default)
        except typer.Abort:
            return default

    return Session(
        clock=default_clock(),
        operator=operator(by),
        confirm=confirm,
        show=show,
        decide=decide,
        state_dir=state_dir,
        release=release,
        dry_run=dry_run,
        journal_url=journal_url(journal),
        accept_changed_runbook=accept_changed,
        lock_wait=_env_seconds("GONOGO_LOCK_WAIT", 5.0) or 0.0,
        settle=_env_seconds("GONOGO_SETTLE", None),
        command=masked_command(["gonogo", *sys.argv[1:]]),  # shown to other operators
    )


# The options every command that acts on a run takes, declared once.
_RUN_OPTIONS: tuple[tuple[str, object, object], ...] = (
    ("state_dir", StateDir, None),
    ("release", Release, None),
    ("dry_run", ReadDryRun, False),
    ("journal", JournalUrl, None),
)
_ACTING_OPTIONS = (
    *[
        (name, DryRun if name == "dry_run" else kind, default)
        for name, kind, default in _RUN_OPTIONS
    ],
    ("by", By, None),
    ("yes", Yes, False),
    ("accept_changed_runbook", AcceptChanged, False),
)


def _with_options(
    fn: Callable[..., int],
    options: tuple[tuple[str, object, object], ...],
    build: Callable[..., object],
) -> Callable[..., int]:
    """`fn(first, **own)` as a command whose signature is its own options plus `options`.

    Typer reads the signature; the shared options become `build(**shared)`, which is
    passed to `fn` as its first argument.
    """
    own = list(inspect.signature(fn).parameters.values())[1:]
    resolved = [
        p.replace(annotation=eval(p.annotation, fn.__globals__))  # noqa: S307  # our own source
        if isinstance(p.annotation, str)
        else p
        for p in own
    ]
    shared = [
        inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=default,
                          annotation=annotation)
        for name, annotation, default in options
    ]  # fmt: skip
    names = [name for name, _a, _d in options]

    def command(**kwargs: object) -> int:
        first = build(**{name: kwargs.pop(name) for name in names})
        return fn(first, **kwargs)

    params = [*resolved, *shared]
    command.__name__ = fn.__name__
    command.__doc__ = fn.__doc__
    command.__signature__ = inspect.Signature(params, return_annotation=int)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params} | {"return": int}
    return command


def acting(fn: Callable[..., int]) -> Callable[..., int]:
    """A command that changes a run: it gets a Session built from the shared options."""

    def build(
        *, state_dir: Path | None, release: str | None, dry_run: bool, journal: str | None,
        by: str | None, yes: bool, accept_changed_runbook: bool,
    ) -> Session:  # fmt: skip
        return make_session(state_dir=state_dir, release=release, dry_run=dry_run, by=by,
                            yes=yes, accept_changed=accept_changed_runbook,
                            journal=journal)  # fmt: skip

    return _with_options(fn, _ACTING_OPTIONS, build)


def viewing(fn: Callable[..., int]) -> Callable[..., int]:
    """A read-only command: it gets the run's NightView; it never waits for the lock."""

    def build(
        *, state_dir: Path | None, release: str | None, dry_run: bool, journal: str | None
    ) -> NightView:
        from gonogo.night.clock import default_clock  # noqa: PLC0415
        from gonogo.night.view import night_view  # noqa: PLC0415

        return night_view(state_dir, release, dry_run, default_clock(), journal)

    return _with_options(fn, _RUN_OPTIONS, build)


def view_of(session: Session) -> NightView:
    """The read-only view of the run a session would act on."""
    from gonogo.night.view import night_view  # noqa: PLC0415

    return night_view(session.state_dir, session.release, session.dry_run, session.clock,
                      session.journal_url or "")  # fmt: skip
