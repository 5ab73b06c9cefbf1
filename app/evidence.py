"""Sentence-level evidence inside retrieved passages: the quick answer's lines and the compact context.

Every sentence of the corpus has a vector (built by the indexer), so scoring the sentences
of the retrieved passages against the question is a dot product: no model call, a few ms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.amounts import to_english_text
from app.cite import Line, Source
from app.prompts import fence
from core.records import Passage
from core.settings import Policy
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
    return [Line(index.sentences[s.row].text, [Source(passages[s.passage], s.row, s.score)]) for s in chosen]


def build_context(index: IndexReader, passages: list[Passage], scored: list[Scored], language: str,
                  policy: Policy) -> list[ContextPassage]:
    """The sentences that matter, grouped by passage, within `policy.context_budget` characters.

    Sentences scoring within `policy.context_margin` of the best are taken best-first while
    they fit; then the sentence after each of the two best, which often carries the figure the
    best one introduces. At most `policy.context_passages` passages are shown, numbered in
    retrieval order. English readers get amounts, dates and periods written the English way.
    """
    budget, margin, max_passages = policy.context_budget, policy.context_margin, policy.context_passages
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
            text = to_english_text(text)
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
