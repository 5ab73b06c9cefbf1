"""From a question to a verified answer, as a stream of events the UI and the CLI consume.

    for event in answer_events(engine, "What are the Nvidia–OpenAI tranche terms?"):
        ...  # Stage, Found, Quick, Token, then one Final

The steps, each a function with a typed result:

    read_question  -> Asked       language, names, the kinds of fact asked for
    gather         -> Evidence    passages and their sentences scored against the question
    screen         -> Reply|None  out of scope, or nothing relevant: answered without the model
    quick_lines    -> [Line]      the best evidence sentences, verbatim (app.evidence)
    build_context  -> [Context]   what the model reads (app.evidence)
    generate       -> Draft       the model's text, or why there is none
    check          -> Verified    only sentences a passage says, each with its passages (app.verify)
    decide         -> Reply       the verified answer, the quick answer, or a refusal
      cover        -> [Line]      every part of the question answered, added, or named as missing

Order of events: Stage(searching) → Found → Quick → Stage(reading) → Token… → Stage(checking) →
Final. Every path ends with exactly one Final. While the model is silent, Stage(reading) comes
again every `PULSE_S` with the time so far (and how much of the prompt it has read, when it says).

The work before the model and the model's part are two generators, `prepare` and `complete`,
so a page can show the passages and the quick answer while the question waits for the model:

    prepared = yield from prepare(engine, question)    # None when answered without the model
    yield from complete(engine, prepared)
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field

from langchain_core.messages import HumanMessage, SystemMessage

from app.amounts import find_quantities
from app.cite import Line, Source, number
from app.conflicts import describe, find_conflicts
from app.display import plain
from app.engine import Engine
from app.entities import known_names, mentions, question_names
from app.evidence import ContextPassage, Scored, build_context, quick_lines, score_sentences
from app.llm import ModelTimeout, Pulse, stream_until
from app.parts import Parts
from app.prompts import INSTRUCTION, render
from app.replies import REFUSAL_TEXT, SCOPE_TEXT, related
from app.retrieve import search_text
from app.scope import IN_SCOPE
from app.validate import clean_question
from app.verify import Verified, check, is_refusal, question_fit, section
from core.records import Answer, Citation, Note, Passage
from index.keywords import query_language

# What each kind of fact asked for looks like among an answer's figures (app/data/wants.tsv).
FIGURE_KINDS = {"amount": {"usd", "cny", "count"}, "count": {"count", "shares"}, "percent": {"percent"},
                "date": {"year", "duration"}, "capacity": {"gw", "mw"}}


PULSE_S = 0.4  # a silent model still moves the status line at least this often (issue 14: ≤ 0.5 s)


@dataclass(frozen=True)
class Stage:
    name: str  # searching | reading | writing | checking
    elapsed: float
    read: float | None = None  # while reading: share of the prompt read, when the model makes it known


@dataclass(frozen=True)
class Found:
    passages: list[Passage]
    elapsed: float


@dataclass(frozen=True)
class Quick:
    text: str
    citations: list[Citation]
    elapsed: float


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Final:
    answer: Answer


Event = Stage | Found | Quick | Token | Final


@dataclass(frozen=True)
class Asked:
    text: str
    language: str
    history: tuple[tuple[str, str], ...]
    names: list[str]  # companies, people, products the question is about
    years: list[str]  # calendar years the question names
    wants: frozenset[str]  # kinds of fact asked for: amount, count, percent, date, capacity
    parts: Parts = Parts((), False)  # what a complete answer covers (app.parts)


@dataclass(frozen=True)
class Evidence:
    passages: list[Passage]
    scored: list[Scored]  # sentences of the passages against the question, best first
    vector: list[float]  # the question's own embedding (a follow-up's, without its history)
    timings: dict[str, float]
    parts: list[list[Scored]] = field(default_factory=list)  # per part of a question that asks several things

    @property
    def best(self) -> float:
        return self.scored[0].score if self.scored else 0.0


@dataclass(frozen=True)
class Draft:
    text: str
    failure: Note | None = None  # why the model gave no text: model_timeout, model_failed, no_model


@dataclass(frozen=True)
class Reply:
    """What the user is shown, before citations are numbered."""

    lines: list[Line]
    source: str  # model | quick | refusal | scope
    notes: list[Note] = field(default_factory=list)
    signals: dict[str, float] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.source in ("refusal", "scope")


class Clock:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.marks: dict[str, float] = {}

    def now(self) -> float:
        return round(time.perf_counter() - self.started, 3)

    def mark(self, name: str) -> float:
        self.marks[name] = self.now()
        return self.marks[name]


def read_question(engine: Engine, question: str, history: Sequence[tuple[str, str]]) -> Asked:
    question = clean_question(question)
    found = question_names(question)
    known = known_names(found, lambda w: bool(engine.index.keyword.known([w])), engine.retriever.glossary)
    # A name of two or more capitalised words ("Satya Nadella") names someone even when the corpus
    # does not know it; a lone unknown word ("October", "Wall") may be anything (D9).
    names = [n for n in found if n in known or (n.isascii() and " " in n)]
    years = list(dict.fromkeys(str(int(q.value)) for q in find_quantities(question) if q.kind == "year"))
    return Asked(question, query_language(question), tuple(history), names, years, engine.lexicon.asked_kinds(question),
                 engine.lexicon.parts.parts(question, names))


def gather(engine: Engine, asked: Asked) -> Evidence:
    """Passages found with the conversation; their sentences scored for what is asked now."""
    found = engine.retriever.search(search_text(asked.text, asked.history), k=engine.settings.retrieve_k)
    vector = found.vector
    if asked.history:
        vector = engine.retriever.query_vector(asked.text, asked.language)
        sentence_vector = [(a + b) / 2 for a, b in zip(found.vector, vector)]
    else:
        sentence_vector = vector
    scored = score_sentences(engine.index, found.passages, sentence_vector)
    parts = []
    if asked.parts.several:  # one more embedding per part (~40 ms each) so each part's sentences are known
        parts = [score_sentences(engine.index, found.passages, engine.retriever.query_vector(text, asked.language))
                 for text in asked.parts.texts]
    return Evidence(found.passages, scored, vector, {k: round(v, 4) for k, v in found.timings.items()}, parts)


def screen(engine: Engine, asked: Asked, evidence: Evidence) -> tuple[Reply | None, dict[str, float]]:
    """A reply without the model (a request the chat does not serve, or nothing relevant found),
    and the signals read on the way."""
    policy = engine.settings.policy
    scope = engine.scope.read(evidence.vector)
    signals = {"evidence": round(evidence.best, 4), "scope_margin": scope.margin}
    irrelevant = evidence.best < policy.relevance_floor
    # out of scope by a clear margin, or nothing relevant and it reads like a joke, an instruction, advice
    if scope.kind != IN_SCOPE and (scope.margin >= policy.scope_margin or irrelevant):
        note = Note("out_of_scope", {"kind": scope.kind})
        return Reply([Line(SCOPE_TEXT[asked.language])], "scope", [note], signals), signals
    if irrelevant:
        note = Note("nothing_relevant", {"best": f"{evidence.best:.2f}", "floor": str(policy.relevance_floor)})
        return Reply([Line(REFUSAL_TEXT[asked.language])], "refusal", [note], signals), signals
    return None, signals


def messages(context: list[ContextPassage], question: str, language: str) -> list:
    user = render("answer_user.txt", passages=[{"n": c.n, "text": c.text} for c in context],
                  question=question, instruction=INSTRUCTION[language])
    return [SystemMessage(render("answer_system.txt")), HumanMessage(user)]


def generate(engine: Engine, context: list[ContextPassage], asked: Asked, clock: Clock) -> Generator[Event, None, Draft]:
    """Stream the model's answer as Token events; the Draft is the generator's return value."""
    if engine.chat is None:
        return Draft("", Note("no_model"))
    yield Stage("reading", clock.mark("reading_s"))
    pieces: list[str] = []
    try:
        for text in stream_until(engine.chat, messages(context, asked.text, asked.language),
                                 engine.settings.llm_timeout_s, tick_s=PULSE_S):
            if isinstance(text, Pulse):
                yield Stage("writing" if pieces else "reading", clock.now(), text.read)
                continue
            if not pieces:
                yield Stage("writing", clock.mark("first_token_s"))
            pieces.append(text)
            yield Token(text)
    except ModelTimeout as exc:
        return Draft("".join(pieces), Note("model_timeout", {"s": f"{exc.limit_s:g}"}))
    except Exception as exc:  # the model boundary: a dead server, a broken stream
        return Draft("".join(pieces), Note("model_failed", {"why": f"{type(exc).__name__}: {exc}"[:200]}))
    clock.mark("generate_s")
    return Draft("".join(pieces).strip())


def unnamed(engine: Engine, asked: Asked, sources: list[Source]) -> list[str]:
    """What the question asks about that no cited article mentions ("According to TradingKey" is
    answered by the TradingKey article, whose passages need not repeat its name)."""
    articles = {s.passage.source for s in sources}
    cited = "\n".join(engine.index.documents[source].text for source in articles)
    missing = [n for n in asked.names if not mentions(cited, n, engine.retriever.glossary)]
    # A year the question names must stand in a cited passage's section: DevDay 2023 is not the
    # DevDay of 2025 the article describes, even though the article names other years.
    sections = "\n".join(section(engine.index, s.passage) for s in sources)
    return missing + [y for y in asked.years if y not in sections]


def numeric_wants(asked: Asked) -> list[str]:
    """The kinds of fact asked for that a figure answers (amount, count, percent, date, capacity)."""
    return sorted(k for k in asked.wants if k in FIGURE_KINDS)


def kinds_answered(asked: Asked, figure_kinds: set[str]) -> float:
    """Share of the numeric kinds asked for that the answer's figures carry (1.0 when none is asked)."""
    wanted = numeric_wants(asked)
    if not wanted:
        return 1.0
    return sum(bool(FIGURE_KINDS[k] & figure_kinds) for k in wanted) / len(wanted)


