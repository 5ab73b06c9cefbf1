"""The conversation as the browser keeps it (issue 14: a reload keeps the chat; Clear removes it).

Gradio's BrowserState stores it in the browser's localStorage. Its "encryption" key is sent to the
page, so it protects nothing: what comes back is the user's own data, read with the same care as
any input (`load` accepts only this format) and escaped when drawn, like every answer. Only the
verified answers are kept (the chat is drawn again from them); a stopped, unfinished answer is not
one.

    saved = dump(turns)          # -> {"version": 1, "turns": [...]}, JSON-ready
    turns = load(saved)          # -> [Answer]; [] for anything else (an old format, a damaged value)
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import asdict

from core.records import Answer, Citation, Note, Passage, Rendering, Signals

log = logging.getLogger(__name__)
VERSION = 1
STORAGE_KEY = "citewise-conversation"
MAX_TURNS = 40  # ~6 KB a turn: well inside the 5 MB localStorage gives a site


def dump(turns: list[Answer]) -> dict:
    return {"version": VERSION, "turns": [asdict(a) for a in turns[-MAX_TURNS:]]}


def _passage(data: dict) -> Passage:
    return Passage(**data)


def _citation(data: dict) -> Citation:
    rendering = data.get("rendering")
    if rendering is not None:
        rendering = Rendering(**{k: tuple(v) if isinstance(v, list) else v for k, v in rendering.items()})
    return Citation(data["n"], _passage(data["passage"]), data["quote"], data["quote_start"], data["quote_end"],
                    rendering)


def _answer(data: dict) -> Answer:
    if not isinstance(data.get("question"), str) or not isinstance(data.get("text"), str):
        raise TypeError("an answer needs question and text strings")
    return Answer(data["question"], data["language"], data["text"], bool(data["refused"]),
                  [_citation(c) for c in data["citations"]], [_passage(p) for p in data["retrieved"]],
                  [Note(n["code"], dict(n.get("args") or {})) for n in data["notes"]], dict(data["timings"]),
                  data["source"], _signals(data.get("signals")), str(data.get("read_with") or ""))


def _signals(data: object) -> Signals:
    """Signals saved by this or an earlier version: fields it no longer has are dropped."""
    known = {f.name for f in dataclasses.fields(Signals)}
    values = {k: v for k, v in data.items() if k in known} if isinstance(data, dict) else {}
    return Signals(**values)


def load(saved: object) -> list[Answer]:
    """The answers in a saved value; [] when there are none or it cannot be read."""
    if not isinstance(saved, dict) or saved.get("version") != VERSION or not isinstance(saved.get("turns"), list):
        return []
    try:
        return [_answer(t) for t in saved["turns"]][-MAX_TURNS:]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # a value from an older build, or edited by hand: start afresh rather than fail the page
        log.warning("the saved conversation could not be read (%s: %s); starting afresh", type(exc).__name__, exc)
        return []

