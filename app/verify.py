"""Deterministic checks on a model's answer, sentence by sentence: only what a passage says is shown.

A sentence is kept with [n] only when passage n
- has its figures (after unit conversion) within three adjacent sentences, with one of its names;
- gives each figure in a clause about the same thing (the clauses' words compared by embedding,
  figures masked) and for the same period (a half-year figure is not the year's);
- has a sentence close to it in meaning (positive support, figures or not: a joke or an
  instruction cited as [1] has none).
Lead-ins and restated questions state nothing and are left out; an English sentence with
Chinese words left in it is left out. Markers that point nowhere are dropped, and a marker on
the wrong passage moves to the one that says it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from app.amounts import Quantity, find_quantities, matches, supported
from app.english import to_english
from app.entities import known_names, mentions, names
from app.evidence import ContextPassage
from app.lexicon import Lexicon
from core.records import Note
from core.settings import Policy
from index.chunking import split_sentences
from index.glossary import Glossary
from index.keywords import tokenize
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
LEAD_IN = re.compile(r"[:：]\s*(?:\[[\d\s,，、]+\]|【\s*\d+\s*】)+")
PASSAGE_REF = re.compile(r"(?:passages?|段落|第)\s*\d+(?:\s*(?:and|,|、|和)\s*\d+)*", re.I)
UNSUPPORTED_KINDS = {"usd", "cny", "percent", "gw", "mw", "shares", "count", "year", "duration"}


@dataclass
class Claim:
    """One sentence of the answer, as parsed."""

    text: str  # without markers
    cited: list[int]  # passage numbers as the model wrote them


@dataclass(frozen=True)
class Kept:
    """A sentence that passed every check, with the passages that say it."""

    text: str
    passages: list[int]  # context numbers
    quotes: dict[int, int]  # passage number -> sentence row that says it
    support: float  # cosine between the sentence and its best quote
    figures: list[Quantity]
    coverage: float  # share of its words (zh) or glossary terms (en) its best passage carries


@dataclass(frozen=True)
class Verified:
    kept: list[Kept]
    claims: int  # sentences that state something (lead-ins and restated questions are not counted)
    notes: list[Note]


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
    >>> [(c.text, c.cited) for c in parse_claims("The terms are as follows: [1] Per GW, US$10 billion [1].")]
    [('The terms are as follows:', [1]), ('Per GW, US$10 billion.', [1])]
    """
    claims: list[Claim] = []
    # "The terms are as follows: [1] Each tranche …": a marker after a colon ends a lead-in
    answer = LEAD_IN.sub(lambda m: m.group() + "\n", answer)
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


CLAUSE_END = re.compile(r"[,，;；:：。！？!?]|\s(?:and|but|while|whereas)\s")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# "Oracle (甲骨文)": a name given with its Chinese form is allowed in an English answer.
_GLOSSED = re.compile(r"[（(]\s*[\u3400-\u9fff\uf900-\ufaff][^()（）]{0,20}[)）]")


def clause_at(text: str, start: int, end: int, min_chars: int = 12) -> str:
    """The clause of `text` around text[start:end], with the clause before it when it is too short
    to say what the figure measures.

    >>> clause_at("OpenAI gets 10 GW, and Nvidia invests US$100 billion.", 38, 51)
    'Nvidia invests US$100 billion'
    >>> clause_at("其中，首期1GW，预计2026年下半年落地。", 5, 8)
    '其中，首期1GW'
    """
    bounds = [0] + [m.end() for m in CLAUSE_END.finditer(text)] + [len(text)]
    left = max(b for b in bounds if b <= start)
    right = min((m.start() for m in CLAUSE_END.finditer(text) if m.start() >= end), default=len(text))
    if right - left - (end - start) < min_chars:
        left = max([b for b in bounds if b < left] or [left])
    return text[left:right].strip(" ，,;；:：。.")


def masked(text: str) -> str:
    """Figures replaced by one mark, so comparing two phrases compares what they measure, not the number.

    >>> masked("部署4.5GW算力, worth US$300 billion")
    '部署#算力, worth #'
    """
    out, last = [], 0
    for q in find_quantities(text):
        out += [text[last:q.start], "#"]
        last = q.end
    return "".join(out) + text[last:]


def foreign(text: str) -> bool:
    """An English sentence carries Chinese words (a name glossed in brackets is fine).

    >>> foreign("Oracle (甲骨文) leases 4.5 GW."), foreign("It goes live in 2026年下半年.")
    (False, True)
    """
    return bool(_CJK.search(_GLOSSED.sub("", text)))