def asked_figure_kinds(asked: Asked) -> set[str] | None:
    """Figure kinds that answer the question's numeric asks; None when it asks for no number."""
    wanted = numeric_wants(asked)
    return set().union(*(FIGURE_KINDS[k] for k in wanted)) if wanted else None


def stand_in(engine: Engine, asked: Asked, evidence: Evidence, quick: list[Line], notes: list[Note],
             why: Note, signals: dict[str, float], failed: bool = False) -> Reply:
    """The quick answer when it answers what was asked (strong evidence about the asked names; for a
    question asking for a number, a figure of that kind, in a clause about what was asked, for the
    asked period), else a refusal that shows the closest passage as related reading.

    When the model failed (down, hanging, none configured) nothing says the articles lack the
    answer, so strong evidence is shown for any question, labelled as the verbatim quick answer."""
    policy = engine.settings.policy
    sources = [s for line in quick for s in line.sources]
    missing = unnamed(engine, asked, sources)
    kinds = asked_figure_kinds(asked)
    fit = question_fit(asked.text, [line.text for line in quick], kinds, engine.lexicon,
                       engine.embedder.embed_documents) if kinds else None
    signals = {**signals, "quick_fit": fit if fit is not None else -1.0}
    if kinds is None:
        answers = evidence.best >= (policy.quick_min_evidence if failed else policy.quick_open_evidence)
    else:
        answers = fit is not None and fit >= policy.quick_fit_floor and evidence.best >= policy.quick_min_evidence
    if not missing and answers:
        return Reply(quick, "quick", notes + [why], signals)
    extra = [Note("names_unrelated", {"names": ", ".join(missing)})] if missing else []
    return refusal(asked, quick[:1] if not missing else [], notes + extra, signals)


