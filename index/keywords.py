"""The keyword side: a Chinese-aware tokenizer and a BM25 index over chunks.

Chinese runs are cut by jieba (search mode, so 算力集群 also yields 算力) with the library's own
words added (index.corpus_words, derived when it is indexed); Latin names and numbers become
lower-cased tokens (OpenAI -> openai, 10GW -> 10, gw). Function words and punctuation are dropped.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path

import bm25s
import jieba
import jieba.posseg
import numpy as np

_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z]+|\d+(?:\.\d+)?", re.I)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-z]", re.I)
# Words that carry no topic. Chinese particles and English question words.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 或 等 也 将 对 为 把 被 从 向 于 以 其 这 那 之 而 并 就 都 又 还 已 "
    "中 上 下 个 有 我 我们 他 他们 它 什么 多少 哪些 哪个 如何 怎么 怎样 是否 吗 呢 吧 啊 "
    "a an the of to in on for and or is are was were be been by with as at from that this "
    "what which who whom how when where why does did do it its their there than".split()
)
_jieba_lock = threading.Lock()
_general: jieba.Tokenizer | None = None


def _general_dictionary() -> jieba.Tokenizer:
    """jieba's general dictionary, loaded once per process and never changed afterwards."""
    global _general
    with _jieba_lock:
        if _general is None:
            jieba.setLogLevel(logging.WARNING)
            general = jieba.Tokenizer()
            general.initialize()
            _general = general
    return _general


class Tokenizer:
    """Keyword tokens of a text, with one library's own words in jieba's dictionary.

    `words` are kept whole (a company's name that jieba's general dictionary cuts apart: 英伟达
    -> 英 / 伟达 without it); `names` too, tagged as proper nouns for `pos_cut`. Each tokenizer
    holds its own copy of the dictionary, because jieba's global one is process-wide and the
    page or eval may hold several libraries; it is filled here and only read afterwards, so one
    tokenizer serves any number of threads.
    """

    def __init__(self, words: Iterable[str] = (), names: Iterable[str] = ()):
        self.words, self.names = tuple(words), tuple(names)
        cutter = general = _general_dictionary()
        if self.words or self.names:
            cutter = jieba.Tokenizer()
            cutter.FREQ, cutter.total, cutter.initialized = dict(general.FREQ), general.total, True
        # each word just frequent enough to stay whole where it occurs (jieba's suggest_freq)
        for word in self.words:
            cutter.add_word(word)
        for name in self.names:
            cutter.add_word(name, tag="nz")
        self._cutter = cutter
        self._pos: jieba.posseg.POSTokenizer | None = None
        self._pos_lock = threading.Lock()

    def __call__(self, text: str) -> list[str]:
        """Keyword tokens (see `tokenize`)."""
        tokens: list[str] = []
        for match in _TOKEN.finditer(text):
            piece = match.group()
            if _CJK.match(piece):
                words = self._cutter.lcut_for_search(piece)
            else:
                words = [piece.lower()]
            tokens.extend(w for w in words if w.strip() and w not in STOPWORDS)
        return tokens

    def cut(self, text: str) -> list[str]:
        """Words of a Chinese text as this library's dictionary cuts it (not search mode)."""
        return self._cutter.lcut(text)

    def pos_cut(self, text: str, hmm: bool = True) -> list[tuple[str, str]]:
        """(word, part-of-speech tag) pairs; this library's names carry "nz". `hmm`: let jieba's
        hidden Markov model join unknown characters into words."""
        return [(p.word, p.flag) for p in self._tagger().cut(text, HMM=hmm)]

    def tag(self, word: str) -> str | None:
        """The part-of-speech tag the dictionary gives a word; None for a word it does not hold."""
        return self._tagger().word_tag_tab.get(word)

    def _tagger(self) -> jieba.posseg.POSTokenizer:
        with self._pos_lock:
            if self._pos is None:
                self._pos = _tagger(self._cutter)
        return self._pos


