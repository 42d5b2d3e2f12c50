"""The status screen's words (`status`, and `run` before every prompt), Swedish and
English: the runbook's language, English for any other, as the report.

A sibling of words.py, the report's catalogue: a key found in neither here nor there
is a mistake. Where both say the same thing (states, outcomes, colours, "on time") the
report's words are used, so the report and the screen say it the same way.
"""

from __future__ import annotations

import datetime as dt

from gonogo.night.machine import COMPLETED, PARTS_DONE, PLANNED, ROLLED_BACK, ROLLING_BACK
from gonogo.night.snapshot import Night
from gonogo.night.wording import duration
from gonogo.render.words import MESSAGES, language_of, pick
from gonogo.runbook.model import Runbook

__all__ = ["language_of", "said", "span", "where"]

# key: (Swedish, English). `{name}` fields are filled in by the screen.
STATUS: dict[str, tuple[str, str]] = {
    "rehearsal banner": (
        "ÖVNING (torrkörning): inget skickas",
        "REHEARSAL (dry run): nothing is sent",
    ),
    "runbook changed": (
        "Runbooken har ändrats sedan körningen startade.",
        "The runbook has changed since the run started.",
    ),
    "now line": ("Nu {at}: {where}", "Now {at}: {where}"),
    "where part": ("del {n} ({id}) pågår", "part {n} ({id}) is in progress"),
    "where planned": (MESSAGES["state planned"][0], "the window has not started"),
    "where parts_done": (
        MESSAGES["state parts_done"][0],
        "every part has had Go; the window waits to be ended",
    ),
    "where rolling_back": (MESSAGES["state rolling_back"][0], "the night is rolling back"),
    "where cancelled": ("servicefönstret är inställt", "the window was cancelled"),
    "cancelled line": (
        "Utfall: [bold]inställt[/bold]; servicefönstret {planned} ställdes in {at} av {by}: "
        "{reason}",
        "Outcome: [bold]cancelled[/bold]; the window {planned} was cancelled at {at} by "
        "{by}: {reason}",
    ),
    "where over": ("natten är över: {outcome}", "the night is over: {outcome}"),
    "window": ("Servicefönster {start}-{end}", "Window {start}-{end}"),
    "left": ("{span} kvar", "{span} left"),
    "starts in": ("börjar om {span}", "starts in {span}"),
    "over": ("{span} över tiden", "{span} over"),
    "pnr": (
        "Sista tidpunkt för NoGo {at}: senare hinner tillbakarullningen inte bli klar.",
        "Point of no return {at}: the latest NoGo that still fits the rollback.",
    ),
    "pnr passed": (
        "Sista tidpunkt för NoGo {at} har passerats: efter en NoGo nu hinner "
        "tillbakarullningen inte bli klar inom servicefönstret.",
        "Point of no return {at} has passed: a NoGo now cannot finish the rollback "
        "inside the window.",
    ),
    "outcome line": (
        "Utfall: [bold]{outcome}[/bold]; servicefönstret öppnades {opened}, stängdes "
        "{closed} (planerat {planned})",
        "Outcome: [bold]{outcome}[/bold]; window opened {opened}, closed {closed} "
        "(planned {planned})",
    ),
    "late column": ("Avvikelse", "Late"),
    "early": ("{span} tidigt", "{span} early"),
    "decided": ("{decision} av {by}", "{decision} by {by}"),
    "in progress": ("pågår", "in progress"),
    "hold line": (
        "[yellow]Paus i del {n}[/yellow] sedan {at}, satt av {by}: {reason}",
        "[yellow]Hold on part {n}[/yellow] since {at} by {by}: {reason}",
    ),
    "incident line": (
        "Driftstörning {id} P{priority}: {summary}",
        "Incident {id} P{priority}: {summary}",
    ),
    "update overdue": (
        "uppdateringen FÖRSENAD sedan {at} (+{n} min)",
        "update OVERDUE since {at} (+{n} min)",
    ),
    "update due": ("nästa uppdatering senast {at}", "next update due {at}"),
    "lights line": ("Trafikljus: {lights}", "Lights: {lights}"),
    "all green": ("alla gröna", "all green"),
    "verification line": (
        "Verifiering (spärrar del {gates}): {state}",
        "Verification (gates {gates}): {state}",
    ),
    "planned at": ("planerad {at}", "planned {at}"),
    "verification started": (
        "startad {at}, {done} av {total} har rapporterat",
        "started {at}, {done} of {total} reported",
    ),
    "due now": ("Att göra nu:", "Due now:"),
    "due at": ("senast {at}", "by {at}"),
    "due overdue": ("försenat {at}", "overdue {at}"),
    "deliveries": ("Leveranser: {sent} av {total} skickade", "Deliveries: {sent} of {total} sent"),
    "sent": ("{n} skickade", "{n} sent"),
    "failed": ("{n} misslyckade", "{n} failed"),
    "pending": ("{n} väntar", "{n} pending"),
    "in doubt": ("{n} osäkra", "{n} in doubt"),
    "being sent": ("{n} skickas nu", "{n} being sent"),
    "run it": ("{what}: kör `{command}`", "{what}: run `{command}`"),
    "sending": ("skickar", "is sending"),
    "running": ("kör", "is running"),
    "sender": (
        "{who} {doing} (`{command}` på {host}{since})",
        "{who} {doing} (`{command}` on {host}{since})",
    ),
    "since": (", sedan {at}", ", since {at}"),
    "another operator": ("en annan operatör", "another operator"),
    "next": ("Nästa: {step}", "Next: {step}"),
}


def said(language: str, key: str, **fields: object) -> str:
    """`key` in `language`, from this catalogue or else the report's."""
    return pick(language, key, STATUS, MESSAGES, **fields)


def span(language: str, delta: dt.timedelta) -> str:
    """A span, e.g. "45 min", "2 h 05 min", "30 dagar 4 h" / "30 days 4 h"."""
    text = duration(delta)
    return text.replace(" days ", " dagar ") if language == "sv" else text


def where(language: str, runbook: Runbook, night: Night) -> str:
    """Where the night stands (as `night.wording.describe`, which stays English)."""
    current = night.current_part
    if current is not None:
        return said(language, "where part", n=current, id=runbook.parts[current - 1].id)
    if night.outcome == "cancelled":
        return said(language, "where cancelled")
    if night.state in (PLANNED, PARTS_DONE, ROLLING_BACK):
        return said(language, f"where {night.state}")
    if night.state in (COMPLETED, ROLLED_BACK) and night.outcome:
        return said(language, "where over", outcome=said(language, night.outcome))
    return night.state
