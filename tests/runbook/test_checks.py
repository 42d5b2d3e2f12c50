"""Semantic checks: each rule, with the exact message, line and column it reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gonogo.runbook.timeline import timeline
from gonogo.runbook.validate import validate_file

from .base import QUIET

# A valid runbook without warnings; the cases below edit it. Lines refer to this text.
BASE = QUIET
PART_COMPLETED = """\
  part_completed:
    audiences: [drift]
    sms: "Del {part_number} av {part_count} klar."
"""
PART_TWO_TIMES = '    start: "00:00"\n    duration: 1h\n'
EMAIL_CHANNEL = """\
  email:
    host: smtp.example.org
    sender: Drift <drift@example.org>
"""
VERIFICATION = """\
verification:
  starts: "00:30"
  gates: two
  participants:
    region:
      organisation: Region Exempel
      system: TakeCare
"""


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def part_two(start: str, duration: str = "1h", text: str = BASE) -> str:
    return edit(PART_TWO_TIMES, f'    start: "{start}"\n    duration: {duration}\n', text)


def message(event: str, sms: str, text: str = BASE) -> str:
    """BASE with `event`'s SMS text replaced (the event must have one)."""
    start = text.index(f"  {event}:\n")
    line = text.index("    sms: ", start)
    end = text.index("\n", line)
    return text[:line] + f"    sms: {sms}" + text[end:]


def problems(path: Path) -> list[str]:
    """All diagnostics as 'line:col: severity: message [code]'; other files' named."""
    loaded = validate_file(path)
    lines = []
    for d in sorted(set(loaded.diagnostics)):
        where = "" if d.file == str(path) else f"{Path(d.file).name}:"
        lines.append(f"{where}{d.line}:{d.column}: {d.severity}: {d.message} [{d.code}]")
    return lines


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "runbook.yaml"
    path.write_text(text, encoding="utf-8")
    return problems(path)


def test_base_has_no_problems(tmp_path: Path) -> None:
    assert problems_of(tmp_path, BASE) == []


