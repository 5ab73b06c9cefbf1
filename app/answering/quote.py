"""Is a line a quote of its passage? A check that knows no language.

A shown line must be a near-verbatim span of the passage it cites: the same characters in the
same order, where the line may leave words out but may add none. What is tolerated is only
what changes no meaning: white space, punctuation, full-width forms (NFKC), letter case and
thousands separators. So a figure, a name or a word that the passage does not hold at that
place can never be shown as if the passage said it, in any script.

Text is compared as units: a number (digits with their decimal point) and a Latin word are one
unit each, a CJK character is one unit, punctuation and spaces are not units. The line must be
the passage's units with some left out, and every kept run must be at least two units long
unless it is a whole number or word: a run of one CJK character could stitch a new word out of
scattered characters. A gap left inside the line may not hold a figure: leaving out "NOK 2.9
billion. The grant was" from "The site cost NOK 2.9 billion. The grant was NOK 410 million." would
put the grant's figure on the cost. Trimming the start and the end is free.

    >>> quote_of("Nvidia will invest up to US$100 billion.", "Nvidia said it will invest up to US$100 billion in OpenAI.")
    True
    >>> quote_of("Nvidia will invest US$10 billion.", "Nvidia will invest up to US$100 billion.")
    False
    >>> quote_of("英伟达将投资1,000亿美元", "英伟达将分阶段投资１０００亿美元。")
    True
"""

from __future__ import annotations

import re
import unicodedata

# a number with its decimal part, a Latin word (with inner apostrophes or hyphens), or one CJK character
_UNIT = re.compile(r"\d+(?:\.\d+)?|[a-z]+(?:['’\-][a-z]+)*|[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def units(text: str) -> list[str]:
    """The units of a text, as compared.

    >>> units("Ｕｓ$1,000.5 億 it's")
    ['us', '1000.5', '億', "it's"]
    """
    text = unicodedata.normalize("NFKC", text).lower()
    return _UNIT.findall(_THOUSANDS.sub("", text))


def _whole(unit: str) -> bool:
    return unit[0].isdigit() or unit[0].isascii()


def quote_of(line: str, passage: str) -> bool:
    """True when `line` is `passage` with some units left out and nothing added (module docstring)."""
    want, have = units(line), units(passage)
    if not want:
        return False
    at = 0  # where the next run must start in the passage, at the earliest
    i = 0
    while i < len(want):
        run, where = _longest(want, i, have, at)
        if run == 0 or (run == 1 and not _whole(want[i])):
            return False
        if i and any(u[0].isdigit() for u in have[at:where]):
            return False
        i += run
        at = where + run
    return True


def _longest(want: list[str], i: int, have: list[str], at: int) -> tuple[int, int]:
    """The longest run of `want` from i found in `have` at or after `at`: (length, its start)."""
    best, where = 0, -1
    for start in range(at, len(have)):
        n = 0
        while i + n < len(want) and start + n < len(have) and want[i + n] == have[start + n]:
            n += 1
        if n > best:
            best, where = n, start
            if i + n == len(want):
                break
    return best, where
