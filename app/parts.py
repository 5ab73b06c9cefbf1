"""The parts of a question: what an answer must cover to be complete.

"How much will Nvidia invest, and when is the first tranche paid?" asks two things; "What did
Oracle, AMD and Broadcom each sign?" asks one thing of three names; "What are the tranche terms?"
asks for a set of facts that stand together. Context is chosen to cover every part, and the
check afterwards says which part got no supported sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).with_name("data") / "parts.tsv"
_LIST_SEP = r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|、|和|与|及|以及)\s*"


@dataclass(frozen=True)
class Parts:
    texts: tuple[str, ...]  # one text per part; a single part is the question itself
    spread: bool  # asks for a set of facts (terms, milestones): context takes neighbours too

    @property
    def several(self) -> bool:
        return len(self.texts) > 1


@dataclass(frozen=True)
class PartRules:
    split: tuple[re.Pattern, ...]
    ask: re.Pattern
    each: re.Pattern
    set: re.Pattern

    @classmethod
    def load(cls, path: Path = DATA) -> PartRules:
        rows: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#") and "\t" in line:
                kind, pattern = line.split("\t", 1)
                rows.setdefault(kind.strip(), []).append(pattern.strip())
        return cls(tuple(re.compile(p, re.I) for p in rows.get("split", [])),
                   re.compile("|".join(rows.get("ask", ["(?!)"])), re.I),
                   re.compile("|".join(rows.get("each", ["(?!)"])), re.I),
                   re.compile("|".join(rows.get("set", ["(?!)"])), re.I))

    def parts(self, question: str, names: list[str]) -> Parts:
        """The question's parts: its clauses, else one per named item when it asks of each.

        >>> rules = PartRules.load()
        >>> rules.parts("How much will Nvidia invest, and when is the first tranche paid?", ["Nvidia"]).texts
        ('How much will Nvidia invest', 'when is the first tranche paid?')
        >>> rules.parts("What did Oracle and AMD each sign with OpenAI?", ["Oracle", "AMD", "OpenAI"]).texts
        ('What did Oracle each sign with OpenAI?', 'What did AMD each sign with OpenAI?')
        >>> rules.parts("What are the Nvidia–OpenAI tranche terms?", ["Nvidia", "OpenAI"])
        Parts(texts=('What are the Nvidia–OpenAI tranche terms?',), spread=True)
        >>> rules.parts("According to Fortune, what three forces explain Nvidia's rise?", ["Fortune", "Nvidia"]).texts
        ("According to Fortune, what three forces explain Nvidia's rise?",)
        """
        spread = bool(self.set.search(question))
        clauses = [question]
        for pattern in self.split:
            clauses = [piece for c in clauses for piece in pattern.split(c)]
        clauses = self._asking([c.strip(" ,，") for c in clauses if c and len(c.strip(" ,，?？")) >= 4])
        if len(clauses) > 1:
            return Parts(tuple(clauses), spread)
        if self.each.search(question):
            items = listed(question, names)
            if len(items) > 1:
                span, found = items
                return Parts(tuple(question.replace(span, n, 1) for n in found), spread)
        return Parts((question,), spread)

    def _asking(self, clauses: list[str]) -> list[str]:
        """A clause that asks nothing ("According to Fortune") is joined to the one after it."""
        out: list[str] = []
        carry = ""
        for c in clauses:
            if self.ask.search(c):
                out.append(f"{carry}, {c}" if carry else c)
                carry = ""
            else:
                carry = f"{carry}, {c}" if carry else c
        if carry:
            out = out[:-1] + [f"{out[-1]}, {carry}"] if out else [carry]
        return out


def listed(question: str, names: list[str]) -> tuple[str, list[str]] | tuple[()]:
    """The longest run of names joined as a list ("Oracle, AMD and Broadcom"), and its names."""
    if len(names) < 2:
        return ()
    name = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    best: tuple = ()
    for m in re.finditer(rf"(?:{name})(?:{_LIST_SEP}(?:{name}))+", question):
        found = re.findall(name, m.group())
        if not best or len(found) > len(best[1]):
            best = (m.group(), found)
    return best
