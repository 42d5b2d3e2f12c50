"""Jinja2 for the report and the site: their filters, words and dates, and the lamps' colours."""

from __future__ import annotations

from typing import Any


def environment(language: str = "en", *, markdown: bool = False) -> Any:
    """Jinja2 with the report's filters, its words and dates in `language` (sv or en).

    Runbook and journal text is data, never markup: escaped in HTML (autoescape), and
    with `markdown` every value shown has its `<`, `>` and `&` as entities, since a
    Markdown renderer (GitHub's, GitLab's) would render an operator's `<b>` as HTML.
    """
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape  # noqa: PLC0415

    from gonogo.render import words  # noqa: PLC0415

    env = Environment(
        loader=PackageLoader("gonogo.render", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        finalize=_markdown_text if markdown else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    lang = words.language_of(language)
    env.globals["lang"] = lang
    env.globals["t"] = lambda key, **fields: words.say(lang, key, **fields)
    env.filters["hm"] = lambda v: f"{v:%H:%M}" if v else "–"
    env.filters["dt"] = lambda v: words.long_date(lang, v)
    env.filters["month"] = lambda v: words.month(lang, v)
    env.filters["late"] = lambda v: _late(v, lang)
    env.filters["outcome"] = lambda v, state="": _outcome(v, lang, state)
    env.filters["chart"] = lambda v: words.chart_label(lang, v)
    env.filters["why"] = lambda v: words.light_reason(lang, v)
    env.filters["service"] = lambda key, names: names.get(key, key)
    env.filters["say"] = lambda v: words.say(lang, v) if v in words.MESSAGES else v
    env.filters["cell"] = lambda v: (
        str(v if v is not None else "–").replace("|", "\\|").replace("\n", " ")
    )
    env.filters["pct"] = lambda v: _percent(v, lang)
    return env


def _markdown_text(value: object) -> str:
    """A value as Markdown shows it literally: no HTML tag or entity of its own."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _late(minutes: int | None, language: str = "en") -> str:
    from gonogo.render.words import say  # noqa: PLC0415

    if minutes is None:
        return "–"
    if minutes == 0:
        return say(language, "on time")
    return say(language, "late", n=minutes) if minutes > 0 else say(language, "early", n=-minutes)


def _percent(value: float, language: str) -> str:
    text = f"{value * 100:.3f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") if language == "sv" else text) + " %"


def _outcome(outcome: str, language: str, state: str) -> str:
    """The night's outcome in words; one not finished says where it stands."""
    from gonogo.render.words import MESSAGES, say  # noqa: PLC0415

    if outcome != "not finished":
        return say(language, outcome) if outcome in MESSAGES else outcome
    number = state.removeprefix("part_")
    if number.isdigit():
        where = say(language, "state part", n=int(number))
    else:
        where = say(language, f"state {state}") if f"state {state}" in MESSAGES else state
    return say(language, "not finished", state=where)


# Lamps and bars; TEXT_COLOURS for words on white, which need 4.5:1 (WCAG AA).
COLOURS = {"green": "#1e8e3e", "yellow": "#f2b600", "red": "#d93025"}
TEXT_COLOURS = {"green": "#137333", "red": "#b3261e", "amber": "#8a5300"}
