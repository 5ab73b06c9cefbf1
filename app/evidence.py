"""Sentence-level evidence inside retrieved passages: scored sentences and the quick answer's lines.

Every sentence of the corpus has a vector (built by the indexer), so scoring the sentences
of the retrieved passages against the question is a dot product: no model call, a few ms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.cite import Line, Source
from app.display import plain
from core.records import Passage
from core.settings import Policy
from index.reader import IndexReader


@dataclass(frozen=True)
class Scored:
    passage: int  # position in the retrieved list
    row: int  # sentence row in the index
    score: float  # cosine(question, sentence)


def score_sentences(index: IndexReader, passages: list[Passage], vector: list[float]) -> list[Scored]:
    """Every sentence of the passages, scored against the question, best first.

    Chunks overlap by a sentence; a shared sentence is counted once, in the better-ranked passage.
    """
    q = np.asarray(vector, dtype=np.float32)
    out = []
    seen: set[int] = set()
    for i, passage in enumerate(passages):
        rows = [r for r in index.chunk_sentences[index.chunk_row[passage.chunk_id]] if r not in seen]
        seen.update(rows)
        if rows:
            sims = index.sentence_vectors[rows] @ q
            out.extend(Scored(i, r, float(s)) for r, s in zip(rows, sims))
    return sorted(out, key=lambda s: (-s.score, s.passage, s.row))


def quick_lines(index: IndexReader, passages: list[Passage], scored: list[Scored], policy: Policy) -> list[Line]:
    """The best evidence sentences, verbatim, each with its passage: the quick answer.

    A second sentence is added only when it scores within `policy.quick_margin` of the best one.
    """
    chosen: list[Scored] = []
    for s in scored:
        if len(chosen) == policy.quick_sentences or s.score < scored[0].score - policy.quick_margin:
            break
        if all(s.row != c.row for c in chosen):
            chosen.append(s)
    # shown as the reader sees the article: no Markdown marks or glossary parentheses (app.display)
    return [Line(plain(index.sentences[s.row].text), [Source(passages[s.passage], s.row, s.score)]) for s in chosen]


def heading(text: str) -> bool:
    """A short line without a sentence's closing mark: a section title, which states no fact.

    >>> heading("核心合作框架与规模"), heading("投资以非控股股权形式进行。")
    (True, False)
    """
    return len(text) < 24 and not text.rstrip().endswith(tuple("。．.!！?？;；:：)）”\"'"))
