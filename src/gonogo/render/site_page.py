"""index.html: the lights, the banner of a major disruption, the windows to come and past."""

from __future__ import annotations

from typing import Any

from gonogo.render.site_sources import Source
from gonogo.render.site_words import swedish
from gonogo.render.status_json import parse_iso
from gonogo.render.templating import COLOURS, environment


def page(found: list[Source], state: dict[str, Any]) -> str:
    """The page, from what status.json says, its times in the first window's zone."""
    env = environment()
    zone = _zone(found)
    env.filters["sv"] = lambda value: swedish(parse_iso(value).astimezone(zone))
    env.filters["local"] = lambda value: f"{parse_iso(value).astimezone(zone):%H.%M}"
    windows = state["windows"]
    past = [w for w in reversed(windows) if _past(w, state["updated"])]
    text: str = env.get_template("site.html.j2").render(
        s=state,
        colours=COLOURS,
        upcoming=[w for w in windows if not _past(w, state["updated"])],
        past=past,
        all_done=all(w["status"] == "done" for w in past),
    )
    return text


def _past(window: dict[str, Any], updated: str | None) -> bool:
    """Done, or cancelled and its time gone by (by the build time, never the clock)."""
    if window["status"] == "done":
        return True
    gone = updated is not None and parse_iso(window["start"]) <= parse_iso(updated)
    return window["status"] == "cancelled" and gone


def _zone(found: list[Source]) -> Any:
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    return ZoneInfo(found[0].runbook.release.timezone if found else "Europe/Stockholm")
