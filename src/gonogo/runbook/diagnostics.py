"""A problem found in a runbook or one of its files, with where it is."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Literal, NamedTuple

Severity = Literal["error", "warning"]
# A message quotes a few words of the file at most; a longer one is quoting too much.
MAX_MESSAGE_CHARS = 400


# What must never reach a CI log or a terminal raw from a runbook: C0 controls (a line
# break would start a new log line, and GitHub Actions acts on `::error` lines in any
# step's output), DEL, C1 controls, the Unicode line and paragraph separators, and the
# bidirectional marks, embeddings, overrides and isolates (they reorder what is shown).
# Beyond C0 (which JSON escapes itself): json_head.dumps escapes these in JSON output.
BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f{BEYOND_C0}]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: str) -> str:
    """`text` with each control character written as Python writes it (`\\n`, `\\x1b`,
    `\\u202e`): one line, nothing a terminal or a CI runner acts on. Idempotent."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text


def safe_message(message: str) -> str:
    """`message` fit for a CI log: credentials masked, control characters escaped
    (`printable`), at most MAX_MESSAGE_CHARS long.

    The last line of defence: messages quote runbook and recipients values (shortened
    where they are quoted), and one that slipped through must still not leak, flood or
    write a line of its own.
    """
    from gonogo.runbook.secrets import mask  # noqa: PLC0415  # keeps import light

    # A secret cut in two still shows; masked before escaping, so a secret is found whole.
    masked = printable(mask(message[: MAX_MESSAGE_CHARS * 2]))
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
        # The file name too is escaped: a runbook names its recipients files, and a
        # runbook's own name on the command line may hold a line break.
        file, message = printable(self.file), printable(self.message)
        return f"{file}:{self.line}:{self.column}: {self.severity}: {message} [{self.code}]"

    def github(self) -> str:
        # Workflow commands: properties and message have their own escaping rules.
        def prop(value: str) -> str:
            return (
                printable(value)
                .replace("%", "%25")
                .replace("\r", "%0D")
                .replace("\n", "%0A")
                .replace(":", "%3A")
                .replace(",", "%2C")
            )

        message = (
            printable(self.message).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        )
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
