"""A runbook file as read: the model if it is valid, and every problem found, located."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gonogo.runbook.diagnostics import Diagnostic, Severity, safe_message
from gonogo.runbook.marks import DocPath, Marks
from gonogo.runbook.model import Runbook


@dataclass
class Loaded:
    """A runbook file as read: the model if valid, and every problem found."""

    path: Path
    sha256: str = ""
    data: Any = None
    marks: Marks = field(default_factory=Marks)
    runbook: Runbook | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.runbook is not None and not self.errors

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def add(
        self,
        path: DocPath,
        code: str,
        message: str,
        severity: Severity = "error",
        *,
        key: bool = False,
    ) -> None:
        line, column = self.marks.locate(path, key=key)
        self.add_at(line, column, code, message, severity)

    def add_in(
        self,
        path: DocPath,
        text: str,
        index: int,
        code: str,
        message: str,
        severity: Severity = "error",
    ) -> None:
        """A problem at character `index` of the text at `path` (see Marks.locate_in)."""
        line, column = self.marks.locate_in(path, text, index)
        self.add_at(line, column, code, message, severity)

    def add_at(
        self, line: int, column: int, code: str, message: str, severity: Severity = "error"
    ) -> None:
        self.diagnostics.append(
            Diagnostic(str(self.path), line, column, severity, code, safe_message(message))
        )
