"""A journal and a runbook must be those of the run they are found for.

A journal copied into another release's (or mode's) directory is refused by every
command, naming both runs, before anything is journaled or sent; `journal check` says
so. A runbook changed mid-night so that the parts already begun are other parts now is
refused by every command, also with --accept-changed-runbook, naming the file and the
part; a decision is never re-attributed to another part by its number.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from tests.cli.test_night_cli import (
    RUNBOOKS,
    gonogo,
    journal_path,
    ok,
    runbook,
    snapshot,
)

from servers.gonogo_forks import gonogo as forked

EXAMPLES = RUNBOOKS.parent / "examples"
__all__ = ["runbook"]  # the fixture: a copy of the 21.0 runbook, free to modify
VIEWS = (("status",), ("log",), ("report",), ("deliveries",))


def _minimal_beside(runbook: Path) -> Path:
    """examples/minimal.yaml, with its recipients, in the runbook's directory."""
    shutil.copy(EXAMPLES / "recipients" / "minimal.csv", runbook.parent / "recipients")
    shutil.copy(EXAMPLES / "minimal.yaml", runbook.parent / "minimal.yaml")
    return runbook.parent / "minimal.yaml"


def _night_at(state: Path, runbook: Path, *, gos: int) -> None:
    """A rehearsal of `runbook` in `state`, started and given Go on its first `gos` parts."""
    ok(state, "start", str(runbook))
    for part in range(1, gos + 1):
        ok(state, "go", str(part))


