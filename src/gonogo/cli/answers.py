"""A yes/no question to the operator in the language it is asked in.

Swedish questions show `[j/N]` and take j/ja as well as y/yes (n/nej/no, or Enter, for
no); any other language keeps Typer's `[y/N]`, as ever. Every such question in a
night, whether a command's confirmation or `run`'s own, reads and answers alike.
"""

from __future__ import annotations

import typer

YES, NO = ("j", "ja", "y", "yes"), ("n", "nej", "no")


def yes_or_no(question: str, language: str) -> bool:
    """The answer (default no). Raises typer.Abort on Ctrl-C or the end of input, as
    typer.confirm does (its __context__ tells which)."""
    if language != "sv":
        return typer.confirm(question, default=False)
    while True:
        answer = str(typer.prompt(f"{question} [j/N]", default="", show_default=False))
        if answer.strip().lower() in YES:
            return True
        if answer.strip().lower() in ("", *NO):
            return False
        typer.echo("Svara j (ja) eller n (nej).")
