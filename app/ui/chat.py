"""The chat handler: validates the question, runs the pipeline, turns its events into what is shown.

`turn_views` is plain Python (tested with a scripted fake model); `layout.py` wires it to Gradio.
Everything from a document or a model is escaped before it reaches Markdown or HTML.

After the verified answer, cited sentences in another language than the question get a machine
translation (app.translate): from the cache at once, else from the model one by one, each shown
as it comes. This runs in the same generator, so it holds the same queue slot as the answer
(`concurrency_id="model"`, one at a time): two model calls never run at once.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from app.engine import Engine
from app.notes import say
from app.pipeline import Final, Found, Quick, Stage, Token, answer_events
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
    return "\n\n".join(lines)


def status_line(lang: str, key: str, elapsed: float, **values) -> str:
    return f"{message(lang, key, **values)} · {message(lang, 'elapsed', s=elapsed)}"


def turn_views(engine: Engine | None, question: str, turns: list[Answer], lang: str,
               problem: str | None = None, translate: bool = True) -> Iterator[View]:
    """Views of one turn, from "searching" to the verified answer. Raises InvalidQuestion first
    (before anything is shown) when the question cannot be used."""
    question = clean_question(question)
    if engine is None:
        yield View(message(lang, "engine_error", why=escape(problem or "")), "", sources_html(turns, lang))
        return
    started = time.perf_counter()
    turn = len(turns)
    history = [(a.question, a.text) for a in turns]
    quick, written, found = "", "", []
    panel = sources_html(turns, lang)
    answered: View | None = None
    try:
        for event in answer_events(engine, question, history):
            elapsed = time.perf_counter() - started
            if isinstance(event, Stage):
                if event.name == "searching":
                    yield View("", status_line(lang, "searching", elapsed), panel)
                elif event.name == "reading":
                    yield View(quick, status_line(lang, "reading", elapsed, n=len(found)), panel)
                elif event.name == "checking":
                    yield View(_streamed(quick, written), status_line(lang, "checking", elapsed), panel)
            elif isinstance(event, Found):
                found = event.passages
                panel = sources_html(turns, lang, found)
                yield View("", status_line(lang, "searching", elapsed), panel)
            elif isinstance(event, Quick):
                preview = Answer(question, lang, event.text, False, event.citations, found, [], {}, "quick")
                panel = sources_html([*turns, preview], lang)
                quick = f"{linked(event.text, turn)}\n\n_{message(lang, 'quick_note')}_"
                yield View(quick, status_line(lang, "searching", elapsed), panel)
            elif isinstance(event, Token):
                written += event.text
                yield View(_streamed(quick, written), status_line(lang, "writing", elapsed), panel)
            elif isinstance(event, Final):
                done = [*turns, event.answer]
                answered = View(answer_markdown(event.answer, turn), message(lang, "done", s=elapsed),
                                sources_html(done, lang), event.answer)
                yield answered
    except InvalidQuestion:
        raise
    except CitewiseError as exc:  # e.g. the index was removed while the app runs: says what to run
        yield View(escape(str(exc)), "", sources_html(turns, lang))
    except Exception as exc:  # never a traceback in the chat; the console has it
        log.exception("answering %r failed", question)
        yield View(message(lang, "failed", why=escape(type(exc).__name__)), "", sources_html(turns, lang))
        return
    if answered is not None and translate:
        yield from translation_views(engine, answered, turns, lang)


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
        translator.restore_answer_prefix()
    except Exception:  # the answer is shown and kept whatever happens here; the console has the cause
        log.exception("translating the cited sentences of %r failed", answer.question)
    status = f"{answered.status} · {message(lang, 'translated', s=took)}" if took else answered.status
    yield View(answered.reply, status, sources_html([*turns, answer], lang), answer)


def _streamed(quick: str, written: str) -> str:
    return f"{quick}\n\n---\n{escape(written)}" if quick else escape(written)
