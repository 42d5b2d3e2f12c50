from __future__ import annotations

import csv
import io
from pathlib import Path

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from gonogo.errors import RunbookError
from gonogo.runbook.diagnostics import RecipientProblem
from gonogo.runbook.recipients import (
    Recipient,
    _field_starts,
    dedupe,
    load_recipients,
)

# Phone numbers: Post- och telestyrelsen reserves +46 70-174 06 05 .. 99 for fiction;
# libphonenumber sees them as ordinary valid Swedish mobile numbers (checked below).
# Ofcom reserves +44 20 7946 0000 .. 0999 (London, fixed line) and +44 7700 900000 ..
# 900999 (mobile) for drama; libphonenumber calls the former a valid fixed line and the
# latter invalid. E-mail domains: example.org / .com / .net (RFC 2606).
HEADER = "name,phone,email,language\n"
ANNA = Recipient("Anna", "+46701740605", "anna@example.org", "sv")


def load(
    tmp_path: Path, text: str, encoding: str = "utf-8"
) -> tuple[list[Recipient], list[tuple[int, int, str, str]]]:
    path = tmp_path / "recipients.csv"
    path.write_bytes(text.encode(encoding))  # bytes: no newline translation
    recipients, problems = load_recipients(path)
    return recipients, [(p.line, p.column, p.severity, p.message) for p in problems]


@pytest.mark.parametrize("number", ["+46701740605", "+46701740650", "+46701740699"])
def test_fiction_range_is_valid_mobile_to_phonenumbers(number: str) -> None:
    parsed = phonenumbers.parse(number, None)
    assert phonenumbers.is_valid_number(parsed)
    assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE


def test_valid_file_is_normalised(tmp_path: Path) -> None:
    text = (
        HEADER
        + "Anna Andersson,+46 70-174 06 05,Anna.Andersson@Example.ORG,sv\n"
        + "Bo Berg,+46701740606,,\n"
        + "Cecilia Carlsson,,cecilia@example.net,en\n"
        + '"Dahl, Dag",+46 (0)70 174 06 07,dag@example.com,\n'
        + "  Eva Ek  ,  +46701740699 , eva@example.org ,  fin \n"
    )
    assert load(tmp_path, text) == (
        [
            Recipient("Anna Andersson", "+46701740605", "Anna.Andersson@example.org", "sv"),
            Recipient("Bo Berg", "+46701740606", None, None),
            Recipient("Cecilia Carlsson", None, "cecilia@example.net", "en"),
            Recipient("Dahl, Dag", "+46701740607", "dag@example.com", None),
            Recipient("Eva Ek", "+46701740699", "eva@example.org", "fin"),
        ],
        [],
    )


def test_columns_in_any_order_and_any_case(tmp_path: Path) -> None:
    text = "Language, EMAIL ,Phone,NAME\nsv,anna@example.org,+46701740605,Anna\n"
    assert load(tmp_path, text) == ([ANNA], [])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("\ufeff" + HEADER + "Anna,+46701740605,anna@example.org,sv\n", id="bom"),
        pytest.param(
            "name,phone,email,language\r\nAnna,+46701740605,anna@example.org,sv\r\n", id="crlf"
        ),
        pytest.param("name,phone,email,language\rAnna,+46701740605,anna@example.org,sv", id="cr"),
        pytest.param(HEADER + "Anna,+46701740605,anna@example.org,sv", id="no-final-newline"),
        pytest.param(
            "\n" + HEADER + "\n,,,\nAnna,+46701740605,anna@example.org,sv\n \n", id="blank-lines"
        ),
    ],
)
def test_file_forms(tmp_path: Path, text: str) -> None:
    assert load(tmp_path, text) == ([ANNA], [])


