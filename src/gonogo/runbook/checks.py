"""Semantic rules a structurally valid runbook must also satisfy before it is merged."""

from __future__ import annotations

from pathlib import Path

from gonogo.errors import RunbookError
from gonogo.runbook.catalog import iter_messages
from gonogo.runbook.check_cache import recipient_problems
from gonogo.runbook.diagnostics import Diagnostic, RecipientProblem, safe_message
from gonogo.runbook.loaded import Loaded
from gonogo.runbook.marks import DocPath
from gonogo.runbook.message_checks import check_coverage, check_message
from gonogo.runbook.model import Runbook
from gonogo.runbook.notice_checks import check_notices
from gonogo.runbook.recipients_file import read_limited, resolve_recipients
from gonogo.runbook.time_checks import check_times


def check(
    loaded: Loaded, cache_dir: Path | None = None, recipients_root: Path | None = None
) -> None:
    """Add every semantic problem of a structurally valid runbook to `loaded`.

    Recipients files' checks are remembered in `cache_dir`, if given (see check_cache).
    Recipients files must be under `recipients_root` (default: the runbook's directory).
    """
    runbook = loaded.runbook
    if runbook is None:
        return
    check_times(runbook, loaded)
    _check_references(runbook, loaded)
    check_coverage(runbook, loaded)
    for located in iter_messages(runbook):
        check_message(runbook, located, loaded)
    check_notices(runbook, loaded)
    _check_recipients(runbook, loaded, cache_dir, recipients_root)


def _check_references(runbook: Runbook, loaded: Loaded) -> None:
    seen: dict[str, int] = {}
    for index, part in enumerate(runbook.parts):
        if part.id in seen:
            loaded.add(
                ("parts", index, "id"),
                "duplicate-id",
                f"part id '{part.id}' is used by part {seen[part.id] + 1} too",
            )
        seen.setdefault(part.id, index)
        if part.id.isdigit():
            loaded.add(
                ("parts", index, "id"),
                "bad-value",
                f"part id '{part.id}' is a number; `gonogo go {part.id}` would be ambiguous "
                "with the part's number",
            )
    for index, service in enumerate(runbook.window.services):
        if service not in runbook.services:
            loaded.add(
                ("window", "services", index),
                "unknown-ref",
                f"unknown service '{service}'; services: {', '.join(runbook.services) or 'none'}",
            )
    if runbook.verification and runbook.verification.gates not in seen:
        loaded.add(
            ("verification", "gates"),
            "unknown-ref",
            f"unknown part '{runbook.verification.gates}'; parts: {', '.join(seen)}",
        )
    for index, priority in enumerate(runbook.incidents.major_priorities):
        if not 1 <= priority <= 5:
            loaded.add(
                ("incidents", "major_priorities", index),
                "bad-value",
                f"priority {priority}: ITIL priorities are 1 to 5",
            )


def _check_recipients(
    runbook: Runbook, loaded: Loaded, cache_dir: Path | None, root: Path | None
) -> None:
    for name, audience in runbook.audiences.items():
        if audience.recipients is None:
            continue
        path: DocPath = ("audiences", name, "recipients")
        try:
            csv_path = resolve_recipients(loaded.path, audience.recipients, root)
            shown = loaded.path.parent / audience.recipients  # as the runbook names it
            problems = _recipient_problems(csv_path, cache_dir)
        except RunbookError as exc:
            hint = f"; {exc.hint}" if exc.hint else ""
            loaded.add(path, "recipients", exc.message + hint)
            continue
        loaded.diagnostics += [
            Diagnostic(
                str(shown), p.line, p.column, p.severity, "recipients", safe_message(p.message)
            )
            for p in problems
        ]


# Runbooks validated in one call often share recipients files: each is read once.
_checked_recipients: dict[tuple[Path, int, int], tuple[RecipientProblem, ...]] = {}


def _recipient_problems(csv_path: Path, cache_dir: Path | None) -> tuple[RecipientProblem, ...]:
    """`csv_path` is resolved and confined (resolve_recipients): read, checked once."""
    info = csv_path.stat()
    key = (csv_path, info.st_mtime_ns, info.st_size)
    if key not in _checked_recipients:
        _checked_recipients[key] = recipient_problems(csv_path, read_limited(csv_path), cache_dir)
    return _checked_recipients[key]
