"""The chat handler: validates the question, runs the pipeline, turns its events into what is shown.

`turn_views` is plain Python (tested with a scripted fake model); `layout.py` wires it to Gradio.
Everything from a document or a model is escaped before it reaches Markdown or HTML.
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
               problem: str | None = None) -> Iterator[View]:
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
                yield View(answer_markdown(event.answer, turn), message(lang, "done", s=elapsed),
                           sources_html(done, lang), event.answer)
    except InvalidQuestion:
        raise
    except CitewiseError as exc:  # e.g. the index was removed while the app runs: says what to run
        yield View(escape(str(exc)), "", sources_html(turns, lang))
    except Exception as exc:  # never a traceback in the chat; the console has it
        log.exception("answering %r failed", question)
        yield View(message(lang, "failed", why=escape(type(exc).__name__)), "", sources_html(turns, lang))


def _streamed(quick: str, written: str) -> str:
    return f"{quick}\n\n---\n{escape(written)}" if quick else escape(written)