def refusal(asked: Asked, closest: list[Line], notes: list[Note], signals: dict[str, float]) -> Reply:
    """The articles don't say; the closest passage, when it is about what was asked, as related reading."""
    lines = [Line(REFUSAL_TEXT[asked.language])]
    if closest:
        lines.append(related(closest[0], asked.language))
    return Reply(lines, "refusal", notes, signals)


def decide(engine: Engine, asked: Asked, evidence: Evidence, context: list[ContextPassage], quick: list[Line],
           draft: Draft, verified: Verified | None, signals: dict[str, float]) -> Reply:
    """One answerability decision over the signals: the verified answer, the quick answer, or a refusal."""
    signals = dict(signals)
    if draft.failure:
        return stand_in(engine, asked, evidence, quick, [], draft.failure, signals, failed=True)
    if verified is None:  # the model said the passages don't answer
        return stand_in(engine, asked, evidence, quick, [Note("model_no_answer")], Note("quick_instead"), signals)
    notes = list(verified.notes)
    if not verified.kept:
        return stand_in(engine, asked, evidence, quick, notes + [Note("nothing_verified")], Note("quick_instead"),
                        signals)
    lines = [Line(k.text, [Source(context[n - 1].passage, k.quotes[n], k.support) for n in k.passages])
             for k in verified.kept]
    sources = [s for line in lines for s in line.sources]
    relevance = {s.row: s.score for s in evidence.scored}
    signals.update(
        cited=round(max(relevance.get(s.row, 0.0) for s in sources), 4),
        support=round(min(k.support for k in verified.kept), 4),
        kept=round(len(verified.kept) / max(1, verified.claims), 4),
        kinds=kinds_answered(asked, {q.kind for k in verified.kept for q in k.figures}),
    )
    signals["coverage"] = round(min(k.coverage for k in verified.kept), 4)
    score = engine.settings.policy.answer_score(signals)
    if score is not None:
        signals["answer_score"] = round(score, 4)
    missing = unnamed(engine, asked, sources)
    if missing:
        return refusal(asked, [], notes + [Note("names_uncited", {"names": ", ".join(missing)})], signals)
    if not engine.settings.policy.answerable(signals):
        wants = ",".join(numeric_wants(asked))
        why = Note("not_answered", {"wants": wants}) if wants else Note("not_confident")
        return stand_in(engine, asked, evidence, quick, notes + [why], Note("quick_instead"), signals)
    added, part_notes = cover(engine, asked, evidence, lines)
    lines += added
    notes += part_notes
    for conflict in find_conflicts(engine.index, evidence.passages, evidence.scored, engine.settings.policy)[:1]:
        lines.append(describe(conflict, asked.language, evidence.passages))
        notes.append(Note("sources_differ"))
    return Reply(lines, "model", notes, signals)