def claimless(text: str, question: str, fillers: frozenset[str]) -> bool:
    """A lead-in or a restated question: nothing left to cite once the question's words go.

    >>> f = frozenset(["terms", "follows"])
    >>> claimless("The tranche terms are as follows:", "What are the tranche terms?", f)
    True
    >>> claimless("Each tranche is US$10 billion.", "What are the tranche terms?", f)
    False
    """
    if text.rstrip().endswith((":", "：")):
        return True
    asked = set(tokenize(question))  # a figure the question already gives is no news either
    return not [t for t in tokenize(text) if t not in asked and t not in fillers and len(t) > 1]


@dataclass(frozen=True)
class _Pair:
    passage: int
    figure: int
    answer_clause: str
    passage_clause: str
    periods_ok: bool


def _pairs(text: str, own: list[Quantity], p: int, window: list[str], lexicon: Lexicon) -> list[_Pair]:
    """Each occurrence in passage p's sentences of each of the answer's figures, with the clauses around both."""
    out = []
    answer_periods = lexicon.period_codes(text)
    for i, q in enumerate(own):
        mine = clause_at(text, q.start, q.end)
        mine_periods = lexicon.period_codes(mine)
        for sentence in window:
            for held in find_quantities(sentence):
                if not matches(q, held):
                    continue
                theirs = clause_at(sentence, held.start, held.end)
                # No period the passage does not give; the passage's own half-year or quarter kept.
                ok = not (mine_periods - lexicon.period_codes(sentence)) and not (
                    lexicon.period_codes(theirs) - answer_periods)
                out.append(_Pair(p, i, mine, theirs, ok))
    return out


def _figure_fit(text: str, own: list[Quantity], holding: list[int], sentences: list[list[str]],
                lexicon: Lexicon, embed, floor: float) -> tuple[dict[int, bool], str | None]:
    """Per holding passage: does every figure stand there in a clause about the same thing (cosine
    of the clauses ≥ `floor`; 0 leaves the clauses unembedded), for the same period?"""
    pairs = [pair for p in holding for pair in _pairs(text, own, p, sentences[p], lexicon)]
    sims = [1.0] * len(pairs)
    if floor > 0 and pairs:
        texts = list(dict.fromkeys(masked(t) for pair in pairs for t in (pair.answer_clause, pair.passage_clause)))
        vectors = dict(zip(texts, np.asarray(embed(texts), dtype=np.float32)))
        sims = [float(vectors[masked(pair.answer_clause)] @ vectors[masked(pair.passage_clause)]) for pair in pairs]
    fit, why = {}, None
    for p in holding:
        ok_figures = {pair.figure for pair, sim in zip(pairs, sims) if pair.passage == p and pair.periods_ok
                      and sim >= floor}
        fit[p] = len(ok_figures) == len(own)
        if not fit[p] and why is None:
            period_only = {pair.figure for pair, sim in zip(pairs, sims) if pair.passage == p and sim >= floor}
            why = "period_mismatch" if len(period_only) == len(own) else "figure_context"
    return fit, why


# A section heading: a short line of its own without sentence punctuation, digits or a list mark,
# plain ("核心合作框架与规模"), Markdown ("### 基础设施的盟友共荣") or bold ("**1. 甲骨文的云服务背书**").
HEADING = re.compile(r"^(?:#{1,6}[ \t]*|\*\*(?:\d{1,2}\.[ \t]*)?)?(?![-*•\s])[^\n。！？.!?:：,，\d*]{2,30}(?:\*\*)?$",
                     re.M)


