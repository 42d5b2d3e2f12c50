"""A scenario file's YAML with each value's line and column, and its errors located.

An error names the file, line and column and, inside `actions`, which action (its
number, counted from 1, and the action as written), in the runbook validator's words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from gonogo.errors import RunbookError
from gonogo.runbook.marks import DocPath, Marks
from gonogo.runbook.pydantic_errors import describe


def parse_marked(text: str, path: Path) -> tuple[dict[str, Any], Marks]:
    """The document as plain data (PyYAML's safe types) and where each value stands."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _refuse_aliases(node, path)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        msg = f"{where}: YAML syntax error: {getattr(exc, 'problem', None) or exc}"
        raise RunbookError(msg) from None
    except RecursionError:
        raise RunbookError(f"{path}: nested too deep to be a scenario") from None
    finally:
        loader.dispose()
    if node is None or not isinstance(data, dict):
        msg = f"{path}:1:1: not a scenario: one is a mapping that starts with `scenario: 1`"
        raise RunbookError(msg)
    marks = Marks()
    _mark(node, (), marks)
    return data, marks


def _refuse_aliases(root: yaml.Node, path: Path) -> None:
    """A scenario writes its values out: an alias (`*name`) reuses a node, and aliases of
    aliases make a few hundred bytes stand for more values than any walk could visit."""
    seen: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            mark = node.start_mark
            raise RunbookError(
                f"{path}:{mark.line + 1}:{mark.column + 1}: this value is used again through "
                "a YAML alias (*name), which a scenario does not allow; write it out where "
                "it is used"
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            todo += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            todo += node.value


def _mark(node: yaml.Node, path: DocPath, marks: Marks) -> None:
    marks.values[path] = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                inner = (*path, key.value)
                marks.keys[inner] = (key.start_mark.line, key.start_mark.column)
                _mark(value, inner, marks)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _mark(item, (*path, index), marks)


def located(
    error: ErrorDetails, marks: Marks, data: dict[str, Any], path: Path, model: type[BaseModel]
) -> str:
    """`file:line:col: [action N (`23:00 start`): ]what is wrong` for one error."""
    where, _code, message, at_key = describe(error, marks, model)
    line, column = marks.locate(where, key=at_key)
    action = _action(where, data)
    got = error.get("input")
    if action and isinstance(got, str) and got.strip() in action:  # '' is in any
        message = message.rpartition(", got ")[0] or message  # the action shows it already
    return f"{path}:{line}:{column}: {action}{message}"


def located_action(marks: Marks, data: dict[str, Any], path: Path, index: int, message: str) -> str:
    """`file:line:col: action N (`23:00 start`): message` for action `index` (from 0)."""
    line, column = marks.locate(("actions", index, "do"))
    return f"{path}:{line}:{column}: {_action(('actions', index), data)}{message}"


def _action(where: DocPath, data: dict[str, Any]) -> str:
    """`action N (`as written`): ` when the error is inside one action, else nothing."""
    actions = data.get("actions")
    if len(where) < 2 or where[0] != "actions" or not isinstance(actions, list):
        return ""
    index = where[1]
    if not isinstance(index, int) or not 0 <= index < len(actions):
        return ""
    item = actions[index]
    if isinstance(item, dict):
        item = " ".join(str(item[k]) for k in ("at", "do") if item.get(k) is not None)
    text = str(item).strip()
    shown = text if len(text) <= 60 else text[:57] + "..."
    return f"action {index + 1} (`{shown}`): " if shown else f"action {index + 1}: "
