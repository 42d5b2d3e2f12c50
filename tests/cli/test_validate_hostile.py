"""`gonogo validate` on hostile and broken runbooks: no secret out, no hang, no traceback.

Each case of issue 19 end to end, as a fresh process, with a known token in the
environment that must appear nowhere: not in any output format, not in the cache.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.runbook.base import BASE, edit

TOKEN = "f00dfacef00dfacef00dfacef00dface"  # a made-up auth token the output must not show
PASSWORD = "correct-horse-battery"


def gonogo(
    *args: str | Path, cwd: Path, cache: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "GONOGO_SMTP_PASSWORD": PASSWORD}
    env.pop("GONOGO_DEBUG", None)
    if cache is not None:
        env["GONOGO_CACHE_DIR"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=env,
        timeout=30,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def with_recipients(path: str) -> str:
    return edit("    name: Drift\n", f"    name: Drift\n    recipients: {path}\n", BASE)


def everything_in(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in directory.rglob("*") if p.is_file())


@pytest.mark.parametrize("output", ["text", "json", "github"])
def test_the_environment_is_not_printed_through_proc_self_environ(
    tmp_path: Path, output: str
) -> None:
    (tmp_path / "night.yaml").write_text(with_recipients("/proc/self/environ"))
    cache = tmp_path / "cache"
    done = gonogo("validate", "--format", output, "night.yaml", cwd=tmp_path, cache=cache)
    assert done.returncode == 1
    for secret in (TOKEN, PASSWORD, "TWILIO_AUTH_TOKEN"):
        assert secret not in done.stdout + done.stderr
        assert secret.encode() not in everything_in(cache) if cache.exists() else True
    assert "/proc/self/environ" in done.stdout  # the error names the path


def test_dot_env_beside_the_runbook_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / ".env").write_text(f"TWILIO_AUTH_TOKEN={TOKEN}\n")
    (tmp_path / "runbooks" / "night.yaml").write_text(with_recipients("../.env"))
    done = gonogo("validate", "runbooks/night.yaml", cwd=tmp_path, cache=tmp_path / "cache")
    assert done.returncode == 1
    assert "runbooks/night.yaml:16:17: error: recipients file '../.env' is outside" in done.stdout
    assert TOKEN not in done.stdout
    assert TOKEN.encode() not in everything_in(tmp_path / "cache")


def test_proc_kmsg_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "night.yaml").write_text(with_recipients("/proc/kmsg"))
    done = gonogo("validate", "night.yaml", cwd=tmp_path)  # timeout=30 fails the test
    assert done.returncode == 1


@pytest.mark.parametrize("command", ["validate", "plan", "messages"])
def test_a_runbook_that_is_a_pipe_is_refused_at_once(tmp_path: Path, command: str) -> None:
    os.mkfifo(tmp_path / "night.yaml")  # opened for reading, it waits for a writer for ever
    done = gonogo(command, "night.yaml", cwd=tmp_path)  # timeout=30 fails the test
    assert done.returncode == 1
    expected = "night.yaml:1:1: error: not a regular file (a pipe or a device?), not a runbook"
    assert expected in done.stdout + done.stderr


def test_a_pipe_named_like_a_runbook_does_not_hang_the_hook(tmp_path: Path) -> None:
    (tmp_path / "runbooks").mkdir()
    os.mkfifo(tmp_path / "runbooks" / "night.yaml")
    (tmp_path / "other.yaml").write_text("x: 1\n")
    os.mkfifo(tmp_path / "pipe.yaml")  # read to see whether it is a runbook: not one
    done = gonogo("validate", "--changed", "runbooks/night.yaml", "other.yaml", "pipe.yaml",
                  cwd=tmp_path)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "runbooks/night.yaml:1:1: error: not a regular file" in done.stdout
    assert "pipe.yaml" not in done.stdout


def test_recipients_root_lets_runbooks_share_a_file(tmp_path: Path) -> None:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "drift.csv").write_text(
        "name,phone,email,language\nAnna,+46701740605,,\n"
    )
    (tmp_path / "runbooks" / "night.yaml").write_text(with_recipients("../shared/drift.csv"))
    refused = gonogo("validate", "runbooks/night.yaml", cwd=tmp_path)
    assert refused.returncode == 1
    allowed = gonogo("validate", "--recipients-root", ".", "runbooks/night.yaml", cwd=tmp_path)
    assert "error" not in allowed.stdout.split("checked: ")[0]
    assert allowed.returncode == 0, allowed.stdout


def test_a_credential_in_a_recipients_line_is_masked(tmp_path: Path) -> None:
    (tmp_path / "drift.csv").write_text(f"name,phone,email,language\nAnna,{TOKEN},,\n")
    (tmp_path / "night.yaml").write_text(with_recipients("drift.csv"))
    done = gonogo("validate", "night.yaml", cwd=tmp_path, cache=tmp_path / "cache")
    assert "drift.csv:2:6: error: phone number must be in international form" in done.stdout
    assert TOKEN not in done.stdout
    assert TOKEN.encode() not in everything_in(tmp_path / "cache")


# A file a runbook may name that is no CSV, or a CSV with a secret in any field: the
# message says what and where, never a word of the file.
SECRET_FILES = {
    "env-line": ("GONOGO_SMTP_PASSWORD=hunter2horse\n", "hunter2horse", "1:1", "no header row"),
    "export-line": ('export PASSWORD="Tr0ub4dor&3"\n', "Tr0ub4dor", "1:1", "no header row"),
    "header-cell": ("name,hunter2horse,email,language\n", "hunter2horse", "1:6", "unknown column"),
    "phone": ("name,phone,email,language\nAnna,+hunter2horse,,\n", "hunter", "2:6", "phone"),
    "e-mail": ("name,phone,email,language\nAnna,,a@hunter2horse.invalid,\n", "hunter", "2:7",
               "invalid e-mail"),
    "language": ("name,phone,email,language\nAnna,+46701740605,,Tr0ub4dor&3\n", "Tr0ub4dor",
                 "2:20", "language"),
}  # fmt: skip


@pytest.mark.parametrize("output", ["text", "json", "github", "sarif"])
@pytest.mark.parametrize("case", list(SECRET_FILES))
def test_a_recipients_file_is_never_quoted(tmp_path: Path, case: str, output: str) -> None:
    content, secret, where, what = SECRET_FILES[case]
    (tmp_path / ".env").write_text(content)
    (tmp_path / "night.yaml").write_text(with_recipients(".env"))
    cache = tmp_path / "cache"
    done = gonogo("validate", "--format", output, "night.yaml", cwd=tmp_path, cache=cache)
    assert done.returncode == 1, done.stdout
    assert secret not in done.stdout + done.stderr
    assert secret.encode() not in everything_in(cache)
    assert what in done.stdout
    if output == "text":
        assert f".env:{where}: error: {what}" in done.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            BASE + "x: " + "[" * 400 + "]" * 400 + "\n",
            ":46:36: error: nested more than 32 levels deep [too-deep]",
            id="nesting",
        ),
        pytest.param(
            edit("2021-12-01", "9999-12-31"),
            ":9:9: error: date: a date between 1970 and 2100, got 9999-12-31 [bad-value]",
            id="date",
        ),
        pytest.param(
            edit(
                "duration: 1h\n    owner: Team\n  - id: two",
                "duration: 99999999999999999999h\n    owner: Team\n  - id: two",
            ),
            ":23:15: error: duration: longer than a week (168h)",
            id="duration",
        ),
        pytest.param(
            with_recipients("a" * 300 + ".csv"),
            ":16:17: error: recipients file 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            id="file-name",
        ),
        pytest.param(
            edit("title: Two", "title: T\x07wo"),
            ":26:13: error: U+0007 (BELL) is not allowed in YAML",
            id="control-character-at-its-place",
        ),
        pytest.param(
            edit('    sms: "Klart."\n', "    sms: |\n      Klart.\n      {nope}\n"),
            ":41:7: error: unknown placeholder {nope} for window_completed",
            id="error-inside-a-block-scalar",
        ),
        pytest.param(
            edit("kind: internal", "kind: " + "x" * 50_000),
            ":5:9: error: this value is 50,000 characters long; the limit is 20,000 [too-long]",
            id="huge-value",
        ),
        pytest.param(
            edit('    sms: "Klart."\n', f'    sms: "Nyckel AKIAIOSFODNN7EXAMPLE, {PASSWORD}"\n'),
            ":39:10: error: this value looks like an AWS access key",
            id="aws-key-in-a-message",
        ),
    ],
)
def test_each_fault_is_one_located_error(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "night.yaml").write_text(text, encoding="utf-8")
    done = gonogo("validate", "night.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert f"night.yaml{expected}" in done.stdout, done.stdout
    assert all(len(line) < 600 for line in done.stdout.splitlines())
    assert "AKIAIOSFODNN7EXAMPLE" not in done.stdout


def test_one_broken_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(edit("2021-12-01", "9999-12-31"))
    (tmp_path / "b.yaml").write_text(BASE + "x: " + "[" * 400 + "]" * 400 + "\n")
    (tmp_path / "c.yaml").write_text("format: 2\n")
    done = gonogo("validate", "a.yaml", "b.yaml", "c.yaml", cwd=tmp_path)
    assert done.returncode == 1
    files = {line.split(":", 1)[0] for line in done.stdout.splitlines()[:-1]}
    assert files == {"a.yaml", "b.yaml", "c.yaml"}
    assert done.stdout.splitlines()[-1].startswith("3 files checked: ")


def test_a_password_in_a_url_is_masked_in_any_message(tmp_path: Path) -> None:
    text = edit(
        '    sender: "+46701740605"\n',
        '    sender: "+46701740605"\n    url: http://u:hunter2@example.org\n',
    )
    (tmp_path / "night.yaml").write_text(text)
    done = gonogo("validate", "night.yaml", cwd=tmp_path)
    assert "hunter2" not in done.stdout


# Every way into a diagnostic a runbook has, each given a line break that would start a
# workflow command in a CI log, a carriage return, an escape sequence, C1 controls (NEL,
# CSI), the Unicode line separator and a bidi override, in YAML's double-quoted escapes.
INJECTED = r"\n::error file=README.md,line=1::pwned\r\e[31m\x85\u2028\u202e\x9b"
RAW = INJECTED.replace(r"\e", r"\x1b").encode().decode("unicode_escape")
# What no output may hold raw; the line break between lines is the output's own.
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
# The structure's faults (stop the checks) and the checks' (on a well-formed runbook).
HOSTILE = {
    "structure": (
        edit(
            "  timezone: Europe/Stockholm\n",
            f'  timezone: "Europe/X{INJECTED}"\n"key{INJECTED}": 1\n',
            edit("  - id: two\n", f'  - id: "two{INJECTED}"\n'),
        ),
        3,
    ),
    "checks": (
        edit(
            "    name: Drift\n",
            f'    name: Drift\n    recipients: "gone{INJECTED}.csv"\n'
            f'  vard:\n    name: Vård\n    recipients: "bad{INJECTED}.csv"\n',
            edit(
                '    audiences: [drift]\n    sms: "Klart."',
                f'    audiences: [drift, "nobody{INJECTED}"]\n    sms: "Klart {{what{INJECTED}}}."',
            ),
        ),
        4,
    ),
}


@pytest.mark.parametrize("output", ["text", "json", "github", "sarif"])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_no_runbook_string_writes_a_line_or_a_control_of_its_own(
    tmp_path: Path, case: str, output: str
) -> None:
    text, quoting = HOSTILE[case]
    (tmp_path / "night.yaml").write_text(text, encoding="utf-8")
    bad = "bad" + RAW + ".csv"
    (tmp_path / bad).write_text("name,phone,email,language\nAnna,12,,\n")  # its name: a path
    done = gonogo("validate", "--format", output, "night.yaml", cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    assert CONTROL.search(done.stdout) is None, done.stdout
    lines = done.stdout.splitlines()
    assert not any(line.lstrip().startswith("::error file=README.md") for line in lines)
    uri = output == "sarif" and case == "checks"  # a file name is a percent-encoded URI
    assert done.stdout.count("error file=README") >= quoting - uri  # each is quoted
    if output == "text":
        *diagnostics, verdict = lines
        assert all(line.startswith(("night.yaml:", "bad\\n::error")) for line in diagnostics)
        assert verdict.startswith("1 file checked: ")
    if output == "json" and case == "checks":  # the path itself, JSON-escaped, reads back
        files = {d["file"] for d in json.loads(done.stdout)["diagnostics"]}
        assert bad in files


@pytest.mark.parametrize("output", ["text", "json", "github", "sarif"])
def test_the_runbook_file_name_is_escaped_in_the_location(tmp_path: Path, output: str) -> None:
    name = "night" + RAW + ".yaml"
    (tmp_path / name).write_text(edit("kind: internal", "kind: internal\n  x: 1"))
    done = gonogo("validate", "--format", output, name, cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    assert CONTROL.search(done.stdout) is None, done.stdout
    assert "\n::error file=README.md" not in done.stdout
    if output == "text":
        assert done.stdout.startswith("night\\n::error file=README.md,line=1::pwned\\r\\x1b[31m")
        assert ":6:3: error: unknown key 'x'" in done.stdout.splitlines()[0]


@pytest.mark.parametrize("command", ["plan", "messages"])
def test_a_command_refusing_the_runbook_escapes_its_name(tmp_path: Path, command: str) -> None:
    name = "night" + RAW + ".yaml"
    (tmp_path / name).write_text(edit("kind: internal", "kind: internal\n  x: 1"))
    done = gonogo(command, name, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert CONTROL.search(done.stderr) is None, done.stderr
    assert done.stderr.startswith("gonogo: error: night\\n::error file=README.md,line=1::pwned")
    assert not any(line.startswith("::") for line in done.stderr.splitlines())
