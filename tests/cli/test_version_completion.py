"""`gonogo --version`, and shell completion through Typer as a shell would call it."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GONOGO = Path(sys.executable).with_name("gonogo")  # the console script a shell would run


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GONOGO), *args], capture_output=True, text=True, check=False, cwd=ROOT,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_version_is_the_installed_distributions() -> None:
    done = run("--version")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"gonogo {importlib.metadata.version('gonogo')}\n"


@pytest.mark.parametrize(
    ("shell", "mark"),
    [("bash", "complete -o default -F _gonogo_completion gonogo"), ("zsh", "#compdef gonogo"),
     ("fish", "complete --command gonogo")],
)  # fmt: skip
def test_show_completion_prints_the_named_shells_script(shell: str, mark: str) -> None:
    """The shell named, not the one Typer detects above the process (bash here, or
    none at all under a process with no shell above it)."""
    done = run("--show-completion", shell)
    assert done.returncode == 0, done.stderr
    assert mark in done.stdout
    assert "_GONOGO_COMPLETE" in done.stdout


def test_show_completion_of_an_unknown_shell_is_a_usage_error() -> None:
    done = run("--show-completion", "tcsh\x1b[2J")
    assert done.returncode == 2
    assert done.stderr == (
        "gonogo: error: --show-completion tcsh\\x1b[2J: no such shell; one of bash, zsh, "
        "fish, powershell, pwsh\n"
    )


def complete(words: str) -> list[str]:
    """What bash's completion function gets back: the protocol Typer's script speaks."""
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {"_GONOGO_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    done = run(env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_completion_of_commands_options_and_choices() -> None:
    assert complete("gonogo val") == ["validate"]
    assert complete("gonogo incident ") == ["open", "update", "resolve", "list"]
    assert "--format" in complete("gonogo validate --fo")
    assert complete("gonogo validate --format ") == ["text", "json", "github", "sarif"]
    assert "--json" in complete("gonogo log --")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_through_the_installed_script(tmp_path: Path) -> None:
    """The script --show-completion prints, sourced in a real bash, completes `gonogo val`."""
    script = run("--show-completion", "bash").stdout
    test = (
        script
        + "\nCOMP_WORDS=(gonogo val); COMP_CWORD=1; _gonogo_completion gonogo"
        + '\necho "${COMPREPLY[@]}"\n'
    )
    path = tmp_path / "complete.bash"
    path.write_text(test, encoding="utf-8")
    env = {**os.environ, "PATH": f"{GONOGO.parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", str(path)], capture_output=True, text=True, check=False,
                          env=env)  # fmt: skip
    assert (done.returncode, done.stdout.strip()) == (0, "validate"), done.stderr
