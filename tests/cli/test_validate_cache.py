"""`gonogo validate` remembers recipients-file checks across runs, keyed by content.

Each test runs validate as a fresh process, as pre-commit and CI do, with its own
cache directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import email_validator
import idna
import phonenumbers
import pytest

from gonogo.runbook.check_cache import _library_version, default_cache_dir
from runbook.base import QUIET, edit

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = edit("    name: Drift\n", "    name: Drift\n    recipients: drift.csv\n", QUIET)
GOOD = "name,phone,email,language\nAnna,+46701740605,anna@example.org,sv\n"
BAD_PHONE = "name,phone,email,language\nAnna,0701740605,anna@example.org,sv\n"
BAD_PHONE_LINE = (
    "drift.csv:2:6: error: phone number must be in international form, + and country "
    "code, e.g. +46701740605 [recipients]"
)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def validate(
    folder: Path, cache: Path, *args: str, check_imports: bool = False
) -> tuple[int, list[str], set[str]]:
    """(exit code, output lines, modules imported if asked) of `gonogo validate`."""
    probe = ["-X", "importtime"] if check_imports else []
    done = subprocess.run(
        [sys.executable, *probe, "-m", "gonogo", "validate", *args, "runbook.yaml"],
        capture_output=True,
        text=True,
        check=False,
        cwd=folder,
        env={**os.environ, "GONOGO_CACHE_DIR": str(cache)},
    )
    assert "Traceback" not in done.stderr, done.stderr
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line}
    return done.returncode, done.stdout.splitlines(), modules


def setup(folder: Path, recipients: str) -> None:
    (folder / "runbook.yaml").write_text(RUNBOOK, encoding="utf-8")
    (folder / "drift.csv").write_text(recipients, encoding="utf-8")


def entries(cache: Path) -> list[Path]:
    return sorted((cache / "recipients").glob("*.json")) if cache.exists() else []


def test_second_run_reads_the_cache_and_loads_no_number_or_address_library(
    tmp_path: Path, cache: Path
) -> None:
    setup(tmp_path, BAD_PHONE)
    first = validate(tmp_path, cache, check_imports=True)
    assert first[:2] == (1, [BAD_PHONE_LINE, "1 file checked: 1 error(s), 0 warning(s): invalid"])
    assert {"phonenumbers", "email_validator"} <= first[2]
    assert len(entries(cache)) == 1

    second = validate(tmp_path, cache, check_imports=True)
    assert second[:2] == first[:2]
    assert not {"phonenumbers", "email_validator"} & second[2]


def test_what_the_cache_holds_is_what_is_reported(tmp_path: Path, cache: Path) -> None:
    # Proof that a second run answers from the entry, not from a fresh check.
    setup(tmp_path, GOOD)
    assert validate(tmp_path, cache)[0] == 0
    [entry] = entries(cache)
    entry.write_text(json.dumps([[2, 1, "warning", "planted in the cache"]]), encoding="utf-8")
    code, lines, _ = validate(tmp_path, cache)
    assert (code, lines[0]) == (0, "drift.csv:2:1: warning: planted in the cache [recipients]")


def test_a_changed_file_is_checked_afresh(tmp_path: Path, cache: Path) -> None:
    setup(tmp_path, GOOD)
    assert validate(tmp_path, cache)[:2] == (
        0,
        ["1 file checked: 0 error(s), 0 warning(s): valid"],
    )
    (tmp_path / "drift.csv").write_text(BAD_PHONE, encoding="utf-8")
    code, lines, _ = validate(tmp_path, cache)
    assert (code, lines[0]) == (1, BAD_PHONE_LINE)
    assert len(entries(cache)) == 2
    # And back: the first entry answers again.
    (tmp_path / "drift.csv").write_text(GOOD, encoding="utf-8")
    assert validate(tmp_path, cache)[0] == 0
    assert len(entries(cache)) == 2


@pytest.mark.parametrize(
    "damage",
    ["", "{not json", '{"problems": []}', "[[2, 1, 'error']]", '[[2, "x", "error", "m"]]'],
)
def test_a_damaged_entry_is_checked_afresh_and_replaced(
    tmp_path: Path, cache: Path, damage: str
) -> None:
    setup(tmp_path, BAD_PHONE)
    expected = validate(tmp_path, cache)[:2]
    [entry] = entries(cache)
    entry.write_text(damage, encoding="utf-8")
    assert validate(tmp_path, cache)[:2] == expected
    assert json.loads(entry.read_text(encoding="utf-8"))[0][:3] == [2, 6, "error"]


def test_no_cache_neither_reads_nor_writes(tmp_path: Path, cache: Path) -> None:
    setup(tmp_path, GOOD)
    assert validate(tmp_path, cache, "--no-cache")[0] == 0
    assert entries(cache) == []
    assert validate(tmp_path, cache)[0] == 0
    [entry] = entries(cache)
    entry.write_text(json.dumps([[2, 1, "error", "planted"]]), encoding="utf-8")
    assert validate(tmp_path, cache, "--no-cache")[:2] == (
        0,
        ["1 file checked: 0 error(s), 0 warning(s): valid"],
    )


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path: Path) -> None:
    setup(tmp_path, BAD_PHONE)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory", encoding="utf-8")
    for _ in range(2):
        assert validate(tmp_path, blocked)[:2] == (
            1,
            [BAD_PHONE_LINE, "1 file checked: 1 error(s), 0 warning(s): invalid"],
        )
    assert blocked.read_text(encoding="utf-8") == "not a directory"


def test_a_file_that_cannot_be_read_is_not_cached(tmp_path: Path, cache: Path) -> None:
    setup(tmp_path, "")
    (tmp_path / "drift.csv").write_bytes(b"name,phone,email,language\nJ\xf6ns,+46701740605,,\n")
    for _ in range(2):
        code, lines, _ = validate(tmp_path, cache)
        assert code == 1
        assert "recipients file is not UTF-8 (byte 0xf6)" in lines[0]
    assert entries(cache) == []


def test_cached_and_fresh_checks_agree_on_every_bundled_runbook(tmp_path: Path) -> None:
    runbooks = [
        str(path)
        for path in [
            *sorted((ROOT / "runbooks").glob("*.yaml")),
            *(ROOT / "examples").glob("*.yaml"),
        ]
    ]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "gonogo", "validate", "--format", "json", *args, *runbooks],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "GONOGO_CACHE_DIR": str(tmp_path / "cache")},
        )

    fresh = run("--no-cache")
    filling = run()
    cached = run()
    assert len(entries(tmp_path / "cache")) >= 4
    assert fresh.stdout == filling.stdout == cached.stdout
    assert fresh.returncode == filling.returncode == cached.returncode == 0


def test_where_the_cache_lives(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("GONOGO_CACHE_DIR", raising=False)
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "gonogo"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "gonogo"
    monkeypatch.setenv("GONOGO_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"


def test_no_cache_without_a_home_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("GONOGO_CACHE_DIR", raising=False)
    # Python 3.11 gives "~" itself when it finds no home; 3.12 raises.
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: Path("~")))
    assert default_cache_dir() is None

    def no_home(cls: type[Path]) -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", classmethod(no_home))
    assert default_cache_dir() is None


def test_the_key_is_made_of_versions_not_install_times() -> None:
    # A CI job keeps the cache between runs but installs a fresh virtualenv each time.
    assert f"phonenumbers-{phonenumbers.__version__}.dist-info" in _library_version("phonenumbers")
    assert f"-{email_validator.__version__}.dist-info" in _library_version("email_validator")
    assert f"idna-{idna.__version__}.dist-info" in _library_version("idna")


def test_entries_unused_for_30_days_are_removed(tmp_path: Path, cache: Path) -> None:
    setup(tmp_path, GOOD)
    assert validate(tmp_path, cache)[0] == 0
    [used] = entries(cache)
    stale = cache / "recipients" / ("0" * 64 + ".json")
    stale.write_text("[]", encoding="utf-8")
    days = 24 * 3600
    os.utime(stale, (time.time() - 31 * days,) * 2)
    os.utime(used, (time.time() - 29 * days,) * 2)

    assert validate(tmp_path, cache)[0] == 0  # a hit: the entry counts as used now
    assert time.time() - used.stat().st_mtime < days
    assert stale.exists()  # only writing a new entry prunes

    (tmp_path / "drift.csv").write_text(BAD_PHONE, encoding="utf-8")
    assert validate(tmp_path, cache)[0] == 1
    assert used.exists()
    assert not stale.exists()
    assert len(entries(cache)) == 2