_general_tagger: jieba.posseg.POSTokenizer | None = None


def _tagger(cutter: jieba.Tokenizer) -> jieba.posseg.POSTokenizer:
    """jieba's part-of-speech tagger over `cutter`. Reading the tags of the general dictionary takes
    half a second, so it is done once per process and each library's tagger starts from a copy
    (jieba 0.42's POSTokenizer holds `tokenizer` and `word_tag_tab`; the cutter's own tags are merged
    at the first cut, done here before the tagger is shared)."""
    global _general_tagger
    general = _general_dictionary()
    with _jieba_lock:
        if _general_tagger is None:
            _general_tagger = jieba.posseg.POSTokenizer(general)
    if cutter is general:
        return _general_tagger
    tagger = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
    tagger.tokenizer = cutter  # first: the tagger hands unknown attributes on to its tokenizer
    tagger.word_tag_tab = dict(_general_tagger.word_tag_tab)
    tagger.lcut("")
    return tagger


@functools.cache
def general_tokenizer() -> Tokenizer:
    """A tokenizer with jieba's general dictionary only, one per process."""
    return Tokenizer()


def tokenize(text: str) -> list[str]:
    """Keyword tokens of a text by jieba's general dictionary (an index uses its own `Tokenizer`).

    Chinese runs are cut in search mode, Latin words and numbers lower-cased, function words dropped.

    >>> tokenize("英伟达向OpenAI投资1000亿美元, 10GW!")
    ['英', '伟达', 'openai', '投资', '1000', '美元', '亿美元', '10', 'gw']
    """
    return general_tokenizer()(text)


def query_language(text: str) -> str:
    """'zh' when the text is mostly Chinese, else 'en'.

    >>> query_language("英伟达对OpenAI的投资条款"), query_language("What did Nvidia invest in OpenAI?")
    ('zh', 'en')
    """
    cjk = len(_CJK.findall(text))
    latin_words = len(re.findall(r"[a-z]+", text, re.I))
    return "zh" if cjk >= max(2, latin_words) else "en"


class KeywordIndex:
    """BM25 over chunk tokens; row i is the i-th chunk given to `build`."""

    def __init__(self, retriever: bm25s.BM25, size: int, tokenizer: Tokenizer | None = None):
        self._bm25 = retriever
        self.size = size
        self.tokenize = tokenizer or Tokenizer()  # the same words at index and at query time

    @classmethod
    def build(cls, texts: list[str], tokenizer: Tokenizer | None = None) -> KeywordIndex:
        tokenizer = tokenizer or Tokenizer()
        return cls.from_tokens([tokenizer(t) for t in texts], tokenizer)

    @classmethod
    def from_tokens(cls, corpus: list[list[str]], tokenizer: Tokenizer | None = None) -> KeywordIndex:
        """From chunks already tokenized (the scaling benchmark's generated corpora)."""
        size = len(corpus)
        # bm25s cannot index nothing: for an empty library one empty row stands in, and size 0 says
        # no chunk is behind it (scores() then returns no rows)
        corpus = [tokens or [""] for tokens in corpus] or [[""]]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        return cls(retriever, size, tokenizer)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder))
        (folder / "size.json").write_text(json.dumps({"size": self.size}))

    @classmethod
    def load(cls, folder: Path, tokenizer: Tokenizer | None = None) -> KeywordIndex:
        """The index saved in `folder`; `tokenizer` must hold the words it was built with."""
        size = json.loads((folder / "size.json").read_text())["size"]
        return cls(bm25s.BM25.load(str(folder)), size, tokenizer)

    def known(self, tokens: list[str]) -> list[str]:
        """The tokens that occur somewhere in the corpus."""
        vocab = self._bm25.vocab_dict
        return [t for t in tokens if t in vocab]

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk for these query tokens (zeros when none is known)."""
        tokens = self.known(tokens)
        if not tokens or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)
