"""Validation results as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

from gonogo.runbook.diagnostics import Diagnostic, as_json


def report(
    diagnostics: list[Diagnostic], files: int, output: str, *, strict: bool
) -> tuple[str, bool]:
    """(what to print, whether validation failed)."""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    failed = errors > 0 or (strict and warnings > 0)
    if output == "json":
        return as_json(diagnostics, files), failed
    if output == "github":
        return "\n".join(d.github() for d in diagnostics), failed
    lines = [d.text() for d in diagnostics]
    noun = "file" if files == 1 else "files"
    verdict = "invalid" if failed else "valid"
    lines.append(f"{files} {noun} checked: {errors} error(s), {warnings} warning(s): {verdict}")
    return "\n".join(lines), failed
