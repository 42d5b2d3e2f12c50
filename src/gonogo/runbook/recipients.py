"""The recipients CSV file: who gets the night's SMS and e-mail.

Columns `name,phone,email,language` in any order, named by a header row (matched
case-insensitively); spaces around names and values are ignored. Problems are
reported with the line and column they are on, never raised: a runbook check turns
them into diagnostics so that one run lists everything wrong with the file.

No message quotes the file: a runbook may name any file in its tree (a `.env`), and
`validate`'s output lands in CI logs. Line and column say where; the message what.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from gonogo.errors import RunbookError
from gonogo.runbook.addresses import check_email, check_phone
from gonogo.runbook.diagnostics import RecipientProblem, Severity

COLUMNS = ("name", "phone", "email", "language")
_LANGUAGE = re.compile(r"[a-z]{2,3}")
# csv's wording in strict mode, said the way a person editing the file needs it.
_CSV_ERRORS = {
    "',' expected after '\"'": 'text after a closing quote (write a quote in a quoted field as "")',
    "unexpected end of data": "a quote opened on this line is never closed",
}


@dataclass(frozen=True, slots=True)  # a national night holds 100,000 of them
class Recipient:
    """One row of the recipients file, validated and normalised."""

    name: str
    phone: str | None  # E.164, normalised
    email: str | None  # normalised by email-validator (domain lower-cased)
    language: str | None  # None: the runbook's default language


def load_recipients(
    path: Path, data: bytes | None = None
) -> tuple[list[Recipient], list[RecipientProblem]]:
    """Read and validate a recipients CSV file (its bytes `data`, if already read).

    Returns the recipients of the rows without errors and every problem found.
    Duplicate phone numbers or e-mail addresses are warnings: the recipient stays,
    and `dedupe` sends each address one message. Raises `RunbookError` only when the
    file cannot be read at all (missing, a directory, not UTF-8).
    """
    lines = _Lines(_read(path, data))
    problems: list[RecipientProblem] = []
    recipients: list[Recipient] = []
    header: list[str] | None = None
    header_line = 1
    seen_phones: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    reader = csv.reader(lines, strict=True)
    consumed = rows = 0
    while True:
        first_line = consumed + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(_malformed(first_line, exc))
            consumed = reader.line_num
            lines.take()  # what csv skipped
            if header is not None:
                rows += 1
            continue
        starts = _field_starts(lines.take(), first_line)
        # Columns are best effort: should the scanner ever disagree with csv, a field
        # gets its record's start rather than the load failing.
        starts += [(first_line, 1)] * (len(row) - len(starts))
        consumed = reader.line_num
        if not any(field.strip() for field in row):
            continue  # blank lines and the empty rows spreadsheets export
        if header is None:
            header, header_line = row, first_line
            header_problems = _check_header(row, starts)
            if header_problems:
                return [], header_problems
            continue
        rows += 1
        names = [name.strip().lower() for name in header]
        if len(row) != len(names):
            line, column = starts[len(names)] if len(row) > len(names) else (first_line, 1)
            message = f"expected {len(names)} fields ({','.join(names)}), found {len(row)}"
            problems.append(RecipientProblem(line, column, message, "error"))
            continue
        recipient, row_problems = _check_row(names, row, starts, seen_phones, seen_emails)
        problems.extend(row_problems)
        if recipient is not None:
            recipients.append(recipient)
    if header is None and not problems:
        message = f"the file is empty: the first line must be the header {','.join(COLUMNS)}"
        problems.append(RecipientProblem(1, 1, message, "error"))
    elif header is not None and not rows:
        problems.append(
            RecipientProblem(header_line, 1, "no recipients after the header", "warning")
        )
    return recipients, problems


def _malformed(line: int, exc: csv.Error) -> RecipientProblem:
    message = f"malformed CSV: {_CSV_ERRORS.get(str(exc), str(exc))}"
    return RecipientProblem(line, 1, message, "error")


# A line as `open(newline="")` reads one: ended by \n, \r\n or \r, kept as it is.
_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+")


class _Lines:
    """The file's lines for csv, one at a time, keeping those of the record being read
    (for its fields' columns): the file is never split into a list of lines whole, nor
    copied into a StringIO (four bytes a character)."""

    def __init__(self, text: str) -> None:
        self._lines = _LINE.finditer(text)
        self._record: list[str] = []

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = next(self._lines).group()
        self._record.append(line)
        return line

    def take(self) -> str:
        """The raw text of the record read since the last call."""
        record = "".join(self._record)
        self._record.clear()
        return record


def dedupe(recipients: Iterable[Recipient], channel: Literal["sms", "email"]) -> list[Recipient]:
    """The recipients with an address for `channel`, each address once (first one wins).

    Phone numbers are already E.164; e-mail addresses compare case-insensitively, as
    mailboxes in practice do, so one person never gets the same message twice.
    """
    seen: set[str] = set()
    unique: list[Recipient] = []
    for recipient in recipients:
        address = recipient.phone if channel == "sms" else recipient.email
        if address is None:
            continue
        key = address.casefold()
        if key not in seen:
            seen.add(key)
            unique.append(recipient)
    return unique


def _check_row(
    names: list[str],
    row: list[str],
    starts: list[tuple[int, int]],
    seen_phones: dict[str, int],
    seen_emails: dict[str, int],
) -> tuple[Recipient | None, list[RecipientProblem]]:
    """Validate one data row; the seen_* maps (address -> first line) are updated."""
    where = dict(zip(names, starts, strict=True))
    value = {name: field.strip() for name, field in zip(names, row, strict=True)}
    problems: list[RecipientProblem] = []

    def report(column: str, message: str, severity: Severity = "error") -> None:
        problems.append(RecipientProblem(*where[column], message, severity))

    if not value["name"]:
        report("name", "name is empty")
    if not value["phone"] and not value["email"]:
        report("phone", "no phone and no e-mail: give at least one")
    phone, phone_issues = check_phone(value["phone"])
    for severity, message in phone_issues:
        report("phone", message, severity)
    email, email_error = check_email(value["email"])
    if email_error:
        report("email", email_error)
    if value["language"] and not _LANGUAGE.fullmatch(value["language"]):
        report(
            "language",
            "language must be a lowercase ISO 639 code of 2 or 3 "
            "letters, e.g. sv or en; leave it empty for the runbook's default",
        )
    # Duplicates are tracked even on rows with errors, so that fixing an error does not
    # reveal a new warning on the next run.
    if phone is not None:
        if phone in seen_phones:
            message = f"the same phone number is already on line {seen_phones[phone]}"
            report("phone", message, "warning")
        seen_phones.setdefault(phone, where["phone"][0])
    if email is not None:
        key = email.casefold()
        key = email if key == email else key  # most are: one string, not two
        if key in seen_emails:
            message = f"the same e-mail address is already on line {seen_emails[key]}"
            report("email", message, "warning")
        seen_emails.setdefault(key, where["email"][0])
    if any(problem.severity == "error" for problem in problems):
        return None, problems
    # One string per language, not one per row.
    language = sys.intern(value["language"]) if value["language"] else None
    return Recipient(value["name"], phone, email, language), problems


def _read(path: Path, data: bytes | None) -> str:
    if data is None:
        from gonogo.runbook.recipients_file import read_limited  # noqa: PLC0415

        data = read_limited(path)
    if b"\x00" in data:  # /proc/self/environ is NUL-separated: never show such a file
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise RunbookError(f"{path}:{line}: recipients file is binary (a NUL byte), not CSV")
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts the file with a byte order mark.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise RunbookError(
            f"{path}:{line}: recipients file is not UTF-8 (byte 0x{data[exc.start]:02x})",
            hint="save it as UTF-8 (in Excel: 'CSV UTF-8')",
        ) from exc


def _check_header(row: list[str], starts: list[tuple[int, int]]) -> list[RecipientProblem]:
    names = [name.strip().lower() for name in row]
    line = starts[0][0]
    expected = ",".join(COLUMNS)
    if not set(names) & set(COLUMNS):
        message = f"no header row: the first line must be {expected}; it names none of them"
        return [RecipientProblem(line, 1, message, "error")]
    problems = []
    for i, name in enumerate(names):
        if not name:
            message = "empty column name (a comma too many?)"
            problems.append(RecipientProblem(*starts[i], message, "error"))
        elif name not in COLUMNS:
            message = f"unknown column name; the columns are {expected}"
            problems.append(RecipientProblem(*starts[i], message, "error"))
        elif name in names[:i]:
            problems.append(RecipientProblem(*starts[i], f"column {name!r} given twice", "error"))
    problems.extend(
        RecipientProblem(line, 1, f"missing column {name!r}; the columns are {expected}", "error")
        for name in COLUMNS
        if name not in names
    )
    return problems


def _field_starts(record: str, first_line: int) -> list[tuple[int, int]]:
    """(line, column) where each field of one raw CSV record starts, as csv splits it."""
    starts = [(first_line, 1)]
    one_line = record.rstrip("\r\n")
    if not any(c in one_line for c in '"\r\n'):  # the usual row: its fields follow the commas
        column = 1
        for field in one_line.split(",")[:-1]:
            column += len(field) + 1
            starts.append((first_line, column))
        return starts
    line, column = first_line, 1
    quoted = False
    at_field_start = True
    i = 0
    while i < len(record):
        char = record[i]
        if quoted:
            if char == '"':
                if record[i + 1 : i + 2] == '"':  # "" is an escaped quote
                    i, column = i + 1, column + 1
                else:
                    quoted = False
        elif char == '"' and at_field_start:
            quoted = True  # a quote mid-field is a literal character to csv
        elif char == ",":
            starts.append((line, column + 1))
        at_field_start = not quoted and char == ","
        if char == "\n" or (char == "\r" and record[i + 1 : i + 2] != "\n"):
            line, column = line + 1, 1
        elif char != "\r":
            column += 1
        i += 1
    return starts