ROW_CASES = [
    pytest.param(
        ",+46701740605,anna@example.org,sv", [(1, "error", "name is empty")], id="no-name"
    ),
    pytest.param(
        "Anna,,,sv", [(6, "error", "no phone and no e-mail: give at least one")], id="no-address"
    ),
    pytest.param(
        "Anna,0701740605,,sv",
        [
            (
                6,
                "error",
                "phone number must be in international form, + and country code, e.g. +46701740605",
            )
        ],
        id="national-form",
    ),
    pytest.param(
        "Anna,0046701740605,,sv",
        [
            (
                6,
                "error",
                "phone number must be in international form, + and country code, e.g. +46701740605",
            )
        ],
        id="00-prefix",
    ),
    pytest.param(
        # phonenumbers would parse this as +4670174060, silently dropping the letter.
        "Anna,+46 70 174 06 0A,,",
        [
            (
                6,
                "error",
                "phone number contains a character other than digits: write digits only, "
                "e.g. +46701740605",
            )
        ],
        id="letter",
    ),
    pytest.param(
        "Anna,+46701740605 ext 5,,",
        [
            (
                6,
                "error",
                "phone number contains a character other than digits: write digits only, "
                "e.g. +46701740605",
            )
        ],
        id="extension",
    ),
    pytest.param(
        "Anna,+46701740605/+46701740606,,",
        [
            (
                6,
                "error",
                "phone number contains a character other than digits: write digits only, "
                "e.g. +46701740605",
            )
        ],
        id="two-numbers",
    ),
    pytest.param(
        "Anna,+,,",
        [(6, "error", "phone number is not a valid number: not a phone number")],
        id="plus",
    ),
    pytest.param(
        "Anna,+999123456,,",
        [(6, "error", "phone number is not a valid number: unknown country code")],
        id="unknown-country",
    ),
    pytest.param(
        "Anna,+4690,,",
        [(6, "error", "phone number is not a valid number: too short")],
        id="too-short",
    ),
    pytest.param(
        "Anna,+467017406051234567,,",
        [(6, "error", "phone number is not a valid number: too long")],
        id="too-long",
    ),
    pytest.param(
        "Anna,+4670174060,,",
        [(6, "error", "phone number is not a valid number: no +46 number has that form")],
        id="invalid-se",
    ),
    pytest.param(
        "Anna,+44 7700 900123,,",
        [
            (
                6,
                "error",
                "phone number is not a valid number: no +44 number has that form",
            )
        ],
        id="ofcom-drama-mobile-is-invalid",
    ),
    pytest.param(
        "Anna,+44 20 7946 0123,,",
        [
            (
                6,
                "warning",
                "phone number is not a mobile number (fixed line): SMS may not arrive",
            )
        ],
        id="fixed-line",
    ),
    pytest.param(
        "Anna,,anna@example,",
        [
            (
                7,
                "error",
                "invalid e-mail address: The part after the @-sign is not valid. "
                "It should have a period.",
            )
        ],
        id="email-no-period",
    ),
    pytest.param(
        "Anna,,Anna <anna@example.org>,",
        [
            (
                7,
                "error",
                "invalid e-mail address: A display name and angle brackets "
                "around the email address are not permitted here.",
            )
        ],
        id="email-display-name",
    ),
    pytest.param(
        "Anna,,anna.@example.org,",
        [
            (
                7,
                "error",
                "invalid e-mail address: An email address cannot have a period "
                "immediately before the @-sign.",
            )
        ],
        id="email-dot-before-at",
    ),
    *(
        pytest.param(
            f"Anna,+46701740605,,{language}",
            [
                (
                    20,
                    "error",
                    "language must be a lowercase ISO 639 code of 2 or 3 letters, "
                    "e.g. sv or en; leave it empty for the runbook's default",
                )
            ],
            id=f"language-{language}",
        )
        for language in ["SV", "s", "svenska", "sv-SE", "sv1", "då"]
    ),
    pytest.param(
        ",0701740605,anna@,xx1",
        [
            (1, "error", "name is empty"),
            (
                2,
                "error",
                "phone number must be in international form, + and country code, e.g. +46701740605",
            ),
            (13, "error", "invalid e-mail address: There must be something after the @-sign."),
            (
                19,
                "error",
                "language must be a lowercase ISO 639 code of 2 or 3 letters, "
                "e.g. sv or en; leave it empty for the runbook's default",
            ),
        ],
        id="everything-wrong",
    ),
    pytest.param(
        "Anna,+46701740605,anna@example.org,sv,extra",
        [(39, "error", "expected 4 fields (name,phone,email,language), found 5")],
        id="too-many-fields",
    ),
    pytest.param(
        "Anna,+46701740605",
        [(1, "error", "expected 4 fields (name,phone,email,language), found 2")],
        id="too-few-fields",
    ),
    pytest.param(
        'Anna,"+46701740605"x,,',
        [
            (
                1,
                "error",
                'malformed CSV: text after a closing quote (write a quote in a quoted field as "")',
            )
        ],
        id="text-after-quote",
    ),
]


