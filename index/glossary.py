"""English -> Chinese terms of one library, so an English question can also search its Chinese text.

English words never occur in the Chinese articles: "debt" will not find 债务. The terms are
derived from the library when it is indexed (index.corpus_words: the names its articles give in
both scripts, and CC-CEDICT's glosses of its own Chinese words); an English question is
embedded with the Chinese words of its terms added.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from index.corpus_words import CorpusWords, normal

LONGEST = 3  # words in the longest English term looked up


@dataclass(frozen=True)
class Glossary:
    terms: Mapping[str, tuple[str, ...]]  # normalised English term (corpus_words.normal) -> Chinese words

    @classmethod
    def of(cls, words: CorpusWords) -> Glossary:
        return cls(words.terms)

    def english_terms(self, chinese: str) -> list[str]:
        """English terms whose Chinese forms include `chinese`."""
        return [english for english, forms in self.terms.items() if chinese in forms]

    def terms_in(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """The English terms in `text`, longest first at each word ("market cap" before "cap"),
        each with its Chinese forms, in the order of the text.

        >>> g = Glossary({"debt": ("债务",), "market cap": ("市值",), "cap": ("上限",)})
        >>> g.terms_in("What market caps and debts?")
        [('market cap', ('市值',)), ('debt', ('债务',))]
        """
        words = normal(text).split()
        out = []
        i = 0
        while i < len(words):
            for n in range(min(LONGEST, len(words) - i), 0, -1):
                term = " ".join(words[i:i + n])
                if term in self.terms:
                    out.append((term, self.terms[term]))
                    i += n
                    break
            else:
                i += 1
        return out

    def chinese_terms(self, text: str) -> list[str]:
        """Chinese forms of the English terms in `text`, each once, in the order of the text.

        >>> Glossary({"oracle": ("甲骨文",)}).chinese_terms("What is Oracle's debt?")
        ['甲骨文']
        """
        out: list[str] = []
        for _, forms in self.terms_in(text):
            out.extend(f for f in forms if f not in out)
        return out
