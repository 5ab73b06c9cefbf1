"""From a question to a verified answer, as a stream of events the UI and the CLI consume.

    for event in answer_events(engine, "What are the Nvidia–OpenAI tranche terms?"):
        ...  # Stage, Found, Quick, Token, then one Final

The steps, each a function with a typed result (the answering itself is app.answering, D30):

    read_question  -> Asked        language, the parts a complete answer covers
    gather         -> Evidence     passages and their sentences scored against the question
    screen         -> Reply|None   out of scope, or nothing relevant: answered without the model
    quick_lines    -> [Line]       the best evidence sentences, verbatim (app.evidence)
    choose         -> [Candidate]  the sentences the model may point at, numbered (app.answering)
    point          -> Pointed      the numbers of the sentences that answer, or 0, and how sure
    decide         -> Reply        the pointed sentences the checks accept, or a refusal
    render         -> Reply        each line in the reader's language, checked (app.answering.render)

Every line shown is a sentence of an article: the model points, it never writes an answer.

Order of events: Stage(searching) → Found → Quick → Stage(reading) → [Stage(writing) → Token…]
→ Final. Tokens come only while lines are translated for the reader. Every path ends with
exactly one Final. While the model is silent, Stage(reading) comes again every `PULSE_S` with the
time so far (and how much of the prompt it has read, when it says).

The work before the model and the model's part are two generators, `prepare` and `complete`,
so a page can show the passages and the quick answer while the question waits for the model:

    prepared = yield from prepare(engine, question)    # None when answered without the model
    yield from complete(engine, prepared)
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field

from app.answering.candidates import Candidate, choose
from app.answering.decide import Pointed, answers, chosen, judge
from app.answering.point import first_choice, messages, picks
from app.answering.render import Renderer, passes
from app.cite import Line, Source, number
from app.conflicts import find_conflicts
from app.display import plain
from app.engine import Engine
from app.entities import question_names
from app.evidence import Scored, quick_lines, score_sentences
from app.followup import refers_back
from app.llm import ModelTimeout, Pulse, stream_until
from app.parts import Parts
from app.replies import REFUSAL_TEXT, related
from app.retrieve import search_text
from app.scope import IN_SCOPE
from app.translate import TranslationCache, cache_path, model_id
from app.validate import clean_question
from core.records import Answer, Citation, Note, Passage, Signals
from index.keywords import query_language

PULSE_S = 0.4  # a silent model still moves the status line at least this often (issue 14: ≤ 0.5 s)
POINT_TOKENS = 24  # "3, 7, 12, 5": a few numbers; a model that starts to write is cut short
FIRST_CHOICES = 20  # the first token's likeliest tokens read: "0" and every tag, past "<" and words (D31)


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
    # the conversation, when the question refers back to it (app.followup); empty when it names its
    # own subject, whatever was asked before
    history: tuple[tuple[str, str], ...]
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
class Reply:
    """What the user is shown, before citations are numbered."""

    lines: list[Line]
    source: str  # model | quick | refusal | scope
    notes: list[Note] = field(default_factory=list)
    signals: Signals = field(default_factory=Signals)

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
    language = query_language(question)
    follows = bool(history) and refers_back(question, language, engine.index.keyword.tokenize)
    return Asked(question, language, tuple(history) if follows else (),
                 engine.lexicon.parts.parts(question, question_names(question, engine.index.keyword.tokenize)))


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


def screen(engine: Engine, asked: Asked, evidence: Evidence) -> tuple[Reply | None, Signals]:
    """A reply without the model (a request the chat does not serve, or nothing relevant found),
    and the signals read on the way."""
    policy = engine.settings.policy
    scope = engine.scope.read(evidence.vector)
    signals = Signals(evidence=round(evidence.best, 4), scope_margin=scope.margin)
    irrelevant = evidence.best < policy.relevance_floor
    # out of scope by a clear margin, or nothing relevant and it reads like a joke, an instruction, advice
    if scope.kind != IN_SCOPE and (scope.margin >= policy.scope_margin or irrelevant):
        note = Note("out_of_scope", {"kind": scope.kind})
        return Reply([Line(engine.about.scope_reply(asked.language))], "scope", [note], signals), signals
    if irrelevant:
        note = Note("nothing_relevant", {"best": f"{evidence.best:.2f}", "floor": str(policy.relevance_floor)})
        return Reply([Line(REFUSAL_TEXT[asked.language])], "refusal", [note], signals), signals
    return None, signals


def point(engine: Engine, candidates: list[Candidate], evidence: Evidence, asked: Asked,
          clock: Clock) -> Generator[Event, None, Pointed]:
    """The model's numbers for the sentences that answer; the Pointed is the generator's return value."""
    if engine.chat is None:
        return Pointed(None, "", Note("no_model"))
    most = engine.settings.policy.pick_most
    earlier = asked.history[-1][0] if asked.history else ""
    yield Stage("reading", clock.mark("reading_s"))
    pieces: list[str] = []
    steps: list[dict] = []
    try:
        for text in stream_until(engine.chat, messages(candidates, evidence.passages, asked.text, earlier, most),
                                 engine.settings.llm_timeout_s, tick_s=PULSE_S, logprobs=steps,
                                 max_tokens=POINT_TOKENS, top_logprobs=FIRST_CHOICES):
            if isinstance(text, Pulse):
                yield Stage("reading", clock.now(), text.read)
                continue
            if not pieces:
                clock.mark("first_token_s")
            pieces.append(text)
    except ModelTimeout as exc:
        return Pointed(None, "".join(pieces), Note("model_timeout", {"s": f"{exc.limit_s:g}"}))
    except Exception as exc:  # the model boundary: a dead server, a broken stream
        return Pointed(None, "".join(pieces), Note("model_failed", {"why": f"{type(exc).__name__}: {exc}"[:200]}))
    clock.mark("point_s")
    reply = "".join(pieces).strip()
    return Pointed(picks(reply, len(candidates), most), reply, first=first_choice(steps, len(candidates)))


def line(evidence: Evidence, c: Candidate) -> Line:
    return Line(c.text, [Source(evidence.passages[c.passage], c.row, c.score)])


def decide(engine: Engine, asked: Asked, evidence: Evidence, candidates: list[Candidate], pointed: Pointed,
           quick: list[Line], signals: Signals) -> Reply:
    """The pointed sentences the checks accept (with the other side of a disagreement), the quick
    answer when the model failed, or a refusal."""
    policy = engine.settings.policy
    by_tag = {c.tag: c for c in candidates}
    picked = [by_tag[t] for t in chosen(pointed, policy)]
    signals = dataclasses.replace(signals, candidates=len(candidates),
                                  picked=-1 if pointed.picks is None else len(picked),
                                  picked_best=round(max((c.score for c in picked), default=0.0), 4),
                                  none_share=-1.0 if pointed.first is None else round(pointed.first.get(0, 0.0), 4))
    if pointed.failure:
        # nothing says the articles lack the answer: strong evidence is shown verbatim, labelled
        if evidence.best >= policy.quick_min_evidence:
            return Reply(quick, "quick", [pointed.failure], signals)
        return refusal(engine, asked, evidence, candidates, [pointed.failure], signals)
    kept, notes = judge(picked, engine.index, policy)
    signals = dataclasses.replace(signals, shown=len(kept))
    if not kept:
        why = Note("model_no_answer") if not picked else Note("nothing_relevant_picked")
        return refusal(engine, asked, evidence, candidates, notes + [why], signals)
    lines = [line(evidence, c) for c in kept]
    rows = {c.row for c in kept}
    for conflict in find_conflicts(engine.index, evidence.passages, evidence.scored, policy):
        sides = (conflict.first, conflict.second)
        shown = [s.row in rows for s in sides]
        if any(shown) and not all(shown):  # one side is in the answer: the other article's is shown too
            other = sides[shown.index(False)]
            lines.append(Line(plain(engine.index.sentences[other.row].text).strip(),
                              [Source(evidence.passages[other.passage], other.row, other.score)]))
            notes.append(Note("sources_differ"))
            break
    return Reply(lines, "model", notes, signals)


def refusal(engine: Engine, asked: Asked, evidence: Evidence, candidates: list[Candidate], notes: list[Note],
            signals: Signals) -> Reply:
    """The articles don't say. The closest sentence is offered as related reading only when the
    checks would not show it as an answer: a sentence that answers is never called 'related'."""
    lines = [Line(REFUSAL_TEXT[asked.language])]
    best = max(candidates, key=lambda c: c.score, default=None)
    if best is not None and not answers(best, engine.index, engine.settings.policy):
        lines.append(related(line(evidence, best), asked.language))
    return Reply(lines, "refusal", notes, signals)


def renderer(engine: Engine) -> Renderer:
    return Renderer(engine.chat, TranslationCache(cache_path(engine.settings)), model_id(engine.settings),
                    engine.names, timeout_s=engine.settings.llm_timeout_s)


def render(engine: Engine, asked: Asked, reply: Reply, clock: Clock) -> Generator[Event, None, Reply]:
    """The lines of an answer in the reader's language: lines in another language are translated
    in one model call and checked; a line whose translation fails a check stays the quote, noted."""
    foreign = [i for i, ln in enumerate(reply.lines) if query_language(ln.text) != asked.language]
    # only the model's answer: a quick answer stands in because the model failed, so it is not asked again
    if reply.source != "model" or not foreign or engine.chat is None:
        return reply
    source = query_language(reply.lines[foreign[0]].text)
    foreign = [i for i in foreign if query_language(reply.lines[i].text) == source]
    yield Stage("writing", clock.mark("render_started_s"))
    renderings = yield from _rendered(renderer(engine), [reply.lines[i].text for i in foreign], source, asked.language)
    clock.mark("render_s")
    lines, notes = list(reply.lines), list(reply.notes)
    for i, rendering in zip(foreign, renderings):
        if passes(rendering):
            lines[i] = dataclasses.replace(lines[i], text=rendering.text, rendering=rendering)
        else:
            lines[i] = dataclasses.replace(lines[i], rendering=rendering)
            notes.append(Note("rendering_failed", {"sentence": reply.lines[i].text}))
    return dataclasses.replace(reply, lines=lines, notes=notes)


def _rendered(rend: Renderer, originals: list[str], source: str, target: str) -> Generator[Event, None, list]:
    run = rend.render(originals, source, target)
    while True:
        try:
            piece = next(run)
        except StopIteration as done:
            return done.value
        if isinstance(piece, str):
            yield Token(piece)


def final(asked: Asked, evidence: Evidence, reply: Reply, engine: Engine, clock: Clock) -> Final:
    """Number the citations once, join the lines, stamp the times."""
    texts, citations = number(reply.lines, engine.index, asked.language)
    joiner = " " if asked.language == "en" else ("" if reply.source == "model" else "\n")
    timings = {**evidence.timings, **clock.marks, "total_s": clock.now()}
    return Final(Answer(asked.text, asked.language, joiner.join(texts), reply.refused, citations, evidence.passages,
                        reply.notes, timings, reply.source, reply.signals,
                        asked.history[-1][0] if asked.history else ""))


@dataclass(frozen=True)
class Prepared:
    """Everything before the model: what the model step (`complete`) goes on from."""

    asked: Asked
    evidence: Evidence
    signals: Signals
    quick: list[Line]
    candidates: list[Candidate]
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
    candidates = choose(engine.index, evidence.passages, evidence.scored, engine.settings.policy, evidence.parts)
    return Prepared(asked, evidence, signals, quick, candidates, clock)


def complete(engine: Engine, prepared: Prepared) -> Iterator[Event]:
    """The model's pick among the candidates, checked, rendered for the reader, then one Final."""
    asked, evidence, clock = prepared.asked, prepared.evidence, prepared.clock
    pointed = yield from point(engine, prepared.candidates, evidence, asked, clock)
    yield Stage("checking", clock.now())
    reply = decide(engine, asked, evidence, prepared.candidates, pointed, prepared.quick, prepared.signals)
    reply = yield from render(engine, asked, reply, clock)
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
