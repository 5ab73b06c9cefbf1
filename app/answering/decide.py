"""Which pointed sentences are shown, and whether the answer is a refusal (D30).

A line is a sentence of an article, so it cannot misquote; what is left to judge is whether it
answers. Each check is a small function over one picked sentence, run from CHECKS in order; the
first that objects leaves the sentence out with its note. The decision over the lines that pass
is then simple: none left is a refusal, and a refusal never quotes as "the closest passage" a
sentence that these checks would have shown as the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.answering.candidates import Candidate
from app.answering.quote import quote_of
from core.records import Note
from core.settings import Policy
from index.reader import IndexReader


@dataclass(frozen=True)
class Pointed:
    """The model's reply to the pointing prompt."""

    picks: list[int] | None  # sentence tags in the model's order; [] for "nothing answers"; None: no number
    reply: str
    failure: Note | None = None  # model_timeout, model_failed, no_model
    first: dict[int, float] | None = None  # the first token's probabilities over 0 and the tags (point.first_choice)


def chosen(pointed: Pointed, policy: Policy) -> list[int]:
    """The tags the answer is made of (D31).

    The greedy reply alone is one draw from a small model that says "0" for a quarter of the
    answerable questions and names one sentence where a list needs three. Its first token's
    probabilities say more: a refusal only when "0" holds `none_share` of them; otherwise the
    reply's tags (or the likeliest tag, when it said 0) and every tag near the likeliest.

    >>> policy = Policy()
    >>> chosen(Pointed([], "0", first={0: 0.30, 1: 0.05, 2: 0.40, 3: 0.25}), policy)
    [2, 3]
    >>> chosen(Pointed([2], "2", first={0: 0.40, 2: 0.60}), policy), chosen(Pointed([2], "2"), policy)
    ([], [2])
    """
    if pointed.picks is None:
        return []
    if not pointed.first:  # a model that gives no probabilities: its reply as it stands
        return pointed.picks[:policy.pick_most]
    first = pointed.first
    if first.get(0, 0.0) >= policy.none_share:
        return []
    tags = {t: p for t, p in first.items() if t}
    if not tags:
        return pointed.picks[:policy.pick_most]
    top = max(tags.values())
    likely = sorted((t for t, p in tags.items() if p >= policy.pick_share * top), key=lambda t: -tags[t])
    return list(dict.fromkeys((pointed.picks or likely[:1]) + likely))[:policy.pick_most]


@dataclass(frozen=True)
class Judged:
    """What a check sees besides the sentence."""

    index: IndexReader
    policy: Policy


Check = Callable[[Candidate, Judged], Note | None]


def quoted(c: Candidate, judged: Judged) -> Note | None:
    """The line shown is the sentence of its passage (app.answering.quote): never otherwise, but
    this is what makes a shown line true by construction, so it is checked, not assumed."""
    if quote_of(c.text, judged.index.sentences[c.row].text):
        return None
    return Note("not_a_quote", {"sentence": c.text})


def relevant(c: Candidate, judged: Judged) -> Note | None:
    """A picked sentence below `pick_floor` is a pick of something else (the small model adds a
    neighbour that states another fact, or the likeliest of nothing)."""
    if c.score >= judged.policy.pick_floor:
        return None
    return Note("off_question", {"sentence": c.text})


CHECKS: tuple[Check, ...] = (quoted, relevant)


def judge(picked: list[Candidate], index: IndexReader, policy: Policy) -> tuple[list[Candidate], list[Note]]:
    """The picked sentences every check accepts, and a note for each one left out."""
    if not picked:
        return [], []
    judged = Judged(index, policy)
    kept, notes = [], []
    for c in picked:
        objection = next((note for check in CHECKS if (note := check(c, judged)) is not None), None)
        if objection is None:
            kept.append(c)
        else:
            notes.append(objection)
    return kept, notes


def answers(c: Candidate, index: IndexReader, policy: Policy) -> bool:
    """Would the checks show this sentence as an answer on its own?"""
    return not judge([c], index, policy)[1]
