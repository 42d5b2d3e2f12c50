"""A planned dispatch's rows, kept small: a reference per recipient and the number of
its text. A dispatch to 100,000 holds 100,000 small tuples; each row is made as it is
read (journaled, counted, previewed), never all at once."""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Collection, Iterator

from gonogo.night.journal import NewDelivery

# channel, audience, language, subject, body: one rendered text
Text = tuple[str, str, str, str | None, str]
# (channel, audience, language, address, name): one delivery before its text is rendered
Addressee = tuple[str, str, str, str, str]


class Rows(Collection[NewDelivery]):
    """A dispatch's rows, as each addressee and the number of its text."""

    def __init__(self) -> None:
        self.texts: list[Text] = []
        self._number: dict[Text, int] = {}
        self._which = array("I")
        self._who: list[Addressee] = []
        self._counts: list[int] = []

    def add(self, text: Text, who: Addressee) -> None:
        number = self._number.get(text)
        if number is None:
            number = self._number[text] = len(self.texts)
            self.texts.append(text)
            self._counts.append(0)
        self._which.append(number)
        self._who.append(who)
        self._counts[number] += 1

    def tally(self) -> Counter[Text]:
        return Counter(dict(zip(self.texts, self._counts, strict=True)))

    def __iter__(self) -> Iterator[NewDelivery]:
        texts = self.texts
        for number, who in zip(self._which, self._who, strict=True):
            channel, audience, language, subject, body = texts[number]
            yield NewDelivery(channel, audience, who[3], who[4], language, subject, body)

    def __len__(self) -> int:
        return len(self._who)

    def __contains__(self, row: object) -> bool:
        return any(row == mine for mine in self)
