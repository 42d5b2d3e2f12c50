"""The dry-run notifier: every message that would go out, written to a file instead."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

from gonogo.night.journal import Delivery, Journal, Mark, Status


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


class Outbox:
    """Writes one file per message and channel (per audience and language), with recipients."""

    def __init__(self, directory: Path, label: Callable[[int], str]) -> None:
        self.directory = directory
        self.label = label  # dispatch seq -> e.g. "part_completed-part1"

    def deliver(self, journal: Journal, deliveries: list[Delivery], now: dt.datetime) -> None:
        groups: dict[tuple[int, str, str, str, str | None, str], list[Delivery]] = {}
        for d in deliveries:
            key = (d.dispatch, d.channel, d.audience, d.language, d.subject, d.body)
            groups.setdefault(key, []).append(d)
        self.directory.mkdir(parents=True, exist_ok=True)
        marks: list[Mark] = []
        variant: dict[tuple[int, str, str, str], int] = {}
        for (dispatch, channel, audience, language, subject, body), members in groups.items():
            stem = f"{dispatch:05d}-{_slug(self.label(dispatch))}-{channel}-{_slug(audience)}"
            stem += f"-{language}"
            index = variant[(dispatch, channel, audience, language)] = (
                variant.get((dispatch, channel, audience, language), 0) + 1
            )
            name = f"{stem}.txt" if index == 1 else f"{stem}-{index}.txt"
            lines = [
                f"event: {self.label(dispatch)}",
                f"channel: {channel}",
                f"audience: {audience}",
                f"language: {language}",
                f"recipients: {len(members)}",
                *(f"  {m.name} <{m.address}>" for m in members),
            ]
            if subject is not None:
                lines.append(f"subject: {subject}")
            text = "\n".join(lines) + "\n\n" + body.rstrip("\n") + "\n"
            target = self.directory / name
            temporary = target.with_suffix(".tmp")
            temporary.write_text(text, encoding="utf-8")
            os.replace(temporary, target)  # a crash leaves the old file or the new one
            marks += [Mark(m.id, Status.SENT, f"outbox:{name}") for m in members]
        journal.mark_many(marks, now)
