"""Random mutations of a valid runbook never end in a traceback, and every problem has a place."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documented_json import checked
from gonogo.runbook.diagnostics import as_dict
from gonogo.runbook.validate import validate_file

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "runbooks" / "release-21.0.yaml"
TEXT = SOURCE.read_text(encoding="utf-8")
LINES = TEXT.splitlines(keepends=True)
# Lines with a key ("  start:", "  - id:"), and those of them with a value on the line.
KEYED = [i for i, line in enumerate(LINES) if re.match(r"^\s*(- )?[A-Za-z_][\w-]*:", line)]
SCALAR = [i for i in KEYED if re.match(r"^\s*(- )?[A-Za-z_][\w-]*: +\S", LINES[i])]

values = st.one_of(
    st.sampled_from(
        [
            "",
            "~",
            "null",
            "no",
            "yes",
            "true",
            "22:00",
            "0700",
            "1h",
            "-1",
            "0",
            "1e400",
            ".nan",
            "[]",
            "{}",
            "[a, 1, [b]]",
            "{a: 1}",
            "&x [*x]",
            "*nowhere",
            "!!binary aGk=",
            "'",
            '"',
            "|",
            "{release",
            '"{0} {a.b} {x!r}"',
            '"' + "€" * 400 + '"',
            "AC0123456789abcdef0123456789abcdef",
        ]
    ),
    st.integers().map(str),
    st.floats().map(str),
    st.text(max_size=30).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3).map(str),
)


@st.composite
def mutant(draw: st.DrawFn) -> bytes:
    """The 21.0 runbook after one to three random mutations, as bytes."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(
            st.sampled_from(["delete", "replace", "duplicate", "insert", "truncate", "swap"])
        )
        index = draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            i = draw(st.sampled_from(KEYED)) if len(lines) == len(LINES) else index
            del lines[i]
        elif kind == "replace" and len(lines) == len(LINES):
            i = draw(st.sampled_from(SCALAR))
            key = lines[i].split(":", 1)[0]
            lines[i] = f"{key}: {draw(values)}\n"
        elif kind == "duplicate":
            lines.insert(index, lines[index])
        elif kind == "insert":
            line = lines[index]
            at = draw(st.integers(0, len(line)))
            lines[index] = line[:at] + draw(st.text(min_size=1, max_size=10)) + line[at:]
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[index], lines[other] = lines[other], lines[index]
        if not lines:
            break
    raw = "".join(lines).encode("utf-8", errors="surrogatepass")
    if draw(st.booleans()) and draw(st.booleans()):  # a quarter of them, also truncated
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with the 21.0 recipients files, so mutants get their CSV checks too."""
    path = tmp_path_factory.mktemp("mutants")
    shutil.copytree(SOURCE.parent / "recipients", path / "recipients")
    return path


# What a diagnostic never prints raw, whatever the runbook holds.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def check_diagnostics(path: Path, raw: bytes) -> None:
    loaded = validate_file(path)  # must not raise
    # YAML breaks lines at \r, \r\n, NEL, LS and PS as well as \n.
    text = raw.decode("utf-8", errors="replace")
    line_count = len(re.split(r"\r\n|[\r\n\x85\u2028\u2029]", text))
    for d in loaded.diagnostics:
        assert d.line >= 1, d
        assert d.column >= 1, d
        assert d.severity in ("error", "warning"), d
        assert d.message, d
        assert re.fullmatch(r"[a-z0-9-]+", d.code), d
        if d.file == str(path):
            assert d.line <= line_count + 1, d  # an end-of-stream mark is one past the end
        for line in (d.text(), d.github()):  # one line each, nothing a terminal acts on
            assert not _CONTROL.search(line), line
    json.dumps(as_dict(loaded.diagnostics, 1))
    if not loaded.errors:
        assert loaded.runbook is not None


# The normal suite runs a few hundred cases; the full run of issue 19 (10,000 mutants
# and 10,000 random byte strings, a few minutes) is the same tests with
#   GONOGO_FUZZ_CASES=10000 pytest tests/runbook/test_properties.py -m slow
FUZZ_CASES = int(os.environ.get("GONOGO_FUZZ_CASES", "0"))
# Each case within a second: a runbook that makes validate crawl is as bad as a crash.
DEADLINE_MS = 1000


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(raw=mutant())
def test_mutants_never_raise_and_every_problem_has_a_place(workdir: Path, raw: bytes) -> None:
    path = workdir / "mutant.yaml"
    path.write_bytes(raw)
    check_diagnostics(path, raw)


@st.composite
def hostile(draw: st.DrawFn) -> bytes:
    """A mutant, random bytes, or a mutant with random bytes spliced in."""
    match draw(st.integers(0, 2)):
        case 0:
            return draw(mutant())
        case 1:
            return draw(st.binary(max_size=2000))
        case _:
            raw = draw(mutant())
            at = draw(st.integers(0, len(raw)))
            return raw[:at] + draw(st.binary(min_size=1, max_size=20)) + raw[at:]


def _timed(path: Path, raw: bytes) -> None:
    import time  # noqa: PLC0415

    started = time.perf_counter()
    check_diagnostics(path, raw)
    elapsed = (time.perf_counter() - started) * 1000
    assert elapsed < DEADLINE_MS, f"{elapsed:.0f} ms"


@settings(
    max_examples=200,
    deadline=None,  # timed inside: hypothesis' deadline also counts its own shrinking
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(raw=hostile())
def test_hostile_input_within_a_second(workdir: Path, raw: bytes) -> None:
    path = workdir / "hostile.yaml"
    path.write_bytes(raw)
    _timed(path, raw)


@pytest.mark.slow
@pytest.mark.skipif(FUZZ_CASES == 0, reason="set GONOGO_FUZZ_CASES=10000 for the long run")
@settings(
    max_examples=max(FUZZ_CASES, 1),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(raw=hostile())
def test_hostile_input_long_run(workdir: Path, raw: bytes) -> None:
    path = workdir / "long-run.yaml"
    path.write_bytes(raw)
    _timed(path, raw)


@settings(max_examples=100, deadline=None, database=None)
@given(raw=st.binary(max_size=200))
def test_random_bytes_never_raise(workdir: Path, raw: bytes) -> None:
    path = workdir / "bytes.yaml"
    path.write_bytes(raw)
    check_diagnostics(path, raw)


@settings(max_examples=100, deadline=None, database=None)
@given(text=st.text(max_size=200))
def test_random_text_never_raises(workdir: Path, text: str) -> None:
    path = workdir / "text.yaml"
    raw = text.encode("utf-8", errors="surrogatepass")
    path.write_bytes(raw)
    check_diagnostics(path, raw)


def test_the_cli_on_many_mutants_at_once(workdir: Path) -> None:
    """One `gonogo validate` process over many mutants: exit 0 or 1, never a traceback."""
    rng = random.Random(20211127)  # the night of 21.0: the same mutants every run
    paths = []
    for number in range(40):
        lines = list(LINES)
        i = rng.choice(KEYED)
        match number % 5:
            case 0:
                del lines[i]
            case 1:
                lines.insert(i, lines[i])
            case 2:
                key = lines[rng.choice(SCALAR)].split(":", 1)[0]
                lines[rng.choice(SCALAR)] = f"{key}: {rng.choice(['[1]', '{}', '22:00', 'no'])}\n"
            case 3:
                at = rng.randrange(len(lines[i]))
                lines[i] = (
                    lines[i][:at] + rng.choice(["\t", "–", "{", "\x85", "😀"]) + lines[i][at:]
                )
            case _:
                pass
        raw = "".join(lines).encode()
        if number % 5 == 4:
            raw = raw[: rng.randrange(len(raw))]
        path = workdir / f"cli-{number:02d}.yaml"
        path.write_bytes(raw)
        paths.append(path.name)
    for output in ("text", "json", "github"):
        done = subprocess.run(
            [sys.executable, "-m", "gonogo", "validate", "--format", output, *paths],
            capture_output=True,
            text=True,
            check=False,
            cwd=workdir,
        )
        assert done.returncode in (0, 1), done.stderr
        assert "Traceback" not in done.stderr
        assert done.stderr == ""
        if output == "text":
            assert done.stdout.splitlines()[-1].startswith("40 files checked: ")
        if output == "json":  # whatever the input, the documented shape
            assert checked("validation", done.stdout)["files"] == 40
