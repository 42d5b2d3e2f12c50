"""Message templates: named placeholders only, no attribute or index access."""

from __future__ import annotations

import string
from collections.abc import Mapping


class TemplateError(ValueError):
    """A template uses a placeholder form or name it may not."""


_FORMATTER = string.Formatter()


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses, in order; raises TemplateError on bad syntax."""
    names: list[str] = []
    for _literal, field, spec, conversion in _parse(template):
        if field is None:
            continue
        shown = "{" + field
        shown += f"!{conversion}" if conversion else ""
        shown += f":{spec}" if spec else ""
        shown += "}"
        if not field.isidentifier():
            msg = f"placeholder {shown} must be a plain name like {{release}}"
            raise TemplateError(msg)
        if spec or conversion:
            msg = f"placeholder {shown} may not have a format spec or conversion; write {{{field}}}"
            raise TemplateError(msg)
        names.append(field)
    return names


def _parse(template: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        return list(_FORMATTER.parse(template))
    except ValueError as exc:
        msg = f"bad template: {exc}; write a literal brace as {{{{ or }}}}"
        raise TemplateError(msg) from None


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill a template; every placeholder must be in `values` (checked by `validate`)."""
    out: list[str] = []
    for literal, field, _spec, _conv in _parse(template):
        out.append(literal)
        if field is not None:
            if field not in values:
                msg = f"unknown placeholder {{{field}}}"
                raise TemplateError(msg)
            out.append(values[field])
    return "".join(out)
