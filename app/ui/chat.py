"""The chat's views: the pipeline's events turned into what the page shows, step by step.

    prepare_views(engine, question, turns, lang)   # searching → passages → quick answer; returns a Ticket
    model_views(ticket, turns, lang)               # reading → writing → checking → the verified answer
    turn_views(...)                                # both, then the cited sentences translated

The page runs the first two as separate events (app/ui/layout.py): the first outside the model's
slot, so passages and the quick answer never wait for someone else's answer. All of it is plain
Python, tested with a scripted fake model. Everything from a document or a model is escaped before
it reaches Markdown or HTML.

Cited sentences in another language than the question get a machine translation after the verified
answer (app.translate, `translation_views`): from the cache at once, else from the model one by
one, each shown as it comes; the page runs it as one more event in the model's slot, so two model
calls never run at once.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field, replace

from app.engine import Engine
from app.notes import say
from app.pipeline import Final, Found, Prepared, Quick, Stage, Token, complete, prepare
from app.render import escape
from app.translate import Translator, pending, with_rendering
from app.ui.sources import sources_html
from app.ui.strings import message
from app.validate import InvalidQuestion, clean_question
from core.errors import CitewiseError
from core.records import Answer

log = logging.getLogger(__name__)
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\]")


@dataclass(frozen=True)
class View:
    """What the page shows at one moment of a turn."""

    reply: str  # the assistant's message, Markdown
    status: str  # the stage line
    sources: str  # the sources panel, HTML
    answer: Answer | None = None  # the verified answer, on the last view of a turn
    progress: Progress | None = None  # while working: redraws the status line with the time so far

    def ticked(self, lang: str) -> View:
        """The same view, its status line drawn with the time elapsed now."""
        return replace(self, status=self.progress.line(lang)) if self.progress else self


def linked(text: str, turn: int) -> str:
    """Escaped text whose [n] markers link to source n of this turn.

    >>> linked("US$10 billion [1][2] <b>", 0)
    'US$10 billion [\\\\[1\\\\]](#src-0-1)[\\\\[2\\\\]](#src-0-2) &lt;b&gt;'
    """
    return _ESCAPED_MARKER.sub(lambda m: f"[\\[{m[1]}\\]](#src-{turn}-{m[1]})", escape(text))


def answer_markdown(answer: Answer, turn: int) -> str:
    """The verified answer, its [n] linked to the sources panel, then its notes in the answer's language."""
    lines = [linked(answer.text, turn)]
    lines += [f"_⚠ {escape(say(n, answer.language))}_" for n in answer.notes]
    if answer.read_with:  # small type: how the question was read, not a warning
        lines.append(f"<sub>{escape(message(answer.language, 'read_as', previous=answer.read_with))}</sub>")
    return "\n\n".join(lines)


def status_line(lang: str, key: str, elapsed: float, **values) -> str:
    return f"{message(lang, key, **values)} · {message(lang, 'elapsed', s=elapsed)}"


@dataclass(frozen=True)
class Progress:
    """The stage line of a turn, kept as a message key so it can be drawn again with a later time."""

    key: str  # searching | reading | writing | checking | waiting
    started: float  # perf_counter when the turn began
    values: dict = field(default_factory=dict)

    def line(self, lang: str) -> str:
        values = dict(self.values)
        read = values.pop("read", None)
        text = status_line(lang, self.key, time.perf_counter() - self.started, **values)
        return f"{text} · {message(lang, 'read_share', p=read * 100)}" if read is not None else text


@dataclass(frozen=True)
class Ticket:
    """A question searched and quick-answered, waiting for the model (`prepare_views` → `model_views`)."""

    engine: Engine  # the one the turn began with: the articles may change before the model's turn
    prepared: Prepared
    turn: int
    quick: str  # the quick answer as shown, Markdown
    panel: str  # the sources panel as shown
    started: float  # perf_counter when the turn began


def prepare_views(engine: Engine | None, question: str, turns: list[Answer], lang: str,
                  problem: str | None = None) -> Generator[View, None, Ticket | None]:
    """Views of a turn up to the quick answer (no model). Raises InvalidQuestion first (before
    anything is shown) when the question cannot be used. Returns the Ticket for `model_views`, or
    None when the turn is over (answered without the model, or failed)."""
    question = clean_question(question)
    if engine is None:
        yield View(message(lang, "engine_error", why=escape(problem or "")), "", sources_html(turns, lang))
        return None
    started = time.perf_counter()
    turn = len(turns)
    history = [(a.question, a.text) for a in turns]
    quick, found, panel = "", [], sources_html(turns, lang)
    searching = Progress("searching", started)
    try:
        events = prepare(engine, question, history)
        while True:
            try:
                event = next(events)
            except StopIteration as done:
                prepared = done.value
                break
            if isinstance(event, Found):
                found = event.passages
                panel = sources_html(turns, lang, found)
                yield View("", searching.line(lang), panel, progress=searching)
            elif isinstance(event, Quick):
                preview = Answer(question, lang, event.text, False, event.citations, found, [], {}, "quick")
                panel = sources_html([*turns, preview], lang)
                quick = f"{linked(event.text, turn)}\n\n_{message(lang, 'quick_note')}_"
                yield View(quick, searching.line(lang), panel, progress=searching)
            elif isinstance(event, Final):
                yield _answered(event.answer, turns, turn, lang, started)
            else:  # Stage(searching)
                yield View("", searching.line(lang), panel, progress=searching)
    except InvalidQuestion:
        raise
    except Exception as exc:
        yield _failed(exc, question, turns, lang)
        return None
    return Ticket(engine, prepared, turn, quick, panel, started) if prepared is not None else None


