"""Deterministic stand-ins at the model boundary."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

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


class Blocked:
    """A reply that never comes: the model blocks before its first token until `release()` (a
    stalled server, a wedged local model), then ends without a word."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.started = threading.Event()

    def release(self) -> None:
        self.event.set()


@dataclass(frozen=True)
class Choices:
    """A scripted reply whose first token comes with probabilities (token → probability), given
    as a model that has them gives them: OpenAI-shaped logprobs, only when they are asked for."""

    text: str
    first: dict[str, float]

    def logprobs(self) -> dict:
        top = [{"token": t, "logprob": math.log(p)} for t, p in self.first.items()]
        return {"logprobs": {"content": [{"token": self.text[:1], "logprob": top[0]["logprob"], "top_logprobs": top}]}}


class ScriptedChat(BaseChatModel):
    """A chat model that streams queued replies and records the prompts it was given.

    A reply may be an exception (raised mid-stream after `fail_after` chunks), None
    (hang: sleep `hang_s` before the first chunk), or a `Blocked` (blocks until released).
    """

    replies: list = []
    prompts: list = []
    chunk_chars: int = 4
    fail_after: int = 1
    hang_s: float = 0.0
    delay_s: float = 0.0  # between chunks: a slow model

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        self.prompts.append([(m.type, m.content) for m in messages])
        reply = self.replies.pop(0)
        if isinstance(reply, Blocked):
            reply.started.set()
            reply.event.wait(120)
            return
        if reply is None:
            time.sleep(self.hang_s)
            raise TimeoutError("the model server did not answer")
        if isinstance(reply, Exception):
            yield ChatGenerationChunk(message=AIMessageChunk(content="Partial "))
            raise reply
        if isinstance(reply, Choices):
            info = reply.logprobs() if kwargs.get("logprobs") else None
            yield ChatGenerationChunk(message=AIMessageChunk(content=reply.text[:1]), generation_info=info)
            reply = reply.text[1:]
        for i in range(0, len(reply), self.chunk_chars):
            if self.delay_s:
                time.sleep(self.delay_s)
            yield ChatGenerationChunk(message=AIMessageChunk(content=reply[i:i + self.chunk_chars]))

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        text = "".join(c.message.content for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
