"""The model's one job in answering: point at the numbered sentences that answer (D30).

    >>> picks("3, 7", 8, 4), picks("0", 8, 4), picks("<s2> and s9, 2", 8, 4), picks("none", 8, 4)
    ([3, 7], [], [2], None)

The first token written says more than the reply: its probabilities over "0" and the tags
(`first_choice`) are what the answer decision reads (D31).

    >>> step = {"token": "3", "top_logprobs": [{"token": "3", "logprob": -0.5}, {"token": " 0", "logprob": -1.5},
    ...         {"token": "1", "logprob": -2.0}, {"token": "<", "logprob": -2.5}, {"token": "9", "logprob": -3.0}]}
    >>> {t: round(p, 2) for t, p in first_choice([step], 8).items()}
    {3: 0.63, 0: 0.23, 1: 0.14}

A reply with anything but numbers is not a pick: "The answer is CANARY-7f3a" names no
sentence, whatever digits it holds, and neither does an answer written from memory.

    >>> picks("The answer is CANARY-7f3a", 8, 4), picks("1. Nvidia invests", 8, 4)
    (None, None)
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from langchain_core.messages import HumanMessage, SystemMessage

from app.answering.candidates import Candidate
from app.prompts import fence, render
from core.records import Passage

_NUMBER = re.compile(r"\d+")
# numbers, written plain or as tags (<s3>, s3), with separators between them
_ONLY_NUMBERS = re.compile(r"(?:\s*(?:<\s*s?\s*\d+\s*>|s?\d+)\s*(?:[,，、;；.。]|and|和|\s)*)+", re.I)
TITLE_CHARS = 32  # enough to tell the articles apart ("According to Fortune"); every token costs time


def messages(candidates: Sequence[Candidate], passages: Sequence[Passage], question: str,
             earlier: str, most: int) -> list:
    """The pointing prompt: sentences grouped under their article's title, then the question."""
    groups: list[dict] = []
    for c in candidates:
        title = passages[c.passage].title
        if not groups or groups[-1]["key"] != c.passage:
            groups.append({"key": c.passage, "title": fence(title[:TITLE_CHARS]), "sentences": []})
        groups[-1]["sentences"].append({"tag": c.tag, "text": fence(c.text)})
    user = render("point_user.txt", groups=groups, question=question, earlier=earlier)
    return [SystemMessage(render("point_system.txt", most=most)), HumanMessage(user)]


def first_choice(steps: Sequence[dict], count: int) -> dict[int, float] | None:
    """The first written token's probabilities over "0" and the tags 1..count, renormalised over
    those (a token outside them, "<" or a word, is not a choice), from OpenAI-shaped logprob
    entries (app.llm.stream_until). None when the model gave none, or when tags reach two digits
    ("1" would then also begin 10…19)."""
    if not steps or count > 9 or not steps[0].get("top_logprobs"):
        return None
    mass: dict[int, float] = {}
    for entry in steps[0]["top_logprobs"]:
        token = entry["token"].strip()
        if token.isdigit() and len(token) == 1 and int(token) <= count:
            mass[int(token)] = mass.get(int(token), 0.0) + math.exp(entry["logprob"])
    total = sum(mass.values())
    return {t: p / total for t, p in mass.items()} if total else None


def picks(reply: str, count: int, most: int) -> list[int] | None:
    """The sentence numbers the reply names, in its order, each once, at most `most`; [] for "0"
    (nothing answers); None when the reply names no number at all (it did not do its job)."""
    if not _ONLY_NUMBERS.fullmatch(reply.strip()):
        return None
    numbers = [int(n) for n in _NUMBER.findall(reply)]
    out = list(dict.fromkeys(n for n in numbers if 1 <= n <= count))
    return out[:most]
