"""Rules for advance notices beyond those every message has (placeholders, segments)."""

from __future__ import annotations

import datetime as dt

from gonogo.runbook.loader import DocPath, Loaded
from gonogo.runbook.model import Notice, Runbook
from gonogo.runbook.types import format_duration

# Closer to the window than this, a notice is news nobody can act on.
_SHORTEST = dt.timedelta(minutes=15)


def check_notices(runbook: Runbook, loaded: Loaded) -> None:
    """Ids unique, offsets sensible, every audience reachable by the notice's texts."""
    ids: dict[str, int] = {}
    offsets: dict[dt.timedelta, str] = {}
    for index, notice in enumerate(runbook.notices):
        path = ("notices", index)
        if notice.id in ids:
            loaded.add(
                (*path, "id"), "duplicate",
                f"a second notice '{notice.id}'; notice ids name them in the journal and "
                "must differ",
            )  # fmt: skip
        ids.setdefault(notice.id, index)
        if notice.silent:
            loaded.add(path, "notice-silent", "a silent notice says nothing; remove it")
            continue
        if notice.before in offsets:
            loaded.add(
                (*path, "before"), "notice-offset",
                f"notice '{notice.id}' goes out at the same moment as "
                f"'{offsets[notice.before]}' ({format_duration(notice.before)} before)",
                "warning",
            )  # fmt: skip
        offsets.setdefault(notice.before, notice.id)
        if notice.before < _SHORTEST:
            loaded.add(
                (*path, "before"), "notice-offset",
                f"{format_duration(notice.before)} before the window is too late to plan "
                f"around; give at least {format_duration(_SHORTEST)}",
                "warning",
            )  # fmt: skip
        _check_reach(runbook, notice, path, loaded)


def _check_reach(runbook: Runbook, notice: Notice, path: DocPath, loaded: Loaded) -> None:
    has_sms = notice.sms is not None or any(v.sms is not None for v in notice.variants)
    has_email = notice.email is not None or any(v.email is not None for v in notice.variants)
    for index, name in enumerate(notice.audiences):
        audience = runbook.audiences.get(name)
        if audience is None:
            continue  # an unknown audience is reported with the message's references
        if audience.recipients is None:
            why = "it has no recipients file"
        elif audience.press and not has_email:
            why = "the press gets e-mail only and the notice has no e-mail text"
        elif not (has_sms or has_email):
            why = "the notice has no SMS or e-mail text for it"
        else:
            continue
        loaded.add(
            (*path, "audiences", index), "unreachable",
            f"notice '{notice.id}' reaches nobody in audience '{name}': {why}", "warning",
        )  # fmt: skip
