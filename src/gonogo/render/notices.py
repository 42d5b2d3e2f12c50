"""`gonogo announce --list`: the advance notices' schedule, sent, due and coming, in the
runbook's language (render/notice_words.py).

A notice stands on one line when it fits the terminal (piped: 120 columns, or `COLUMNS`);
otherwise its status ends the first line and when it went out follows, indented, a clause
a line, wrapped between words but never inside a time.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import typer

from gonogo.night.decisions import Context
from gonogo.night.decisions.notices import SENT, NoticeState
from gonogo.render.console import console
from gonogo.render.notice_words import language_of, notice_word
from gonogo.runbook.notices import format_offset

_INDENT = "    "
_KEEP = "\xa0"  # a space no line breaks at: inside "2021-11-20 23:05"


def notice_lines(ctx: Context, states: list[NoticeState], width: int = 120) -> list[str]:
    """The window's start, then each notice: id, offset, its moment, where it stands and,
    if it went out, when, by whom, to how many and (after a move) for which window."""
    lang = language_of(ctx.runbook.release.language)

    def at(instant: dt.datetime) -> str:
        return f"{ctx.local(instant):%Y-%m-%d{_KEEP}%H:%M}"

    head = notice_word(lang, "window starts", at=at(ctx.plan.window_start),
                       zone=ctx.plan.zone.key)  # fmt: skip
    lines = _wrap(head, width, "")
    for s in states:
        before = notice_word(lang, "before", offset=format_offset(s.notice.before))
        first = f"{s.notice.id:<12} {before:<12} {at(s.moment)}  "
        status, joint, clauses = notice_word(lang, s.status), " ", []
        if s.sent is not None:
            when = {"at": at(s.sent.at), "by": s.sent.by, "n": s.recipients}
            late = notice_word(lang, "sent late") if s.sent.late else ""
            if s.status == SENT:
                clauses = [notice_word(lang, "sent at", **when) + late]
            else:  # it went out for the window before it moved
                status, joint = notice_word(lang, s.status + " again"), "; "
                clauses = [
                    notice_word(lang, "sent earlier", **when) + late,
                    notice_word(lang, "window then", at=at(s.sent.window_start)),
                ]
        whole = first + status + (joint + ", ".join(clauses) if clauses else "")
        if len(whole) <= width:
            lines.append(whole.replace(_KEEP, " "))
            continue
        if len(first + status) <= width:
            lines.append((first + status).replace(_KEEP, " "))
        else:
            lines += [first.rstrip().replace(_KEEP, " "), *_wrap(status, width, _INDENT)]
        for number, clause in enumerate(clauses, 1):
            lines += _wrap(clause + ("," if number < len(clauses) else ""), width, _INDENT)
    return lines


def _wrap(text: str, width: int, indent: str) -> list[str]:
    wrapped = textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ",
                            break_long_words=False, break_on_hyphens=False)  # fmt: skip
    return [line.replace(_KEEP, " ") for line in wrapped]


def print_notices(ctx: Context, states: list[NoticeState]) -> int:
    for line in notice_lines(ctx, states, max(console().width, 40)):
        typer.echo(line)
    return 0
