"""Warnings before an incident message that may repeat one just sent.

Operators at several sites share a night; two of them may send the same incident
update seconds apart, and every recipient then reads it twice. So an update whose
summary is that of the incident's last message is a caution the operator confirms (as
a Go after the point of no return is), naming who sent the last one and when; so is
opening an incident with the text of an open one, or within `SOON` of another's
opening (two sites seeing one fault). An update with a new text soon after another is
not: a first update often follows its opening within a minute. Confirmed, it is
journaled with `repeat` set.
"""

from __future__ import annotations

import datetime as dt

from gonogo.night.decisions import Caution, Context
from gonogo.night.incidents import Incident

# Shorter than any sensible update interval (the runbook's default is 30 minutes), long
# enough for a second site to act on the same news.
SOON = dt.timedelta(minutes=2)


def _ago(ctx: Context, at: dt.datetime) -> str:
    seconds = max(0, int((ctx.now - at).total_seconds()))
    return f"{seconds} s ago" if seconds < 120 else f"{seconds // 60} min ago"


def _when(ctx: Context, at: dt.datetime) -> str:
    return f"{ctx.local(at):%H:%M:%S} ({_ago(ctx, at)})"


def update_caution(ctx: Context, incident: Incident, summary: str) -> Caution | None:
    """A caution when this update repeats the incident's last message word for word."""
    at, by, text = incident.last_sent
    if text == summary:
        return Caution(
            f'Warning: {incident.id}\'s last message had this very text, "{text}", sent by '
            f"{by} at {_when(ctx, at)}: sent again, every recipient gets it twice.",
            "Send the same text again?",
        )
    return None


def open_caution(ctx: Context, incidents: tuple[Incident, ...], summary: str) -> Caution | None:
    """A caution when an open incident has this text, or another was opened just now."""
    still = [i for i in reversed(incidents) if i.open]
    for incident in still:
        if summary in (incident.summary, incident.latest_summary):
            return Caution(
                f"Warning: {incident.id}, opened by {incident.opened_by} at "
                f'{_when(ctx, incident.opened)}, is open with this very text, "{summary}": '
                "opened again, every recipient gets it twice.",
                "Open another incident with it?",
            )
    for incident in still:
        if ctx.now - incident.opened < SOON:
            return Caution(
                f"Warning: {incident.opened_by} opened {incident.id} at "
                f'{_when(ctx, incident.opened)}: "{incident.summary}".',
                "Open another incident so soon?",
            )
    return None
