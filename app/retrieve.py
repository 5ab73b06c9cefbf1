"""Hybrid retrieval: dense (Chroma) and BM25, fused with knowledge of the question's language.

English words never occur in the Chinese articles, so for an English question BM25 only
sees the Latin names it shares with them (OpenAI, CoreWeave, AMD, GW). Those are spread
over many passages, so the keyword side gets a small weight for English and a large one
for Chinese. The weights were measured on the gold set (DECISIONS.md).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from core.records import Passage
from core.settings import Fusion
from index.glossary import Glossary
from index.keywords import query_language
from index.reader import IndexReader

RRF_K = 60
__all__ = ["Fusion", "Retrieval", "Retriever", "search_text"]


@dataclass(frozen=True)
class Retrieval:
    query: str
    language: str
    passages: list[Passage]
    timings: dict[str, float]
    vector: list[float] = field(default_factory=list)  # the query's embedding


def search_text(question: str, history: Sequence[tuple[str, str]] = ()) -> str:
    """The text to search with: a follow-up question is read with the user's last question.

    >>> search_text("How much compute does it cover?", [("Tell me about AMD's deal.", "...")])
    "Tell me about AMD's deal. How much compute does it cover?"
    """
    if not history:
        return question
    return f"{history[-1][0]} {question}"


class Retriever:
    """`search(question) -> Retrieval` over one open index."""

    def __init__(self, index: IndexReader, embedder: Embeddings, fusion: Fusion | None = None,
                 glossary: Glossary | None = None):
        self.index = index
        self.embedder = embedder
        self.fusion = fusion or Fusion()
        self.glossary = glossary
        self._full_scan = len(index.chunks) <= self.fusion.sentence_scan_max
        if self._full_scan:  # (chunk, sentence) row pairs for the full scan; a large corpus skips them
            pairs = [(c, r) for c, rows in enumerate(index.chunk_sentences) for r in rows]
            self._pair_chunk = np.asarray([c for c, _ in pairs], dtype=np.int64)
            self._pair_sentence = np.asarray([r for _, r in pairs], dtype=np.int64)

    def terms(self, query: str, language: str) -> list[str]:
        return self.glossary.chinese_terms(query) if self.glossary and language == "en" else []

    def query_vector(self, query: str, language: str | None = None) -> list[float]:
        """The query's embedding; an English query carries the Chinese forms of its terms.

        English words never occur in the Chinese text; their Chinese forms do (the library's own
        terms, index.corpus_words: `Glossary.of(index.words)`).
        """
        return self._embed(query, self.terms(query, language or query_language(query)))

    def _embed(self, query: str, terms: list[str]) -> list[float]:
        return self.embedder.embed_query(f"{query} ({' '.join(terms)})" if terms else query)

    def search(self, query: str, k: int = 5, language: str | None = None) -> Retrieval:
        language = language or query_language(query)
        n = len(self.index.chunks)
        k = max(0, min(k, n))
        candidates = min(self.fusion.candidates, n)
        timings: dict[str, float] = {}
        if not query.strip():
            return Retrieval(query, language, [], timings)

        t0 = time.perf_counter()
        terms = self.terms(query, language)
        vector = self._embed(query, terms)
        t1 = time.perf_counter()
        if k == 0:  # an empty library: nothing to find, but the question's vector still says what it asks
            return Retrieval(query, language, [], {"embed_s": t1 - t0}, vector)
        hits = self.index.store.similarity_search_by_vector_with_relevance_scores(vector, k=candidates)
        dense = {self.index.chunk_row[doc.metadata["chunk_id"]]: 1.0 - float(distance) for doc, distance in hits}
        t2 = time.perf_counter()
        wd, wk, ws = self.fusion.dense[language], self.fusion.keyword[language], self.fusion.sentence[language]
        scores = np.zeros(n, dtype=np.float32)
        if wk:  # English questions use no BM25 (D1): don't score what gets weight 0
            keyword = self.index.keyword
            scores = keyword.scores(keyword.tokenize(" ".join(terms)) if language == "en" else keyword.tokenize(query))
        t3 = time.perf_counter()
        kw_rows = [int(i) for i in np.argsort(-scores)[:candidates] if scores[i] > 0]
        sentence_rows: list[int] = []
        if ws:
            query = np.asarray(vector, dtype=np.float32)
            if self._full_scan:
                sims = self.index.sentence_vectors @ query
                best_sentence = np.full(n, -1.0, dtype=np.float32)
                np.maximum.at(best_sentence, self._pair_chunk, sims[self._pair_sentence])
                sentence_rows = [int(i) for i in np.argsort(-best_sentence)[:candidates]]
            else:
                pool = list(dict.fromkeys([*dense, *kw_rows]))
                best = {c: float((self.index.sentence_vectors[self.index.chunk_sentences[c]] @ query).max())
                        for c in pool if self.index.chunk_sentences[c]}
                sentence_rows = sorted(best, key=best.get, reverse=True)[:candidates]
        t4 = time.perf_counter()

        fused: dict[int, float] = {}
        for weight, ranking in ((wd, sorted(dense, key=dense.get, reverse=True)), (wk, kw_rows), (ws, sentence_rows)):
            for rank, row in enumerate(ranking):
                fused[row] = fused.get(row, 0.0) + weight / (RRF_K + rank + 1)
        best = (wd + wk + ws) / (RRF_K + 1)
        order = sorted(fused, key=lambda r: (-fused[r], r))[:k]
        passages = []
        for row in order:
            chunk = self.index.chunks[row]
            doc = self.index.documents[chunk.source]
            passages.append(Passage(
                chunk_id=chunk.id, source=chunk.source, title=doc.title, date=doc.date, text=chunk.text,
                start=chunk.start, end=chunk.end, score=round(fused[row] / best, 4),
                dense=round(dense[row], 4) if row in dense else None,
                keyword=round(float(scores[row]), 4) if scores[row] > 0 else None,
            ))
        timings.update(embed_s=t1 - t0, dense_s=t2 - t1, keyword_s=t3 - t2, sentence_s=t4 - t3,
                       fuse_s=time.perf_counter() - t4)
        return Retrieval(query, language, passages, timings, vector)
