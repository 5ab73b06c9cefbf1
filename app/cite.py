"""Citation numbers: the one place where an answer's [n] markers and its citations are made.

Lines of an answer name the passages (and the sentence in each) that support them; `number`
gives each passage one number in order of first use and writes the markers.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from core.records import Citation, Passage, Rendering
from index.reader import IndexReader


@dataclass(frozen=True)
class Source:
    """A passage and the sentence in it that supports a line."""

    passage: Passage
    row: int  # sentence row in the index
    score: float = 0.0  # how well that sentence supports the line; the best becomes the quote


@dataclass(frozen=True)
class Line:
    """One sentence of an answer. With `inline`, `text` has "{0}", "{1}"… where each source's marker goes."""

    text: str
    sources: list[Source] = field(default_factory=list)
    inline: bool = False
    # the line's sentence in the reader's language (app.answering.render): it goes with the citation
    # of the line's first source, whose quote is that sentence
    rendering: Rendering | None = None


def with_markers(text: str, numbers: list[int], language: str) -> str:
    """A sentence with its citation markers, spaced the way the language writes them.

    >>> with_markers("It is 427%.", [1, 2], "en"), with_markers("为427%。", [1], "zh"), with_markers("Hi.", [], "en")
    ('It is 427%. [1][2]', '为427%。[1]', 'Hi.')
    """
    tail = "".join(f"[{n}]" for n in numbers)
    return f"{text} {tail}".strip() if language == "en" else f"{text}{tail}"


def number(lines: list[Line], index: IndexReader, language: str) -> tuple[list[str], list[Citation]]:
    """The lines with markers, and one citation per passage, numbered in order of first use.

    A passage cited by several lines keeps one number; its quote is the sentence that supports
    its lines best.
    """
    numbers: dict[str, int] = {}
    best: dict[str, Source] = {}
    renderings: dict[int, Rendering] = {}
    out = []
    for line in lines:
        if line.rendering is not None and line.sources:
            renderings[line.sources[0].row] = line.rendering
        marks = []
        for source in line.sources:
            key = source.passage.chunk_id
            numbers.setdefault(key, len(numbers) + 1)
            if key not in best or source.score > best[key].score:
                best[key] = source
            marks.append(numbers[key])
        if line.inline:
            out.append(line.text.format(*(f"[{m}]" for m in marks)))
        else:
            out.append(with_markers(line.text, list(dict.fromkeys(marks)), language))
    citations = []
    for key, n in numbers.items():
        sentence = index.sentences[best[key].row]
        citation = Citation(n, best[key].passage, sentence.text, sentence.start, sentence.end)
        if best[key].row in renderings:
            citation = dataclasses.replace(citation, rendering=renderings[best[key].row])
        citations.append(citation)
    return out, citations
