"""Notice when retrieved passages from different articles give different figures for one thing.

Two evidence sentences conflict when both answer the question well, come from different
articles, say nearly the same thing (their vectors are close), and each gives one amount of
the same kind (dollars, percent, GW, shares), the two different.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.amounts import Quantity, english_amount, find_quantities, matches
from app.cite import Line, Source
from app.evidence import Scored
from core.records import Passage
from core.settings import Policy
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


def find_conflicts(index: IndexReader, passages: list[Passage], scored: list[Scored], policy: Policy,
                   limit: int = 6) -> list[Conflict]:
    """Pairs of evidence sentences from different articles whose figures disagree."""
    if not scored:
        return []
    same_thing = policy.conflict_same_thing
    evidence = [s for s in scored if s.score >= scored[0].score - policy.conflict_margin][:limit]
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


def describe(conflict: Conflict, language: str, passages: list[Passage]) -> Line:
    """The sentence appended to an answer, citing both sides where it names them."""
    sources = [Source(passages[side.passage], side.row, side.score) for side in (conflict.first, conflict.second)]
    if language == "zh":
        a = "、".join(q.text.strip() for q in conflict.first_values)
        b = "、".join(q.text.strip() for q in conflict.second_values)
        return Line(f"注意：不同文章的说法不一致，一篇称{a}{{0}}，另一篇称{b}{{1}}。", sources, inline=True)
    a = ", ".join(english_amount(q) for q in conflict.first_values)
    b = ", ".join(english_amount(q) for q in conflict.second_values)
    return Line(f"Note that the sources differ: one article gives {a} {{0}}, another gives {b} {{1}}.", sources,
                inline=True)
