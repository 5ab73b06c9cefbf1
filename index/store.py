"""The dense side: Chroma, embedded in the build folder or on a server, behind LangChain.

Every build writes its own collection, so a build never touches the one being served.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from core.errors import IndexMissing
from core.records import Chunk
from core.settings import Settings
from index.documents import strip_surrogates

SPACE = {"hnsw:space": "cosine"}


def open_client(settings: Settings, build_dir: Path):
    """A Chroma client: HttpClient when a server is configured, else persistent in `build_dir`."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       settings=chroma_settings)
        except Exception as exc:  # chromadb raises bare ValueError/ConnectionError variants
            raise IndexMissing(
                f"Cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({exc}). "
                f"Start it (`chroma run --host 127.0.0.1 --port {settings.chroma_port} --path DIR`) "
                f"or unset CITEWISE_CHROMA_HOST to use the embedded store."
            ) from None
    return chromadb.PersistentClient(path=str(build_dir / "chroma"), settings=chroma_settings)


def vector_store(client, name: str, embeddings: Embeddings) -> Chroma:
    return Chroma(client=client, collection_name=name, embedding_function=embeddings,
                  collection_metadata=SPACE)


def metadata(chunk: Chunk, title: str, date: str | None) -> dict[str, object]:
    meta: dict[str, object] = {"chunk_id": chunk.id, "source": chunk.source, "position": chunk.position,
                               "start": chunk.start, "end": chunk.end, "title": title}
    if date:
        meta["date"] = date
    return meta


def write_chunks(client, name: str, chunks: Sequence[Chunk], vectors: Sequence[Sequence[float]],
                 metas: Sequence[dict], batch: int | None = None) -> None:
    """Upsert precomputed vectors in batches within the client's maximum batch size.

    (LangChain's add_texts would embed the texts again and sends one unbounded batch.)
    """
    limit = min(batch or client.get_max_batch_size(), client.get_max_batch_size())
    collection = client.get_or_create_collection(name, metadata=SPACE)
    for i in range(0, len(chunks), limit):
        part = slice(i, i + limit)
        collection.upsert(
            ids=[c.id for c in chunks[part]],
            embeddings=np.asarray(vectors[part], dtype=np.float32),
            documents=[strip_surrogates(c.text) for c in chunks[part]],
            metadatas=list(metas[part]),
        )
