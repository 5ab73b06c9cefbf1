"""Cited sentences in the reader's language: a machine translation, its figures checked.

An English reader of a Chinese passage (or a Chinese reader of an English one) gets, under the
highlighted original, the supporting sentence in the question's language. It is made after the
verified answer is shown, so it never delays the answer nor counts in its timings, one sentence
per model call at temperature 0, and it is only ever shown labelled as a machine translation.

Its figures are compared with the original's after unit conversion (app.amounts: 100亿美元 is
US$10 billion); a figure missing on either side is reported in the Rendering, and the UI shows it
next to the translation. The small model is helped the way the answer path helps it: a Chinese
sentence is sent with amounts, dates and names already written the English way (app.english).

Translations are cached in SQLite under the index's parent folder (data/translations.sqlite;
`make clean` keeps it), keyed by sha256 of (model, target language, prompt version, sentence):
a sentence cited again is shown at once, and a new model or prompt translates afresh.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from app.amounts import find_quantities, supported
from app.answering.names import english_reading
from app.display import plain
from app.llm import stream_until
from app.prompts import fence, render, version
from core.records import Answer, Citation, Rendering
from core.settings import Settings
from index.keywords import query_language

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "zh": "Chinese"}
PROMPT_FILES = ("translate_system.txt", "translate_user.txt")
MAX_TOKENS = 400
# A reply that starts by naming what it is ("English: …", "Translation: …", "中文：…").
_LABEL = re.compile(r"^\s*(?:english|chinese|translation|译文|中文|英文)\s*[:：]\s*", re.I)
_QUOTES = "\"'“”‘’「」"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def cache_path(settings: Settings) -> Path:
    """Next to the index folder, not in it: rebuilding or cleaning the index keeps translations."""
    return settings.index_dir.parent / "translations.sqlite"


def model_id(settings: Settings) -> str:
    """What made a translation: the server and model name, or the local GGUF file."""
    if settings.llm_base_url:
        return f"{settings.llm_base_url}#{settings.llm_model or 'default'}"
    return settings.llm_gguf


def prompt_version() -> str:
    return version(*PROMPT_FILES)


class TranslationCache:
    """sentence key -> translation, one connection per call: the UI calls from Gradio's threads.

    A cache that cannot be opened or written (a read-only folder, a damaged file) is logged and
    treated as empty: translating still works, only without reuse.
    """

    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._run("CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, text TEXT NOT NULL, "
                      "model TEXT NOT NULL, target TEXT NOT NULL, created REAL NOT NULL)")
        except (OSError, sqlite3.Error) as exc:
            log.warning("translation cache %s unusable, translating without it: %s", path, exc)

    def _run(self, sql: str, args: tuple = ()) -> list:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                return db.execute(sql, args).fetchall()
        finally:
            db.close()

    def get(self, key: str) -> str | None:
        try:
            rows = self._run("SELECT text FROM translations WHERE key = ?", (key,))
        except sqlite3.Error as exc:
            log.warning("translation cache %s: %s", self.path, exc)
            return None
        return rows[0][0] if rows else None

    def put(self, key: str, text: str, model: str, target: str) -> None:
        try:
            self._run("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?)", (key, text, model, target, time.time()))
        except sqlite3.Error as exc:
            log.warning("translation cache %s: %s", self.path, exc)


def figure_check(original: str, translation: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(figures of the original the translation lacks, figures of the translation the original lacks).

    >>> figure_check("英伟达将投资100亿美元，部署10GW。", "Nvidia will invest US$10 billion and deploy 10 GW.")
    ((), ())
    >>> figure_check("估值达1570亿美元。", "The valuation reached US$157 million.")
    (('1570亿美元',), ('US$157 million',))
    """
    source, rendered = find_quantities(original), find_quantities(translation)
    missing = tuple(q.text for q in source if not supported(q, rendered))
    added = tuple(q.text for q in rendered if not supported(q, source))
    return missing, added


def untranslated(text: str, target: str) -> tuple[str, ...]:
    """Chinese left in an English translation (a 1.5B model sometimes keeps an idiom as it is).
    Latin words in a Chinese translation are normal (OpenAI, GPU), so only English is checked.

    >>> untranslated("This speech made Nvidia's fans热血沸腾, and engineering落地.", "en"), untranslated("英伟达GPU", "zh")
    (('热血沸腾', '落地'), ())
    """
    return tuple(_CJK.findall(text)) if target == "en" else ()


def clean_reply(text: str) -> str:
    """The translation out of the model's reply: its first line, without a label or quotes around it.

    >>> clean_reply('English: "Nvidia invests US$10 billion."\\nNote: figures kept.')
    'Nvidia invests US$10 billion.'
    """
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    first = _LABEL.sub("", lines[0]) if lines else ""
    if len(first) >= 2 and first[0] in _QUOTES and first[-1] in _QUOTES:
        first = first[1:-1].strip()
    return first


def language_of(citation: Citation) -> str:
    return query_language(plain(citation.quote))


def needs_rendering(citation: Citation, language: str) -> bool:
    """A cited sentence in another language than the reader's, not yet translated."""
    return citation.rendering is None and language_of(citation) != language