@pytest.mark.parametrize(("row", "expected"), ROW_CASES)
def test_row_problems(tmp_path: Path, row: str, expected: list[tuple[int, str, str]]) -> None:
    recipients, problems = load(tmp_path, HEADER + row + "\n")
    assert problems == [(2, column, severity, message) for column, severity, message in expected]
    # A row with an error is left out; one with only warnings stays.
    assert len(recipients) == (0 if any(s == "error" for _, s, _ in expected) else 1)


def test_problems_carry_the_file_line_after_blank_and_multiline_records(tmp_path: Path) -> None:
    text = (
        "\n"  # 1
        + HEADER  # 2
        + "\n"  # 3
        + '"Anna\nAndersson",+46701740605,"anna@example.org\n",sv\n'  # 4-6
        + 'Bo,0701740606,"""bo""@example.org",\n'  # 7
        + '"Berg, ""Cilla""",+46701740607,cilla@example.org,SV\r\n'  # 8
        + '"Dag\r\nDahl",+46701740608,\r\n'  # 9-10
    )
    recipients, problems = load(tmp_path, text)
    assert recipients == [Recipient("Anna\nAndersson", "+46701740605", "anna@example.org", "sv")]
    must_be_e164 = "must be in international form, + and country code, e.g. +46701740605"
    assert problems == [
        (7, 4, "error", f"phone number {must_be_e164}"),
        (
            7,
            15,
            "error",
            "invalid e-mail address: Quoting the part before the @-sign is not allowed here.",
        ),
        (
            8,
            50,
            "error",
            "language must be a lowercase ISO 639 code of 2 or 3 letters, "
            "e.g. sv or en; leave it empty for the runbook's default",
        ),
        (9, 1, "error", "expected 4 fields (name,phone,email,language), found 3"),
    ]


def test_duplicates_are_warnings_on_the_second_occurrence(tmp_path: Path) -> None:
    text = (
        HEADER
        + "Anna,+46701740605,anna@example.org,sv\n"
        + "Bo,+46 70 174 06 05,bo@example.org,sv\n"
        + "Cilla,+46701740606,ANNA@Example.ORG,en\n"
        + "Dag,+46701740605,,\n"
    )
    recipients, problems = load(tmp_path, text)
    assert problems == [
        (3, 4, "warning", "the same phone number is already on line 2"),
        (4, 20, "warning", "the same e-mail address is already on line 2"),
        (5, 5, "warning", "the same phone number is already on line 2"),
    ]
    assert [r.name for r in recipients] == ["Anna", "Bo", "Cilla", "Dag"]
    assert [r.name for r in dedupe(recipients, "sms")] == ["Anna", "Cilla"]
    assert [r.name for r in dedupe(recipients, "email")] == ["Anna", "Bo"]


