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


def citation(n: int, passage: Passage, sentence: Sentence) -> Citation:
    return Citation(n, passage, sentence.text, sentence.start, sentence.end)


def with_markers(text: str, numbers: list[int], language: str) -> str:
    """A sentence with its citation markers, spaced the way the language writes them.

    >>> with_markers("It is 427%.", [1, 2], "en"), with_markers("为427%。", [1], "zh"), with_markers("Hi.", [], "en")
    ('It is 427%. [1][2]', '为427%。[1]', 'Hi.')
    """
    tail = "".join(f"[{n}]" for n in numbers)
    return f"{text} {tail}".strip() if language == "en" else f"{text}{tail}"


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
        parts.append(with_markers(index.sentences[s.row].text, [numbers[s.passage]], language))
    return "\n".join(parts), citations


def build_context(index: IndexReader, passages: list[Passage], scored: list[Scored], language: str,
                  max_passages: int = 4, margin: float = 0.10, budget: int = 480) -> list[ContextPassage]:
    """The sentences that matter, grouped by passage, within `budget` characters.

    Sentences scoring within `margin` of the best are taken best-first while they fit; then
    the sentence after each of the two best, which often carries the figure the best one
    introduces. At most `max_passages` passages are shown, numbered in retrieval order.
    """
    if not scored:
        return []
    picked: dict[int, set[int]] = {}
    used = 0

    def take(s: Scored) -> None:
        nonlocal used
        length = len(index.sentences[s.row].text)
        if s.row in picked.get(s.passage, ()) or used + length > budget:
            return
        if s.passage not in picked and len(picked) == max_passages:
            return
        picked.setdefault(s.passage, set()).add(s.row)
        used += length

    for s in scored:
        if s.score < scored[0].score - margin:
            break
        take(s)
    for s in scored[:2]:
        rows = index.chunk_sentences[index.chunk_row[passages[s.passage].chunk_id]]
        at = rows.index(s.row)
        if at + 1 < len(rows):
            take(Scored(s.passage, rows[at + 1], s.score))
    out = []
    for n, i in enumerate(sorted(picked), start=1):
        rows = sorted(picked[i], key=lambda r: index.sentences[r].start)
        text = " … ".join(_runs(index, rows))
        if language == "en":
            text = to_english_amounts(text)
        out.append(ContextPassage(n, passages[i], rows, fence(text)))
    return out


def _runs(index: IndexReader, rows: list[int]) -> list[str]:
    """Adjacent sentences joined as they stand in the article; gaps between runs marked by the caller."""
    runs: list[list[int]] = []
    for r in rows:
        if runs and index.sentences[r].source == index.sentences[runs[-1][-1]].source and r == runs[-1][-1] + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return ["".join(index.sentences[r].text for r in run) for run in runs]
