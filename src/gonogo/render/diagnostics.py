"""Validation results as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

from gonogo.runbook.diagnostics import Diagnostic, as_dict


def report(
    diagnostics: list[Diagnostic], files: int, output: str, *, strict: bool
) -> tuple[str, bool]:
    """(what to print, whether validation failed)."""
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    failed = errors > 0 or (strict and warnings > 0)
    if output == "json":
        # Only --format json needs the json module: 1.3 ms off every other start.
        from gonogo.render.json_head import dumps, head  # noqa: PLC0415

        return dumps({**head("validation"), **as_dict(diagnostics, files)}), failed
    if output == "sarif":
        return as_sarif(diagnostics), failed
    if output == "github":
        return "\n".join(d.github() for d in diagnostics), failed
    lines = [d.text() for d in diagnostics]
    noun = "file" if files == 1 else "files"
    verdict = "invalid" if failed else "valid"
    lines.append(f"{files} {noun} checked: {errors} error(s), {warnings} warning(s): {verdict}")
    return "\n".join(lines), failed


_SARIF_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def _artifact_uri(file: str) -> str:
    """A relative path as a relative URI (what code-scanning uploads expect), else file://.

    A URI carries the name's bytes percent-encoded, so a name that is not UTF-8 (Python
    holds its bytes as lone surrogates) still gives valid UTF-8 JSON.
    """
    import os  # noqa: PLC0415
    from pathlib import Path, PurePosixPath  # noqa: PLC0415
    from urllib.parse import quote  # noqa: PLC0415

    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    return quote(os.fsencode(PurePosixPath(*path.parts).as_posix()))


def _utf8(text: str) -> str:
    """`text` with the bytes of a name that is not UTF-8 shown as `\\xff`: SARIF is UTF-8."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def as_sarif(diagnostics: list[Diagnostic]) -> str:
    """SARIF 2.1.0: one run of gonogo; a rule per diagnostic code, a result per problem."""
    from gonogo import __version__  # noqa: PLC0415
    from gonogo.render.json_head import dumps  # noqa: PLC0415

    codes = sorted({d.code for d in diagnostics})
    rules = [{"id": code, "name": code, "shortDescription": {"text": f"gonogo {code}"}}
             for code in codes]  # fmt: skip
    results = [
        {
            "ruleId": d.code,
            "ruleIndex": codes.index(d.code),
            "level": d.severity,
            "message": {"text": _utf8(d.message)},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": _artifact_uri(d.file)},
                # SARIF lines and columns are 1-based like ours; 0 means "the whole file".
                "region": {"startLine": max(d.line, 1), "startColumn": max(d.column, 1)},
            }}],
        }
        for d in diagnostics
    ]  # fmt: skip
    log = {
        "$schema": _SARIF_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "gonogo", "version": __version__, "rules": rules}},
            "results": results,
        }],
    }  # fmt: skip
    return dumps(log)