def test_duplicate_of_an_address_on_a_rejected_row_is_still_named(tmp_path: Path) -> None:
    text = HEADER + "Anna,+46701740605,anna@,sv\nBo,+46701740605,,\n"
    recipients, problems = load(tmp_path, text)
    assert problems == [
        (2, 19, "error", "invalid e-mail address: There must be something after the @-sign."),
        (3, 4, "warning", "the same phone number is already on line 2"),
    ]
    assert recipients == [Recipient("Bo", "+46701740605", None, None)]


def test_a_quote_never_closed_runs_to_the_end(tmp_path: Path) -> None:
    text = HEADER + "Anna,+46701740605,anna@example.org,sv\n" + 'Bo,"+46701740606,,\nCilla,,,\n'
    assert load(tmp_path, text) == (
        [ANNA],
        [(3, 1, "error", "malformed CSV: a quote opened on this line is never closed")],
    )


def test_rows_after_malformed_csv_are_still_read(tmp_path: Path) -> None:
    text = HEADER + 'Anna,"x"y,,\nBo,+46701740606,,\n'
    recipients, problems = load(tmp_path, text)
    assert recipients == [Recipient("Bo", "+46701740606", None, None)]
    assert [(line, column) for line, column, _, _ in problems] == [(2, 1)]


COLUMNS_ARE = "the columns are name,phone,email,language"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param(
            "name,mobile,email,language",
            [
                (1, 6, "error", f"unknown column name; {COLUMNS_ARE}"),
                (1, 1, "error", f"missing column 'phone'; {COLUMNS_ARE}"),
            ],
            id="unknown-and-missing",
        ),
        pytest.param(
            "name,phone,email",
            [(1, 1, "error", f"missing column 'language'; {COLUMNS_ARE}")],
            id="missing",
        ),
        pytest.param(
            "name,phone,email,email,language",
            [(1, 18, "error", "column 'email' given twice")],
            id="twice",
        ),
        pytest.param(
            "name,phone,email,language,",
            [(1, 27, "error", "empty column name (a comma too many?)")],
            id="trailing-comma",
        ),
        pytest.param(
            "\ufeffname,mobile,email,language",
            [
                (1, 6, "error", f"unknown column name; {COLUMNS_ARE}"),
                (1, 1, "error", f"missing column 'phone'; {COLUMNS_ARE}"),
            ],
            id="bom-not-counted",
        ),
        pytest.param(
            "Anna,+46701740605,anna@example.org,sv",
            [
                (
                    1,
                    1,
                    "error",
                    "no header row: the first line must be name,phone,email,language; "
                    "it names none of them",
                )
            ],
            id="no-header",
        ),
    ],
)
def test_header_problems_stop_the_load(
    tmp_path: Path, header: str, expected: list[tuple[int, int, str, str]]
) -> None:
    # The data row would be fine; with the header wrong nothing is loaded.
    assert load(tmp_path, header + "\nBo,+46701740606,bo@example.org,sv\n") == ([], expected)


