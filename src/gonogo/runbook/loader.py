"""Read a runbook file: YAML composed into nodes so every value keeps its line and column.

PyYAML's own constructor is not used: it reads `22:00` as 1320, `0700` as 448 and `no`
as False, and keeps the last of duplicate keys without a word. Here every scalar is
text (pydantic converts it to the field's type), `null`/`~`/empty is None, duplicate
keys and unquoted times are errors, and the error says where.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from gonogo.runbook.diagnostics import Diagnostic, Severity, safe_message
from gonogo.runbook.marks import DocPath, Marks
from gonogo.runbook.model import FORMAT_VERSION, Runbook
from gonogo.runbook.pydantic_errors import describe

# Where they were before marks.py: other modules import them from here too.
__all__ = ["DocPath", "Loaded", "Marks", "load"]

# Limits that keep a hostile or broken file from taking validate down or holding it up.
# The largest bundled runbook is 27 kB, 6 levels deep, its longest text 1.2 kB.
MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 32  # nested mappings and lists; libyaml itself stops at 1000
MAX_VALUE_CHARS = 20_000  # a press release fits several times over
_NULL = "tag:yaml.org,2002:null"
_NUMBER = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


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


def load(path: Path) -> Loaded:
    """Read and validate the runbook's structure; never raises for bad content."""
    loaded = Loaded(path=path)
    text = _read_text(path, loaded)
    if text is None:
        return loaded
    data = _compose(text, loaded)
    if data is None:
        return loaded
    loaded.data = data
    if not _check_format(data, loaded):
        return loaded
    _scan_credentials(data, (), loaded)
    try:
        loaded.runbook = Runbook.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path_, code, message, at_key = describe(error, loaded.marks)
            loaded.add(path_, code, message, key=at_key)
    return loaded


def _read_text(path: Path, loaded: Loaded) -> str | None:
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        loaded.add_at(1, 1, "unreadable", "no such file")
        return None
    except IsADirectoryError:
        loaded.add_at(1, 1, "unreadable", "is a directory, not a runbook file")
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


def _compose(text: str, loaded: Loaded) -> dict[str, Any] | None:
    # libyaml's parser when PyYAML has it: the pure-Python one is most of the run time.
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        context = exc.context_mark
        if problem.startswith("but ") and exc.context:  # "expected a single document ..."
            problem = f"{exc.context} {problem}"
        elif exc.problem and exc.context and context and mark and context.line != mark.line:
            # Where the unclosed quote or bracket began: often the actual mistake.
            problem += f" ({exc.context} started at line {context.line + 1}, "
            problem += f"column {context.column + 1})"
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            problem = "a tab character; indent with spaces"
        loaded.add_at(line, column, "yaml", f"YAML syntax error: {problem}")
        return None
    except yaml.YAMLError as exc:
        loaded.add_at(1, 1, "yaml", f"YAML error: {str(exc).splitlines()[0]}")
        return None
    except RecursionError:  # PyYAML's pure-Python composer, at about 330 levels
        loaded.add_at(1, 1, "too-deep", f"nested more than {MAX_DEPTH} levels deep")
        return None
    finally:
        loader.dispose()
    if root is None:
        loaded.add_at(1, 1, "empty", "the file has no content; a runbook starts with `format: 1`")
        return None
    if not isinstance(root, yaml.MappingNode):
        loaded.add_at(
            root.start_mark.line + 1,
            root.start_mark.column + 1,
            "structure",
            "a runbook is a mapping of keys (format, release, window, ...), not a list or text",
        )
        return None
    try:
        data = _Converter(loaded, text).convert(root, ())
    except _TooLargeError:
        loaded.add_at(
            1,
            1,
            "yaml",
            f"the file expands to more than {_MAX_NODES} values (aliases of aliases?); "
            "write the values out",
        )
        return None
    return data if isinstance(data, dict) else None


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A runbook has a few thousand values; this only stops aliases that multiply (a YAML bomb).
_MAX_NODES = 100_000


class _TooLargeError(Exception):
    pass


