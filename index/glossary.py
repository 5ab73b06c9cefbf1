"""English → Chinese domain terms, so an English question can also search the Chinese text.

English words never occur in the Chinese articles: "tranche" will not find 分阶段. The
glossary (glossary.tsv, written from the articles' own vocabulary) lists the Chinese forms of
names and domain terms; an English question is searched with those added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

GLOSSARY = Path(__file__).with_name("glossary.tsv")


@dataclass(frozen=True)
class Glossary:
    entries: tuple[tuple[str, re.Pattern, tuple[str, ...]], ...]  # (english, its pattern, chinese forms)

    @classmethod
    def load(cls, path: Path = GLOSSARY) -> Glossary:
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#") or "\t" not in line:
                continue
            english, chinese = line.split("\t", 1)
            words = [re.escape(w) for w in re.split(r"[\s-]+", english.strip().lower()) if w]
            if not words:
                continue
            # whole words; "-" or space between words; plural and verb endings on the last word
            pattern = re.compile(r"(?<![a-z])" + r"[\s-]+".join(words) + r"(?:s|es|ed|d|ing)?(?![a-z])")
            forms = tuple(f.strip() for f in chinese.split("|") if f.strip())
            rows.append((english.strip().lower(), pattern, forms))
        rows.sort(key=lambda r: -len(r[0]))  # longest English terms first: "market cap" before "cap"
        return cls(tuple(rows))

    def english_terms(self, chinese: str) -> list[str]:
        """English terms whose Chinese forms include `chinese`."""
        return [english for english, _, forms in self.entries if chinese in forms]

    def terms(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """The English terms in `text` with their Chinese forms; a term inside a longer one found
        first ("market" in "market cap") is not counted again.

        >>> g = Glossary.load()
        >>> [t for t, _ in g.terms("Nvidia bought a stake in OpenAI.")]
        ['nvidia', 'stake']
        """
        lowered = text.lower()
        out = []
        for english, pattern, forms in self.entries:
            match = pattern.search(lowered)
            if match:
                out.append((english, forms))
                lowered = lowered[:match.start()] + " " * (match.end() - match.start()) + lowered[match.end():]
        return sorted(out)

    def chinese_terms(self, text: str) -> list[str]:
        """Chinese forms of the English terms in `text`, each once, in glossary order.

        >>> g = Glossary((("oracle", re.compile(r"(?<![a-z])oracle(?:s)?(?![a-z])"), ("甲骨文",)),))
        >>> g.chinese_terms("What is Oracle's debt?")
        ['甲骨文']
        """
        lowered = text.lower()
        out: list[str] = []
        for _, pattern, forms in self.entries:
            if pattern.search(lowered):
                out.extend(f for f in forms if f not in out)
        return out
