"""The keyword side: a Chinese-aware tokenizer and a BM25 index over chunks.

Chinese runs are cut by jieba (search mode, so 算力集群 also yields 算力); Latin names and
numbers become lower-cased tokens (OpenAI -> openai, 10GW -> 10, gw). Function words and
punctuation are dropped.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from pathlib import Path

import bm25s
import jieba
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
USER_DICT = Path(__file__).with_name("userdict.txt")
_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba() -> None:
    global _jieba_ready
    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            # Company, people and finance terms jieba's general dictionary cuts apart
            # (英伟达 -> 英 / 伟达 without it).
            jieba.load_userdict(str(USER_DICT))
            _jieba_ready = True


def tokenize(text: str) -> list[str]:
    """Keyword tokens of a text.

    >>> tokenize("英伟达向OpenAI投资1000亿美元, 10GW!")
    ['伟达', '英伟达', 'openai', '投资', '1000', '美元', '亿美元', '10', 'gw']
    """
    _jieba()
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        piece = match.group()
        if _CJK.match(piece):
            words = jieba.lcut_for_search(piece)
        else:
            words = [piece.lower()]
        tokens.extend(w for w in words if w.strip() and w not in STOPWORDS)
    return tokens


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

    def __init__(self, retriever: bm25s.BM25, size: int):
        self._bm25 = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> KeywordIndex:
        return cls.from_tokens([tokenize(t) for t in texts])

    @classmethod
    def from_tokens(cls, corpus: list[list[str]]) -> KeywordIndex:
        """From chunks already tokenized (the scaling benchmark's generated corpora)."""
        size = len(corpus)
        # bm25s cannot index nothing: for an empty library one empty row stands in, and size 0 says
        # no chunk is behind it (scores() then returns no rows)
        corpus = [tokens or [""] for tokens in corpus] or [[""]]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        return cls(retriever, size)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder))
        (folder / "size.json").write_text(json.dumps({"size": self.size}))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        size = json.loads((folder / "size.json").read_text())["size"]
        return cls(bm25s.BM25.load(str(folder)), size)

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
