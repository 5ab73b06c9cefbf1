"""The embedding model: loaded once, shared by threads, identified for the manifest.

EmbeddingGemma needs its prompts ("task: search result | query: " for questions,
"title: none | text: " for passages); without them the right passage scores far lower.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from langchain_core.embeddings import Embeddings

from core.errors import ModelMissing
from core.settings import Settings
from provision.specs import EMBEDDER, STAMP


class Embedder(Embeddings):
    """A LangChain `Embeddings` whose calls are serialized.

    Tokenizers raise "Already borrowed" when one model encodes on two threads at once,
    and two concurrent encodes on 2 cores are no faster than one after the other.
    """

    def __init__(self, inner: Embeddings, model_id: str, sha256: str, dim: int):
        self._inner = inner
        self._lock = threading.Lock()
        self.model_id = model_id
        self.sha256 = sha256
        self.dim = dim

    @property
    def identity(self) -> dict[str, object]:
        return {"id": self.model_id, "sha256": self.sha256, "dim": self.dim}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._inner.embed_query(text)


def model_identity(settings: Settings) -> tuple[str, str]:
    """(model id, sha256 of its weights) without loading the model.

    The provisioned default reads both from its verification stamp; another local folder
    is hashed; a hub id is recorded as is.
    """
    path = settings.embed_path
    if not isinstance(path, Path):
        return path, f"hub:{path}"
    stamp = path.parent / f".{path.name}{STAMP}"
    if stamp.is_file():
        recorded = json.loads(stamp.read_text())
        return recorded["id"], recorded["sha256"]["model.safetensors"]
    weights = sorted(path.glob("*.safetensors")) or sorted(path.glob("*.bin"))
    if not weights:
        raise ModelMissing(
            f"No embedding model at {path}: run `make setup` (or `python -m provision`), "
            f"or set CITEWISE_EMBED_MODEL to a sentence-transformers folder or hub id."
        )
    digest = hashlib.sha256()
    for file in weights:
        with open(file, "rb") as fh:
            while block := fh.read(1 << 22):
                digest.update(block)
    return path.name, digest.hexdigest()


def load_embedder(settings: Settings) -> Embedder:
    """Load the configured sentence-transformers model on the CPU (hub offline unless allowed)."""
    path = settings.embed_path
    if isinstance(path, Path) and not path.is_dir():
        hint = "run `make setup` (or `python -m provision`)" if path.name == EMBEDDER.target else "check the path"
        raise ModelMissing(f"No embedding model at {path}: {hint}, or set CITEWISE_EMBED_MODEL.")
    if not settings.allow_hub:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
    model_id, sha256 = model_identity(settings)
    import torch
    from langchain_huggingface import HuggingFaceEmbeddings

    torch.set_num_threads(settings.threads)
    inner = HuggingFaceEmbeddings(
        model_name=str(path),
        model_kwargs={"device": "cpu", "local_files_only": not settings.allow_hub},
        encode_kwargs={"normalize_embeddings": True, "batch_size": settings.embed_batch},
        query_encode_kwargs={"normalize_embeddings": True},
    )
    prompts = inner._client.prompts  # the model's own prompt table, if it has one
    if "document" in prompts and "query" in prompts:
        inner.encode_kwargs["prompt_name"] = "document"
        inner.query_encode_kwargs["prompt_name"] = "query"
    dim = inner._client.get_embedding_dimension()
    return Embedder(inner, model_id, sha256, int(dim))