def cover(engine: Engine, asked: Asked, evidence: Evidence, lines: list[Line]) -> tuple[list[Line], list[Note]]:
    """Every part of a question that asks several things: answered, added from the evidence, or
    named as not in the articles.

    A part counts as answered when a shown line cites a sentence among that part's most relevant
    (within `context_margin` of its best). A part with relevant evidence and no line gets that
    evidence verbatim when it is in the reader's language, else a note; a part whose best
    evidence is below the relevance floor is named as not in the articles (D22).
    """
    policy = engine.settings.policy
    cited = {s.row for line in lines for s in line.sources}
    added: list[Line] = []
    notes: list[Note] = []
    for text, scored in zip(asked.parts.texts, evidence.parts):
        if not scored or scored[0].score < policy.relevance_floor:
            notes.append(Note("part_not_found", {"part": text}))
            continue
        near = [s for s in scored if s.score >= scored[0].score - policy.context_margin]
        if cited & {s.row for s in near}:
            continue
        best = scored[0]
        sentence = engine.index.sentences[best.row]
        if query_language(sentence.text) == asked.language:
            added.append(Line(plain(sentence.text), [Source(evidence.passages[best.passage], best.row, best.score)]))
            cited.add(best.row)
            notes.append(Note("part_added", {"part": text}))
        else:
            notes.append(Note("part_missing", {"part": text}))
    return added, notes


