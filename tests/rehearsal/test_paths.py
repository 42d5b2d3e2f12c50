"""`rehearse --all-paths` stays fast without rehearsing anything less than the night:
stand-in recipients reach exactly the texts the whole lists reach, and paths that begin
alike, run once up to where they part, leave the journals a full run leaves."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from gonogo.cli import runner
from gonogo.night.dispatch import addressees, press_addressees, stand_ins
from gonogo.rehearsal.engine import rehearse
from gonogo.rehearsal.forks import plan_forks
from gonogo.rehearsal.paths import all_paths, generate
from gonogo.runbook import check_cache
from gonogo.runbook.catalog import iter_messages
from gonogo.runbook.validate import load_valid

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"


@pytest.fixture
def overlapping(tmp_path: Path) -> Path:
    """21.0 with recipients in two audiences and in two languages: the deduplication
    across audiences decides which audience a shared address is counted in."""
    shutil.copytree(RUNBOOKS, tmp_path / "rb")
    csv = tmp_path / "rb" / "recipients" / "apotek.csv"
    csv.write_text(
        csv.read_text(encoding="utf-8")
        # Also in vard (same phone, another e-mail): by SMS only vard's row goes out.
        + "Region Dalarna apoteksjour,+46701740605,apoteksjour@dalarna.example.org,sv\n"
        + "Apotek Exempel Väst (engelska),+46701740625,vast@apotek.example.com,en\n",
        encoding="utf-8",
    )
    return tmp_path / "rb" / "release-21.0.yaml"


def test_stand_ins_reach_exactly_the_texts_the_whole_lists_reach(overlapping: Path) -> None:
    runbook = load_valid(overlapping).runbook
    assert runbook is not None
    base = overlapping.parent
    for located in iter_messages(runbook):
        message = located.message
        if message.silent:
            continue
        for narrowed in ((), ("apotek",), ("vard", "press")):
            whole = addressees(runbook, base, message, narrowed)
            with stand_ins():
                few = addressees(runbook, base, message, narrowed)
                assert addressees(runbook, base, message, narrowed) == few  # planned once
            groups = {row[:3] for row in whole}
            assert [row[:3] for row in few] == list(dict.fromkeys(row[:3] for row in whole))
            assert set(few) <= set(whole)
            assert len(few) == len(groups)
    whole_press = press_addressees(runbook, base)
    with stand_ins():
        few_press = press_addressees(runbook, base)
    assert {r[:2] for r in few_press} == {r[:2] for r in whole_press}
    assert len(few_press) == len({r[:2] for r in whole_press})


def test_the_shared_address_counts_in_its_first_audience_with_stand_ins_too(
    overlapping: Path,
) -> None:
    runbook = load_valid(overlapping).runbook
    assert runbook is not None
    message = runbook.messages.window_started
    assert message is not None
    with stand_ins():
        sms = [r for r in addressees(runbook, overlapping.parent, message) if r[0] == "sms"]
    assert ("sms", "apotek", "en") in {r[:3] for r in sms}
    assert "+46701740605" not in {r[3] for r in sms if r[1] == "apotek"}


def _rows(journal: Path) -> list[list[tuple[object, ...]]]:
    db = sqlite3.connect(journal)
    try:
        return [db.execute(f"SELECT * FROM {table}").fetchall()  # our table names
                for table in ("events", "deliveries", "delivery_log")]  # fmt: skip
    finally:
        db.close()


def test_a_path_that_begins_like_another_leaves_the_journal_of_a_full_run(
    tmp_path: Path,
) -> None:
    path = RUNBOOKS / "release-21.0.yaml"
    runbook = load_valid(path).runbook
    assert runbook is not None
    scenarios = generate(runbook)
    forks = plan_forks(scenarios)
    assert forks[0] is None  # the first path runs from its start
    index = next(i for i, s in enumerate(scenarios) if s.name == "hold at part 3")
    source = forks[index]
    assert source is not None
    assert scenarios[source[0]].actions[: source[1]] == scenarios[index].actions[: source[1]]
    execute = runner()
    result = all_paths(runbook, path, tmp_path / "all", execute)
    assert result.ok
    assert not (tmp_path / "all" / ".forks").exists()
    # each path's journal let go after its conclusion: checkpointed into its one file
    assert list((tmp_path / "all").glob("path-*/21.0/rehearsal/journal.sqlite")) != []
    assert list((tmp_path / "all").glob("path-*/21.0/rehearsal/journal.sqlite-*")) == []
    with stand_ins():
        alone = rehearse(runbook, path, scenarios[index], tmp_path / "alone", execute)
    assert alone.ok
    forked = result.outcomes[index]
    assert [(s.command, s.code, s.output) for s in forked.steps] == [
        (s.command, s.code, s.output) for s in alone.steps
    ]
    journal = Path("21.0") / "rehearsal" / "journal.sqlite"
    assert _rows(tmp_path / "all" / f"path-{index + 1:02d}" / journal) == _rows(
        tmp_path / "alone" / journal
    )
    outbox = Path("21.0") / "rehearsal" / "outbox"
    mine = sorted((p.name, p.read_text()) for p in (forked.state_dir / outbox).iterdir())
    assert mine == sorted((p.name, p.read_text()) for p in (alone.state_dir / outbox).iterdir())
    # In one process, each text any path sent is one file on disk, linked into every
    # path that sent it: the same texts after a fork too, not only the fork's copies.
    inodes: dict[str, set[int]] = {}
    for file in (tmp_path / "all").glob(f"path-*/{outbox}/*.txt"):
        inodes.setdefault(file.read_text(encoding="utf-8"), set()).add(file.stat().st_ino)
    assert all(len(found) == 1 for found in inodes.values())


def test_a_runbook_with_many_audiences_checks_each_recipients_file_once(
    tmp_path: Path,
) -> None:
    source = (RUNBOOKS / "recipients" / "vard.csv").read_bytes()
    files = []
    for n in range(12):  # more audiences than the cache once held (8)
        csv = tmp_path / f"a{n}.csv"
        csv.write_bytes(source + f"Extra {n},+467017406{50 + n},extra{n}@example.org,sv\n".encode())
        files.append(csv)
    first = [check_cache.checked_recipients(f, f.read_bytes()) for f in files]
    again = [check_cache.checked_recipients(f, f.read_bytes()) for f in files]
    assert all(a is b for a, b in zip(first, again, strict=True))
