"""From a question to a verified answer, as a stream of events the UI and the CLI consume.

    for event in answer_events(engine, "What are the Nvidia–OpenAI tranche terms?"):
        ...  # Stage, Found, Quick, Token, then one Final

Order: Stage(searching) → Found (passages) → Quick (extractive answer, no model) →
Stage(reading) → Token... → Stage(checking) → Final (verified answer). A refusal or a model
failure still ends with exactly one Final.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage

from app.conflicts import describe, find_conflicts
from app.entities import known_names, mentions, question_names
from app.engine import Engine
from app.evidence import ContextPassage, build_context, citation, quick_answer, score_sentences, with_markers
from app.prompts import INSTRUCTION, render
from app.retrieve import search_text
from app.validate import clean_question
from app.verify import check, is_refusal
from core.records import Answer, Citation, Passage
from index.keywords import query_language

REFUSAL_TEXT = {
    "en": "The articles don't say. They do not cover this question; the closest passages are listed as related.",
    "zh": "文章没有提到这一点。下面列出的是最接近的段落，仅供参考。",
}
FALLBACK_NOTE = {
    "en": "The model could not answer ({why}); this is the quick answer taken verbatim from the passages.",
    "zh": "模型未能作答（{why}），以下为直接摘自段落的快速回答。",
}


@dataclass(frozen=True)
class Stage:
    name: str  # searching | reading | writing | checking
    elapsed: float


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


def messages(context: list[ContextPassage], question: str, language: str) -> list:
    user = render("answer_user.txt", passages=[{"n": c.n, "text": c.text} for c in context],
                  question=question, instruction=INSTRUCTION[language])
    return [SystemMessage(render("answer_system.txt")), HumanMessage(user)]


def _final(question: str, language: str, text: str, refused: bool, citations: list[Citation],
           retrieved: list[Passage], warnings: list[str], timings: dict, source: str, started: float) -> Final:
    timings = {**timings, "total_s": round(time.perf_counter() - started, 3)}
    return Final(Answer(question, language, text, refused, citations, retrieved, warnings, timings, source))


def answer_events(engine: Engine, question: str, history: Sequence[tuple[str, str]] = ()) -> Iterator[Event]:
    started = time.perf_counter()
    elapsed = lambda: round(time.perf_counter() - started, 3)  # noqa: E731
    question = clean_question(question)
    language = query_language(question)
    yield Stage("searching", 0.0)
    found = engine.retriever.search(search_text(question, history), k=engine.settings.retrieve_k)
    passages = found.passages
    vector = found.vector
    if history:  # sentences are chosen for what is asked now, within passages found with the context
        vector = [(a + b) / 2 for a, b in zip(vector, engine.retriever.query_vector(question, language))]
    scored = score_sentences(engine.index, passages, vector)
    timings = {"retrieve_s": elapsed(), **{k: round(v, 4) for k, v in found.timings.items()}}
    yield Found(passages, timings["retrieve_s"])

    def refusal(warnings: list[str]) -> Final:
        return _final(question, language, REFUSAL_TEXT[language], True, [], passages, warnings, timings,
                      "refusal", started)

    if not scored or scored[0].score < engine.settings.relevance_floor:
        best = scored[0].score if scored else 0.0
        yield refusal([f"No passage is relevant enough (best {best:.2f} < {engine.settings.relevance_floor})."])
        return
    quick_text, quick_citations = quick_answer(engine.index, passages, scored, language)
    timings["quick_s"] = elapsed()
    yield Quick(quick_text, quick_citations, timings["quick_s"])

    def fallback(why: str) -> Final:
        note = FALLBACK_NOTE[language].format(why=why)
        return _final(question, language, quick_text, False, quick_citations, passages, [note], timings,
                      "quick", started)

    asked = known_names(question_names(question), lambda w: bool(engine.index.keyword.known([w])),
                        engine.retriever.glossary)

    def unnamed(citations: list[Citation]) -> list[str]:
        """What the question asks about that no cited article mentions ("According to TradingKey" is
        answered by the TradingKey article, whose passages need not repeat its name)."""
        cited = "\n".join(engine.index.documents[s].text for s in {c.passage.source for c in citations})
        return [n for n in asked if not mentions(cited, n, engine.retriever.glossary)]

    def quick_or_refusal(why: str, warnings: list[str]) -> Final:
        """Strong evidence that names what was asked is worth showing; anything less is a refusal."""
        missing = unnamed(quick_citations)
        if scored[0].score >= engine.settings.confident_evidence and not missing:
            return fallback(why)
        extra = [f"The closest passages do not mention {', '.join(missing)}."] if missing else []
        return refusal(warnings + extra)

    context = build_context(engine.index, passages, scored, language)
    if engine.chat is None:
        yield fallback("no model is configured")
        return
    timings["reading_s"] = elapsed()
    yield Stage("reading", timings["reading_s"])
    pieces: list[str] = []
    try:
        for chunk in engine.chat.stream(messages(context, question, language)):
            text = chunk.content if isinstance(chunk.content, str) else ""
            if not text:
                continue
            if not pieces:
                timings["first_token_s"] = elapsed()
                yield Stage("writing", timings["first_token_s"])
            pieces.append(text)
            yield Token(text)
            if elapsed() > engine.settings.llm_timeout_s:
                raise TimeoutError(f"no complete answer within {engine.settings.llm_timeout_s} s")
    except Exception as exc:  # the model boundary: a dead server, a timeout, a broken stream
        yield fallback(f"{type(exc).__name__}: {exc}"[:200])
        return
    raw = "".join(pieces).strip()
    timings["generate_s"] = elapsed()
    yield Stage("checking", elapsed())
    if not raw or is_refusal(raw):
        yield quick_or_refusal("it found no answer in the passages", ["The model found no answer in the passages."])
        return
    verify_started = time.perf_counter()
    checked = check(raw, context, engine.index, engine.embedder.embed_documents, engine.retriever.glossary)
    kept = [c for c in checked.claims if not c.removed and c.passages]
    if not kept:
        yield quick_or_refusal("its answer did not survive verification",
                               checked.warnings + ["No sentence of the model's answer survived verification."])
        return
    numbering: dict[int, int] = {}
    citations: list[Citation] = []
    sentences = []
    for claim in [c for c in checked.claims if not c.removed]:
        marks = []
        for n in claim.passages:
            if n not in numbering:
                numbering[n] = len(numbering) + 1
                row = checked.quotes[n]
                citations.append(citation(numbering[n], context[n - 1].passage, engine.index.sentences[row]))
            marks.append(numbering[n])
        sentences.append(with_markers(claim.text, marks, language))
    warnings = list(checked.warnings)
    missing = unnamed(citations)
    if missing:
        yield refusal(warnings + [f"The passages cited do not mention {', '.join(missing)}."])
        return
    for conflict in find_conflicts(engine.index, passages, scored)[:1]:
        sides = []
        for side in (conflict.first, conflict.second):
            passage = passages[side.passage]
            known = next((c.n for c in citations if c.passage.chunk_id == passage.chunk_id), None)
            if known is None:
                known = len(citations) + 1
                citations.append(citation(known, passage, engine.index.sentences[side.row]))
            sides.append(known)
        sentences.append(describe(conflict, language, *sides))
        warnings.append("The sources differ on this point; both are cited.")
    text = (" " if language == "en" else "").join(sentences)
    timings["verify_s"] = round(time.perf_counter() - verify_started, 4)
    yield _final(question, language, text, False, citations, passages, warnings, timings, "model", started)


def answer(engine: Engine, question: str, history: Sequence[tuple[str, str]] = ()) -> Answer:
    """The final answer only (for the CLI and tests)."""
    final = None
    for event in answer_events(engine, question, history):
        if isinstance(event, Final):
            final = event.answer
    return final