def pending(answer: Answer) -> list[Citation]:
    """The citations of a shown answer whose sentence needs translating (a refusal quotes none)."""
    if answer.refused:
        return []
    return [c for c in answer.citations if needs_rendering(c, answer.language)]


def with_rendering(answer: Answer, n: int, rendering: Rendering) -> Answer:
    citations = [dataclasses.replace(c, rendering=rendering) if c.n == n else c for c in answer.citations]
    return dataclasses.replace(answer, citations=citations)


@dataclass(frozen=True)
class Request:
    """One translation as sent: the key, the model messages and the token limit."""

    key: str
    original: str  # the sentence as the reader sees it (app.display.plain)
    source: str
    target: str
    messages: list = field(default_factory=list)
    max_tokens: int = MAX_TOKENS


@dataclass
class Translator:
    """Translates cited sentences with one chat model, through the cache; not thread-safe by itself
    (the UI runs it inside the answering slot, the CLI one question at a time)."""

    chat: BaseChatModel | None
    cache: TranslationCache
    model: str
    names: Sequence[tuple[str, str]] = ()  # (Chinese, English) names the articles give (app.answering.names)
    calls: int = 0  # model calls made (a cache hit makes none)
    timeout_s: float = 45.0  # per sentence, from the moment its prompt is sent (app.llm.stream_until)

    @classmethod
    def for_engine(cls, engine) -> Translator:
        return cls(engine.chat, TranslationCache(cache_path(engine.settings)), model_id(engine.settings),
                   engine.names, timeout_s=engine.settings.llm_timeout_s)

    def request(self, quote: str, target: str) -> Request:
        original = plain(quote)
        source = query_language(original)
        # the names table is part of the prompt: a corrected name is a new version too
        version = f"{prompt_version()}:{hashlib.sha256(repr(tuple(self.names)).encode()).hexdigest()[:8]}"
        key = hashlib.sha256("\0".join((self.model, target, version, original)).encode(
            "utf-8", "surrogatepass")).hexdigest()
        if source == "zh" and target == "en":
            # amounts, dates and names the English way: the model copies them instead of converting
            sentence, names = english_reading(original, self.names), ""
        else:
            # an English sentence for a Chinese reader: the Chinese forms of the names it uses
            sentence = original
            used: dict[str, str] = {}
            for zh, en in self.names:
                if re.search(rf"(?<![A-Za-z]){re.escape(en)}(?![A-Za-z])", original):
                    used.setdefault(en, zh)
            names = "; ".join(f"{en} = {zh}" for en, zh in used.items())
        values = {"source": LANGUAGE_NAMES[source], "target": LANGUAGE_NAMES[target]}
        user = render("translate_user.txt", sentence=fence(sentence), names=names, target=values["target"])
        messages = [SystemMessage(render("translate_system.txt", **values)), HumanMessage(user)]
        # a translation is about as long as its source; the cap stops a small model that loops
        limit = min(MAX_TOKENS, 24 + len(original) * (2 if source == "zh" else 1))
        return Request(key, original, source, target, messages, limit)

    def _rendering(self, request: Request, text: str) -> Rendering:
        missing, added = figure_check(request.original, text)
        return Rendering(text, request.source, request.target, missing, added,
                         untranslated=untranslated(text, request.target))

    def cached(self, quote: str, target: str) -> Rendering | None:
        request = self.request(quote, target)
        text = self.cache.get(request.key)
        return None if text is None else self._rendering(request, text)

    def translate(self, quote: str, target: str) -> Rendering:
        """From the cache, else from the model (then cached); a model failure is a Rendering with
        `failure` set, never an exception: the verified answer is already shown."""
        request = self.request(quote, target)
        text = self.cache.get(request.key)
        if text is not None:
            return self._rendering(request, text)
        if self.chat is None:
            return Rendering("", request.source, target, failure="no model is configured")
        self.calls += 1
        try:
            text = clean_reply("".join(stream_until(self.chat, request.messages, self.timeout_s,
                                                    max_tokens=request.max_tokens)))
        except Exception as exc:  # the model boundary: a dead server, a timeout
            log.warning("translating %r failed: %s", request.original[:60], exc)
            return Rendering("", request.source, target, failure=f"{type(exc).__name__}: {exc}"[:200])
        if not text:
            return Rendering("", request.source, target, failure="the model gave no translation")
        self.cache.put(request.key, text, self.model, target)
        return self._rendering(request, text)

    def fill_cached(self, answer: Answer) -> Answer:
        """The answer with every translation the cache already holds."""
        for citation in pending(answer):
            rendering = self.cached(citation.quote, answer.language)
            if rendering is not None:
                answer = with_rendering(answer, citation.n, rendering)
        return answer

    def translate_answer(self, answer: Answer) -> Answer:
        for citation in pending(answer):
            answer = with_rendering(answer, citation.n, self.translate(citation.quote, answer.language))
        return answer

    def restore_answer_prefix(self, settings: Settings) -> None:
        """Read the pointing system prompt again after translating, so the next question finds it
        as llama.cpp's cached prefix (a translation's prompt replaced it). Local model only: a
        server keeps its own cache."""
        from app.engine import warm_prefix
        from app.llm import LlamaCppChat

        if isinstance(self.chat, LlamaCppChat) and self.calls:
            warm_prefix(self.chat, settings)
