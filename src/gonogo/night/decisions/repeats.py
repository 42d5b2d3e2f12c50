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
from gonogo.render.send_words import ago, language_of, word

# Shorter than any sensible update interval (the runbook's default is 30 minutes), long
# enough for a second site to act on the same news.
SOON = dt.timedelta(minutes=2)


def _language(ctx: Context) -> str:
    return language_of(ctx.runbook.release.language)


def _when(ctx: Context, at: dt.datetime) -> str:
    return f"{ctx.local(at):%H:%M:%S} ({ago(_language(ctx), ctx.now, at)})"


def update_caution(ctx: Context, incident: Incident, summary: str) -> Caution | None:
    """A caution when this update repeats the incident's last message word for word."""
    at, by, text = incident.last_sent
    if text == summary:
        lang = _language(ctx)
        return Caution(
            word(lang, "same update", id=incident.id, text=text, by=by, when=_when(ctx, at)),
            word(lang, "send same"),
            lang,
        )
    return None


def open_caution(ctx: Context, incidents: tuple[Incident, ...], summary: str) -> Caution | None:
    """A caution when an open incident has this text, or another was opened just now."""
    still = [i for i in reversed(incidents) if i.open]
    lang = _language(ctx)
    for incident in still:
        if summary in (incident.summary, incident.latest_summary):
            when = _when(ctx, incident.opened)
            return Caution(
                word(
                    lang,
                    "same open",
                    id=incident.id,
                    by=incident.opened_by,
                    when=when,
                    text=summary,
                ),
                word(lang, "open same"),
                lang,
            )
    for incident in still:
        if ctx.now - incident.opened < SOON:
            when = _when(ctx, incident.opened)
            return Caution(
                word(
                    lang,
                    "opened soon",
                    by=incident.opened_by,
                    id=incident.id,
                    when=when,
                    text=incident.summary,
                ),
                word(lang, "open soon"),
                lang,
            )
    return None
