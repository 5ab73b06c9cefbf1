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
    entries: tuple[tuple[re.Pattern, tuple[str, ...]], ...]

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
            rows.append((len(english), pattern, forms))
        rows.sort(key=lambda r: -r[0])  # longest English terms first: "market cap" before "cap"
        return cls(tuple((p, f) for _, p, f in rows))

    def chinese_terms(self, text: str) -> list[str]:
        """Chinese forms of the English terms in `text`, each once, in glossary order.

        >>> g = Glossary(((re.compile(r"(?<![a-z])oracle(?:s)?(?![a-z])"), ("甲骨文",)),))
        >>> g.chinese_terms("What is Oracle's debt?")
        ['甲骨文']
        """
        lowered = text.lower()
        out: list[str] = []
        for pattern, forms in self.entries:
            if pattern.search(lowered):
                out.extend(f for f in forms if f not in out)
        return out
