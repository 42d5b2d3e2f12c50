"""`gonogo rehearse`: scripted scenarios and every path, on a simulated clock."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gonogo.cli.app import app


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
) -> int:
    """Rehearse the night on a simulated clock; exit 0 only if every expectation held."""
    import tempfile  # noqa: PLC0415

    from gonogo.cli import runner  # noqa: PLC0415
    from gonogo.night.runs import load_cached  # noqa: PLC0415
    from gonogo.render.rehearsal import print_outcome, print_paths  # noqa: PLC0415

    if scenario is None and not all_paths:
        raise typer.BadParameter("give --scenario FILE or --all-paths")
    loaded = load_cached(runbook)
    assert loaded.runbook is not None
    execute = runner()
    if all_paths:
        from gonogo.rehearsal.paths import all_paths as run_all  # noqa: PLC0415

        work = out or Path(tempfile.mkdtemp(prefix="gonogo-paths-"))
        result = run_all(loaded.runbook, runbook, work, execute)
        print_paths(result, work, verbose=verbose)
        return 0 if result.ok else 1
    assert scenario is not None
    from gonogo.rehearsal.engine import rehearse as run_one  # noqa: PLC0415
    from gonogo.rehearsal.scenario import load_scenario  # noqa: PLC0415

    plan = load_scenario(scenario)
    state_dir = out or Path(tempfile.mkdtemp(prefix="gonogo-rehearsal-"))
    outcome = run_one(loaded.runbook, runbook, plan, state_dir, execute)
    print_outcome(outcome, verbose=verbose)
    return 0 if outcome.ok else 1
