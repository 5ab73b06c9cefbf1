"""The sentences the model may point at: the best evidence, numbered <s1>…<sN>.

Pointing is cheaper and safer for a 1.5B model than writing: it reads numbered sentences in the
articles' own language and answers with numbers, so an answer line is always a sentence of an
article, verbatim (D30). Each sentence is shown under its article's title, in document order,
so that a sentence that continues the one before it ("它", "this") still reads as it does there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.display import plain
from app.evidence import Scored, heading
from core.records import Passage
from core.settings import Policy
from index.reader import IndexReader

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def cost(text: str) -> int:
    """About how many model tokens a text takes: a CJK character about one, other text about one
    per four characters (the budget is in tokens, so it means the same for every script).

    >>> cost("英伟达投资1000亿美元"), cost("Nvidia will invest up to US$100 billion.")
    (9, 10)
    """
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4


@dataclass(frozen=True)
class Candidate:
    tag: int  # the number the model sees: <s{tag}>
    row: int  # sentence row in the index
    passage: int  # position among the retrieved passages
    score: float  # cosine between the question and the sentence
    text: str  # the sentence as the reader sees it (app.display.plain)


def choose(index: IndexReader, passages: list[Passage], scored: list[Scored], policy: Policy,
           parts: Sequence[list[Scored]] = ()) -> list[Candidate]:
    """At most `policy.candidates` sentences within `policy.candidate_budget` tokens (`cost`):

    - first each part's best `policy.candidate_part_first` sentences, when a question asks
      several things, so that no part goes unread;
    - then sentences by relevance, each with the sentence after it when that one is not a
      heading (a figure often follows the sentence that names what it measures).

    Numbered in retrieval order of their passages, then in document order.
    """
    chosen: dict[int, Scored] = {}
    own = {s.row: s.score for s in scored}
    used = 0

    def take(s: Scored) -> bool:
        nonlocal used
        if s.row in chosen:
            return True
        text = index.sentences[s.row].text
        if len(chosen) >= policy.candidates or used + cost(text) > policy.candidate_budget or heading(text):
            return False
        chosen[s.row] = s
        used += cost(text)
        return True

    if len(parts) > 1:
        for part in parts:
            for s in part[:policy.candidate_part_first]:
                take(s)
    for s in scored:
        if len(chosen) >= policy.candidates:
            break
        if take(s):
            following = _next(index, passages, s)
            if following is not None:
                take(Scored(s.passage, following, own.get(following, 0.0)))
    ordered = sorted(chosen.values(), key=lambda s: (s.passage, index.sentences[s.row].start))
    return [Candidate(tag, s.row, s.passage, s.score, plain(index.sentences[s.row].text).strip())
            for tag, s in enumerate(ordered, start=1)]


def _next(index: IndexReader, passages: list[Passage], s: Scored) -> int | None:
    """The row of the sentence after `s` in its passage, if any."""
    rows = index.chunk_sentences[index.chunk_row[passages[s.passage].chunk_id]]
    at = rows.index(s.row)
    return rows[at + 1] if at + 1 < len(rows) else None