def model_views(ticket: Ticket, turns: list[Answer], lang: str) -> Iterator[View]:
    """The model's part of a turn: reading, writing, checking, then the verified answer."""
    quick, written, panel = ticket.quick, "", ticket.panel
    reading = Progress("reading", ticket.started, {"n": len(ticket.prepared.candidates)})
    try:
        for event in complete(ticket.engine, ticket.prepared):
            if isinstance(event, Stage):
                if event.name == "reading":
                    progress = replace(reading, values={**reading.values, "read": event.read}) \
                        if event.read is not None else reading
                    yield View(quick, progress.line(lang), panel, progress=progress)
                else:
                    progress = Progress(event.name, ticket.started)
                    yield View(_streamed(quick, written), progress.line(lang), panel, progress=progress)
            elif isinstance(event, Token):
                written += event.text
                progress = Progress("writing", ticket.started)
                yield View(_streamed(quick, written), progress.line(lang), panel, progress=progress)
            elif isinstance(event, Final):
                yield _answered(event.answer, turns, ticket.turn, lang, ticket.started)
    except Exception as exc:
        yield _failed(exc, ticket.prepared.asked.text, turns, lang)


def turn_views(engine: Engine | None, question: str, turns: list[Answer], lang: str,
               problem: str | None = None, translate: bool = True) -> Iterator[View]:
    """Views of one whole turn, from "searching" to the verified answer (and, with `translate`,
    its cited sentences translated). Raises InvalidQuestion first (before anything is shown)."""
    ticket = yield from prepare_views(engine, question, turns, lang, problem)
    answered = None
    if ticket is not None:
        for view in model_views(ticket, turns, lang):
            answered = view if view.answer is not None else answered
            yield view
    if answered is not None and translate:
        yield from translation_views(engine, answered, turns, lang)


def _answered(answer: Answer, turns: list[Answer], turn: int, lang: str, started: float) -> View:
    return View(answer_markdown(answer, turn), message(lang, "done", s=time.perf_counter() - started),
                sources_html([*turns, answer], lang), answer)


def _failed(exc: Exception, question: str, turns: list[Answer], lang: str) -> View:
    if isinstance(exc, CitewiseError):  # e.g. the index was removed while the app runs: says what to run
        return View(escape(str(exc)), "", sources_html(turns, lang))
    # never a traceback in the chat; the console has it
    log.error("answering %r failed", question, exc_info=exc)
    return View(message(lang, "failed", why=escape(type(exc).__name__)), "", sources_html(turns, lang))


def translation_views(engine: Engine, answered: View, turns: list[Answer], lang: str) -> Iterator[View]:
    """The answered view again with its cited sentences translated: the cached ones at once, then
    one more view per sentence the model translates. Nothing when no sentence needs it."""
    answer = answered.answer
    if answer is None or not pending(answer):
        return
    started, took = time.perf_counter(), 0.0
    try:
        translator = Translator.for_engine(engine)
        answer = translator.fill_cached(answer)
        todo = pending(answer) if engine.chat is not None else []
        for done, citation in enumerate(todo):
            status = f"{answered.status} · {message(lang, 'translating', done=done, n=len(todo))}"
            yield View(answered.reply, status, sources_html([*turns, answer], lang), answer)
            answer = with_rendering(answer, citation.n, translator.translate(citation.quote, answer.language))
        took = time.perf_counter() - started if translator.calls else 0.0
        translator.restore_answer_prefix(engine.settings)
    except Exception:  # the answer is shown and kept whatever happens here; the console has the cause
        log.exception("translating the cited sentences of %r failed", answer.question)
    status = f"{answered.status} · {message(lang, 'translated', s=took)}" if took else answered.status
    yield View(answered.reply, status, sources_html([*turns, answer], lang), answer)


def _streamed(quick: str, written: str) -> str:
    return f"{quick}\n\n---\n{escape(written)}" if quick else escape(written)
