"""How retrieval cost grows with the corpus: synthetic corpora of 10^3 … 10^6 chunks.

A synthetic corpus copies the shape of the real index: chunk vectors are real chunk vectors plus
noise (so the HNSW graph sees clustered data, not uniform noise), each chunk has as many sentence
vectors as a real chunk has on average, and its keywords are drawn from the real articles' token
frequencies (Chinese-like text for BM25). The vectors go into an embedded Chroma store on disk,
as the app's do. The questions are real ones, embedded by the real model, and searched with the
app's own `Retriever`: dense, BM25, the sentence ranking and the fusion, timed separately.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psutil

from app.retrieve import Retriever
from bench.stats import p50_p95, rss_mb
from core.records import Chunk, Document
from core.settings import Settings
from index.keywords import KeywordIndex, query_language, tokenize
from index.reader import IndexReader
from index.store import open_client, vector_store, write_chunks


@dataclass(frozen=True)
class Shape:
    """What a synthetic corpus copies from the real index."""

    chunk_vectors: np.ndarray  # (m, dim), unit rows
    sentence_vectors: np.ndarray  # (s, dim)
    sentences_per_chunk: int
    tokens_per_chunk: int
    vocabulary: list[str]
    weights: np.ndarray  # token frequencies, summing to 1

    @classmethod
    def of(cls, index: IndexReader) -> Shape:
        token_lists = [tokenize(c.text) for c in index.chunks]
        counts = Counter(t for tokens in token_lists for t in tokens)
        vocabulary = sorted(counts)
        weights = np.asarray([counts[t] for t in vocabulary], dtype=np.float64)
        chunk_vectors = np.asarray(index.store._collection.get(include=["embeddings"])["embeddings"],
                                   dtype=np.float32)
        return cls(chunk_vectors, index.sentence_vectors, max(1, round(len(index.sentences) / len(index.chunks))),
                   max(1, round(sum(map(len, token_lists)) / len(token_lists))), vocabulary,
                   weights / weights.sum())

    def bytes_per_chunk(self) -> int:
        """Raw float32 vectors per chunk (chunk + its sentences), before any index overhead."""
        return 4 * self.chunk_vectors.shape[1] * (1 + self.sentences_per_chunk)


def _noisy(base: np.ndarray, rows: int, rng: np.random.Generator, noise: float = 0.6) -> np.ndarray:
    picked = base[rng.integers(0, len(base), rows)]
    out = picked + rng.normal(0, noise / np.sqrt(base.shape[1]), picked.shape).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out.astype(np.float32)


def synthetic_index(shape: Shape, n: int, folder: Path, rng: np.random.Generator) -> IndexReader:
    """An index of `n` generated chunks in `folder`, readable by the app's Retriever."""
    dim = shape.chunk_vectors.shape[1]
    per = shape.sentences_per_chunk
    token_ids = rng.choice(len(shape.vocabulary), size=(n, shape.tokens_per_chunk), p=shape.weights)
    vocabulary = np.asarray(shape.vocabulary, dtype=object)
    docs_per = 100  # chunks per synthetic article
    chunks, corpus = [], []
    for i in range(n):
        tokens = list(vocabulary[token_ids[i]])
        corpus.append(tokens)
        text = "".join(tokens)
        chunks.append(Chunk(f"s{i:07d}", f"synthetic-{i // docs_per:05d}.txt", i % docs_per, 0, len(text), text, ""))
    documents = {c.source: Document(c.source, "", "", c.source) for c in chunks[::docs_per]}
    vectors = np.empty((n, dim), dtype=np.float32)
    step = 50_000
    for i in range(0, n, step):
        vectors[i:i + step] = _noisy(shape.chunk_vectors, min(step, n - i), rng)
    client = open_client(Settings(), folder)  # embedded, on disk, as the app runs by default
    write_chunks(client, "synthetic", chunks, vectors, [{"chunk_id": c.id} for c in chunks])
    del vectors
    # written to disk and mapped, as the app's reader does: rows are read when a query needs them
    path = folder / "sentence_vectors.npy"
    sentence_vectors = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n * per, dim))
    for i in range(0, n * per, step):
        sentence_vectors[i:i + step] = _noisy(shape.sentence_vectors, min(step, n * per - i), rng)
    sentence_vectors.flush()
    del sentence_vectors
    sentence_vectors = np.load(path, mmap_mode="r")
    chunk_sentences = [list(range(i * per, (i + 1) * per)) for i in range(n)]
    keyword = KeywordIndex.from_tokens(corpus)
    return IndexReader(folder, {"collection": "synthetic"}, chunks, documents, keyword,
                       vector_store(client, "synthetic", None), [], sentence_vectors, chunk_sentences)


def measure(retriever: Retriever, questions: list[str], k: int = 5, repeat: int = 1) -> dict:
    """Per-stage retrieval latency (ms p50 / p95) of `retriever` over `questions`, `repeat` times."""
    retriever.search(questions[0], k=k)  # warm: first query pays for lazy loads
    stages: dict[str, list[float]] = {"embed": [], "dense": [], "bm25": [], "sentences": [], "fusion": [],
                                      "retrieval": []}
    for _ in range(repeat):
        for q in questions:
            t = retriever.search(q, k=k).timings
            stages["embed"].append(t["embed_s"])
            stages["dense"].append(t["dense_s"])
            if retriever.fusion.keyword[query_language(q)]:  # English questions skip BM25 (weight 0, D1)
                stages["bm25"].append(t["keyword_s"])
            stages["sentences"].append(t["sentence_s"])
            stages["fusion"].append(t["fuse_s"])
            stages["retrieval"].append(sum(t.values()))
    return {name: p50_p95(values, 1000) for name, values in stages.items()}


def run_scaling(real: IndexReader, embedder, questions: list[str], sizes: list[int],
                seed: int = 7, log=print) -> list[dict]:
    """One row per size: build time, memory held, per-stage latency; sizes that would not fit are
    reported with the estimate instead of being run."""
    shape = Shape.of(real)
    rng = np.random.default_rng(seed)
    rows: list[dict] = []
    per_chunk_mb: float | None = None
    for n in sizes:
        available = psutil.virtual_memory().available / 2**20
        estimate = (per_chunk_mb or shape.bytes_per_chunk() * 3 / 2**20) * n  # per chunk at the last size run
        if estimate > 0.8 * available:
            rows.append({"chunks": n, "fits": False, "estimated_mb": round(estimate),
                         "available_mb": round(available)})
            log(f"  {n:>9,} chunks: skipped, needs ~{estimate / 1024:.1f} GB of {available / 1024:.1f} GB available")
            continue
        folder = Path(tempfile.mkdtemp(prefix=f"citewise-scale-{n}-"))
        try:
            gc.collect()
            before = rss_mb()
            started = time.perf_counter()
            index = synthetic_index(shape, n, folder, rng)
            build_s = time.perf_counter() - started
            stages = measure(Retriever(index, embedder), questions)
            held = rss_mb() - before  # after the queries: with the pages they read
            per_chunk_mb = held / n
            row = {"chunks": n, "fits": True, "build_s": round(build_s, 1), "memory_mb": round(held),
                   "disk_mb": round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20),
                   **stages}
            rows.append(row)
            log(f"  {n:>9,} chunks: built in {build_s:.0f} s, {held:.0f} MB; retrieval p95 "
                f"{row['retrieval']['p95']} ms")
            del index
        finally:
            gc.collect()
            shutil.rmtree(folder, ignore_errors=True)
    return rows
