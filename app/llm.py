"""Chat models behind LangChain's interface: the local GGUF, or any OpenAI-compatible server.

langchain-community's ChatLlamaCpp is being sunset, so the local model is a small
`BaseChatModel` over llama-cpp-python. One Llama instance keeps its KV cache between calls,
so the fixed system prompt is read once and reused as a prefix by every later answer.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from core.errors import CitewiseError, ModelMissing
from core.settings import Settings

ROLES = {"system": "system", "human": "user", "ai": "assistant"}
PAUSE_MAX_S = 1.0  # the longest the model waits for a `paused()` caller at one compute step


class ModelUnavailable(CitewiseError):
    """The chat model could not be reached or failed mid-answer."""


class ModelTimeout(TimeoutError):
    """The model gave no complete answer within the time allowed from the moment the prompt was sent."""

    def __init__(self, limit_s: float):
        super().__init__(f"no complete answer within {limit_s:g} s")
        self.limit_s = limit_s


class _Workers:
    """Long-lived daemon threads that run the model calls (issue 24).

    A thread per call made the process grow by ~1.3 MB an answer: glibc gives each new thread a
    malloc arena and keeps it. These few threads are made once and reused, so the arenas are too.
    There are several, so a call stalled on a server that ignores its cancel holds one of them and
    not the next caller, whose own deadline runs meanwhile (`stream_until` waits on its pieces).
    """

    def __init__(self, size: int):
        self.size = size
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def submit(self, job) -> None:
        with self._lock:
            if not self._threads:  # on first use: importing this module starts nothing
                for n in range(self.size):
                    thread = threading.Thread(target=self._serve, name=f"citewise-model-{n}", daemon=True)
                    thread.start()
                    self._threads.append(thread)
        self._jobs.put(job)

    def _serve(self) -> None:
        while True:
            self._jobs.get()()  # a job catches its own errors (stream_until's `work`)


MODEL_WORKERS = _Workers(size=4)

# The stream's worker thread puts its cancel event here, so a LlamaCppChat called from that thread
# can stop llama.cpp mid-prompt (the prompt is read before the first token: the longest silent wait).
_CALL = threading.local()


@dataclass(frozen=True)
class Pulse:
    """No new text for a while: sent every `tick_s` while the model is silent, so a page can show
    time passing (and, for the local model, how much of the prompt it has read)."""

    read: float | None = None  # share of the prompt read so far; None when the model does not say


def stream_until(chat: BaseChatModel, messages: Sequence[BaseMessage], limit_s: float,
                 tick_s: float | None = None, logprobs: list[dict] | None = None,
                 **kwargs: Any) -> Iterator[str | Pulse]:
    """The model's text pieces, with `limit_s` counted from now (the prompt is sent now), whether the
    model is silent before its first token, between tokens, or never answers at all. `kwargs` go to
    the model's `stream` (e.g. max_tokens). With `tick_s`, a `Pulse` comes whenever that long passes
    without a piece (never without it, so `"".join(...)` callers get text only). With a `logprobs`
    list, the model is asked for its log probabilities and each written token's entry (OpenAI's
    shape: token, logprob, top_logprobs) is appended to it as the text comes; a model that gives
    none leaves it empty.

    The model runs in one of `MODEL_WORKERS`' threads; past the deadline this raises `ModelTimeout` at once and the
    worker is told to stop: a LlamaCppChat aborts llama.cpp even while it reads the prompt, any other
    model stops at its next piece. Closing the iterator early (the user pressed Stop) stops it too.
    """
    pieces: queue.Queue = queue.Queue()
    cancel = threading.Event()
    end = object()

    if logprobs is not None:
        kwargs = {"logprobs": True, "top_logprobs": 5, **kwargs}

    def work() -> None:
        if cancel.is_set():  # it waited behind stalled calls past its caller's deadline: not started
            return
        _CALL.cancel = cancel
        try:
            for chunk in chat.stream(list(messages), **kwargs):
                if cancel.is_set():
                    break
                if logprobs is not None:
                    logprobs.extend((chunk.response_metadata.get("logprobs") or {}).get("content") or [])
                text = chunk.content if isinstance(chunk.content, str) else ""
                if text:
                    pieces.put(text)
        except BaseException as exc:  # handed to the consumer, which decides what it means
            pieces.put(exc)
        else:
            pieces.put(end)

    deadline = time.monotonic() + limit_s
    MODEL_WORKERS.submit(work)
    reading = getattr(chat, "reading", lambda: None)
    try:
        while True:
            left = max(0.0, deadline - time.monotonic())
            try:
                item = pieces.get(timeout=min(left, tick_s) if tick_s else left)
            except queue.Empty:
                if time.monotonic() >= deadline:
                    raise ModelTimeout(limit_s) from None
                yield Pulse(reading())
                continue
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
            if time.monotonic() > deadline:
                raise ModelTimeout(limit_s)
    finally:
        cancel.set()


class LlamaCppChat(BaseChatModel):
    """A local GGUF chat model (llama-cpp-python), streaming, one call at a time."""

    model_path: str
    n_ctx: int = 4096
    n_threads: int = 2
    max_tokens: int = 200
    temperature: float = 0.0
    repeat_penalty: float = 1.15  # a 1.5B model otherwise loops on one sentence
    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _cancel: threading.Event | None = PrivateAttr(default=None)  # the running call's (see stream_until)
    _abort: Any = PrivateAttr(default=None)  # the ctypes callback, kept alive as long as the context
    _pauses: int = PrivateAttr(default=0)  # callers inside `paused()`
    _resume: threading.Condition = PrivateAttr(default_factory=threading.Condition)
    _prompt: tuple[int, int] | None = PrivateAttr(default=None)  # (tokens held before, prompt size) while reading

    def model_post_init(self, __context: Any) -> None:
        import llama_cpp
        from llama_cpp import Llama

        self._llama = Llama(model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads,
                            n_threads_batch=self.n_threads, n_batch=256, verbose=False)
        # llama.cpp asks this between compute steps; True abandons the decode (the prompt's cache
        # stays valid up to the last whole batch, and the next call trims the rest)
        self._abort = llama_cpp.ggml_abort_callback(lambda _: self._step())
        llama_cpp.llama_set_abort_callback(self._llama._ctx.ctx, self._abort, None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-local"

    def _step(self) -> bool:
        """llama.cpp asks this between compute steps: True abandons the call. It also waits here
        while someone is inside `paused()`, so that work gets both cores."""
        if self._pauses:
            with self._resume:
                self._resume.wait_for(lambda: not self._pauses or self._cancelled(), timeout=PAUSE_MAX_S)
        return self._cancelled()

    def _cancelled(self) -> bool:
        return self._cancel is not None and self._cancel.is_set()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Hold the running call between compute steps while the caller works (a waiting page's
        retrieval and quick answer, ~0.1 s: D29), each wait at most PAUSE_MAX_S."""
        with self._resume:
            self._pauses += 1
        try:
            yield
        finally:
            with self._resume:
                self._pauses -= 1
                self._resume.notify_all()

    def _messages(self, messages: list[BaseMessage]) -> list[dict]:
        return [{"role": ROLES[m.type], "content": m.content} for m in messages]

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def reading(self) -> float | None:
        """Share of the running call's prompt read so far, None once it writes (or between calls).

        llama-cpp-python advances `n_tokens` after each batch of `n_batch` tokens, so this moves in
        steps of a few seconds; the cached prefix counts as read from the start."""
        prompt = self._prompt
        if prompt is None:
            return None
        before, size = prompt
        held = self._llama.n_tokens
        # until llama.cpp has matched the cached prefix, n_tokens is still the previous call's
        return min(1.0, held / size) if size and held != before else None

    def _prompt_size(self, messages: list[dict]) -> int:
        # the chat template adds a few tokens per message (role markers) around each content
        return sum(self.count_tokens(m["content"]) + 5 for m in messages) + 3

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        with self._lock:
            self._cancel = getattr(_CALL, "cancel", None)
            chat = self._messages(messages)
            self._prompt = (self._llama.n_tokens, self._prompt_size(chat))
            top = kwargs.get("top_logprobs", 5) if kwargs.get("logprobs") else 0
            steps: list[dict] = []  # one entry per token written, until a chunk carries them
            try:
                pieces = self._llama.create_chat_completion(
                    messages=chat, stream=True, stop=stop,
                    max_tokens=kwargs.get("max_tokens", self.max_tokens), temperature=self.temperature,
                    repeat_penalty=kwargs.get("repeat_penalty", self.repeat_penalty),
                    logits_processor=[self._noting(steps, top)] if top else None)
                for piece in pieces:
                    self._prompt = None  # the prompt is read: it writes now
                    text = piece["choices"][0]["delta"].get("content") or ""
                    if text:
                        info = None
                        if top:
                            info = {"logprobs": {"content": [dict(s, token=text) for s in steps]}}
                            steps.clear()
                        chunk = ChatGenerationChunk(message=AIMessageChunk(content=text), generation_info=info)
                        if run_manager:
                            run_manager.on_llm_new_token(text, chunk=chunk)
                        yield chunk
            finally:
                self._cancel = None
                self._prompt = None

    def _noting(self, steps: list[dict], top: int) -> Any:
        """A logits processor that notes each step's `top` most likely tokens with their log
        probabilities, in the OpenAI `logprobs` shape (a compatible server gives the same with
        `logprobs=True, top_logprobs=k`), and leaves the logits as they are. It sees the logits
        before the repeat penalty and sampling, so this is the model's own distribution;
        llama.cpp's `logits_all`, which returns it too, would keep the logits of every prompt
        token (gigabytes at this vocabulary)."""
        def note(_ids: Any, logits: Any) -> Any:
            best = np.argpartition(logits, -top)[-top:]
            peak = float(logits.max())
            total = peak + math.log(float(np.exp(logits - peak).sum()))
            ranked = sorted(best, key=lambda t: -logits[t])
            steps.append({"logprob": float(logits[ranked[0]]) - total, "top_logprobs": [
                {"token": self._llama.detokenize([int(t)]).decode("utf-8", "replace"),
                 "logprob": float(logits[t]) - total} for t in ranked]})
            return logits
        return note

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        text = "".join(c.message.content for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def _compatible_chat(**kwargs: Any) -> BaseChatModel:
    """ChatOpenAI that sends the token limit as `max_tokens`.

    langchain-openai renames it to `max_completion_tokens`, which OpenAI reads but
    llama-cpp-python's server ignores; `max_tokens` is the field every compatible server reads.
    """
    from langchain_openai import ChatOpenAI

    class CompatibleChat(ChatOpenAI):
        def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kw: Any) -> dict:
            payload = super()._get_request_payload(input_, stop=stop, **kw)
            if "max_completion_tokens" in payload:
                payload["max_tokens"] = payload.pop("max_completion_tokens")
            return payload

    return CompatibleChat(**kwargs)


def load_chat_model(settings: Settings) -> BaseChatModel:
    """The configured chat model: an OpenAI-compatible server if a base URL is set, else the GGUF."""
    if settings.llm_base_url:
        # No retries: the timeout applies per attempt, so one retry doubled the wait for a server
        # that never answers; the quick answer is the fallback instead.
        return _compatible_chat(base_url=settings.llm_base_url, model=settings.llm_model or "default",
                                api_key=settings.llm_api_key or "none", timeout=settings.llm_timeout_s,
                                max_tokens=settings.llm_max_tokens, temperature=0.0, max_retries=0,
                                streaming=True)
    path = settings.llm_path
    if not path.is_file():
        raise ModelMissing(f"No chat model at {path}: run `make setup` (or `python -m provision`), "
                           f"or set CITEWISE_LLM_GGUF, or CITEWISE_LLM_BASE_URL for a model server.")
    return LlamaCppChat(model_path=str(path), n_ctx=settings.llm_ctx, n_threads=settings.threads,
                        max_tokens=settings.llm_max_tokens)
