"""Decisions on deliveries: try the failed again; settle those left in doubt."""

from __future__ import annotations

from collections import Counter

from gonogo.errors import TransitionError
from gonogo.night.decisions import Caution, Decision
from gonogo.night.decisions.names import require_reason
from gonogo.night.decisions.refusal_words import refusal
from gonogo.night.entries import Kind, NewEntry, Requeued
from gonogo.night.journal import Delivery, Mark, Status
from gonogo.night.snapshot import Night
from gonogo.render.send_words import channel, word

RESEND = "resend"
MARK_SENT = "mark_sent"


def _per_audience(rows: list[Delivery], language: str, key: str = "per audience") -> str:
    per = Counter((d.channel, d.audience) for d in rows)
    return "\n".join(
        word(language, key, channel=channel(language, c), audience=a, n=n)
        for (c, a), n in sorted(per.items())
    )


def retry_failed(night: Night, language: str = "en") -> Decision | None:
    """Put the failed deliveries back to pending; None when there are none. Its question
    is in `language` (a catalogue language, see render/send_words.py)."""
    failed = [d for d in night.problems if d.status == Status.FAILED]
    if not failed:
        return None
    return Decision(
        NewEntry(Kind.RETRY, Requeued(len(failed), "retry")),
        cautions=(
            Caution(
                _per_audience(failed, language),
                word(language, "retry", n=len(failed)),
                language,
            ),
        ),
        marks=tuple(Mark(d.id, Status.PENDING, reason="retry") for d in failed),
        channels=frozenset(d.channel for d in failed),
    )


def settle(night: Night, action: str, reason: str, lang: str = "en") -> Decision:
    """Deliveries in doubt, settled on purpose after checking the provider's log. Its
    refusals and question are in `lang` (a catalogue language)."""
    reason = require_reason(reason, "settling deliveries in doubt", lang=lang)
    doubtful = [d for d in night.problems if d.status in (Status.IN_DOUBT, Status.IN_FLIGHT)]
    if not doubtful:
        raise TransitionError(refusal(lang, "none in doubt"))
    if action == RESEND:
        marks = tuple(Mark(d.id, Status.PENDING, reason=f"resent: {reason}") for d in doubtful)
        question = word(lang, "settle resend", n=len(doubtful))
    else:
        marks = tuple(
            Mark(d.id, Status.SENT, code="settled", reason=f"recorded as sent: {reason}")
            for d in doubtful
        )
        question = word(lang, "settle mark sent", n=len(doubtful))
    payload = Requeued(len(doubtful), action, tuple(d.id for d in doubtful))
    return Decision(
        NewEntry(Kind.SETTLED, payload, reason=reason),
        cautions=(Caution(_per_audience(doubtful, lang, "per audience doubt"), question, lang),),
        marks=marks,
        channels=frozenset(d.channel for d in doubtful) if action == RESEND else frozenset(),
    )
