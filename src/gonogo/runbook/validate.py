"""Validate runbook files: structure and semantics, every problem reported."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gonogo.errors import RunbookError
from gonogo.runbook.checks import check
from gonogo.runbook.diagnostics import Diagnostic, printable
from gonogo.runbook.loader import Loaded, load


def validate_file(
    path: Path,
    cache_dir: Path | None = None,
    recipients_root: Path | None = None,
    *,
    recipients: bool = True,
) -> Loaded:
    """Load and check one runbook; recipients checks are cached in `cache_dir` if given.

    Recipients files must lie under `recipients_root` (default: the runbook's directory).
    """
    loaded = load(path)
    if loaded.runbook is not None:
        check(loaded, cache_dir, recipients_root, recipients=recipients)
    return loaded


def validate_files(
    paths: Iterable[Path],
    cache_dir: Path | None = None,
    recipients_root: Path | None = None,
    *,
    debug: bool = False,
) -> list[Diagnostic]:
    """Every diagnostic of every file, each file's in file order, each problem once.

    A recipients file several runbooks share has its problems reported once, not once
    for every runbook. Each file is checked on its own: should the check of one fail
    in a way nobody foresaw, that file gets one error and the others are still checked
    (with `debug`, the exception propagates, traceback and all, for a developer).
    """
    found: dict[Diagnostic, None] = {}
    for path in paths:
        try:
            diagnostics = validate_file(path, cache_dir, recipients_root).diagnostics
        except Exception as exc:  # one unchecked file must not stop the batch
            if debug:
                raise
            diagnostics = [_crashed(path, exc)]
        found.update(dict.fromkeys(sorted(set(diagnostics))))
    return list(found)


def _crashed(path: Path, exc: Exception) -> Diagnostic:
    # The exception's text is not shown: it may quote the file, or worse.
    return Diagnostic(
        str(path),
        1,
        1,
        "error",
        "internal",
        f"gonogo could not check this file ({type(exc).__name__}); this is a bug in "
        "gonogo: run `gonogo validate --debug` on the file and report the traceback",
    )


def load_valid(path: Path, *, recipients: bool = True) -> Loaded:
    """A runbook for a command that needs a valid one; RunbookError lists the errors.

    `recipients=False` leaves out the recipients files' check (see `check`).
    """
    loaded = validate_file(path, recipients=recipients)
    errors = sorted(set(loaded.errors))
    if errors or loaded.runbook is None:
        shown = "\n".join(d.text() for d in errors[:10])
        more = f"\n... and {len(errors) - 10} more" if len(errors) > 10 else ""
        name = printable(str(path))  # as in each error's location: one line, no controls
        raise RunbookError(
            f"{name} is not a valid runbook:\n{shown}{more}",
            hint=f"run `gonogo validate {name}` for every problem",
        )
    return loaded
