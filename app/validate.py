"""Check a question before anything is sent to a model."""

from __future__ import annotations

import unicodedata

from core.errors import CitewiseError

MAX_CHARS = 2000


class InvalidQuestion(CitewiseError):
    """The question cannot be answered as typed; the message says why."""


def clean_question(text: object, max_chars: int = MAX_CHARS) -> str:
    """The question, trimmed; InvalidQuestion with a plain message when it cannot be used.

    >>> clean_question("  What did Nvidia invest?\\n")
    'What did Nvidia invest?'
    """
    if not isinstance(text, str) or not text.strip():
        raise InvalidQuestion("Please type a question about the articles.")
    text = text.strip()
    if len(text) > max_chars:
        raise InvalidQuestion(f"The question is too long ({len(text):,} characters); the limit is {max_chars:,}. "
                              "Please shorten it.")
    bad = sorted({f"U+{ord(ch):04X}" for ch in text if _forbidden(ch)})
    if bad:
        raise InvalidQuestion(f"The question contains invisible control characters ({', '.join(bad)}). "
                              "Please retype it as plain text.")
    return text


def _forbidden(ch: str) -> bool:
    if ch in "\n\t":
        return False
    category = unicodedata.category(ch)
    # Cc: control (incl. \x85), Cs: lone surrogates, Cf: format (bidi overrides such as U+202E)
    return category in {"Cc", "Cs"} or (category == "Cf" and ch not in "\u200d")
