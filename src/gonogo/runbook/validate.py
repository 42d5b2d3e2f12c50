"""Validate runbook files: structure and semantics, every problem reported."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gonogo.errors import RunbookError
from gonogo.runbook.checks import check
from gonogo.runbook.diagnostics import Diagnostic
from gonogo.runbook.loader import Loaded, load


def validate_file(path: Path, cache_dir: Path | None = None) -> Loaded:
    """Load and check one runbook; recipients checks are cached in `cache_dir` if given."""
    loaded = load(path)
    if loaded.runbook is not None:
        check(loaded, cache_dir)
    return loaded


def validate_files(paths: Iterable[Path], cache_dir: Path | None = None) -> list[Diagnostic]:
    """Every diagnostic of every file, each file's in file order, each problem once.

    A recipients file several runbooks share has its problems reported once, not once
    for every runbook.
    """
    found: dict[Diagnostic, None] = {}
    for path in paths:
        found.update(dict.fromkeys(sorted(set(validate_file(path, cache_dir).diagnostics))))
    return list(found)


def load_valid(path: Path) -> Loaded:
    """A runbook for a command that needs a valid one; RunbookError lists the errors."""
    loaded = validate_file(path)
    errors = sorted(set(loaded.errors))
    if errors or loaded.runbook is None:
        shown = "\n".join(d.text() for d in errors[:10])
        more = f"\n... and {len(errors) - 10} more" if len(errors) > 10 else ""
        raise RunbookError(
            f"{path} is not a valid runbook:\n{shown}{more}",
            hint=f"run `gonogo validate {path}` for every problem",
        )
    return loaded