def final(asked: Asked, evidence: Evidence, reply: Reply, engine: Engine, clock: Clock) -> Final:
    """Number the citations once, join the lines, stamp the times."""
    texts, citations = number(reply.lines, engine.index, asked.language)
    joiner = " " if reply.source == "model" and asked.language == "en" else ("" if reply.source == "model" else "\n")
    timings = {**evidence.timings, **clock.marks, "total_s": clock.now()}
    return Final(Answer(asked.text, asked.language, joiner.join(texts), reply.refused, citations, evidence.passages,
                        reply.notes, timings, reply.source, reply.signals))


@dataclass(frozen=True)
class Prepared:
    """Everything before the model: what the model step (`complete`) goes on from."""

    asked: Asked
    evidence: Evidence
    signals: dict[str, float]
    quick: list[Line]
    context: list[ContextPassage]
    clock: Clock


def prepare(engine: Engine, question: str, history: Sequence[tuple[str, str]] = ()) -> Generator[Event, None, Prepared | None]:
    """Search, screen and the quick answer (no model). Returns None when a Final was already
    yielded (out of scope, nothing relevant), else what `complete` needs."""
    clock = Clock()
    asked = read_question(engine, question, history)
    yield Stage("searching", 0.0)
    evidence = gather(engine, asked)
    yield Found(evidence.passages, clock.mark("retrieve_s"))
    early, signals = screen(engine, asked, evidence)
    if early:
        yield final(asked, evidence, early, engine, clock)
        return None
    quick = quick_lines(engine.index, evidence.passages, evidence.scored, engine.settings.policy)
    quick_text, quick_citations = number(quick, engine.index, asked.language)
    yield Quick("\n".join(quick_text), quick_citations, clock.mark("quick_s"))
    context = build_context(engine.index, evidence.passages, evidence.scored, asked.language, engine.settings.policy,
                            evidence.parts, asked.parts.spread, engine.lexicon.english)
    return Prepared(asked, evidence, signals, quick, context, clock)


def complete(engine: Engine, prepared: Prepared) -> Iterator[Event]:
    """The model's answer to a prepared question, checked sentence by sentence, then one Final."""
    asked, evidence, context, clock = prepared.asked, prepared.evidence, prepared.context, prepared.clock
    draft = yield from generate(engine, context, asked, clock)
    yield Stage("checking", clock.now())
    verified = None
    if not draft.failure and draft.text and not is_refusal(draft.text):
        started = time.perf_counter()
        verified = check(draft.text, asked.text, asked.language, context, engine.index, engine.embedder.embed_documents,
                         engine.retriever.glossary, engine.lexicon, engine.settings.policy)
        clock.marks["verify_s"] = round(time.perf_counter() - started, 4)
    reply = decide(engine, asked, evidence, context, prepared.quick, draft, verified, prepared.signals)
    yield final(asked, evidence, reply, engine, clock)


def answer_events(engine: Engine, question: str, history: Sequence[tuple[str, str]] = ()) -> Iterator[Event]:
    prepared = yield from prepare(engine, question, history)
    if prepared is not None:
        yield from complete(engine, prepared)


def answer(engine: Engine, question: str, history: Sequence[tuple[str, str]] = ()) -> Answer:
    """The final answer only (for the CLI and tests)."""
    final_answer = None
    for event in answer_events(engine, question, history):
        if isinstance(event, Final):
            final_answer = event.answer
    return final_answer