def _run(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`gonogo` on the rehearsal in `state`; --yes where the command takes it."""
    return gonogo(state, *args, yes=args[0] not in ("report", "deliveries", "journal"))


def _bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_a_journal_of_another_release_is_refused_by_every_command(
    runbook: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(_minimal_beside(runbook)))
    ok(state, "start", str(runbook))
    shutil.copy(state / "1.0" / "rehearsal" / "journal.sqlite", journal_path(state))
    before = snapshot(state)
    with_release = [(*c, "--release", "21.0") for c in (*VIEWS, ("go", "1"), ("progress",))]
    for command in (*with_release, ("start", str(runbook))):
        done = _run(state, *command)
        assert done.returncode == 1, command
        assert "Traceback" not in done.stderr
        assert f"the journal {journal_path(state)} does not belong there" in done.stderr
        assert "release 1.0's rehearsal" in done.stderr
        assert "release 21.0's rehearsal belongs" in done.stderr
        assert done.stderr.count("\n") == 2, done.stderr  # the error and its hint
    assert snapshot(state) == before  # nothing journaled, nothing in the outbox
    checked = _run(state, "journal", "check", "--release", "21.0")
    assert checked.returncode == 1
    assert "whole" not in checked.stdout.splitlines()[0]
    assert "release 1.0's rehearsal, but it lies where release 21.0's" in checked.stdout
    ok(state, "status", "--release", "1.0")  # the journal where it belongs is fine


def test_a_rehearsal_journal_in_the_real_runs_place_is_refused(
    runbook: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    real = state / "21.0" / "real"
    real.mkdir()
    shutil.copy(journal_path(state), real / "journal.sqlite")
    before = _bytes(real / "journal.sqlite")
    for command in (["status"], ["go", "1", "--yes"]):
        done = forked([*command, "--state-dir", str(state)])
        assert done.returncode == 1, command
        assert "release 21.0's rehearsal, but it lies where release 21.0's real run" in (
            done.stderr
        )
    assert _bytes(real / "journal.sqlite") == before


def _drop_part(runbook: Path, part: str, following: str) -> None:
    text = runbook.read_text(encoding="utf-8")
    start, end = text.index(f"  - id: {part}\n"), text.index(f"  - id: {following}\n")
    runbook.write_text(text[:start] + text[end:], encoding="utf-8")


def test_a_runbook_whose_begun_parts_changed_is_refused_even_when_accepted(
    runbook: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    _night_at(state, runbook, gos=2)
    _drop_part(runbook, "databas", "migrering")
    before = snapshot(state)
    for command in (*VIEWS, ("go", "3"), ("go", "3", "--accept-changed-runbook")):
        done = _run(state, *command)
        assert done.returncode == 1, command
        assert "Traceback" not in done.stderr
        assert f"the runbook {runbook} has changed since the night started" in done.stderr
        assert "part 1 'databas' got Go and is no longer in the runbook" in done.stderr
        assert "put back the runbook the night started with" in done.stderr
    assert snapshot(state) == before
    checked = _run(state, "journal", "check")
    assert "part 1 'databas' got Go and is no longer in the runbook" in checked.stdout


def test_a_part_moved_before_the_one_in_progress_is_named(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    _night_at(state, runbook, gos=1)
    text = runbook.read_text(encoding="utf-8")
    first = text.index("  - id: databas\n")
    second, third = text.index("  - id: migrering\n"), text.index("  - id: miljoer\n")
    swapped = text[:first] + text[second:third] + text[first:second] + text[third:]
    runbook.write_text(swapped.replace('"23:00"\n    duration: 1h', '"01:00"\n    duration: 1h'))
    done = gonogo(state, "go", "2", "--accept-changed-runbook")
    assert done.returncode == 1
    assert "part 1 'databas' got Go and is part 2 in the runbook now" in done.stderr
    assert "('migrering' is part 1)" in done.stderr


def test_another_runbook_in_the_runs_file_says_the_runbook_changed(
    runbook: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    _night_at(state, runbook, gos=2)
    shutil.copy(_minimal_beside(runbook), runbook)
    for command in (("status",), ("report",), ("go", "3", "--accept-changed-runbook")):
        done = _run(state, *command)
        assert done.returncode == 1, command
        assert f"the runbook {runbook} has changed since the night started" in done.stderr
        assert "it is release 1.0's runbook now, the night is release 21.0's" in done.stderr


def test_a_journal_from_before_part_ids_were_kept_says_the_runbook_changed(
    runbook: Path, tmp_path: Path
) -> None:
    """Without the part ids the change is found where the journal no longer replays."""
    state = tmp_path / "state"
    _night_at(state, runbook, gos=2)
    with closing(sqlite3.connect(journal_path(state))) as db, db:
        db.execute("DELETE FROM meta WHERE key = 'parts'")
    _drop_part(runbook, "databas", "ev")  # one part left: the second Go no longer fits
    done = gonogo(state, "status")
    assert done.returncode == 1
    assert f"the runbook {runbook} has changed since the night started" in done.stderr
    assert "does not fit state" in done.stderr
    assert "put back the runbook the night started with" in done.stderr


def test_a_change_that_keeps_the_begun_parts_is_accepted(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    _night_at(state, runbook, gos=1)
    text = runbook.read_text(encoding="utf-8")
    runbook.write_text(text.replace("title: Uppstart av miljöer", "title: Miljöerna startas"))
    ok(state, "go", "2", "--accept-changed-runbook")
    _drop_part(runbook, "databas", "migrering")  # now part 1 goes: refused again
    done = gonogo(state, "go", "3", "--accept-changed-runbook")
    assert "part 1 'databas' got Go and is no longer in the runbook" in done.stderr


def test_a_runbook_gone_from_its_path_is_named_with_what_to_do(
    runbook: Path, tmp_path: Path
) -> None:
    """The journal keeps the runbook's hash, not its content: the views need the file."""
    state = tmp_path / "state"
    _night_at(state, runbook, gos=1)
    moved = tmp_path / "moved.yaml"
    runbook.rename(moved)
    for command in VIEWS:
        done = _run(state, *command)
        assert done.returncode == 1, command
        assert f"the run's runbook {runbook} is gone" in done.stderr
        assert "keeps its hash, not its content" in done.stderr
        assert f"put the runbook the night ran with back at {runbook}" in done.stderr
    moved.rename(runbook)  # put back, the report is written
    written = _run(state, "report")
    assert written.returncode == 0, written.stderr
    assert "Databasförändringar" in written.stdout
    help_text = forked(["report", "--help"]).stdout
    assert "journal alone" not in help_text
    assert "the runbook it names" in help_text
