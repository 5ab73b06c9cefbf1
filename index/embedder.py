"""The embedding model: loaded once, shared by threads, identified for the manifest.

EmbeddingGemma needs its prompts ("task: search result | query: " for questions,
"title: none | text: " for passages); without them the right passage scores far lower.
The provisioned model runs on OpenVINO (its export, provision/export.py), anything else on torch.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from core.errors import ModelMissing
from core.settings import Settings
from provision.export import backend, export_dir, is_exported
from provision.specs import EMBEDDER, STAMP


class Embedder(Embeddings):
    """A LangChain `Embeddings` whose calls are serialized.

    Tokenizers raise "Already borrowed" when one model encodes on two threads at once,
    and two concurrent encodes on 2 cores are no faster than one after the other.
    """

    def __init__(self, inner: Embeddings, model_id: str, sha256: str, dim: int, backend: str = "torch"):
        self._inner = inner
        self._lock = threading.Lock()
        self.model_id = model_id
        self.sha256 = sha256
        self.dim = dim
        self.backend = backend

    @property
    def identity(self) -> dict[str, object]:
        return {"id": self.model_id, "sha256": self.sha256, "dim": self.dim, "backend": self.backend}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return self._inner.embed_query(text)


class OpenVinoEmbeddings(Embeddings):
    """The provisioned EmbeddingGemma's OpenVINO export, with the model folder's own tokenizer,
    prompts and length limit, and the torch path's line breaks as spaces, so its vectors are torch's
    to cosine ≥ 0.9998 in bf16 (D35).

    Texts are embedded in batches of similar length: a batch is padded to its longest text, and
    the encoder's cost grows with the padded length.
    """

    def __init__(self, model_dir: Path, export: Path, threads: int, batch: int):
        import openvino as ov
        from transformers import AutoTokenizer

        self._tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        self._prompts = json.loads((model_dir / "config_sentence_transformers.json").read_text())["prompts"]
        self._max_length = json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"]
        # bf16 (where the CPU has it) indexes 2.7x as fast as torch, at cosine ≥ 0.9998 to torch's
        # vectors; f32 gives torch's exactly but was no faster than torch (D35)
        config = {"INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "bf16", "PERFORMANCE_HINT": "LATENCY"}
        self._request = ov.Core().compile_model(str(export / "model.xml"), "CPU", config).create_infer_request()
        self._batch = batch
        self.dim = int(self._request.model_outputs[0].get_partial_shape()[1].get_length())

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        # as LangChain's HuggingFaceEmbeddings (the torch path) embeds them: line breaks as spaces.
        # Without this a passage with a paragraph break was another text, at cosine 0.991 (D35)
        texts = [t.replace("\n", " ") for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self._batch):
            rows = order[start:start + self._batch]
            batch = self._tokenizer([prompt + texts[r] for r in rows], padding=True, truncation=True,
                                    max_length=self._max_length, return_tensors="np")
            result = self._request.infer({"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]})
            out[rows] = result[0]
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts, self._prompts["document"]).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], self._prompts["query"])[0].tolist()


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
    if backend(settings) == "openvino":
        return _load_openvino(settings, path, model_id, sha256)
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


def _load_openvino(settings: Settings, path: Path, model_id: str, sha256: str) -> Embedder:
    if not is_exported(settings.models_dir, EMBEDDER):
        raise ModelMissing(f"No checked OpenVINO export of {EMBEDDER.id} in {settings.models_dir}: run `make setup` "
                           f"(or `python -m provision`), or set CITEWISE_EMBED_BACKEND=torch.")
    inner = OpenVinoEmbeddings(path, export_dir(settings.models_dir, EMBEDDER), settings.threads, settings.embed_batch)
    return Embedder(inner, model_id, sha256, inner.dim, "openvino")
