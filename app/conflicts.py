"""Notice when retrieved passages from different articles give different figures for one thing.

Two evidence sentences conflict when both answer the question well, come from different
articles, say nearly the same thing (their vectors are close), and each gives one amount of
the same kind (dollars, percent, GW, shares), the two different.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.amounts import Quantity, english_amount, find_quantities, matches
from app.evidence import Scored
from core.records import Passage
from index.reader import IndexReader

KINDS = ("usd", "cny", "percent", "gw", "mw", "shares")


@dataclass(frozen=True)
class Conflict:
    first: Scored
    second: Scored
    kind: str
    first_values: list[Quantity]
    second_values: list[Quantity]


def _by_kind(text: str) -> dict[str, list[Quantity]]:
    out: dict[str, list[Quantity]] = {}
    for q in find_quantities(text):
        if q.kind in KINDS:
            out.setdefault(q.kind, []).append(q)
    return out


def find_conflicts(index: IndexReader, passages: list[Passage], scored: list[Scored],
                   relevance_margin: float = 0.06, same_thing: float = 0.75, limit: int = 6) -> list[Conflict]:
    """Pairs of evidence sentences from different articles whose figures disagree."""
    if not scored:
        return []
    evidence = [s for s in scored if s.score >= scored[0].score - relevance_margin][:limit]
    found: list[Conflict] = []
    for i, a in enumerate(evidence):
        for b in evidence[i + 1:]:
            if passages[a.passage].source == passages[b.passage].source:
                continue
            if float(index.sentence_vectors[a.row] @ index.sentence_vectors[b.row]) < same_thing:
                continue
            qa, qb = _by_kind(index.sentences[a.row].text), _by_kind(index.sentences[b.row].text)
            for kind in KINDS:
                # one figure of the kind on each side: a sentence listing several is about several things
                if len(qa.get(kind, [])) == 1 and len(qb.get(kind, [])) == 1 and not matches(qa[kind][0], qb[kind][0]):
                    found.append(Conflict(a, b, kind, qa[kind], qb[kind]))
                    break
    return found


def describe(conflict: Conflict, language: str, first_n: int, second_n: int) -> str:
    """The sentence appended to an answer, citing both sides."""
    if language == "zh":
        a = "、".join(q.text.strip() for q in conflict.first_values)
        b = "、".join(q.text.strip() for q in conflict.second_values)
        return f"注意：不同文章的说法不一致，一篇称{a}[{first_n}]，另一篇称{b}[{second_n}]。"
    a = ", ".join(english_amount(q) for q in conflict.first_values)
    b = ", ".join(english_amount(q) for q in conflict.second_values)
    return f"Note that the sources differ: one article gives {a} [{first_n}], another gives {b} [{second_n}]."
