"""The scenario file: timed actions in the runbook's local time, and what must hold after."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gonogo.errors import RunbookError
from gonogo.runbook.events import Event
from gonogo.runbook.types import LocalTime, parse_local_time

SCENARIO_FORMAT = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(_Strict):
    at: LocalTime = Field(
        description="Local time in the runbook's zone; before the window's start: the next day."
    )
    do: str = Field(min_length=1, description="A gonogo command without `gonogo`, e.g. `go 1`.")
    exit: int = Field(default=0, description="The exit code the command must end with.")

    @property
    def argv(self) -> list[str]:
        return shlex.split(self.do)


class MessageExpectation(_Strict):
    event: Event
    part: int | None = None
    audience: str | None = None
    channel: Literal["sms", "email"] | None = None
    contains: str | None = Field(default=None, description="Text the message must contain.")

    def describe(self) -> str:
        bits = [self.event.value]
        bits += [f"part {self.part}"] if self.part is not None else []
        bits += [f"to {self.audience}"] if self.audience else []
        bits += [f"by {self.channel}"] if self.channel else []
        bits += [f"containing {self.contains!r}"] if self.contains else []
        return " ".join(bits)


class LateExpectation(_Strict):
    part: int = Field(ge=1)
    more_than: int = Field(ge=0, description="Minutes.")


class Expectations(_Strict):
    state: str | None = Field(default=None, description="Final state, e.g. completed.")
    outcome: Literal["completed", "rolled back"] | None = None
    messages: list[MessageExpectation] = Field(default_factory=list)
    no_messages: list[MessageExpectation] = Field(default_factory=list)
    late: list[LateExpectation] = Field(default_factory=list)
    point_of_no_return_passed: bool | None = None


class Scenario(_Strict):
    scenario: Literal[1] = Field(description="Scenario format version.")
    name: str = Field(min_length=1)
    description: str | None = None
    actions: list[Action] = Field(min_length=1)
    expect: Expectations = Field(default_factory=Expectations)

    @field_validator("actions", mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        # "23:00 start" is the short form of {at: "23:00", do: start}.
        if not isinstance(value, list):
            return value
        out: list[object] = []
        for item in value:
            if isinstance(item, str):
                clock, _, command = item.strip().partition(" ")
                parse_local_time(clock)
                out.append({"at": clock, "do": command.strip()})
            else:
                out.append(item)
        return out


def load_scenario(path: Path) -> Scenario:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"{path}: cannot read the scenario: {exc}"
        raise RunbookError(msg) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        msg = f"{where}: YAML syntax error: {getattr(exc, 'problem', exc)}"
        raise RunbookError(msg) from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{path}: {'.'.join(str(p) for p in e['loc'])}: "
            + e["msg"].removeprefix("Value error, ")
            for e in exc.errors(include_url=False)
        ]
        raise RunbookError("\n".join(problems)) from None


def scenario_schema() -> str:
    schema = Scenario.model_json_schema()
    # An action may also be written in its short form, "23:00 start" (see _short_form).
    short = {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d \S",
        "description": 'The short form: "HH:MM command", e.g. "00:05 go 1".',
    }
    actions = schema["properties"]["actions"]
    actions["items"] = {"anyOf": [actions["items"], short]}
    return json.dumps(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema},
        indent=2,
        ensure_ascii=False,
    )
