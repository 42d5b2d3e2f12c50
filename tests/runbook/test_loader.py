"""The loader: every problem of a runbook's structure, with its exact line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.runbook.loader import load

from .base import BASE, edit


def problems(path: Path) -> list[str]:
    """The loader's diagnostics as 'line:col: severity: message [code]', in file order."""
    loaded = load(path)
    for d in loaded.diagnostics:
        assert d.file == str(path)
    return [
        f"{d.line}:{d.column}: {d.severity}: {d.message} [{d.code}]"
        for d in sorted(set(loaded.diagnostics))
    ]


def problems_of(tmp_path: Path, content: str | bytes) -> list[str]:
    path = tmp_path / "runbook.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return problems(path)


def test_base_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(BASE, encoding="utf-8")
    loaded = load(path)
    assert loaded.diagnostics == []
    assert loaded.ok
    assert loaded.runbook is not None
    assert [p.id for p in loaded.runbook.parts] == ["one", "two"]


SEXAGESIMAL = "YAML reads it as the number"
CASES = [
    pytest.param(
        edit('  start: "23:00"\n  end', "  start: 22:00\n  end"),
        [
            f'10:10: error: unquoted time 22:00: {SEXAGESIMAL} 1320; write it in quotes: "22:00"'
            " [unquoted-time]"
        ],
        id="unquoted-22:00",
    ),
    pytest.param(
        edit('    start: "23:00"', "    start: 23:00"),
        [
            f'22:12: error: unquoted time 23:00: {SEXAGESIMAL} 1380; write it in quotes: "23:00"'
            " [unquoted-time]"
        ],
        id="unquoted-23:00-in-a-part",
    ),
    pytest.param(
        edit('end: "03:00"', "end: 0700"),
        [
            '11:8: error: end: expected a local time as HH:MM in quotes, like "23:00", '
            "got '0700' [bad-value]"
        ],
        id="0700-in-a-time-field",
    ),
    pytest.param(
        edit("  kind: internal\n", "  kind: no\n"),
        ["5:9: error: kind: expected 'external' or 'internal', got 'no' [bad-value]"],
        id="no-is-text-not-false",
    ),
    pytest.param(
        edit("  rollback: 30m\n", "  rollback: 30m\n  downtime: no\n"),
        ["13:13: error: downtime: expected true or false, got 'no' [bad-value]"],
        id="no-is-not-a-flag",
    ),
    pytest.param(
        edit("  kind: internal\n", "  kind: internal\n  kind: external\n"),
        [
            "6:3: error: duplicate key 'kind' (first at line 5); YAML would silently keep "
            "only the last one [duplicate-key]"
        ],
        id="duplicate-key",
    ),
    pytest.param(
        edit(
            "audiences:\n  drift:\n    name: Drift\n",
            "audiences:\n  drift: &d\n    name: Drift\n  other:\n    <<: *d\n",
        ),
        [
            "16:3: error: missing required key 'name' [missing-key]",
            "17:5: error: merge keys (<<) are not supported [yaml]",
        ],
        id="merge-key",
    ),
    pytest.param(
        edit("  kind: internal\n", "  kind: internal\n  titel: Typo\n"),
        ["6:3: error: unknown key 'titel'; did you mean 'title'? [unknown-key]"],
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        edit("    owner: Team\n  - id: two", "    owner: Team\n    stpes: []\n  - id: two"),
        ["25:5: error: unknown key 'stpes'; did you mean 'steps'? [unknown-key]"],
        id="unknown-key-in-a-part",
    ),
    pytest.param(
        edit("    name: Drift\n", "    name: Drift\n    recipient: drift.csv\n"),
        ["16:5: error: unknown key 'recipient'; did you mean 'recipients'? [unknown-key]"],
        id="unknown-key-in-a-mapping-entry",
    ),
    pytest.param(
        BASE + "zzz: 1\n",
        [
            "46:1: error: unknown key 'zzz'; allowed: format, release, window, services, "
            "audiences, channels, parts, verification, incidents, messages, notices "
            "[unknown-key]"
        ],
        id="unknown-key-allowed-list",
    ),
    pytest.param(
        edit("    owner: Team\n  - id: two", "  - id: two"),
        ["20:5: error: missing required key 'owner' [missing-key]"],
        id="missing-key-in-a-part",
    ),
    pytest.param(
        edit("window:\n  date: 2021-12-01\n", "window:\n"),
        ["8:1: error: missing required key 'date' [missing-key]"],
        id="missing-key-in-window",
    ),
    pytest.param(
        "format: 1\nrelease:\n",
        [
            "1:1: error: missing required key 'audiences' [missing-key]",
            "1:1: error: missing required key 'parts' [missing-key]",
            "1:1: error: missing required key 'window' [missing-key]",
            "2:9: error: release: expected a mapping of keys, got nothing [bad-type]",
        ],
        id="missing-top-level-keys",
    ),
    pytest.param(
        edit("audiences:\n  drift:\n    name: Drift\n", "audiences: drift\n"),
        ["13:12: error: audiences: expected a mapping of keys, got 'drift' [bad-type]"],
        id="text-for-a-mapping",
    ),
    pytest.param(
        edit("    title: One\n", "    title: [a, b]\n"),
        ["21:12: error: title: expected text, got a list [bad-type]"],
        id="list-for-text",
    ),
    pytest.param(
        edit("    title: One\n", "    title: One\n    steps: check\n"),
        ["22:12: error: steps: expected a list (lines starting with '- '), got 'check' [bad-type]"],
        id="text-for-a-list",
    ),
    pytest.param(
        edit("    title: One\n", "    title: One\n    steps: [[a]]\n"),
        ["22:13: error: steps item 1: expected text, got a list [bad-type]"],
        id="list-in-a-list-of-text",
    ),
    pytest.param(
        edit(
            "    duration: 1h\n    owner: Team\n  - id: two",
            "    duration: [1]\n    owner: Team\n  - id: two",
        ),
        [
            "23:15: error: duration: expected a duration like 90m, 1h or 1h30m, got ['1'] "
            "[bad-value]"
        ],
        id="list-for-a-duration",
    ),
    pytest.param(
        edit(
            '    sender: "+46701740605"\n', '    sender: "+46701740605"\n    max_segments: many\n'
        ),
        [
            "19:19: error: max_segments: input should be a valid integer, unable to parse "
            "string as an integer, got 'many' [bad-value]"
        ],
        id="text-for-a-number",
    ),
    pytest.param(
        edit("  date: 2021-12-01\n", "  date: 2021-13-01\n"),
        [
            "9:9: error: date: input should be a valid date or datetime, month value is outside "
            "expected range of 1-12, got '2021-13-01' [bad-value]"
        ],
        id="bad-date",
    ),
    pytest.param(
        edit(
            '    sender: "+46701740605"\n', '    sender: "+46701740605"\n    rate_limit: 1e-300\n'
        ),
        [
            "19:17: error: rate_limit: expected at least 1 a minute (0.0167 a second) and at "
            "most 10000 a second, got 1e-300 [bad-value]"
        ],
        id="rate-limit-too-low",
    ),
    pytest.param(
        edit('    sender: "+46701740605"\n', '    sender: "+46701740605"\n    rate_limit: 0\n'),
        [
            "19:17: error: rate_limit: expected at least 1 a minute (0.0167 a second) and at "
            "most 10000 a second, got 0 [bad-value]"
        ],
        id="rate-limit-0",
    ),
    pytest.param(
        edit('    sender: "+46701740605"\n', '    sender: "+46701740605"\n    rate_limit: 1e9\n'),
        [
            "19:17: error: rate_limit: expected at least 1 a minute (0.0167 a second) and at "
            "most 10000 a second, got 1e+09 [bad-value]"
        ],
        id="rate-limit-too-high",
    ),
    pytest.param(
        edit('    sender: "+46701740605"\n', "    rate_limit: 5\n"),
        ["18:5: error: sms: give exactly one of messaging_service_sid or sender [bad-value]"],
        id="model-rule",
    ),
    pytest.param(
        edit('    sms: "Vi backar."\n', '    sms: "Vi backar."\n    variants:\n      - sms: x\n'),
        [
            "44:9: error: variants item 1: a variant needs an audience, a language or both "
            "[bad-value]"
        ],
        id="rule-of-a-list-item",
    ),
    pytest.param(
        edit("format: 1", "format: 2"),
        [
            "1:9: error: format 2 is newer than this gonogo reads (format 1); upgrade gonogo "
            "[format]"
        ],
        id="future-format",
    ),
    pytest.param(
        edit("format: 1\n", ""),
        ["1:1: error: missing `format: 1` (the runbook format version) [format]"],
        id="missing-format",
    ),
    pytest.param(
        edit("format: 1", "format: one"),
        ["1:9: error: format must be a whole number, like 1 [format]"],
        id="format-not-a-number",
    ),
    pytest.param(
        edit("format: 1", "format: 0"),
        ["1:9: error: format: expected 1, got '0' [bad-value]"],
        id="format-0",
    ),
    pytest.param(
        "",
        ["1:1: error: the file is empty; a runbook starts with `format: 1` [empty]"],
        id="empty",
    ),
    pytest.param(
        "  \n\n \t\n",
        ["1:1: error: the file is empty; a runbook starts with `format: 1` [empty]"],
        id="whitespace-only",
    ),
    pytest.param(
        "# only a comment\n",
        ["1:1: error: the file has no content; a runbook starts with `format: 1` [empty]"],
        id="comment-only",
    ),
    pytest.param(
        b"format: 1\nab\x00cd\n",
        ["2:3: error: binary file (NUL byte), not a YAML runbook [binary]"],
        id="binary-nul",
    ),
    pytest.param(
        "format: 1\nrelease:\n  title: café\n".encode("latin-1"),
        ["3:13: error: not UTF-8: byte 0xe9 cannot be decoded; save the file as UTF-8 [encoding]"],
        id="latin-1",
    ),
    pytest.param(
        "format: 1\nrelease:\n  title: Åcafé\n".encode()[:-3] + b"\xe9\n",
        ["3:14: error: not UTF-8: byte 0xe9 cannot be decoded; save the file as UTF-8 [encoding]"],
        id="invalid-utf-8-column-in-characters",
    ),
    pytest.param(
        edit("  kind: internal\n", "  kind: [internal\n"),
        [
            "6:18: error: YAML syntax error: did not find expected ',' or ']' (while parsing a "
            "flow sequence started at line 5, column 9) [yaml]"
        ],
        id="yaml-syntax-error",
    ),
    pytest.param(
        edit('    sms: "Vi har backat."\n', '    sms: "Vi har backat.\n'),
        [
            "46:1: error: YAML syntax error: found unexpected end of stream (while scanning a "
            "quoted scalar started at line 45, column 10) [yaml]"
        ],
        id="unclosed-quote",
    ),
    pytest.param(
        edit("  title: Test release\n", '  title: "Test release\n'),
        [
            "6:21: error: YAML syntax error: did not find expected key (while parsing a block "
            "mapping started at line 3, column 3) [yaml]"
        ],
        id="quote-closed-by-the-next-value",
    ),
    pytest.param(
        edit("  kind: internal\n", "\tkind: internal\n"),
        ["5:1: error: YAML syntax error: a tab character; indent with spaces [yaml]"],
        id="tab-indent",
    ),
    pytest.param(
        BASE + "---\nformat: 1\n",
        [
            "46:1: error: YAML syntax error: expected a single document in the stream but "
            "found another document [yaml]"
        ],
        id="two-documents",
    ),
    pytest.param(
        "- format: 1\n- release: x\n",
        [
            "1:1: error: a runbook is a mapping of keys (format, release, window, ...), not a "
            "list or text [structure]"
        ],
        id="list-at-top-level",
    ),
    pytest.param(
        "just some text\n",
        [
            "1:1: error: a runbook is a mapping of keys (format, release, window, ...), not a "
            "list or text [structure]"
        ],
        id="text-at-top-level",
    ),
    pytest.param(
        BASE + "? [a]\n: b\n",
        ["46:3: error: a key must be plain text [yaml]"],
        id="list-as-a-key",
    ),
    pytest.param(
        BASE + "x: &a [*a]\n",
        [
            "46:1: error: unknown key 'x'; allowed: format, release, window, services, "
            "audiences, channels, parts, verification, incidents, messages, notices "
            "[unknown-key]",
            "46:1: error: this alias refers to a value that contains it [yaml]",
        ],
        id="recursive-alias",
    ),
]


