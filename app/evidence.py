"""Sentence-level evidence inside retrieved passages: the quick answer and the compact context.

Every sentence of the corpus has a vector (built by the indexer), so scoring the sentences
of the retrieved passages against the question is a dot product: no model call, a few ms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.amounts import to_english_amounts
from app.prompts import fence
from core.records import Citation, Passage, Sentence
from index.reader import IndexReader


@dataclass(frozen=True)
class Scored:
    passage: int  # position in the retrieved list
    row: int  # sentence row in the index
    score: float  # cosine(question, sentence)


@dataclass(frozen=True)
class ContextPassage:
    """Passage `n` as the model reads it: a few sentences of one retrieved passage."""

    n: int
    passage: Passage
    rows: list[int]  # sentence rows shown to the model, in document order
    text: str  # what the model reads (amounts rewritten for English questions)


def score_sentences(index: IndexReader, passages: list[Passage], vector: list[float]) -> list[Scored]:
    """Every sentence of every passage, scored against the question, best first."""
    q = np.asarray(vector, dtype=np.float32)
    out = []
    for i, passage in enumerate(passages):
        rows = index.chunk_sentences[index.chunk_row[passage.chunk_id]]
        if rows:
            sims = index.sentence_vectors[rows] @ q
            out.extend(Scored(i, r, float(s)) for r, s in zip(rows, sims))
    return sorted(out, key=lambda s: (-s.score, s.passage, s.row))


def citation(n: int, passage: Passage, sentence: Sentence) -> Citation:
    return Citation(n, passage, sentence.text, sentence.start, sentence.end)


def quick_answer(index: IndexReader, passages: list[Passage], scored: list[Scored], language: str,
                 max_sentences: int = 2, margin: float = 0.05) -> tuple[str, list[Citation]]:
    """The best evidence sentences, verbatim, each with its citation.

    A second sentence is added only when it scores within `margin` of the best one.
    """
    if not scored:
        return "", []
    chosen: list[Scored] = []
    for s in scored:
        if len(chosen) == max_sentences or s.score < scored[0].score - margin:
            break
        if all(s.row != c.row for c in chosen):
            chosen.append(s)
    numbers: dict[int, int] = {}
    parts, citations = [], []
    for s in chosen:
        if s.passage not in numbers:
            numbers[s.passage] = len(numbers) + 1
            citations.append(citation(numbers[s.passage], passages[s.passage], index.sentences[s.row]))
        gap = " " if language == "en" else ""
        parts.append(f"{index.sentences[s.row].text}{gap}[{numbers[s.passage]}]")
    return "\n".join(parts), citations


def build_context(index: IndexReader, passages: list[Passage], scored: list[Scored], language: str,
                  max_passages: int = 3, margin: float = 0.08, budget: int = 420) -> list[ContextPassage]:
    """The passages that matter, each cut to its best sentence and a neighbour.

    A passage is kept when its best sentence scores within `margin` of the overall best;
    sentences are added best-first while the total stays within `budget` characters.
    """
    if not scored:
        return []
    best: dict[int, Scored] = {}
    for s in scored:
        best.setdefault(s.passage, s)
    kept = [i for i, s in sorted(best.items(), key=lambda kv: -kv[1].score)
            if s.score >= scored[0].score - margin][:max_passages]
    picked: dict[int, set[int]] = {i: set() for i in kept}
    used = 0
    for i in kept:  # the best sentence of each kept passage first
        picked[i].add(best[i].row)
        used += len(index.sentences[best[i].row].text)
    for i in kept:  # then its neighbour, which often carries the figure the best one introduces
        rows = index.chunk_sentences[index.chunk_row[passages[i].chunk_id]]
        at = rows.index(best[i].row)
        for neighbour in (rows[at + 1] if at + 1 < len(rows) else None, rows[at - 1] if at else None):
            if neighbour is not None and used + len(index.sentences[neighbour].text) <= budget:
                picked[i].add(neighbour)
                used += len(index.sentences[neighbour].text)
                break
    out = []
    for n, i in enumerate(kept, start=1):
        rows = sorted(picked[i])
        text = "".join(index.sentences[r].text for r in rows)
        if language == "en":
            text = to_english_amounts(text)
        out.append(ContextPassage(n, passages[i], rows, fence(text)))
    return out
