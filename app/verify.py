"""Deterministic checks on a model's answer, sentence by sentence.

For each sentence: markers that point to no passage are dropped; a marker is moved to the
passage that really supports the sentence; an unmarked sentence gets the best-supporting
passage or a flag; every figure must appear (after unit conversion) in a cited passage, or
the sentence is removed with a note. Support = the best cosine between the sentence and a
sentence of the passage, plus whether the passage holds the sentence's figures.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.amounts import Quantity, find_quantities, supported
from app.evidence import ContextPassage
from app.entities import known_names, mentions, names
from index.chunking import split_sentences
from index.glossary import Glossary
from index.reader import IndexReader

MARKER = re.compile(r"\[\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*\]|【\s*(\d+)\s*】")
REFUSAL = re.compile(
    r"NOT IN ARTICLES|not (mentioned|covered|stated|provided|specified|included) in|"
    r"(do|does|did) not (mention|contain|provide|say|specify|include|cover)|no (information|mention)|"
    r"cannot (find|answer)|can't (find|answer)|unable to (find|answer)|"
    r"未(提及|提到|涉及|披露|说明)|没有(提到|提及|涉及|相关|说明|披露)|无法(回答|找到|从)|不包含|并未(提及|提到)",
    re.I,
)
LIST_ITEM = re.compile(r"^(?:\d{1,2}[.)、]|[-*•])\s+")
TRAILING_ITEM = re.compile(r"\s+\d{1,2}[.)]$")  # "... [1] 2." when the next list item's number ends a sentence
PASSAGE_REF = re.compile(r"(?:passages?|段落|第)\s*\d+(?:\s*(?:and|,|、|和)\s*\d+)*", re.I)
UNSUPPORTED_KINDS = {"usd", "cny", "percent", "gw", "mw", "shares", "count", "year", "duration"}


@dataclass
class Claim:
    """One sentence of the answer."""

    text: str  # without markers
    cited: list[int]  # passage numbers as the model wrote them
    passages: list[int] = field(default_factory=list)  # after checking
    removed: bool = False


@dataclass(frozen=True)
class Checked:
    claims: list[Claim]
    warnings: list[str]
    quotes: dict[int, int]  # passage number -> sentence row that best supports what cites it


def markers(text: str) -> list[int]:
    """Passage numbers in a piece of text.

    >>> markers("US$10 billion [1][2]; see 【3】 and [4, 5]")
    [1, 2, 3, 4, 5]
    """
    out = []
    for m in MARKER.finditer(text):
        out.extend(int(n) for n in re.split(r"\s*[,，、]\s*", m.group(1) or m.group(2)))
    return out


def parse_claims(answer: str) -> list[Claim]:
    """Split an answer into sentences; a marker written after the full stop belongs to the sentence before.

    >>> [(c.text, c.cited) for c in parse_claims("It is US$10 billion. [1] Paid per GW [2]. 首期。[3]")]
    [('It is US$10 billion.', [1]), ('Paid per GW.', [2]), ('首期。', [3])]
    >>> [(c.text, c.cited) for c in parse_claims("Terms: [1] 1. Per GW [2] 2. Equity.")]
    [('Terms:', [1]), ('Per GW', [2]), ('Equity.', [])]
    """
    claims: list[Claim] = []
    for span in split_sentences(answer):
        piece = answer[span.start:span.end]
        lead = re.match(r"^(?:\s*(?:\[[\d\s,，、]+\]|【\s*\d+\s*】))+", piece)
        if lead and claims:
            claims[-1].cited.extend(markers(lead.group()))
            piece = piece[lead.end():]
        text = re.sub(r"\s+([.。!?！？;；,，])", r"\1", MARKER.sub("", piece)).strip()
        text = re.sub(r"\s{2,}", " ", TRAILING_ITEM.sub("", LIST_ITEM.sub("", text)))
        if re.search(r"[^\W\d_]", text):  # has words, not just a list number like "2."
            claims.append(Claim(text, markers(piece)))
        elif claims:
            claims[-1].cited.extend(markers(piece))
    return claims


def is_refusal(text: str) -> bool:
    return bool(REFUSAL.search(text))


def figures(text: str) -> list[Quantity]:
    """The amounts a sentence asserts (a mention of "passage 3" is not one).

    >>> [q.text for q in figures("Passage 3 says US$10 billion per GW.")]
    ['US$10 billion']
    """
    text = PASSAGE_REF.sub(lambda m: " " * len(m.group()), text)
    return [q for q in find_quantities(text) if q.kind in UNSUPPORTED_KINDS]


def _quote_row(index: IndexReader, rows: list[int], sims: np.ndarray, own: list[Quantity]) -> int:
    if not rows:
        return -1
    order = sorted(range(len(rows)), key=lambda i: -float(sims[i]))
    for i in order:
        held = find_quantities(index.sentences[rows[i]].text)
        if own and all(supported(q, held) for q in own):
            return rows[i]
    return rows[order[0]]


def check(answer: str, context: list[ContextPassage], index: IndexReader,
          embed: Callable[[list[str]], list[list[float]]], glossary: Glossary | None = None,
          support_floor: float = 0.55, margin: float = 0.08) -> Checked:
    """Check every sentence of `answer` against the context passages it may cite."""
    claims = parse_claims(answer)
    warnings: list[str] = []
    quotes: dict[int, tuple[float, int]] = {}
    if not claims or not context:
        return Checked(claims, warnings, {})
    rows = [index.chunk_sentences[index.chunk_row[c.passage.chunk_id]] for c in context]
    texts = [c.passage.text for c in context]
    passage_figures = [find_quantities(t) for t in texts]
    # Figures must stand together: within three adjacent sentences of one passage.
    # A name may stand earlier in the passage ("英伟达 … 该公司的市值 … 飙升5%"), so names are looked
    # for from the passage's start to the window's end.
    sentences = [[index.sentences[r].text for r in rs] for rs in rows]
    windows = [["".join(w[max(0, i - 1):i + 2]) for i in range(len(w))] or [t] for w, t in zip(sentences, texts)]
    leads = [["".join(w[:i + 2]) for i in range(len(w))] or [t] for w, t in zip(sentences, texts)]
    window_figures = [[find_quantities(w) for w in ws] for ws in windows]
    vectors = np.asarray(embed([c.text for c in claims]), dtype=np.float32)
    for claim, vector in zip(claims, vectors):
        valid = []
        for n in dict.fromkeys(claim.cited):
            if 1 <= n <= len(context):
                valid.append(n)
            else:
                warnings.append(f"Dropped marker [{n}]: there is no passage {n}.")
        sims = [index.sentence_vectors[r] @ vector if r else np.zeros(1) for r in rows]
        semantic = [float(s.max()) for s in sims]
        own = figures(claim.text)
        # The quote is the sentence holding the claim's figures, else the closest in meaning.
        best_row = [_quote_row(index, r, s, own) for r, s in zip(rows, sims)]
        named = known_names(names(claim.text), lambda w: bool(index.keyword.known([w])), glossary)
        # A passage holds a sentence when it has all its figures and names one of its companies or people.
        # "all names" was measured too strict (D14): "after Jensen Huang's GTC keynote" names the occasion
        holds = [any(all(supported(q, held) for q in own)
                     and (not named or any(mentions(lead, name, glossary) for name in named))
                     for lead, held in zip(leads[p], window_figures[p]))
                 for p in range(len(context))]
        ranked = sorted(range(len(context)), key=lambda p: (holds[p], semantic[p]), reverse=True)
        if own and not any(holds):
            claim.removed = True
            shown = ", ".join(q.text for q in own if not any(supported(q, f) for f in passage_figures))
            why = f"the figure {shown} is not in the passages" if shown else (
                f"no passage with its figures names {', '.join(named)}")
            warnings.append(f"Removed “{claim.text}”: {why}.")
            continue
        keep = [n for n in valid if holds[n - 1] and semantic[n - 1] >= semantic[ranked[0]] - margin]
        top = ranked[0] + 1
        if not keep:
            if semantic[ranked[0]] < support_floor and not own:
                warnings.append(f"No passage supports “{claim.text}”.")
                claim.passages = []
                continue
            if valid:
                # no numbers: the answer's citations are renumbered after checking
                warnings.append(f"Moved the citation of “{claim.text}” to the passage that supports it.")
            keep = [top]
        claim.passages = keep
        for n in keep:
            score = semantic[n - 1]
            if n not in quotes or score > quotes[n][0]:
                quotes[n] = (score, best_row[n - 1])
    return Checked(claims, warnings, {n: row for n, (_, row) in quotes.items()})
