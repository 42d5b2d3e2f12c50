"""The guided night's keys and its free command line: each does what a single command does.

A key asks for what its command needs (the part defaults to the one in progress; a
priority, a colour or a result is asked again until it is one the command takes); any
other line is run as a gonogo command in this process, as on the shell. It asks in the
runbook's language (run_words.py); what the commands themselves say is theirs.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer
import typer._click.core as click_core

from gonogo.cli.run_words import answers, said, shown
from gonogo.errors import GonogoError, StoppedError

if TYPE_CHECKING:
    from gonogo.night.executor import Outcome
    from gonogo.night.session import Session

# Unexpected errors (bugs) the guided night outlived: the session then never exits 0.
_UNEXPECTED: list[str] = []


def unexpected_errors() -> int:
    return len(_UNEXPECTED)


def new_session() -> None:
    """A guided night begins: no unexpected error of an earlier one in this process counts."""
    _UNEXPECTED.clear()


def act(action: Callable[[], object]) -> int:
    """Run one action; an error is one line and the night goes on (Ctrl-C ends it)."""
    import os  # noqa: PLC0415

    try:
        result = action()
    except StoppedError:
        raise
    except GonogoError as exc:
        typer.echo(f"gonogo: error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        return int(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        raise
    except Exception as exc:  # the guided night must outlive a bug
        if os.environ.get("GONOGO_DEBUG"):
            raise
        _UNEXPECTED.append(type(exc).__name__)
        typer.echo(
            f"gonogo: unexpected error ({type(exc).__name__}: {exc}); nothing more was done, "
            "the night stands as `s` shows",
            err=True,
        )
        return 1
    return result if isinstance(result, int) else 0


def command_line(
    dry_run: bool,
    state_dir: Path | None,
    by: str | None,
    journal: str | None = None,
    *,
    language: str,
) -> Callable[[str], int]:
    """A function running one typed gonogo command in this process; its exit code."""
    from gonogo.cli import _full_command, _guarded, usage_problem  # noqa: PLC0415

    group = _full_command()  # built once per process, as a rehearsal's

    def run(text: str) -> int:
        try:
            args = shlex.split(text)
        except ValueError as exc:
            typer.echo(f"gonogo: {exc}", err=True)
            return 2
        if args[:1] == ["gonogo"]:
            args = args[1:]
        if not args:
            return 0
        if args[0] in ("run", "rehearse"):
            typer.echo(f"gonogo: {said(language, 'not from inside', command=args[0])}", err=True)
            return 1
        args += _session_options(group, args, dry_run, state_dir, by, journal)
        problem = usage_problem(args)
        if problem is not None:  # one line, as every other error here, not click's three
            typer.echo(f"gonogo: error: {problem}", err=True)
            return 2

        def invoke(a: list[str]) -> object:
            return group.main(args=a, prog_name="gonogo", standalone_mode=False)

        return act(lambda: _guarded(invoke, args))

    return run


def _session_options(
    group: click_core.Command,
    args: list[str],
    dry_run: bool,
    state_dir: Path | None,
    by: str | None,
    journal: str | None,
) -> list[str]:
    """The guided night's own --dry-run, --state-dir, --by and --journal, where the command
    takes them."""
    command, rest = group, list(args)
    while hasattr(command, "get_command") and rest:
        sub = command.get_command(click_core.Context(command), rest[0])
        if sub is None:
            break
        command, rest = sub, rest[1:]
    names = {p.name for p in command.params}
    extra: list[str] = []
    if dry_run and "dry_run" in names and "--dry-run" not in args:
        extra.append("--dry-run")
    if state_dir is not None and "state_dir" in names and "--state-dir" not in args:
        extra += ["--state-dir", str(state_dir)]
    if by and "by" in names and "--by" not in args:
        extra += ["--by", by]
    if journal is not None and "journal" in names and "--journal" not in args:
        extra += ["--journal", journal]
    return extra


def text(language: str, question: str, default: str | None = None) -> str:
    """Asked again until it is not blank (a blank reason is refused anyway)."""
    while True:
        answer = str(typer.prompt(question, default=default, show_default=bool(default)))
        if answer.strip():
            return answer.strip()
        typer.echo(said(language, "type something"))


def choose(
    language: str, question: str, options: tuple[str, ...], default: str | None = None
) -> str:
    """One of `options` (typed as the command takes it or as it is shown), asked again on
    anything else."""
    words = answers(language, options)
    while True:
        answer = str(typer.prompt(question, default=default)).strip().lower()
        if answer in words:
            return words[answer]
        listed = ", ".join(shown(language, options))
        typer.echo(said(language, "not one of", answer=answer, options=listed))


def key(
    session: Session,
    choice: str,
    current: int | None,
    incidents: list[str],
    ref: str = "",
    *,
    language: str,
) -> bool:
    """Carry out one key (`ref`: the part typed after it, as in `g 2`), asking in the
    runbook's `language`; False when it is not a key."""
    from gonogo.night import actions  # noqa: PLC0415
    from gonogo.render.summary import print_summary  # noqa: PLC0415

    def ask(what: str, default: str | None = None) -> str:
        return text(language, said(language, what), default)

    def part() -> str:
        default = str(current) if current else None
        return ref or str(typer.prompt(said(language, "part"), default=default))

    def done(outcome: Callable[[], Outcome]) -> None:
        act(lambda: print_summary(outcome()))

    step = {"p": "progress", "e": "end", "d": "rollback_done"}
    if choice in step:
        done(lambda: actions.step(session, step[choice]))
    elif choice == "g":
        ref = part()
        done(lambda: actions.step(session, "go", ref))
    elif choice == "o":
        ref, why = part(), ask("reason override")
        done(lambda: actions.step(session, "go", ref, why, override_verification=True))
    elif choice in ("n", "h"):
        trigger = "nogo" if choice == "n" else "hold"
        ref, why = part(), ask("reason")
        done(lambda: actions.step(session, trigger, ref, why))
    elif choice == "v":
        who = ask("participant", "start")
        if who.lower() == "start":
            done(lambda: actions.verify_start(session))
        else:
            result = _choose(language, "result", ("ok", "fail", "skip"))
            note = typer.prompt(said(language, "note"), default="", show_default=False)
            done(lambda: actions.verify_report(session, who, result, note.strip() or None))
    elif choice in ("i", "x"):
        _incident_or_disruption(session, choice, done, language)
    elif choice in ("u", "r"):
        incident = ask("incident id", incidents[0] if len(incidents) == 1 else None)
        if choice == "u":
            summary = ask("summary")
            done(lambda: actions.update_incident(session, incident, summary))
        else:
            closing = typer.prompt(
                said(language, "closing summary"), default="", show_default=False
            )
            done(lambda: actions.resolve_incident(session, incident, closing.strip() or None))
    elif choice == "l":
        service = ask("service")
        colour = _choose(language, "colour", ("green", "yellow", "red"))
        why = ask("reason")
        done(lambda: actions.set_light(session, service, colour, why))
    elif choice == "f":
        done(lambda: actions.retry_failed(session))
    else:
        return False
    return True


def _choose(language: str, what: str, options: tuple[str, ...]) -> str:
    """`choose` for a question whose text names its choices (in Swedish)."""
    question = said(language, what, options=", ".join(shown(language, options)))
    return choose(language, question, options)


def _incident_or_disruption(
    session: Session,
    choice: str,
    done: Callable[[Callable[[], Outcome]], None],
    language: str,
) -> None:
    from gonogo.night import actions  # noqa: PLC0415

    priority = 0
    if choice == "i":
        question = said(language, "priority")
        priority = int(choose(language, question, ("1", "2", "3", "4", "5"), "2"))
    summary = text(language, said(language, "summary"))
    raw = typer.prompt(said(language, "services"), default="", show_default=False)
    services = [s.strip() for s in str(raw).split(",") if s.strip()]
    if choice == "i":
        done(lambda: actions.open_incident(session, priority, summary, services, None, None))
    else:
        done(lambda: actions.disruption(session, summary, services))