NOT_SENT = "which this message is not sent to"
MAY_USE_WINDOW = (
    "{release}, {release_title}, {version_package}, {window_date}, {window_start}, "
    "{window_end}, {part_count}, {time}"
)
CASES = [
    # -- times and order ----------------------------------------------------------------
    pytest.param(
        part_two("23:10", text=edit('    start: "23:00"\n', '    start: "23:30"\n')),
        [
            "27:12: error: part 2 starts at 23:10, before part 1; parts run in the order "
            "they are written [order]"
        ],
        id="parts-out-of-order",
    ),
    pytest.param(
        part_two("23:30"),
        ["27:12: warning: part 2 starts at 23:30, before part 1 is planned to end [overlap]"],
        id="parts-overlap",
    ),
    pytest.param(
        part_two("04:00"),
        ["27:12: error: part 2 starts at 04:00, outside the window 23:00-03:00 [outside-window]"],
        id="part-starts-after-the-window",
    ),
    pytest.param(
        part_two("22:30"),
        ["27:12: error: part 2 starts at 22:30, outside the window 23:00-03:00 [outside-window]"],
        id="part-starts-before-the-window",
    ),
    pytest.param(
        part_two("02:00", "2h"),
        ["28:15: error: part 2 ends after the window's end 03:00 [outside-window]"],
        id="part-ends-after-the-window",
    ),
    pytest.param(
        edit("  rollback: 30m\n", "  rollback: 3h\n"),
        [
            "12:13: warning: a NoGo at the last part leaves no room: its planned end plus "
            "the rollback (3h) is 1h past the window's end 03:00 [rollback-fit]"
        ],
        id="rollback-does-not-fit",
    ),
    pytest.param(
        edit("  rollback: 30m\n", "  rollback: 2h\n"),
        [],
        id="rollback-fits-exactly",
    ),
    pytest.param(
        edit('  end: "03:00"\n', '  end: "23:00"\n'),
        ["11:8: error: the window ends when it starts [window]"],
        id="window-ends-when-it-starts",
    ),
    # -- references ---------------------------------------------------------------------
    pytest.param(
        edit(
            "  window_completed:\n    audiences: [drift]",
            "  window_completed:\n    audiences: [drift, press]",
        ),
        ["38:24: error: unknown audience 'press'; audiences: drift [unknown-ref]"],
        id="unknown-audience",
    ),
    pytest.param(
        edit("  rollback: 30m\n", "  rollback: 30m\n  services: [erecept]\n"),
        ["13:14: error: unknown service 'erecept'; services: none [unknown-ref]"],
        id="unknown-service",
    ),
    pytest.param(
        BASE + edit("  gates: two\n", "  gates: three\n", VERIFICATION),
        [
            "54:1: warning: no message for verification_started: `gonogo verify start` will "
            "send nothing (add messages.verification_started, or `silent: true` to say so) "
            "[no-message]",
            "56:10: error: unknown part 'three'; parts: one, two [unknown-ref]",
        ],
        id="unknown-gated-part",
    ),
    pytest.param(
        edit("  disruption:\n", "  verification_started:\n    silent: true\n  disruption:\n")
        + edit('  starts: "00:30"\n', '  starts: "05:00"\n', VERIFICATION),
        ["57:11: error: production verification starts outside the window [outside-window]"],
        id="verification-outside-the-window",
    ),
    pytest.param(
        edit("  - id: two\n", "  - id: one\n"),
        ["25:9: error: part id 'one' is used by part 1 too [duplicate-id]"],
        id="duplicate-part-id",
    ),
    pytest.param(
        edit("  - id: two\n", '  - id: "2"\n'),
        [
            "25:9: error: part id '2' is a number; `gonogo go 2` would be ambiguous with the "
            "part's number [bad-value]"
        ],
        id="numeric-part-id",
    ),
    pytest.param(
        BASE + "incidents:\n  major_priorities: [0, 2, 7]\n",
        [
            "55:22: error: priority 0: ITIL priorities are 1 to 5 [bad-value]",
            "55:28: error: priority 7: ITIL priorities are 1 to 5 [bad-value]",
        ],
        id="priority-outside-1-to-5",
    ),
    pytest.param(
        edit(
            '    sms: "Vi backar."\n',
            '    sms: "Vi backar."\n    variants:\n      - audience: press\n'
            '        sms: "Vi backar!"\n',
        ),
        [f"44:19: error: variant for audience 'press', {NOT_SENT} [unknown-ref]"],
        id="variant-for-an-audience-not-sent-to",
    ),
    # -- templates ----------------------------------------------------------------------
    pytest.param(
        message("window_completed", '"Klart {nope}."'),
        [
            f"39:10: error: unknown placeholder {{nope}} for window_completed; it may use: "
            f"{MAY_USE_WINDOW} [placeholder]"
        ],
        id="unknown-placeholder",
    ),
    pytest.param(
        message("window_completed", '"Del {part_number} klar."'),
        [
            f"39:10: error: unknown placeholder {{part_number}} for window_completed; it may "
            f"use: {MAY_USE_WINDOW} [placeholder]"
        ],
        id="placeholder-of-another-event",
    ),
    pytest.param(
        message("window_completed", '"Klart {a.b}."'),
        ["39:10: error: placeholder {a.b} must be a plain name like {release} [template]"],
        id="attribute-access",
    ),
    pytest.param(
        message("window_completed", '"Klart {0}."'),
        ["39:10: error: placeholder {0} must be a plain name like {release} [template]"],
        id="positional",
    ),
    pytest.param(
        message("window_completed", '"Klart {release[0]}."'),
        ["39:10: error: placeholder {release[0]} must be a plain name like {release} [template]"],
        id="index-access",
    ),
    pytest.param(
        message("window_completed", '"Klart {release!r}."'),
        [
            "39:10: error: placeholder {release!r} may not have a format spec or conversion; "
            "write {release} [template]"
        ],
        id="conversion",
    ),
    pytest.param(
        message("window_completed", '"Klart {release:>9}."'),
        [
            "39:10: error: placeholder {release:>9} may not have a format spec or conversion; "
            "write {release} [template]"
        ],
        id="format-spec",
    ),
    pytest.param(
        message("window_completed", '"Klart {."'),
        [
            "39:10: error: bad template: expected '}' before end of string; write a literal "
            "brace as {{ or }} [template]"
        ],
        id="lone-opening-brace",
    ),
    pytest.param(
        message("window_completed", '"Klart }."'),
        [
            "39:10: error: bad template: Single '}' encountered in format string; write a "
            "literal brace as {{ or }} [template]"
        ],
        id="lone-closing-brace",
    ),
    pytest.param(
        message("window_completed", '"Klart {{ok}}."'),
        [],
        id="doubled-braces-are-literal",
    ),
    # -- coverage: every event the machine reaches has a message -------------------------
    pytest.param(
        edit('  window_completed:\n    audiences: [drift]\n    sms: "Klart."\n', ""),
        [
            "30:1: error: no message for window_completed: add messages.window_completed "
            "(or `silent: true`) [no-message]"
        ],
        id="machine-event-without-message",
    ),
    pytest.param(
        edit(
            PART_COMPLETED,
            "",
        ),
        [
            "30:1: error: no message for part_completed of part(s) 1, 2: add "
            "messages.part_completed or the part's own messages.completed (or `silent: true`) "
            "[no-message]"
        ],
        id="part-completed-without-message",
    ),
    pytest.param(
        edit(
            PART_COMPLETED,
            "",
            edit(
                "    title: Two\n",
                "    title: Two\n    messages:\n      completed:\n        audiences: [drift]\n"
                '        sms: "Del 2 klar."\n',
            ),
        ),
        [
            "34:1: error: no message for part_completed of part(s) 1: add "
            "messages.part_completed or the part's own messages.completed (or `silent: true`) "
            "[no-message]"
        ],
        id="only-part-2-has-its-own-message",
    ),
    pytest.param(
        edit(
            '  rollback_started:\n    audiences: [drift]\n    sms: "Vi backar."\n',
            "  rollback_started:\n    silent: true\n",
        ),
        [],
        id="silent-machine-event",
    ),
    pytest.param(
        edit("  disruption:\n    silent: true\n", ""),
        [
            "30:1: warning: no message for disruption: the command will record it but notify "
            "no one (add messages.disruption, or `silent: true` to say so) [no-message]"
        ],
        id="optional-event-without-message",
    ),
    pytest.param(
        edit(
            "    owner: Team\n  - id: two", "    owner: Team\n    status_message: true\n  - id: two"
        ),
        [
            "25:21: error: part 1 sends a status message but there is no messages.part_status "
            "and no messages.status of its own [no-message]"
        ],
        id="status-message-without-part-status",
    ),
    pytest.param(
        edit(
            "    owner: Team\n  - id: two",
            "    owner: Team\n    status_message: true\n  - id: two",
            BASE + '  part_status:\n    audiences: [drift]\n    sms: "Del {part_number} pågår."\n',
        ),
        [],
        id="status-message-with-part-status",
    ),
    # -- channels -----------------------------------------------------------------------
    pytest.param(
        edit('channels:\n  sms:\n    sender: "+46701740605"\n', ""),
        [
            f"{line}:10: error: an sms text, but channels.sms is not set up [no-channel]"
            for line in (30, 33, 36, 39, 42)
        ],
        id="sms-text-without-sms-channel",
    ),
    pytest.param(
        edit(
            '    sms: "Vi backar."\n',
            '    sms: "Vi backar."\n    email:\n      subject: Vi backar\n      body: Vi backar.\n',
        ),
        ["41:5: error: an email text, but channels.email is not set up [no-channel]"],
        id="email-text-without-email-channel",
    ),
    pytest.param(
        edit(
            '    sms: "Vi backar."\n',
            '    sms: "Vi backar."\n    email:\n      subject: Vi backar\n      body: Vi backar.\n',
            edit('    sender: "+46701740605"\n', '    sender: "+46701740605"\n' + EMAIL_CHANNEL),
        ),
        [],
        id="email-text-with-email-channel",
    ),
    # -- SMS length and encoding --------------------------------------------------------
    pytest.param(
        message("window_completed", '"Klart – nu."'),
        [
            "39:10: warning: SMS is sent as UCS-2 (70 characters a segment, not 160) because "
            "of '–' (EN DASH); replace it to keep GSM-7 [sms-ucs2]"
        ],
        id="ucs2-en-dash",
    ),
    pytest.param(
        message("window_completed", '"Klart ”nu”."'),
        [
            "39:10: warning: SMS is sent as UCS-2 (70 characters a segment, not 160) because "
            "of '”' (RIGHT DOUBLE QUOTATION MARK); replace it to keep GSM-7 [sms-ucs2]"
        ],
        id="ucs2-curly-quote",
    ),
    pytest.param(
        message("window_completed", '"Klart 🎉"'),
        [
            "39:10: warning: SMS is sent as UCS-2 (70 characters a segment, not 160) because "
            "of '🎉' (PARTY POPPER); replace it to keep GSM-7 [sms-ucs2]"
        ],
        id="ucs2-emoji",
    ),
    pytest.param(
        message("window_completed", '"Klart: åäö ÅÄÖ é, [ok] {{x}} € ~"'),
        [],
        id="swedish-and-extension-characters-are-gsm-7",
    ),
    pytest.param(
        message("window_completed", '"' + "a" * 459 + '"'),
        [],
        id="three-segments-is-the-default-limit",
    ),
    pytest.param(
        message("window_completed", '"' + "a" * 500 + '"'),
        [
            "39:10: warning: SMS is 4 segments (500 GSM-7 units with sample values), over the "
            "limit of 3 [sms-length]"
        ],
        id="four-segments",
    ),
    pytest.param(
        message(
            "window_completed",
            '"' + "a" * 161 + '"',
            edit(
                '    sender: "+46701740605"\n', '    sender: "+46701740605"\n    max_segments: 1\n'
            ),
        ),
        [
            "40:10: warning: SMS is 2 segments (161 GSM-7 units with sample values), over the "
            "limit of 1 [sms-length]"
        ],
        id="configured-limit",
    ),
    # -- DST and midnight ---------------------------------------------------------------
    pytest.param(
        part_two("02:30", "30m", edit("  date: 2021-12-01\n", "  date: 2021-03-27\n")),
        [
            "27:12: error: 2021-03-28 02:30 does not exist in Europe/Stockholm (the clocks "
            "skip it) [dst]"
        ],
        id="spring-forward-gap-is-an-error",
    ),
    pytest.param(
        edit(
            '  end: "03:00"\n',
            '  end: "02:30"\n',
            edit("  date: 2021-12-01\n", "  date: 2021-03-27\n"),
        ),
        [
            "11:8: error: 2021-03-28 02:30 does not exist in Europe/Stockholm (the clocks "
            "skip it) [dst]"
        ],
        id="window-end-in-the-gap",
    ),
    pytest.param(
        part_two("02:30", text=edit("  date: 2021-12-01\n", "  date: 2021-10-30\n")),
        [
            "27:12: warning: 02:30 happens twice on 2021-10-31 in Europe/Stockholm (the clocks "
            "go back): gonogo takes the first, 02:30 UTC+02:00 (00:30 UTC); for the second "
            'write "02:30+01:00", or write "02:30+02:00" to say the first [dst-ambiguous]'
        ],
        id="fall-back-night-says-which-02:30",
    ),
    pytest.param(
        part_two("02:30+02:00", text=edit("  date: 2021-12-01\n", "  date: 2021-10-30\n")),
        [],
        id="fall-back-night-with-the-first-02:30-named",
    ),
    pytest.param(
        part_two("02:30+01:00", text=edit("  date: 2021-12-01\n", "  date: 2021-10-30\n")),
        ["28:15: error: part 2 ends after the window's end 03:00 [outside-window]"],
        id="fall-back-night-the-second-02:30-is-an-hour-later",
    ),
    pytest.param(
        part_two("02:30+05:00", text=edit("  date: 2021-12-01\n", "  date: 2021-10-30\n")),
        [
            "27:12: error: 2021-10-31 02:30+05:00 is not a time of Europe/Stockholm: there "
            "02:30 is UTC+02:00 or UTC+01:00 [dst]"
        ],
        id="an-offset-the-zone-does-not-have",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_check(tmp_path: Path, text: str, expected: list[str]) -> None:
    assert problems_of(tmp_path, text) == expected


def test_fall_back_night_lasts_its_real_elapsed_time(tmp_path: Path) -> None:
    """23:00 to 03:00 on 30/31 October 2021 is five hours: 02:00-03:00 happens twice."""
    path = tmp_path / "runbook.yaml"
    path.write_text(part_two("02:30", text=edit("  date: 2021-12-01\n", "  date: 2021-10-30\n")))
    loaded = validate_file(path)
    assert loaded.runbook is not None
    plan = timeline(loaded.runbook)
    assert plan.window_end - plan.window_start == dt.timedelta(hours=5)
    assert plan.window_start == dt.datetime(2021, 10, 30, 21, 0, tzinfo=dt.UTC)
    # 02:30 is the first one, still summer time (+02:00).
    assert plan.parts[1].start == dt.datetime(2021, 10, 31, 0, 30, tzinfo=dt.UTC)


def test_window_crossing_midnight(tmp_path: Path) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(BASE, encoding="utf-8")
    loaded = validate_file(path)
    assert loaded.runbook is not None
    plan = timeline(loaded.runbook)
    local = [plan.local(p.start).isoformat() for p in plan.parts]
    assert local == ["2021-12-01T23:00:00+01:00", "2021-12-02T00:00:00+01:00"]
    assert plan.local(plan.window_end).isoformat() == "2021-12-02T03:00:00+01:00"


# -- recipients files ------------------------------------------------------------------


def with_recipients(csv_name: str) -> str:
    return edit("    name: Drift\n", f"    name: Drift\n    recipients: {csv_name}\n")


def test_missing_recipients_file(tmp_path: Path) -> None:
    assert problems_of(tmp_path, with_recipients("nope.csv")) == [
        f"16:17: error: recipients file not found: {tmp_path / 'nope.csv'} [recipients]"
    ]


def test_recipients_directory(tmp_path: Path) -> None:
    (tmp_path / "people").mkdir()
    assert problems_of(tmp_path, with_recipients("people")) == [
        "16:17: error: recipients file 'people' is a directory, not a CSV file [recipients]"
    ]


def test_recipients_not_utf_8(tmp_path: Path) -> None:
    csv_path = tmp_path / "drift.csv"
    csv_path.write_bytes("name,phone,email,language\nJöns,+46701740605,,\n".encode("latin-1"))
    assert problems_of(tmp_path, with_recipients("drift.csv")) == [
        f"16:17: error: {csv_path}:2: recipients file is not UTF-8 (byte 0xf6); save it as "
        "UTF-8 (in Excel: 'CSV UTF-8') [recipients]"
    ]


def test_recipients_problems_are_reported_at_the_csv_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "drift.csv").write_text(
        "name,phone,email,language\n"
        "Anna,+46701740605,anna@example.org,sv\n"
        "Bo,0701740606,bo@example,sv\n"
        "Cilla,+46701740605,,\n",
        encoding="utf-8",
    )
    found = problems_of(tmp_path, with_recipients("drift.csv"))
    assert found == [
        "drift.csv:3:4: error: phone number must be in international form, + and "
        "country code, e.g. +46701740605 [recipients]",
        "drift.csv:3:15: error: invalid e-mail address: The part after the @-sign is not "
        "valid. It should have a period. [recipients]",
        "drift.csv:4:7: warning: the same phone number is already on line 2 [recipients]",
    ]


def test_valid_recipients_file(tmp_path: Path) -> None:
    (tmp_path / "drift.csv").write_text(
        "name,phone,email,language\nAnna,+46701740605,anna@example.org,sv\n", encoding="utf-8"
    )
    assert problems_of(tmp_path, with_recipients("drift.csv")) == []


def test_recipients_path_is_relative_to_the_runbook(tmp_path: Path) -> None:
    (tmp_path / "runbooks" / "recipients").mkdir(parents=True)
    (tmp_path / "runbooks" / "recipients" / "drift.csv").write_text(
        "name,phone,email,language\nAnna,+46701740605,,\n", encoding="utf-8"
    )
    path = tmp_path / "runbooks" / "runbook.yaml"
    path.write_text(with_recipients("recipients/drift.csv"), encoding="utf-8")
    assert problems(path) == []


def test_a_changed_recipients_file_is_read_again(tmp_path: Path) -> None:
    """Files are read once per validation run, but a file that changed is not stale."""
    csv_path = tmp_path / "drift.csv"
    csv_path.write_text("name,phone,email,language\nAnna,+46701740605,,\n", encoding="utf-8")
    assert problems_of(tmp_path, with_recipients("drift.csv")) == []
    csv_path.write_text("name,phone,email,language\nAnna,+4670,,\n", encoding="utf-8")
    assert problems_of(tmp_path, with_recipients("drift.csv")) == [
        "drift.csv:2:6: error: phone number is not a valid number: too short [recipients]"
    ]
