"""YAML nodes to plain data: text, lists and dicts, each value's line and column recorded.

PyYAML's own constructor is not used (see loader): every scalar stays text, `null`/`~`/
empty is None, and duplicate keys, unquoted times, merge keys, aliases that contain
themselves and values nested or expanded past the limits are reported where they are.
"""

from __future__ import annotations

from typing import Any

import yaml

from gonogo.runbook.loaded import Loaded
from gonogo.runbook.marks import DocPath

# Limits that keep a hostile or broken file from taking validate down or holding it up.
# The largest bundled runbook is 6 levels deep, its longest text 1.2 kB.
MAX_DEPTH = 32  # nested mappings and lists; libyaml itself stops at 1000
MAX_VALUE_CHARS = 20_000  # a press release fits several times over
_NULL = "tag:yaml.org,2002:null"
_NUMBER = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def compose(text: str, loaded: Loaded) -> dict[str, Any] | None:
    """The document as a dict with marks on `loaded`, or None with the problem added."""
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