@lru_cache(maxsize=64)
def _headings(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of every heading line of a document, found once per document text."""
    return tuple((m.start(), m.end()) for m in HEADING.finditer(text))


def section_start(text: str, at: int) -> int:
    r"""Where the section holding offset `at` begins (its heading line), else 0.

    >>> text = "Intro.\n核心条款\n首期1GW。\n累计10GW。"
    >>> text[section_start(text, text.index("累计")):]
    '核心条款\n首期1GW。\n累计10GW。'
    >>> text = "### 盟友\n甲骨文和CoreWeave。\n**2. CoreWeave的资本闭环**\n另一家公司。"
    >>> text[section_start(text, text.index("另一家")):]
    '**2. CoreWeave的资本闭环**\n另一家公司。'
    """
    # the headings that end before `at`, or the start of its own line when that reads as one
    line = text.rfind("\n", 0, at) + 1
    own = [line] if HEADING.fullmatch(text, line, at) else []
    return max([start for start, end in _headings(text) if end <= at] + own, default=0)


def _leads(index: IndexReader, rows: list[int]) -> list[str]:
    """For each sentence of a passage: the document from its section's start to the end of its window."""
    out = []
    for i in range(len(rows)):
        first, last = index.sentences[rows[max(0, i - 1)]], index.sentences[rows[min(len(rows) - 1, i + 1)]]
        text = index.documents[first.source].text
        out.append(text[section_start(text, first.start):last.end])
    return out


def section(index: IndexReader, passage) -> str:
    """The passage with the rest of its section before it: what a claim's words may come from."""
    text = index.documents[passage.source].text
    return text[section_start(text, passage.start):passage.end]


def coverage(text: str, language: str, passage: str, glossaries: list[Glossary | None],
             fillers: frozenset[str]) -> tuple[float, list[str]]:
    """Share of a sentence's words the passage carries, and the words it lacks.

    Chinese: content words (not figures, fillers or single characters). English: terms the
    glossary knows, each carried by one of its Chinese forms; other English words cannot be
    looked up in a Chinese passage, so they are left to the embedding checks.

    >>> coverage("英伟达全资收购了CoreWeave。", "zh", "英伟达向CoreWeave投资了63亿美元。", [], frozenset())
    (0.6, ['全资', '收购'])
    """
    lowered = passage.lower()
    if language == "zh":
        words = [w for w in dict.fromkeys(tokenize(text)) if len(w) > 1 and w not in fillers
                 and not find_quantities(w) and not re.fullmatch(r"[\d.]+|亿美元|美元|万亿|亿元", w)]
        missing = [w for w in words if w.lower() not in lowered]
    else:
        words = [term for glossary in glossaries if glossary is not None for term in glossary.terms(text)]
        missing = [english for english, forms in words if english not in lowered and not any(f in passage for f in forms)]
    return (round(1 - len(missing) / len(words), 4) if words else 1.0), missing


def _quote_row(index: IndexReader, rows: list[int], sims: np.ndarray, own: list[Quantity]) -> int:
    """The sentence holding the claim's figures, else the closest in meaning."""
    order = sorted(range(len(rows)), key=lambda i: -float(sims[i]))
    for i in order:
        held = find_quantities(index.sentences[rows[i]].text)
        if own and all(supported(q, held) for q in own):
            return rows[i]
    return rows[order[0]]


def check(answer: str, question: str, language: str, context: list[ContextPassage], index: IndexReader,
          embed: Callable[[list[str]], list[list[float]]], glossary: Glossary | None, lexicon: Lexicon,
          policy: Policy) -> Verified:
    """Every sentence of `answer` against the context passages; only sentences a passage says are kept."""
    notes: list[Note] = []
    if not context:
        return Verified([], 0, notes)
    rows = [index.chunk_sentences[index.chunk_row[c.passage.chunk_id]] for c in context]
    sentences = [[index.sentences[r].text for r in rs] or [c.passage.text] for rs, c in zip(rows, context)]
    # Figures must stand together: within three adjacent sentences of one passage. A name may
    # stand earlier ("英伟达 … 该公司的市值 … 飙升5%", a milestone list under a heading about the
    # deal), so names are looked for from the start of the window's section to the window's end.
    windows = [["".join(w[max(0, i - 1):i + 2]) for i in range(len(w))] for w in sentences]
    leads = [_leads(index, rs) or [c.passage.text] for rs, c in zip(rows, context)]
    window_figures = [[find_quantities(w) for w in ws] for ws in windows]
    sections = [section(index, c.passage) for c in context]
    passage_figures = [find_quantities(c.passage.text) for c in context]
    asked_words = {w.lower() for w in tokenize(question)} | {
        english for g in (glossary, lexicon.claim_terms) if g is not None for english, _ in g.terms(question)}
    stating = []
    for claim in parse_claims(answer):
        text = to_english(claim.text, lexicon.english) if language == "en" else claim.text
        if claimless(text, question, lexicon.fillers):
            notes.append(Note("claimless", {"sentence": text}))
        elif language == "en" and foreign(text):
            notes.append(Note("wrong_language", {"sentence": text}))
        else:
            stating.append((claim, text))
    if not stating:
        return Verified([], 0, notes)
    vectors = np.asarray(embed([text for _, text in stating]), dtype=np.float32)
    kept: list[Kept] = []
    for (claim, text), vector in zip(stating, vectors):
        valid = []
        for n in dict.fromkeys(claim.cited):
            if 1 <= n <= len(context):
                valid.append(n)
            else:
                notes.append(Note("marker_dropped", {"n": str(n)}))
        sims = [index.sentence_vectors[r] @ vector if r else np.zeros(1) for r in rows]
        semantic = [float(s.max()) for s in sims]
        own = figures(text)
        named = known_names(names(text), lambda w: bool(index.keyword.known([w])), glossary)
        # A passage holds a sentence when it has all its figures and names one of its companies or
        # people. "all names" was measured too strict (D14): "after Jensen Huang's GTC keynote".
        holds = [any(all(supported(q, held) for q in own)
                     and (not named or any(mentions(lead, name, glossary) for name in named))
                     for lead, held in zip(leads[p], window_figures[p]))
                 for p in range(len(context))]
        if own and not any(holds):
            shown = ", ".join(q.text for q in own if not any(supported(q, f) for f in passage_figures))
            notes.append(Note("figure_missing", {"sentence": text, "figures": shown}) if shown else
                         Note("name_missing", {"sentence": text, "names": ", ".join(named)}))
            continue
        fits = [True] * len(context)
        if own:
            fit, why = _figure_fit(text, own, [p for p in range(len(context)) if holds[p]], sentences, lexicon,
                                   embed, policy.figure_context_floor)
            fits = [fit.get(p, False) for p in range(len(context))]
            if not any(fits):
                notes.append(Note(why or "figure_context", {"sentence": text,
                                                            "figures": ", ".join(q.text for q in own)}))
                continue
        # Positive support: the passage has a sentence close in meaning, figures or not, and carries
        # the sentence's words (a relation, an attribute: 收购 is not 投资, employees are not GPUs).
        ok = [holds[p] and fits[p] and semantic[p] >= policy.support_floor for p in range(len(context))]
        if not any(ok):
            notes.append(Note("unsupported", {"sentence": text}))
            continue
        covered = {p: coverage(text, language, sections[p], [glossary, lexicon.claim_terms], lexicon.fillers)
                   for p in range(len(context)) if ok[p]}
        # Words the sentence takes from the question and its passage lacks: an accepted premise
        # ("既然CoreWeave已被全资收购…" answered "英伟达全资收购CoreWeave后…").
        echoed = {p: [w for w in covered[p][1] if w.lower() in asked_words] for p in covered}
        ok = [ok[p] and covered[p][0] >= policy.coverage_floor and len(echoed[p]) <= policy.echo_missing_max
              for p in range(len(context))]
        if not any(ok):
            missing = min(covered.values(), key=lambda c: len(c[1]))[1]
            notes.append(Note("words_missing", {"sentence": text, "words": ", ".join(missing)}))
            continue
        best = max((p for p in range(len(context)) if ok[p]), key=lambda p: semantic[p])
        keep = [n for n in valid if ok[n - 1] and semantic[n - 1] >= semantic[best] - policy.citation_margin]
        if not keep:
            if valid:
                notes.append(Note("citation_moved", {"sentence": text}))
            keep = [best + 1]
        quotes = {n: _quote_row(index, rows[n - 1], sims[n - 1], own) for n in keep}
        kept.append(Kept(text, keep, quotes, max(semantic[n - 1] for n in keep), own,
                         max(covered[n - 1][0] for n in keep)))
    return Verified(kept, len(stating), notes)


def question_fit(question: str, texts: list[str], kinds: set[str] | None, lexicon: Lexicon, embed) -> float | None:
    """How well the figures of `texts` answer what the question asks: the best cosine between the
    question and the clause around a figure (figures masked in both), over figures of the asked
    kinds (all figures when `kinds` is None) whose clause names no period the question does not.
    None when there is no such figure to judge.

    "How many employees?" answered by "400万颗GPU" has a count, but its clause is about GPUs;
    "全年营收" answered by "上半年营收为150亿美元" has the amount, for another period.
    """
    asked_periods = lexicon.period_codes(question)
    clauses = []
    for text in texts:
        for q in find_quantities(text):
            if kinds is not None and q.kind not in kinds:
                continue
            clause = clause_at(text, q.start, q.end)
            if not (lexicon.period_codes(clause) - asked_periods):
                clauses.append(masked(clause))
    if not clauses:
        return None
    vectors = np.asarray(embed([masked(question), *dict.fromkeys(clauses)]), dtype=np.float32)
    return round(float((vectors[1:] @ vectors[0]).max()), 4)
