"""The pre-commit hook, run by pre-commit itself on a throwaway git repository.

The hook is this repository's .pre-commit-hooks.yaml entry, copied into a `repo: local`
hook with `language: system` pointing at the installed gonogo, so pre-commit does not
build an environment from the network; its files filter, arguments and serial flag are
exactly the published ones.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org",
                    "-c", "commit.gpgsign=false", *args],
                   cwd=repo, check=True, capture_output=True)  # fmt: skip


def pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
           "NO_COLOR": "1", "GONOGO_CACHE_DIR": str(repo.parent / "cache")}  # fmt: skip
    return subprocess.run([BIN / "pre-commit", "run", "--color", "never", *args], cwd=repo,
                          capture_output=True, text=True, check=False, env=env)  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A runbook repository: a runbook and its CSV, a scenario, other YAML, the hook."""
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["entry"].startswith("gonogo ")
    local = {**hook, "language": "system",
             "entry": f"{BIN / 'gonogo'} {hook['entry'].removeprefix('gonogo ')}"}  # fmt: skip
    repo = tmp_path / "runbook-repo"
    (repo / "night" / "recipients").mkdir(parents=True)
    (repo / "scenarios").mkdir()
    shutil.copy(ROOT / "examples" / "minimal.yaml", repo / "night" / "release.yaml")
    shutil.copy(ROOT / "examples" / "recipients" / "minimal.csv", repo / "night" / "recipients")
    shutil.copy(ROOT / "examples" / "scenarios" / "smooth-night.yaml", repo / "scenarios")
    (repo / "mkdocs.yml").write_text("site_name: Runbooks\nnav:\n  - index.md\n", "utf-8")
    config = {"repos": [{"repo": "local", "hooks": [local]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    return repo


def test_every_file_at_once_checks_only_the_runbook(repo: Path) -> None:
    done = pre_commit(repo, "--all-files", "--verbose")
    assert done.returncode == 0, done.stdout
    assert "gonogo validate" in done.stdout
    assert "Passed" in done.stdout
    # the scenario, mkdocs.yml and .pre-commit-config.yaml were not fed to validate
    assert "1 file checked: 0 error(s), 4 warning(s): valid" in done.stdout


def test_a_commit_that_changes_only_the_csv_validates_the_runbook_naming_it(
    repo: Path,
) -> None:
    git(repo, "commit", "-q", "-m", "runbook")
    csv = repo / "night" / "recipients" / "minimal.csv"
    csv.write_text(csv.read_text("utf-8").replace("+46701740651", "+4670"), "utf-8")
    git(repo, "add", "night/recipients/minimal.csv")
    done = pre_commit(repo)  # the staged files, as `git commit` runs it
    assert done.returncode == 1, done.stdout
    assert "Failed" in done.stdout
    assert "night/recipients/minimal.csv:3:" in done.stdout
    assert "1 file checked: 1 error(s)" in done.stdout


def test_a_commit_of_other_yaml_only_checks_nothing(repo: Path) -> None:
    git(repo, "commit", "-q", "-m", "runbook")
    (repo / "mkdocs.yml").write_text("site_name: Runbooks 2\n", "utf-8")
    (repo / "scenarios" / "smooth-night.yaml").write_text("scenario: 1\nname: x\n", "utf-8")
    git(repo, "add", ".")
    done = pre_commit(repo, "--verbose")
    assert done.returncode == 0, done.stdout
    assert "0 files checked: 0 error(s), 0 warning(s): valid" in done.stdout
