"""What the commands that send show and ask (the preview, the questions, the cautions,
the summary), Swedish and English: the runbook's language, English for any other.

A sibling of words.py (the report's) and status_words.py (the screen's): where they say
the same thing (outcomes, channels, "osäkra") their words are used, so every screen says
it the same way. The English is what these commands always printed, byte for byte.
"""

from __future__ import annotations

import datetime as dt

from gonogo.render.status_words import STATUS
from gonogo.render.words import LANGUAGES, MESSAGES, language_of, pick

__all__ = ["ago", "channel", "language_of", "texts_count", "word"]

# What settles a delivery in doubt; the English is reconcile.py's SETTLE_HINT ({hint}).
_SETTLE = (
    "se e-postserverns logg (för sms Twilios meddelandelogg) och kör sedan "
    "`gonogo settle --resend --reason TEXT` eller `gonogo settle --mark-sent --reason TEXT`"
)

# key: (Swedish, English). `{name}` fields are filled in where the line is made.
SEND: dict[str, tuple[str, str]] = {
    # The preview, before the question.
    "rehearsal": (
        STATUS["rehearsal banner"][0] + "; meddelandena hamnar i utkorgen.",
        "REHEARSAL (dry run): nothing is sent; messages go to the outbox.",
    ),
    "part": (" (del {n})", " (part {n})"),
    "texts": ("{what}: {texts} till {n} mottagare", "{what}: {texts} to {n} recipient(s)"),
    "text": ("{n} text", "{n} text(s)"),
    "text plural": ("{n} texter", "{n} text(s)"),
    "press": ("PRESSMEDDELANDE per e-post", "PRESS STATEMENT by e-mail"),
    "SMS": ("SMS", "SMS"),
    "E-mail": ("E-post", "E-mail"),
    "to whom": ("  {label} till {whom}", "  {label} to {whom}"),
    "segments": ("; {encoding}, {n} segment", "; {encoding}, {n} segment(s)"),
    "subject": ("    Ämne: {subject}", "    Subject: {subject}"),
    "audience": ("{label}: {n} mottagare, ", "{label}: {n} recipient(s), "),
    "pace to": ("{channel} till {n}", "{channel} to {n}"),
    "pace segments": (" ({n} segment)", " ({n} segments)"),
    "per second": ("per sekund", "a second"),
    "segments per second": ("segment per sekund", "segments a second"),
    "pace": (
        "  {what}: med runbookens rate_limit på {rate} {per} tar det cirka {n} min",
        "  {what}: at the runbook's rate_limit of {rate} {per} this takes about {n} min",
    ),
    # The questions.
    "send now": ("Skicka meddelandena nu?", "Send these messages now?"),
    "to outbox": (
        "Lägga meddelandena i utkorgen (torrkörning)?",
        "Write these to the outbox (dry run)?",
    ),
    # The cautions of start, go, incident open/update, announce, retry-failed.
    "off plan": (
        "Varning: det här är {span} {side} planerad start {at}.",
        "Warning: this is {span} {side} the planned start {at}.",
    ),
    "after": ("efter", "after"),
    "before": ("före", "before"),
    "start anyway": ("Starta servicefönstret ändå?", "Start the window anyway?"),
    "pnr passed": (
        "Varning: sista tidpunkt för NoGo ({at}) har passerats: efter denna Go hinner "
        "tillbakarullningen efter en NoGo inte bli klar inom servicefönstret.",
        "Warning: the point of no return ({at}) has passed: after this Go, a NoGo "
        "cannot finish the rollback inside the window.",
    ),
    "go anyway": ("Ge Go ändå?", "Give Go anyway?"),
    "status unsent": (
        "Varning: statusmeddelandet för del {part} har aldrig gått ut; efter denna Go kan "
        "det inte skickas (skicka det först med `gonogo progress`).",
        "Warning: the status message for part {part} never went out; after this Go it "
        "cannot be sent (`gonogo progress` first sends it).",
    ),
    "go without": ("Ge Go utan det?", "Give Go without it?"),
    "seconds ago": ("för {n} s sedan", "{n} s ago"),
    "minutes ago": ("för {n} min sedan", "{n} min ago"),
    "same update": (
        'Varning: det senaste meddelandet om {id} hade exakt den här texten, "{text}", '
        "skickat av {by} kl. {when}: skickas det igen får varje mottagare det två gånger.",
        'Warning: {id}\'s last message had this very text, "{text}", sent by {by} at '
        "{when}: sent again, every recipient gets it twice.",
    ),
    "send same": ("Skicka samma text igen?", "Send the same text again?"),
    "same open": (
        "Varning: {id}, öppnad av {by} kl. {when}, är öppen med exakt den här texten, "
        '"{text}": öppnas den igen får varje mottagare det två gånger.',
        'Warning: {id}, opened by {by} at {when}, is open with this very text, "{text}": '
        "opened again, every recipient gets it twice.",
    ),
    "open same": (
        "Öppna ännu en driftstörning med samma text?",
        "Open another incident with it?",
    ),
    "opened soon": (
        'Varning: {by} öppnade {id} kl. {when}: "{text}".',
        'Warning: {by} opened {id} at {when}: "{text}".',
    ),
    "open soon": ("Öppna ännu en driftstörning så snart?", "Open another incident so soon?"),
    "notice late": (
        "Aviseringen {id} skulle ha gått ut för {ago} sedan ({at}); den skulle gå ut sent.",
        "Notice {id} was due {ago} ago ({at}); it would go out late.",
    ),
    "send late": ("Skicka aviseringen {id} sent ändå?", "Send notice {id} late anyway?"),
    "not late": (
        "Aviseringen {id} skulle ha gått ut för {ago} sedan och skickas inte sent utan att "
        "fråga: `gonogo announce RUNBOOK --send-late` skickar den.",
        "Notice {id} was due {ago} ago and is not sent late without asking: "
        "`gonogo announce RUNBOOK --send-late` sends it.",
    ),
    "next notice": ("Nästa avisering: {id} {at}.", "Next notice: {id} at {at}."),
    "no notice": ("Ingen avisering är på väg.", "No notice is coming."),
    "days": ("{n} dagar", "{n} days"),
    "hours": ("{n} timmar", "{n} hours"),
    "minutes": ("{n} minuter", "{n} minutes"),
    "per audience": (
        "  {channel} {audience}: {n} misslyckade",
        "  {channel} {audience}: {n} failed",
    ),
    "retry": ("Skicka {n} misslyckade leveranser igen?", "Try {n} failed deliveries again?"),
    # settle, reschedule, verify start.
    "per audience doubt": (
        "  {channel} {audience}: {n} osäkra",
        "  {channel} {audience}: {n} in doubt",
    ),
    "settle resend": (
        "Skicka {n} osäkra leveranser igen?",
        "Send {n} deliveries in doubt again?",
    ),
    "settle mark sent": (
        "Registrera {n} osäkra leveranser som skickade?",
        "Record {n} deliveries in doubt as sent?",
    ),
    "warning": ("Varning: {what}.", "Warning: {what}."),
    "move anyway": ("Flytta servicefönstret ändå?", "Move the window anyway?"),
    "verify early": (
        "Varning: verifieringen spärrar del {gated} ({gates}), men del {current} pågår: "
        "klartecknet säger åt alla deltagare att börja verifiera nu.",
        "Warning: verification gates part {gated} ({gates}), but part {current} is in "
        "progress: the go-ahead tells every participant to start verifying now.",
    ),
    "go-ahead anyway": ("Skicka klartecknet ändå?", "Send the go-ahead anyway?"),
    # Finishing an interrupted dispatch first (night/delivery/reconcile.py).
    "finishing": (
        "Skickar först klart {n} leveranser i {d} avbrutna utskick: {pending} ännu inte "
        "försökta, {flying} på väg.",
        "Finishing {n} deliveries of {d} interrupted dispatch(es) before anything else: "
        "{pending} not yet tried, {flying} in flight.",
    ),
    "waiting": (
        "Väntar {s} s så att förfrågningar som var på väg hinner fram till Twilio innan "
        "vi frågar vad som kom fram (--settle SEKUNDER ändrar det).",
        "Waiting {s} s for requests that were on the wire to reach Twilio before asking "
        "what arrived (--settle SECONDS changes it).",
    ),
    "sms in flight": (
        "{n} sms var på väg: {found} hade kommit fram till Twilio, {unsure}{again} hade "
        "inte det och {tried}.",
        "{n} SMS were in flight: {found} had reached Twilio, {unsure}{again} had not and {tried}.",
    ),
    "sms unsure": ("{n} är osäkra, ", "{n} are in doubt, "),
    "tried again": ("får ett nytt försök", "is tried again"),
    "tried again plural": ("får ett nytt försök", "are tried again"),
    "sms in doubt line": (
        "  osäker: sms {audience} {address}: {why}",
        "  in doubt: sms {audience} {address}: {why}",
    ),
    "sms in doubt": (
        "{n} sms är osäkra: de kan ha gått ut eller inte och skickas inte igen; " + _SETTLE + ".",
        "{n} SMS are in doubt: they may or may not have gone out, and are not sent again; {hint}.",
    ),
    "emails in flight": (
        "{n} e-postmeddelanden var på väg när kommandot stoppades och kan ha gått ut. "
        "Skicka dem igen? (nej: de förblir osäkra tills du avgör dem)",
        "{n} e-mail(s) were in flight when the command stopped and may have gone out. "
        "Send them again? (no: they stay in doubt until you settle them)",
    ),
    "emails again": (
        "{n} osäkra e-postmeddelanden skickas igen.",
        "{n} e-mail(s) in doubt are sent again.",
    ),
    "emails in doubt": (
        "{n} e-postmeddelanden är osäkra: de kan ha gått ut eller inte; " + _SETTLE + ".",
        "{n} e-mail(s) are in doubt: they may or may not have gone out; {hint}.",
    ),
    # deliveries --refresh; a changed runbook accepted.
    "no receipts rehearsal": (
        "En övning skickar inga sms: det finns inga leveranskvitton att fråga efter.",
        "A rehearsal sends no SMS: there are no receipts to ask for.",
    ),
    "no receipts yet": (
        "Inga sms har skickats än: det finns inga leveranskvitton att fråga efter.",
        "No SMS has been sent yet: there are no receipts to ask for.",
    ),
    "receipts journaled": (
        "Leveranskvitton journalförda: {delivered} levererade, {undelivered} kom aldrig fram.",
        "Receipts journaled: {delivered} delivered, {undelivered} undelivered.",
    ),
    "change accepted": (
        "Runbookändringen godtogs och journalfördes (sha256 {sha}).",
        "Runbook change accepted and journaled (sha256 {sha}).",
    ),
    # After: the summary, and what a command says when it had nothing to do.
    "delivered": ("{label}: {n} skickade ({parts})", "{label}: {n} delivered ({parts})"),
    "none": ("inga", "none"),
    "FAILED": (", {n} MISSLYCKADE", ", {n} FAILED"),
    "in doubt": (", " + STATUS["in doubt"][0], ", {n} in doubt"),
    "not yet sent": (", {n} ej skickade", ", {n} not yet sent"),
    "failed line": ("  misslyckad: {what}", "  failed: {what}"),
    "more": (
        "  ... och {n} till: se `gonogo deliveries`",
        "  ... and {n} more: see `gonogo deliveries`",
    ),
    "retry hint": (
        "Skicka de misslyckade igen med `gonogo retry-failed`.",
        "Try the failed ones again with `gonogo retry-failed`.",
    ),
    "resume hint": (
        "Osäkra: `gonogo resume` frågar leverantören och skickar klart dem.",
        "In doubt: `gonogo resume` asks the provider and finishes them.",
    ),
    "settle hint": ("Osäkra: " + _SETTLE + ".", "In doubt: {hint}."),
    "journaled": ("Journalfört.", "Journaled."),
    "opened incident": ("Driftstörning {id} öppnad.", "Opened incident {id}."),
    "nothing to resume": (
        "Inget att återuppta: alla utskick är klara.",
        "Nothing to resume: every dispatch is finished.",
    ),
    "no failed": ("Inga misslyckade leveranser.", "No failed deliveries."),
    "joined": (
        "Anslöt till natten för release {release}; inget skickades.",
        "Joined the night of release {release}; nothing was sent.",
    ),
}


def word(language: str, key: str, **fields: object) -> str:
    """`key` in `language` (a catalogue language: see `language_of`)."""
    return pick(language, key, SEND, **fields)


def channel(language: str, name: str) -> str:
    """A channel as the report names it ("e-post", "sms"); English keeps "email"."""
    return MESSAGES[name][LANGUAGES.index(language)] if name in MESSAGES else name


def texts_count(language: str, n: int) -> str:
    """How many texts, in Swedish: "1 text", "2 texter"."""
    return word(language, "text" if n == 1 else "text plural", n=n)


def ago(language: str, now: dt.datetime, at: dt.datetime) -> str:
    """How long ago, to the second under two minutes: "40 s ago", "för 3 min sedan"."""
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 120:
        return word(language, "seconds ago", n=seconds)
    return word(language, "minutes ago", n=seconds // 60)
