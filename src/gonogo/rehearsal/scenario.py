"""The scenario file: timed actions in the runbook's local time, and what must hold after."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from gonogo.errors import ExitCode, RunbookError
from gonogo.regular_file import read_regular
from gonogo.rehearsal.scenario_marks import located, located_action, parse_marked
from gonogo.runbook.events import Event
from gonogo.runbook.types import LocalTime

SCENARIO_FORMAT = 1
MAX_SCENARIO_BYTES = 1_000_000  # the bundled ones are under 2 kB
USAGE_EXIT = int(ExitCode.USAGE)  # an action meant to be refused as a usage error


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Action(_Strict):
    at: LocalTime = Field(
        description="Local time in the runbook's zone; before the window's start: the next day."
    )
    do: str = Field(
        description="A gonogo command without `gonogo`, e.g. `go 1`.",
        json_schema_extra={"minLength": 1},  # checked by _words, in plainer words
    )
    exit: int = Field(default=0, description="The exit code the command must end with.")

    @field_validator("do")
    @classmethod
    def _words(cls, value: str) -> str:
        try:
            words = shlex.split(value)
        except ValueError as exc:  # shlex: "No closing quotation", "No escaped character"
            problem = str(exc)[:1].lower() + str(exc)[1:]
            msg = f"the command cannot be split into words: {problem}"
            raise ValueError(msg) from None
        if not words:
            raise ValueError("the command is empty; write it as `HH:MM command`, e.g. `00:05 go 1`")
        return value

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
        # "23:00 start" is the short form of {at: "23:00", do: start}; its time and
        # command are checked as `at` and `do`, so an error names the action.
        if not isinstance(value, list):
            return value
        out: list[object] = []
        for item in value:
            if isinstance(item, str):
                clock, _, command = item.strip().partition(" ")
                out.append({"at": clock, "do": command.strip()})
            else:
                out.append(item)
        return out


def load_scenario(path: Path, check: Callable[[list[str]], str | None] | None = None) -> Scenario:
    """The scenario in `path`; a RunbookError naming each problem's line and action.

    `check` says what the command line would refuse in an action's words (an unknown
    command or option, a missing argument, a bad value), or None: such an action is
    refused here, before anything runs, unless it is meant to fail so (`exit: 2`)."""
    try:
        raw = read_regular(path, MAX_SCENARIO_BYTES)
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        msg = f"{path}: cannot read the scenario: {reason}"
        raise RunbookError(msg) from None
    if len(raw) > MAX_SCENARIO_BYTES:
        msg = f"{path}: the scenario is over {MAX_SCENARIO_BYTES // 1000} kB; one is a few lines"
        raise RunbookError(msg)
    data, marks = parse_marked(text, path)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [
            located(error, marks, data, path, Scenario) for error in exc.errors(include_url=False)
        ]
        raise RunbookError("\n".join(problems)) from None
    refused = [
        located_action(marks, data, path, index, f"do: {problem}")
        for index, action in enumerate(scenario.actions)
        if check is not None and action.exit != USAGE_EXIT
        and (problem := check(action.argv)) is not None
    ]  # fmt: skip
    if refused:
        raise RunbookError("\n".join(refused))
    return scenario


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