@pytest.mark.parametrize("text", ["", "\n", "\r\n \n", "\ufeff"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    message = "the file is empty: the first line must be the header name,phone,email,language"
    assert load(tmp_path, text) == ([], [(1, 1, "error", message)])


def test_header_only_is_a_warning(tmp_path: Path) -> None:
    assert load(tmp_path, "\n" + HEADER) == (
        [],
        [(2, 1, "warning", "no recipients after the header")],
    )


def test_problem_type(tmp_path: Path) -> None:
    path = tmp_path / "recipients.csv"
    path.write_text(HEADER + "Anna,,,\n", encoding="utf-8")
    assert load_recipients(path) == (
        [],
        [RecipientProblem(2, 6, "no phone and no e-mail: give at least one", "error")],
    )


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.csv"
    with pytest.raises(RunbookError) as excinfo:
        load_recipients(path)
    assert excinfo.value.message == f"{path}: recipients file not found"


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(RunbookError) as excinfo:
        load_recipients(tmp_path)
    assert excinfo.value.message == f"{tmp_path}: is a directory, not a recipients CSV file"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "recipients.csv"
    path.write_bytes((HEADER + "Åsa,+46701740605,,\n").encode("cp1252"))
    with pytest.raises(RunbookError) as excinfo:
        load_recipients(path)
    assert excinfo.value.message == f"{path}:2: recipients file is not UTF-8 (byte 0xc5)"
    assert excinfo.value.hint == "save it as UTF-8 (in Excel: 'CSV UTF-8')"


# --- dedupe --------------------------------------------------------------------------

BO = Recipient("Bo", "+46701740606", None, "en")
CILLA = Recipient("Cilla", None, "ANNA@example.org", None)
DAG = Recipient("Dag", "+46701740605", "dag@example.org", None)


@pytest.mark.parametrize(
    ("channel", "expected"),
    [("sms", [ANNA, BO]), ("email", [ANNA, DAG])],
)
def test_dedupe(channel: str, expected: list[Recipient]) -> None:
    assert dedupe(iter([ANNA, BO, CILLA, DAG]), channel) == expected  # type: ignore[arg-type]


def test_dedupe_keeps_order_and_nothing_without_an_address() -> None:
    assert dedupe([BO, DAG, ANNA], "sms") == [BO, DAG]
    assert dedupe([BO, DAG, ANNA], "email") == [DAG, ANNA]
    assert dedupe([BO], "email") == []
    assert dedupe([], "sms") == []


# --- properties ----------------------------------------------------------------------

_FIELD = st.text(st.one_of(st.sampled_from('ab ,"\n\r\r\nå'), st.characters(codec="utf-8")))
_ROWS = st.lists(st.lists(_FIELD, min_size=1, max_size=5), min_size=1, max_size=5)


@given(_ROWS, st.sampled_from(["\n", "\r\n", "\r"]))
def test_field_starts_point_at_each_field(rows: list[list[str]], newline: str) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=newline).writerows(rows)
    # csv.writer leaves a lone "\r" unquoted when the terminator is "\n", and reads
    # it back as a line end: such files are not what this test is about.
    assume(list(csv.reader(io.StringIO(out.getvalue(), newline=""))) == rows)
    lines = io.StringIO(out.getvalue(), newline="").readlines()
    reader = csv.reader(lines, strict=True)
    consumed = 0
    for row in reader:
        record_lines = lines[consumed : reader.line_num]
        starts = _field_starts("".join(record_lines), consumed + 1)
        assert len(starts) == len(row)
        for i, (line, column) in enumerate(starts):
            offset = sum(map(len, record_lines[: line - consumed - 1])) + column - 1
            rest = "".join(record_lines)[offset:]
            # Parsing from where field i starts gives fields i.. of the record (a last
            # field that is empty leaves just the line end, which csv reads as no row).
            parsed = next(csv.reader(io.StringIO(rest, newline="")), [])
            assert parsed == row[i:] or (parsed == [] and row[i:] == [""])
        consumed = reader.line_num


@given(st.text(st.one_of(st.sampled_from('+46701740605,@example.org"\n'), st.characters())))
def test_load_never_raises_on_content(tmp_path_factory: pytest.TempPathFactory, body: str) -> None:
    path = tmp_path_factory.getbasetemp() / "fuzz.csv"
    path.write_bytes((HEADER + body).encode("utf-8", "surrogatepass"))
    try:
        recipients, problems = load_recipients(path)
    except RunbookError:
        # A surrogate is not UTF-8; a NUL byte makes it a binary file, never shown.
        assert "\x00" in body or any(0xD800 <= ord(c) <= 0xDFFF for c in body)
        return
    physical_lines = len(io.StringIO(HEADER + body, newline="").readlines())
    for problem in problems:
        assert 1 <= problem.line <= physical_lines
        assert problem.column >= 1
    assert len(recipients) <= physical_lines - 1
