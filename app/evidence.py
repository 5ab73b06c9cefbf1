"""Sentence-level evidence inside retrieved passages: the quick answer's lines and the compact context.

Every sentence of the corpus has a vector (built by the indexer), so scoring the sentences
of the retrieved passages against the question is a dot product: no model call, a few ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.cite import Line, Source
from app.display import plain
from app.english import to_english
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
    # shown as the reader sees the article: no Markdown marks or glossary parentheses (app.display)
    return [Line(plain(index.sentences[s.row].text), [Source(passages[s.passage], s.row, s.score)]) for s in chosen]


def build_context(index: IndexReader, passages: list[Passage], scored: list[Scored], language: str,
                  policy: Policy, parts: Sequence[list[Scored]] = (), spread: bool = False,
                  english: Sequence[tuple[str, str]] = ()) -> list[ContextPassage]:
    """The sentences that matter, grouped by passage, within a character budget.

    - `parts`: for a question that asks several things, each part's sentences scored against
      that part; every part's best sentences are taken first, so no part goes unread (D22).
    - Then sentences within `context_margin` of the best, best first, while they fit; for a
      `spread` question in order of relevance minus redundancy (`context_diversity`), so the
      distinct terms of a deal come before three restatements of its headline.
    - Then the sentence after each of the two best, which often carries the figure the chosen
      one introduces. For a `spread` question (one asking for a set of facts) every chosen
      sentence brings its next one at once, while the budget lasts.

    At most `policy.context_passages` passages (one more per further part), numbered in
    retrieval order. English readers get amounts, dates, periods and names the English way.
    """
    if not scored:
        return []
    extra_parts = max(0, len(parts) - 1)
    budget = policy.context_budget + policy.context_part_budget * extra_parts + (
        policy.context_spread_budget if spread else 0)
    max_passages = policy.context_passages + extra_parts
    margin = policy.context_margin + (policy.context_spread_margin if spread else 0.0)
    picked: dict[int, set[int]] = {}
    order: list[Scored] = []
    used = 0

    def take(s: Scored, neighbour: bool = False) -> None:
        nonlocal used
        length = len(index.sentences[s.row].text)
        if s.row in picked.get(s.passage, ()) or used + length > budget:
            return
        if s.passage not in picked and len(picked) == max_passages:
            return
        picked.setdefault(s.passage, set()).add(s.row)
        order.append(s)
        used += length
        if spread and not neighbour:  # a set of facts runs on: its next sentence comes with it
            take_next(s)

    def take_next(s: Scored) -> None:
        rows = index.chunk_sentences[index.chunk_row[passages[s.passage].chunk_id]]
        at = rows.index(s.row)
        if at + 1 < len(rows) and not heading(index.sentences[rows[at + 1]].text):
            take(Scored(s.passage, rows[at + 1], s.score), neighbour=True)

    for rank in range(2 if extra_parts else 0):
        for part in parts:
            if rank < len(part) and part[rank].score >= part[0].score - policy.context_margin:
                take(part[rank])
    candidates = [s for s in scored if s.score >= scored[0].score - margin]
    for s in diverse(index, candidates, order, policy.context_diversity if spread else 1.0):
        take(s)
    for s in scored[:2]:
        take_next(s)
    out = []
    for n, i in enumerate(sorted(picked), start=1):
        rows = sorted(picked[i], key=lambda r: index.sentences[r].start)
        text = " … ".join(_runs(index, rows))
        if language == "en":
            text = to_english(text, english)
        out.append(ContextPassage(n, passages[i], rows, fence(text)))
    return out


def heading(text: str) -> bool:
    """A short line without a sentence's closing mark: a section title, which states no fact.

    >>> heading("核心合作框架与规模"), heading("投资以非控股股权形式进行。")
    (True, False)
    """
    return len(text) < 24 and not text.rstrip().endswith(tuple("。．.!！?？;；:：)）”\"'"))


def diverse(index: IndexReader, candidates: list[Scored], chosen: list[Scored], weight: float) -> list[Scored]:
    """Candidates in order of maximal marginal relevance: `weight` × relevance − (1 − `weight`) ×
    the closest cosine to one already in order. With weight 1.0, the order of relevance."""
    if weight >= 1.0 or not candidates:
        return list(candidates)
    vectors = index.sentence_vectors
    rest = list(candidates)
    seen = [vectors[s.row] for s in chosen]
    out = []
    while rest:
        def value(s: Scored) -> float:
            closest = max((float(vectors[s.row] @ v) for v in seen), default=0.0)
            return weight * s.score - (1 - weight) * closest
        best = max(rest, key=value)
        rest.remove(best)
        out.append(best)
        seen.append(vectors[best.row])
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
