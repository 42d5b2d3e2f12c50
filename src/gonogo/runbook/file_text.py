"""A runbook file's text: read within a size limit, decoded, checked for what YAML forbids.

Each refusal is a diagnostic at the byte or character it is about, never an exception.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from gonogo.regular_file import NotRegularFileError, read_regular
from gonogo.runbook.loaded import Loaded

# A limit that keeps a hostile or broken file from taking validate down or holding it up.
# The largest bundled runbook is 27 kB.
MAX_FILE_BYTES = 2_000_000


def read_text(path: Path, loaded: Loaded) -> str | None:
    """The file's text (its SHA-256 set on `loaded`), or None with the problem added."""
    try:
        raw = read_regular(path, MAX_FILE_BYTES)  # a pipe or a device would hang the read
    except FileNotFoundError:
        loaded.add_at(1, 1, "unreadable", "no such file")
        return None
    except IsADirectoryError:
        loaded.add_at(1, 1, "unreadable", "is a directory, not a runbook file")
        return None
    except NotRegularFileError:
        loaded.add_at(1, 1, "unreadable", "not a regular file (a pipe or a device?), not a runbook")
        return None
    except OSError as exc:
        loaded.add_at(1, 1, "unreadable", f"cannot read the file: {exc.strerror}")
        return None
    if len(raw) > MAX_FILE_BYTES:
        loaded.add_at(
            1,
            1,
            "too-large",
            f"the file is over {MAX_FILE_BYTES // 1_000_000} MB; a runbook is a few dozen kB",
        )
        return None
    loaded.sha256 = hashlib.sha256(raw).hexdigest()
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        line, column = _position(raw, offset)
        loaded.add_at(line, column, "binary", "binary file (NUL byte), not a YAML runbook")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _position(raw, exc.start)
        loaded.add_at(
            line,
            column,
            "encoding",
            f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded; save the file as UTF-8",
        )
        return None
    if not text.strip():
        loaded.add_at(1, 1, "empty", "the file is empty; a runbook starts with `format: 1`")
        return None
    if _NOT_YAML.search(text):
        _report_characters(text, loaded)
        return None
    return text


# What YAML 1.1 does not allow in a file (tab, LF, CR, NEL and the rest are fine); libyaml
# reports the first one at 1:1 with a character offset, so they are found here instead.
_NOT_YAML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_MAX_CHARACTER_ERRORS = 10


def _report_characters(text: str, loaded: Loaded) -> None:
    import unicodedata  # noqa: PLC0415  # only for a file with control characters

    for count, match in enumerate(_NOT_YAML.finditer(text)):
        if count == _MAX_CHARACTER_ERRORS:
            loaded.add_at(*_text_position(text, match.start()), "character",
                          "more control characters follow; only the first "
                          f"{_MAX_CHARACTER_ERRORS} are listed")  # fmt: skip
            return
        char = match.group()
        name = unicodedata.name(char, "") or _CONTROL_NAMES.get(char, "a control character")
        loaded.add_at(
            *_text_position(text, match.start()),
            "character",
            f"U+{ord(char):04X} ({name}) is not allowed in YAML; delete it or retype the text",
        )


_CONTROL_NAMES = {"\x07": "BELL", "\x08": "BACKSPACE", "\x1b": "ESCAPE", "\x7f": "DELETE"}


def _text_position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character of the decoded text."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as editors count) of a byte offset."""
    line_start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column
