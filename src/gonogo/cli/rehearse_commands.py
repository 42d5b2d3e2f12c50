"""`gonogo rehearse`: scripted scenarios and every path, on a simulated clock."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.json_output import AsJson, echo_json
from gonogo.errors import Stop, StoppedError

if TYPE_CHECKING:
    from gonogo.rehearsal.engine import Outcome
    from gonogo.rehearsal.paths import PathsResult
    from gonogo.rehearsal.scenario import Scenario


@app.command()
def rehearse(
    runbook: Annotated[Path, typer.Argument(help="The runbook.")],
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="A scenario file (YAML).")
    ] = None,
    all_paths: Annotated[
        bool, typer.Option("--all-paths", help="Generate and rehearse every path.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where the rehearsal's journal and outbox go."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show each command's output.")
    ] = False,
    as_json: AsJson = False,
    junit_xml: Annotated[
        Path | None,
        typer.Option(
            "--junit-xml", help="Also write the result as JUnit XML, for CI.", metavar="FILE"
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="With --all-paths: rehearse paths in N processes side by side "
            "(default: this machine's cores, at most 4).",
        ),
    ] = None,
) -> int:
    """Rehearse the night on a simulated clock; exit 0 only if every expectation held."""
    from gonogo.cli import runner  # noqa: PLC0415
    from gonogo.night.runs import load_cached  # noqa: PLC0415
    from gonogo.render.rehearsal import print_outcome, print_paths  # noqa: PLC0415

    if scenario is None and not all_paths:
        raise typer.BadParameter("give --scenario FILE or --all-paths")
    if all_paths:
        from gonogo.rehearsal.ahead import check_ahead  # noqa: PLC0415
        from gonogo.rehearsal.lanes import default_jobs  # noqa: PLC0415

        jobs = jobs or default_jobs()
        check_ahead(runbook, jobs)  # the recipients files, one lane per core
    loaded = load_cached(runbook)
    assert loaded.runbook is not None
    from gonogo.rehearsal.out_dir import claim  # noqa: PLC0415

    # Every input is checked before `--out` is emptied: a refused rehearsal keeps the last.
    # Each action's words too, as the command line would parse them (never run them).
    plan = None if scenario is None else _checked_scenario(runbook, scenario, as_json)
    work = claim(out, "gonogo-paths-" if all_paths else "gonogo-rehearsal-")
    execute = runner()
    if all_paths:
        from gonogo.rehearsal.paths import all_paths as run_all  # noqa: PLC0415

        assert jobs is not None
        with _interrupted_in(work):
            result = run_all(loaded.runbook, runbook, work, execute, jobs)
        if not as_json:
            print_paths(result, work, verbose=verbose)
        _machine_readable(runbook, result.outcomes, work, result, as_json, junit_xml)
        return 0 if result.ok else 1
    assert plan is not None
    from gonogo.rehearsal.engine import rehearse as run_one  # noqa: PLC0415

    state_dir = work
    with _interrupted_in(state_dir):
        outcome = run_one(loaded.runbook, runbook, plan, state_dir, execute)
    if not as_json:
        print_outcome(outcome, verbose=verbose)
    _machine_readable(runbook, [outcome], state_dir, None, as_json, junit_xml)
    return 0 if outcome.ok else 1


def _checked_scenario(runbook: Path, scenario: Path, as_json: bool) -> Scenario:
    from gonogo.cli import usage_problem  # noqa: PLC0415
    from gonogo.errors import RunbookError  # noqa: PLC0415
    from gonogo.rehearsal.engine import argv_for  # noqa: PLC0415
    from gonogo.rehearsal.scenario import load_scenario  # noqa: PLC0415

    def check(words: list[str]) -> str | None:
        # As the rehearsal runs them (`start` gets the runbook, each --state-dir); refused
        # so, the words as written may say it better (`incident` needs a command).
        problem = usage_problem(argv_for(words, runbook, Path("state")))
        return problem and (usage_problem(words) or problem)

    try:
        return load_scenario(scenario, check)
    except RunbookError as exc:
        if as_json:  # a CI job reading stdout gets a verdict; the words go to stderr too
            from gonogo.render.json_views import refused_json  # noqa: PLC0415

            echo_json(refused_json(runbook, scenario, exc.message))
        raise


@contextlib.contextmanager
def _interrupted_in(work: Path) -> Iterator[None]:
    """Ctrl-C or a stop signal ends the whole rehearsal (130, or 128 plus the signal),
    saying where the journals of what it did so far are; no verdict on the rest."""
    try:
        yield
    except (KeyboardInterrupt, Stop) as exc:
        signum = exc.signum if isinstance(exc, Stop) else None
        raise StoppedError(f"the rehearsal was interrupted; what it did so far is in {work}",
                           signum=signum) from exc  # fmt: skip


def _machine_readable(
    runbook: Path, outcomes: list[Outcome], out: Path, paths: PathsResult | None,
    as_json: bool, junit_xml: Path | None,
) -> None:  # fmt: skip
    if not as_json and junit_xml is None:
        return
    from gonogo.render.json_views import rehearsal_json  # noqa: PLC0415

    document = rehearsal_json(runbook, outcomes, out, paths)
    if as_json:
        echo_json(document)
    if junit_xml is not None:
        from gonogo.regular_file import write_output  # noqa: PLC0415
        from gonogo.render.junit import junit_xml as to_xml  # noqa: PLC0415

        junit_xml.parent.mkdir(parents=True, exist_ok=True)
        write_output(junit_xml, to_xml(document).encode("utf-8"))
        if not as_json:
            typer.echo(f"Wrote {junit_xml}")
