"""Chinese text the way an English reader needs it: amounts, dates, periods and names in English.

The model reads its context in this form for an English question, and an English answer is
normalised the same way before it is checked, so "2026年下半年", "100亿美元" and "博通" reach the
reader as "the second half of 2026", "US$10 billion" and "Broadcom".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.amounts import to_english_text


def _spaced(text: str, start: int, end: int, word: str) -> str:
    """`word` with a space on each side where it would otherwise run into Latin letters or digits."""
    before = " " if start > 0 and text[start - 1].isascii() and text[start - 1].isalnum() else ""
    after = " " if end < len(text) and text[end].isascii() and text[end].isalnum() else ""
    return f"{before}{word}{after}"


def names_pattern(names: Sequence[tuple[str, str]]) -> re.Pattern | None:
    """One pattern over the Chinese forms, longest first (超微半导体 before 超微)."""
    forms = sorted({zh for zh, _ in names}, key=len, reverse=True)
    return re.compile("|".join(re.escape(f) for f in forms)) if forms else None


def english_names(text: str, names: Sequence[tuple[str, str]]) -> str:
    """Chinese names and units replaced by their English forms.

    >>> english_names("博通与英伟达部署1吉瓦", [("博通", "Broadcom"), ("英伟达", "Nvidia"), ("吉瓦", "GW")])
    'Broadcom与Nvidia部署1 GW'
    """
    pattern = names_pattern(names)
    if pattern is None:
        return text
    table = dict(names)
    out, last = [], 0
    for m in pattern.finditer(text):
        out += [text[last:m.start()], _spaced(text, m.start(), m.end(), table[m.group()])]
        last = m.end()
    return "".join(out) + text[last:]


def to_english(text: str, names: Sequence[tuple[str, str]] = ()) -> str:
    """Amounts, dates, periods and names of a sentence written the English way.

    >>> to_english("英伟达在2026年下半年投资100亿美元。", [("英伟达", "Nvidia")])
    'Nvidia在the second half of 2026投资US$10 billion。'
    """
    return english_names(to_english_text(text), names)