class _Converter:
    """Nodes to plain data (text, lists, dicts), recording where each value stands."""

    def __init__(self, loaded: Loaded, text: str) -> None:
        self.loaded = loaded
        self.text = text
        self.lines: list[str] | None = None  # the text's lines, split at the first block
        self.open: set[int] = set()  # collections being converted: an alias to one recurses
        self.count = 0

    def convert(self, node: yaml.Node, path: DocPath) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise _TooLargeError
        loaded = self.loaded
        if len(path) > MAX_DEPTH:
            line, column = node.start_mark.line + 1, node.start_mark.column + 1
            loaded.add_at(line, column, "too-deep", f"nested more than {MAX_DEPTH} levels deep")
            return None
        if isinstance(node, yaml.CollectionNode):
            if id(node) in self.open:
                loaded.add(path, "yaml", "this alias refers to a value that contains it", key=True)
                return None
            self.open.add(id(node))
            try:
                return self._collection(node, path)
            finally:
                self.open.discard(id(node))
        loaded.marks.values[path] = (node.start_mark.line, node.start_mark.column)
        value = str(node.value)
        style = getattr(node, "style", None)
        if style in ("|", ">"):
            self._block(node, path, style == "|")
        if len(value) > MAX_VALUE_CHARS:
            loaded.add(path, "too-long", f"this value is {len(value):,} characters long; "
                       f"the limit is {MAX_VALUE_CHARS:,}")  # fmt: skip
            return value[:MAX_VALUE_CHARS]
        if style in (None, ""):  # plain; libyaml says "" for it
            # The tag is YAML 1.1's guess from the looks of it: `22:00` is an int to it.
            if node.tag == _NULL:
                return None
            if node.tag in _NUMBER and ":" in value:
                loaded.add(path, "unquoted-time", _sexagesimal_message(value))
        return value

    def _block(self, node: yaml.Node, path: DocPath, literal: bool) -> None:
        """Where the text of a block scalar starts: the first line after `|` that has it."""
        if self.lines is None:
            self.lines = self.text.split("\n")
        for line in range(node.start_mark.line + 1, min(node.end_mark.line + 1, len(self.lines))):
            raw = self.lines[line]
            if raw.strip():
                self.loaded.marks.blocks[path] = (line, len(raw) - len(raw.lstrip(" ")), literal)
                return

    def _collection(self, node: yaml.CollectionNode, path: DocPath) -> Any:
        loaded = self.loaded
        loaded.marks.values[path] = (node.start_mark.line, node.start_mark.column)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                loaded.add_at(kline, kcol, "yaml", "merge keys (<<) are not supported")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                loaded.add_at(kline, kcol, "yaml", "a key must be plain text")
                continue
            key = str(key_node.value)
            if key in first_seen:
                loaded.add_at(
                    kline,
                    kcol,
                    "duplicate-key",
                    f"duplicate key {_shorten(key)} (first at line {first_seen[key]}); "
                    "YAML would silently keep only the last one",
                )
                continue
            first_seen[key] = kline
            loaded.marks.keys[(*path, key)] = (key_node.start_mark.line, key_node.start_mark.column)
            result[key] = self.convert(value_node, (*path, key))
        return result


def _shorten(text: str, limit: int = 40) -> str:
    """A quoted value short enough for a message."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _sexagesimal_message(value: str) -> str:
    number = 0.0
    for part in value.replace("_", "").lstrip("+-").split(":"):
        number = number * 60 + float(part)
    shown = int(number) if number.is_integer() else number
    return (
        f'unquoted time {value}: YAML reads it as the number {shown}; write it in quotes: "{value}"'
    )


def _check_format(data: dict[str, Any], loaded: Loaded) -> bool:
    if "format" not in data:
        loaded.add_at(
            1, 1, "format", f"missing `format: {FORMAT_VERSION}` (the runbook format version)"
        )
        return False
    raw = data["format"]
    if not (isinstance(raw, str) and raw.isdigit()):
        loaded.add(("format",), "format", f"format must be a whole number, like {FORMAT_VERSION}")
        return False
    if int(raw) > FORMAT_VERSION:
        loaded.add(
            ("format",),
            "format",
            f"format {raw} is newer than this gonogo reads (format {FORMAT_VERSION}); "
            "upgrade gonogo",
        )
        return False
    data["format"] = int(raw)
    return True


_SECRET_WORDS = {"password", "passwd", "pass", "secret", "token", "apikey", "credential"}
_SECRET_WORDS |= {"credentials", "auth", "authtoken", "privatekey"}


def _secret_key(key: str) -> bool:
    compact = key.lower().replace("-", "_")
    words = set(compact.split("_")) | {compact.replace("_", "")}
    return bool(words & _SECRET_WORDS)


def _scan_credentials(data: Any, path: DocPath, loaded: Loaded) -> None:
    """Credentials belong in the environment; the value is never repeated in the message."""
    from gonogo.runbook.secrets import findings  # noqa: PLC0415  # keeps import light

    if isinstance(data, dict):
        for key, value in list(data.items()):
            if _secret_key(key):
                del data[key]  # reported here; not again as an unknown key
                loaded.add(
                    (*path, key),
                    "credential",
                    f"'{key}' looks like a credential; credentials never go in a runbook: "
                    "set TWILIO_AUTH_TOKEN or GONOGO_SMTP_PASSWORD in the environment",
                    key=True,
                )
                continue
            _scan_credentials(value, (*path, key), loaded)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            _scan_credentials(item, (*path, index), loaded)
    elif isinstance(data, str):
        found = findings(data)
        if found:
            kind, at = found[0].kind, found[0].start
            loaded.add_in(
                path,
                data,
                at,
                "credential",
                f"this value looks like {kind}; credentials never go in a runbook: "
                "set them in the environment (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, "
                "GONOGO_SMTP_PASSWORD)",
            )
