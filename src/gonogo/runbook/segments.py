"""SMS encoding and segment counting (3GPP TS 23.038 / 23.040).

No maintained library does this; the tests check these tables and counts against the
`gsm0338` codec.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

# The GSM 03.38 default alphabet in code order 0x00..0x7F, without 0x1B: that code is the
# escape to the extension table, not a character a message can carry.
GSM7_BASIC: frozenset[str] = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
"""Characters of the GSM 7-bit default alphabet: one septet each."""

GSM7_EXTENSION: frozenset[str] = frozenset("\f^{}\\[~]|€")
"""Characters of the default extension table: ESC plus one septet, so two each."""

_GSM7_SINGLE = 160
_GSM7_PART = 153  # 7 septets of each part go to the concatenation header
_UCS2_SINGLE = 70
_UCS2_PART = 67


class SmsMeasure(NamedTuple):
    """How a text goes out as SMS."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int  # septets for GSM-7 (extension chars count 2), UTF-16 code units for UCS-2
    segments: int
    non_gsm: tuple[str, ...]  # the distinct characters that forced UCS-2, first seen first


def measure(text: str) -> SmsMeasure:
    """Measure `text` as an SMS: its encoding, size in encoding units and segment count.

    GSM-7 is used when every character is in the default alphabet or its extension
    table (extension characters take two septets); otherwise the whole message is
    UCS-2, where characters outside the BMP take two UTF-16 code units. A message
    that fits one segment (160 septets / 70 units) is one segment; a longer one is
    split into parts of 153 septets / 67 units, and a part ends early rather than
    split an escape sequence or a surrogate pair, as handsets would show garbage
    otherwise.

    The empty text measures as one GSM-7 segment of 0 units. Twilio sends nothing
    for an empty body, but keeping `measure` total (never 0 segments, never an
    error) spares every caller a special case; refusing empty messages is the
    runbook checks' job.
    """
    non_gsm = tuple(
        dict.fromkeys(c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENSION)
    )
    if not non_gsm:
        sizes = [2 if c in GSM7_EXTENSION else 1 for c in text]
        return SmsMeasure("GSM-7", sum(sizes), _count_segments(sizes, _GSM7_SINGLE, _GSM7_PART), ())
    # Code points above U+FFFF are a surrogate pair in UTF-16.
    sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
    return SmsMeasure(
        "UCS-2", sum(sizes), _count_segments(sizes, _UCS2_SINGLE, _UCS2_PART), non_gsm
    )


def _count_segments(sizes: list[int], single: int, part: int) -> int:
    """Segments needed for characters of the given sizes, never splitting a character."""
    if sum(sizes) <= single:
        return 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > part:
            segments, used = segments + 1, 0
        used += size
    return segments
