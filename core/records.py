"""Typed records passed between the indexer, the retriever and the UI."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field


def body_key(body: str) -> str:
    """What makes two articles the same: the body's characters, whitespace and width folded.

    >>> body_key("英伟达 投资 ＵＳ$１００亿。\\n") == body_key("英伟达投资US$100亿。")
    True
    """
    folded = unicodedata.normalize("NFKC", body)
    return hashlib.sha256("".join(folded.split()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Document:
    """One source article.

    `text` is the whole decoded file; every offset elsewhere points into it, so the
    original can be shown with a chunk highlighted. `body_start` skips front matter.
    """

    source: str  # file name, unique within the corpus, e.g. "002_154491c56ade4e87.txt"
    text: str
    sha256: str  # of the file's bytes
    title: str
    date: str | None = None
    url: str | None = None
    body_start: int = 0
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def body_key(self) -> str:
        """`body_key` of the text after the front matter (the index manifest keeps it per document)."""
        return body_key(self.text[self.body_start:])


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences of one document: `text == document.text[start:end]`."""

    id: str
    source: str
    position: int
    start: int
    end: int
    text: str
    sha256: str  # of `text`


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document: `text == document.text[start:end]`."""

    source: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Skipped:
    """A file the indexer did not index, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with what the retriever knows about it."""

    chunk_id: str
    source: str
    title: str
    date: str | None
    text: str
    start: int
    end: int
    score: float  # fused relevance in [0, 1]; higher is better
    dense: float | None = None  # cosine similarity, when the dense side found it
    keyword: float | None = None  # BM25 score, when the keyword side found it


@dataclass(frozen=True)
class Rendering:
    """A machine translation of a cited sentence into the reader's language, with its figure check.

    `missing`: figures of the original the translation lacks; `added`: figures of the translation
    the original lacks (after unit conversion: 100亿美元 is US$10 billion). Either one non-empty
    means the figures differ, which is always shown next to the translation, as are words the
    model left untranslated.
    """

    text: str  # empty when the model failed
    source_language: str  # "en" | "zh"
    target_language: str
    missing: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    failure: str | None = None  # why there is no translation (a timeout, a dead server)
    untranslated: tuple[str, ...] = ()  # source-language words left in the text (Chinese in English)
    names_missing: tuple[str, ...] = ()  # Latin-script names of the original the translation lacks (xAI)

    @property
    def figures_match(self) -> bool:
        return not (self.missing or self.added)


@dataclass(frozen=True)
class Citation:
    """Passage `n` of an answer: the passage and the sentence in it that supports the answer."""

    n: int
    passage: Passage
    quote: str  # the supporting sentence, verbatim from the article
    quote_start: int  # offsets of the quote in the document text
    quote_end: int
    # The quote in the question's language when the passage is in another one; filled after the
    # verified answer is shown (app.translate), never part of verifying it.
    rendering: Rendering | None = None


@dataclass(frozen=True)
class Note:
    """Something the user should know about an answer, as a code with its arguments.

    Put into words in the reader's language only at the edges (`app.notes.say`), so a Chinese
    answer never carries an English explanation.
    """

    code: str  # one of app.notes.TEXT's keys
    args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Signals:
    """What the answer decision saw, for the eval's risk–coverage curve and calibration.

    Cosines are between the question's vector and a sentence's (the local embedding model).
    """

    evidence: float = 0.0  # the best sentence of the retrieved passages
    scope_margin: float = 0.0  # closest out-of-scope example minus closest in-scope one (app.scope)
    candidates: int = 0  # sentences the model was shown
    picked: int = 0  # sentences it pointed at; -1 when its reply named no number
    picked_best: float = 0.0  # the best of them
    none_share: float = -1.0  # the model's first-token probability of "0" (D31); -1 when it gives none
    shown: int = 0  # lines of the answer after the checks

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class Answer:
    """A verified answer: text with [n] markers that refer to `citations`."""

    question: str
    language: str  # "en" | "zh"
    text: str
    refused: bool
    citations: list[Citation]
    retrieved: list[Passage]
    notes: list[Note]
    timings: dict[str, float]
    source: str  # "model" | "quick" (the extractive answer) | "refusal" | "scope" (what the chat can answer)
    signals: Signals = field(default_factory=Signals)
    read_with: str = ""  # the earlier question a follow-up was read with (app.followup); "" when read alone