@pytest.mark.parametrize(("content", "expected"), CASES)
def test_loader_problem(tmp_path: Path, content: str | bytes, expected: list[str]) -> None:
    assert problems_of(tmp_path, content) == expected


def test_aliases_that_multiply_are_stopped(tmp_path: Path) -> None:
    lines = ["format: 1", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    assert problems_of(tmp_path, "\n".join(lines) + "\n") == [
        "1:1: error: the file expands to more than 100000 values (aliases of aliases?); "
        "write the values out [yaml]"
    ]


def test_plain_anchors_and_aliases_work(tmp_path: Path) -> None:
    text = edit(
        '    audiences: [drift]\n    sms: "Start', '    audiences: &all [drift]\n    sms: "Start'
    )
    text = edit(
        "  part_completed:\n    audiences: [drift]", "  part_completed:\n    audiences: *all", text
    )
    assert problems_of(tmp_path, text) == []


def test_no_and_yes_stay_text(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(edit("  title: Test release", "  title: no"), encoding="utf-8")
    loaded = load(path)
    assert loaded.diagnostics == []
    assert loaded.runbook is not None
    assert loaded.runbook.release.title == "no"


def test_unquoted_numbers_stay_as_written(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(edit('  version_package: "1"', "  version_package: 0700"), encoding="utf-8")
    loaded = load(path)
    assert loaded.diagnostics == []
    assert loaded.runbook is not None
    assert loaded.runbook.release.version_package == "0700"  # PyYAML would say 448


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "\ufeff" + BASE) == []


def test_directory(tmp_path: Path) -> None:
    assert problems(tmp_path) == ["1:1: error: is a directory, not a runbook file [unreadable]"]


def test_missing_file(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.yaml") == ["1:1: error: no such file [unreadable]"]


def test_diagnostic_text_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(edit("format: 1", "format: 2"), encoding="utf-8")
    [diagnostic] = load(path).diagnostics
    assert diagnostic.text() == (
        f"{path}:1:9: error: format 2 is newer than this gonogo reads (format 1); "
        "upgrade gonogo [format]"
    )


CREDENTIAL_ADVICE = (
    "credentials never go in a runbook: set them in the environment (TWILIO_ACCOUNT_SID, "
    "TWILIO_AUTH_TOKEN, GONOGO_SMTP_PASSWORD)"
)
SECRET_CASES = [
    pytest.param(
        edit(
            '    sender: "+46701740605"\n',
            '    sender: "+46701740605"\n    auth_token: s3cr3t-v4lue\n',
        ),
        "s3cr3t-v4lue",
        [
            "19:5: error: 'auth_token' looks like a credential; credentials never go in a "
            "runbook: set TWILIO_AUTH_TOKEN or GONOGO_SMTP_PASSWORD in the environment "
            "[credential]"
        ],
        id="auth_token-key",
    ),
    pytest.param(
        edit('    sender: "+46701740605"\n', '    sender: "+46701740605"\n    password: hunter2\n'),
        "hunter2",
        [
            "19:5: error: 'password' looks like a credential; credentials never go in a "
            "runbook: set TWILIO_AUTH_TOKEN or GONOGO_SMTP_PASSWORD in the environment "
            "[credential]"
        ],
        id="password-key",
    ),
    pytest.param(
        edit("  title: Test release", "  title: AC0123456789abcdef0123456789abcdef"),
        "AC0123456789abcdef0123456789abcdef",
        [
            "4:10: error: this value looks like a Twilio account SID; "
            f"{CREDENTIAL_ADVICE} [credential]"
        ],
        id="account-sid-value",
    ),
    pytest.param(
        edit("  title: Test release", "  title: Token 0123456789abcdef0123456789abcdef"),
        "0123456789abcdef0123456789abcdef",
        [
            "4:10: error: this value looks like a Twilio auth token; "
            f"{CREDENTIAL_ADVICE} [credential]"
        ],
        id="auth-token-value",
    ),
    pytest.param(
        edit("  title: Test release", '  title: "https://ops:hunter2@example.org/hook"'),
        "hunter2",
        [
            "4:10: error: this value looks like a URL with a user name and password; "
            f"{CREDENTIAL_ADVICE} [credential]"
        ],
        id="url-with-password",
    ),
]


@pytest.mark.parametrize(("content", "secret", "expected"), SECRET_CASES)
def test_credentials_are_errors_and_never_repeated(
    tmp_path: Path, content: str, secret: str, expected: list[str]
) -> None:
    found = problems_of(tmp_path, content)
    assert found == expected
    assert all(secret not in line for line in found)
