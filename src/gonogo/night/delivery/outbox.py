"""The dry-run notifier: every message that would go out, written to a file instead."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from array import array
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from gonogo.night.journal import Delivery, Journal, Mark, Status

MARKS = 2000  # status changes handed to the journal at a time (all in one transaction)
# A file's recipients stay in memory up to this many characters, then go to disk: a
# text to a few (a rehearsal's stand-ins) costs no file, one to 100,000 no memory.
_SPOOL = 64 * 1024

# dispatch, channel, audience, language, subject, body
_Key = tuple[int, str, str, str, str | None, str]


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


class _File:
    """One outbox file being written: its recipients go to an unnamed temporary file as
    they are read (`_SPOOL`), and only their ids stay in memory (for the marks)."""

    def __init__(self, target: Path, head: list[str], key: _Key, members: IO[str]) -> None:
        self.target = target
        self.name = target.name
        self.head = head
        self.subject, self.body = key[4], key[5]
        self.ids = array("q")
        self.members = members

    def add(self, row: Delivery) -> None:
        self.ids.append(row.id)
        self.members.write(f"  {row.name} <{row.address}>\n")

    def finish(self) -> None:
        """Head, recipients, subject and body, written whole, then renamed into place."""
        temporary = self.target.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            out.writelines(f"{line}\n" for line in [*self.head, f"recipients: {len(self.ids)}"])
            self.members.seek(0)
            shutil.copyfileobj(self.members, out)
            if self.subject is not None:
                out.write(f"subject: {self.subject}\n")
            out.write("\n" + self.body.rstrip("\n") + "\n")
        os.replace(temporary, self.target)  # a crash leaves the old file or the new one


class Outbox:
    """Writes one file per message and channel (per audience and language), with recipients."""

    def __init__(self, directory: Path, label: Callable[[int], str]) -> None:
        self.directory = directory
        self.label = label  # dispatch seq -> e.g. "part_completed-part1"

    def deliver(self, journal: Journal, deliveries: list[Delivery], now: dt.datetime) -> None:
        self.deliver_pages(journal, [deliveries], now)

    def deliver_pages(
        self, journal: Journal, pages: Iterable[list[Delivery]], now: dt.datetime
    ) -> None:
        """Every row of `pages`, read one page at a time: a dispatch to 100,000 recipients
        is written without holding its rows. The files are written first, then every row
        is marked sent in one transaction."""
        if not self.directory.is_dir():
            self.directory.mkdir(parents=True, exist_ok=True)
        files: dict[_Key, _File] = {}
        variant: dict[tuple[int, str, str, str], int] = {}
        with ExitStack() as opened:  # unnamed temporary files: closing removes them
            for page in pages:
                for d in page:
                    key = (d.dispatch, d.channel, d.audience, d.language, d.subject, d.body)
                    file = files.get(key)
                    if file is None:
                        members = opened.enter_context(tempfile.SpooledTemporaryFile(
                            _SPOOL, "w+", encoding="utf-8", dir=str(self.directory),
                            prefix=".recipients-",
                        ))  # fmt: skip
                        file = files[key] = self._open(key, variant, members)
                    file.add(d)
            for file in files.values():
                file.finish()
        with journal.transaction():
            marks: list[Mark] = []
            for file in files.values():
                reason = f"outbox:{file.name}"
                for i in file.ids:
                    marks.append(Mark(i, Status.SENT, reason))
                    if len(marks) == MARKS:
                        journal.mark_many(marks, now)
                        marks = []
            journal.mark_many(marks, now)

    def _open(
        self, key: _Key, variant: dict[tuple[int, str, str, str], int], members: IO[str]
    ) -> _File:
        dispatch, channel, audience, language = key[:4]
        stem = f"{dispatch:05d}-{_slug(self.label(dispatch))}-{channel}-{_slug(audience)}"
        stem += f"-{language}"
        index = variant[key[:4]] = variant.get(key[:4], 0) + 1
        name = f"{stem}.txt" if index == 1 else f"{stem}-{index}.txt"
        head = [
            f"event: {self.label(dispatch)}",
            f"channel: {channel}",
            f"audience: {audience}",
            f"language: {language}",
        ]
        return _File(self.directory / name, head, key, members)
