"""Turn pydantic's validation errors into messages a release manager can act on."""

from __future__ import annotations

import types
import typing
from typing import Any, Union

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from gonogo.runbook.marks import DocPath, Marks
from gonogo.runbook.model import Runbook

_PATTERN_HINTS = {
    "id": "an id: letters, digits, '.', '_' or '-', starting with a letter or digit",
    "language": "a language code like sv or en",
    "messaging_service_sid": "a Messaging Service SID: MG followed by 32 hex digits",
}


def describe(
    error: ErrorDetails, marks: Marks, model: type[BaseModel] = Runbook
) -> tuple[DocPath, str, str, bool]:
    """(path in the document, code, message, whether to point at the key) for one error
    in a document validated as `model` (a runbook unless said otherwise)."""
    path = _document_path(error["loc"], marks)
    kind = error["type"]
    name = _name(path)
    got = _shown(error.get("input"))
    if kind == "extra_forbidden":
        allowed = _allowed_keys(path[:-1], model)
        import difflib  # noqa: PLC0415  # only for an unknown key; keeps start-up light

        close = difflib.get_close_matches(name, allowed, n=1)
        tail = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(allowed)}"
        return path, "unknown-key", f"unknown key {_shown(name)}{tail}", True
    if kind == "missing":
        return path[:-1], "missing-key", f"missing required key '{name}'", True
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return path, "bad-value", f"{name}: expected {expected}, got {got}", False
    if kind == "string_pattern_mismatch":
        hint = _PATTERN_HINTS.get(name, "text in the documented form")
        return path, "bad-value", f"{name}: expected {hint}, got {got}", False
    if kind in ("too_short", "list_type", "dict_type", "model_type", "string_type"):
        what = {
            "too_short": "needs at least one entry",
            "list_type": "expected a list (lines starting with '- ')",
            "dict_type": "expected a mapping of keys",
            "model_type": "expected a mapping of keys",
            "string_type": "expected text",
        }[kind]
        shown = "" if kind == "too_short" else f", got {got}"
        return path, "bad-type", f"{name}: {what}{shown}", False
    message = error["msg"].removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    if not isinstance(error.get("input"), dict | list) and " got " not in message:
        message += f", got {got}"
    return path, "bad-value", f"{name}: {message}", False


def _name(path: DocPath) -> str:
    """The key a message is about; list items by their number, counted from 1."""
    if not path:
        return "runbook"
    last = path[-1]
    if isinstance(last, int):
        return f"{path[-2]} item {last + 1}" if len(path) > 1 else f"item {last + 1}"
    return last


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _document_path(loc: tuple[int | str, ...], marks: Marks) -> DocPath:
    """pydantic's loc, less its own entries (union members, validator names)."""
    path: list[int | str] = []
    for index, element in enumerate(loc):
        candidate = (*path, element)
        if marks.known(candidate) or index == len(loc) - 1:
            path.append(element)
    return tuple(path)


def _allowed_keys(path: DocPath, root: type[BaseModel]) -> list[str]:
    model: Any = root
    for element in path:
        model = _step(model, element)
        if model is None:
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [f.alias or name for name, f in model.model_fields.items()]
    return []


def _step(annotation: Any, element: str | int) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if element in (name, info.alias):
                return _unwrap(info.annotation)
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and args:
        return _unwrap(args[0])
    if origin is dict and len(args) == 2:
        return _unwrap(args[1])
    return None


def _unwrap(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return annotation
