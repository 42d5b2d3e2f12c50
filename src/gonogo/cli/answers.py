"""A yes/no question to the operator in the language it is asked in.

Swedish questions show `[j/N]` and take j/ja as well as y/yes (n/nej/no, or Enter, for
no; a choice whose default is yes shows `[J/n]`, Enter then yes); any other language
keeps Typer's `[y/N]`/`[Y/n]`, as ever. Every such question in a
night, whether a command's confirmation or `run`'s own, reads and answers alike.
"""

from __future__ import annotations

import typer

from gonogo.errors import StoppedError

YES, NO = ("j", "ja", "y", "yes"), ("n", "nej", "no")


def yes_or_no(question: str, language: str, *, default: bool = False) -> bool:
    """The answer (Enter: `default`, no unless told; shown in capitals, `[j/N]` or
    `[J/n]`). Raises typer.Abort on Ctrl-C or the end of input, as typer.confirm does
    (its __context__ tells which)."""
    if language != "sv":
        return typer.confirm(question, default=default)
    choices = "[J/n]" if default else "[j/N]"
    while True:
        answer = str(typer.prompt(f"{question} {choices}", default="", show_default=False))
        if answer.strip().lower() in YES:
            return True
        if answer.strip().lower() in NO:
            return False
        if not answer.strip():
            return default
        typer.echo("Svara j (ja) eller n (nej).")


def confirmed(question: str, language: str) -> bool:
    """A confirmation (default no): the end of input (Ctrl-D) is no; Ctrl-C stops the
    command, saying nothing was journaled or sent."""
    try:
        return yes_or_no(question, language)
    except typer.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):  # Ctrl-C, not end of input
            msg = "interrupted at the question; nothing was journaled or sent"
            raise StoppedError(msg) from None
        return False
