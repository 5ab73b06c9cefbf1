"""A chat model that remembers its answers by prompt, so the checks after it can be re-run in seconds.

`python -m eval --replay` answers a gold set again with every model reply read from the cache
when the prompt is the same (a changed prompt or context asks the model again). Only the
checks, the decision and the scores change; latency is measured on runs without --replay.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr


def prompt_key(messages: list, logprobs: bool = False) -> str:
    asked = [(m.type, m.content) for m in messages] + ([["logprobs"]] if logprobs else [])
    return hashlib.sha256(json.dumps(asked, ensure_ascii=False).encode()).hexdigest()


class CachedChat(BaseChatModel):
    inner: Any
    path: str
    replay: bool = True  # read the cache; writing it happens either way
    _db: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    hits: int = 0

    def model_post_init(self, __context: Any) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, text TEXT)")
        if "logprobs" not in {row[1] for row in self._db.execute("PRAGMA table_info(replies)")}:
            self._db.execute("ALTER TABLE replies ADD COLUMN logprobs TEXT")

    @property
    def _llm_type(self) -> str:
        return "cached"

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        key = prompt_key(messages, bool(kwargs.get("logprobs")))
        row = self._db.execute("SELECT text, logprobs FROM replies WHERE key = ?", (key,)).fetchone() \
            if self.replay else None
        if row is not None:
            self.hits += 1
            info = {"logprobs": {"content": json.loads(row[1])}} if row[1] else None
            yield ChatGenerationChunk(message=AIMessageChunk(content=row[0]), generation_info=info)
            return
        pieces, entries = [], []
        for chunk in self.inner.stream(messages, stop=stop, **kwargs):
            text = chunk.content if isinstance(chunk.content, str) else ""
            pieces.append(text)
            content = (chunk.response_metadata.get("logprobs") or {}).get("content") or []
            entries.extend(content)
            info = {"logprobs": {"content": content}} if content else None
            yield ChatGenerationChunk(message=AIMessageChunk(content=text), generation_info=info)
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO replies VALUES (?, ?, ?)",
                             (key, "".join(pieces), json.dumps(entries) if entries else None))
            self._db.commit()

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        text = "".join(c.message.content for c in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
