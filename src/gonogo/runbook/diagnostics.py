"""A problem found in a runbook or one of its files, with where it is."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning"]
# A message quotes a few words of the file at most; a longer one is quoting too much.
MAX_MESSAGE_CHARS = 400


def safe_message(message: str) -> str:
    """`message` fit for a CI log: credentials masked, at most MAX_MESSAGE_CHARS long.

    The last line of defence: messages quote runbook and recipients values (shortened
    where they are quoted), and one that slipped through must still not leak or flood.
    """
    from gonogo.runbook.secrets import mask  # noqa: PLC0415  # keeps import light

    masked = mask(message[: MAX_MESSAGE_CHARS * 2])  # a secret cut in two still shows
    if len(masked) > MAX_MESSAGE_CHARS or len(message) > MAX_MESSAGE_CHARS * 2:
        masked = masked[: MAX_MESSAGE_CHARS - 3] + "..."
    return masked


# The records on validate's path are NamedTuples, not frozen dataclasses: Python 3.11
# builds a dataclass by exec-ing each generated method, ~0.4 ms a class on every start.
class RecipientProblem(NamedTuple):
    """Something wrong in a recipients file; line and column are 1-based."""

    line: int
    column: int
    message: str
    severity: Severity


class Diagnostic(NamedTuple):
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


def as_dict(diagnostics: Iterable[Diagnostic], files: int) -> dict[str, Any]:
    """The body of `validate --format json`: counts, then every diagnostic."""
    items = list(diagnostics)  # in the order the files were given, each in file order
    return {
        "files": files,
        "errors": sum(1 for d in items if d.severity == "error"),
        "warnings": sum(1 for d in items if d.severity == "warning"),
        "diagnostics": [d._asdict() for d in items],
    }
