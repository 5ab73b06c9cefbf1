"""Deterministic stand-ins at the model boundary."""

from __future__ import annotations

import hashlib
import time

import numpy as np
from langchain_core.embeddings import Embeddings

from core.settings import Settings
from index.embedder import Embedder, model_identity


class HashingEmbeddings(Embeddings):
    """Character-bigram hashing: texts sharing bigrams get similar unit vectors.

    `delay` seconds per call make a build slow enough to be killed at a chosen point.
    """

    def __init__(self, dim: int = 64, delay: float = 0.0):
        self.dim = dim
        self.delay = delay
        self.calls: list[int] = []  # batch sizes seen by embed_documents

    def _vector(self, text: str) -> list[float]:
        vec = np.zeros(self.dim, dtype=np.float64)
        padded = f" {text.lower()} "
        for a, b in zip(padded, padded[1:]):
            h = int.from_bytes(hashlib.blake2b(f"{a}{b}".encode("utf-8", "surrogatepass"), digest_size=4).digest(), "big")
            vec[h % self.dim] += 1.0
        norm = np.linalg.norm(vec)
        return (vec / norm if norm else vec).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        if self.delay:
            time.sleep(self.delay)
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def fake_embedder(settings: Settings, dim: int = 64, delay: float = 0.0) -> Embedder:
    model_id, sha = model_identity(settings)
    return Embedder(HashingEmbeddings(dim, delay), model_id, sha, dim)
