"""Templates: named placeholders only; no attribute, index, conversion or format spec."""

from __future__ import annotations

import pytest

from gonogo.runbook.template import TemplateError, placeholders, render


@pytest.mark.parametrize(
    ("template", "names"),
    [
        ("", []),
        ("No placeholders.", []),
        ("Release {release}.", ["release"]),
        (
            "Del {part_number} av {part_count}, del {part_number}.",
            ["part_number", "part_count", "part_number"],
        ),
        ("Literal {{braces}} and {release}", ["release"]),
        ("{{}}", []),
        ("Å {ä_ö}", ["ä_ö"]),  # identifiers may be non-ASCII
    ],
)
def test_placeholders(template: str, names: list[str]) -> None:
    assert placeholders(template) == names


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{a.b}", "placeholder {a.b} must be a plain name like {release}"),
        ("{a.__class__}", "placeholder {a.__class__} must be a plain name like {release}"),
        ("{0}", "placeholder {0} must be a plain name like {release}"),
        ("{a[0]}", "placeholder {a[0]} must be a plain name like {release}"),
        ("{}", "placeholder {} must be a plain name like {release}"),
        ("{ release }", "placeholder { release } must be a plain name like {release}"),
        ("{x!r}", "placeholder {x!r} may not have a format spec or conversion; write {x}"),
        ("{x:>10}", "placeholder {x:>10} may not have a format spec or conversion; write {x}"),
        ("{x!s:^3}", "placeholder {x!s:^3} may not have a format spec or conversion; write {x}"),
        (
            "a {",
            "bad template: Single '{' encountered in format string; write a literal brace as "
            "{{ or }}",
        ),
        (
            "a } b",
            "bad template: Single '}' encountered in format string; write a literal brace as "
            "{{ or }}",
        ),
        (
            "a {b",
            "bad template: expected '}' before end of string; write a literal brace as {{ or }}",
        ),
    ],
)
def test_bad_placeholders(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        placeholders(template)
    assert str(caught.value) == message


def test_render() -> None:
    values = {"release": "21.0", "part_number": "1", "part_count": "5"}
    assert render("Release {release}: del {part_number} av {part_count}.", values) == (
        "Release 21.0: del 1 av 5."
    )


def test_render_keeps_literal_braces_and_values_verbatim() -> None:
    # A value is inserted as is: braces in it are not a template.
    assert render("{{x}} {summary}", {"summary": "{release} 100%"}) == "{x} {release} 100%"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{nope}", "unknown placeholder {nope}"),
        ("{a.b}", "unknown placeholder {a.b}"),
        ("{release.__class__}", "unknown placeholder {release.__class__}"),
        (
            "a {",
            "bad template: Single '{' encountered in format string; write a literal brace as "
            "{{ or }}",
        ),
    ],
)
def test_render_refuses_what_it_cannot_fill(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        render(template, {"release": "21.0"})
    assert str(caught.value) == message


def test_template_error_is_a_value_error() -> None:
    assert issubclass(TemplateError, ValueError)
