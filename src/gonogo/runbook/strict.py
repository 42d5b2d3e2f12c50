"""What every runbook model shares: unknown keys are errors, values are frozen."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
LANG = r"^[a-z]{2,3}$"


def empty_list() -> list[Any]:
    # Not `default_factory=list`: pydantic inspects a factory's signature, and for a
    # builtin that means tokenizing its text signature, which compiles the tokenizer's
    # regular expressions: 4 ms of every `gonogo validate`.
    return []


def empty_dict() -> dict[Any, Any]:
    return {}


class Strict(BaseModel):
    # Unknown keys are errors: a typo in a message key must not silently drop a message.
    model_config = ConfigDict(extra="forbid", frozen=True)
