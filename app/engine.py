"""Load the models and the index once; everything that answers goes through an Engine."""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.retrieve import Retriever
from core.settings import Settings
from index.embedder import Embedder, load_embedder
from index.reader import IndexReader, check_published, open_index


@dataclass
class Engine:
    settings: Settings
    embedder: Embedder
    index: IndexReader
    retriever: Retriever
    load_s: float


def load_engine(settings: Settings, embedder: Embedder | None = None) -> Engine:
    """Check the index against the settings first (cheap), then load the embedder and warm it."""
    started = time.perf_counter()
    check_published(settings)
    embedder = embedder or load_embedder(settings)
    index = open_index(settings, embedder)
    retriever = Retriever(index, embedder)
    retriever.search("warm-up 预热", k=1)  # first call pays for lazy init in torch and Chroma
    return Engine(settings, embedder, index, retriever, time.perf_counter() - started)
