"""A problem found in a runbook or one of its files, with where it is."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    severity: Severity
    code: str
    message: str

    def text(self) -> str:
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message} [{self.code}]"
        )

    def github(self) -> str:
        # Workflow commands: properties and message have their own escaping rules.
        def prop(value: str) -> str:
            return (
                value.replace("%", "%25")
                .replace("\r", "%0D")
                .replace("\n", "%0A")
                .replace(":", "%3A")
                .replace(",", "%2C")
            )

        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return (
            f"::{self.severity} file={prop(self.file)},line={self.line},col={self.column},"
            f"title={prop('gonogo ' + self.code)}::{message}"
        )


def as_json(diagnostics: Iterable[Diagnostic], files: int) -> str:
    items = list(diagnostics)  # in the order the files were given, each in file order
    return json.dumps(
        {
            "files": files,
            "errors": sum(1 for d in items if d.severity == "error"),
            "warnings": sum(1 for d in items if d.severity == "warning"),
            "diagnostics": [asdict(d) for d in items],
        },
        ensure_ascii=False,
        indent=2,
    )
