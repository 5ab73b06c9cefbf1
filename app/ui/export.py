"""A conversation as a Markdown file a person can keep: questions, answers, sources, passages.

Everything that came from an article or a model goes through `app.render.escape`, so the
file renders inert (no HTML, no images, no links); only the answer's [n] markers are put back.
Quotes and passages are written clean (`app.display.plain`: no Markdown marks, no glossary
parentheses), as the sources panel shows them.
"""

from __future__ import annotations

import re

from app.display import plain
from app.notes import say
from app.render import escape
from app.ui.strings import figures_differ, message
from core.records import Answer, Citation, Passage, Rendering

# `[n]:` stays escaped: at the start of a line it would be a link reference definition.
_ESCAPED_MARKER = re.compile(r"\\\[(\d+)\\\](?!:)")


def answer_text(text: str) -> str:
    """Escape answer text but keep its [n] markers readable.

    >>> answer_text("Oracle's ratio is 427% [1][2]. <b>bold</b>")
    "Oracle's ratio is 427% [1][2]. &lt;b&gt;bold&lt;/b&gt;"
    >>> answer_text("[1](http://x.test)")
    '[1]\\\\(http://x.test\\\\)'
    """
    return _ESCAPED_MARKER.sub(r"[\1]", escape(text))


def _line(text: str) -> str:
    """Escaped and on one line, for headings and list items."""
    return escape(" ".join(text.split()))


def _blockquote(text: str) -> str:
    """
    >>> print(_blockquote("first line\\n\\n*second*"))
    > first line
    >
    > \\*second\\*
    """
    return "\n".join(f"> {escape(line)}" if line.strip() else ">" for line in text.strip().splitlines())


def _source_line(passage: Passage) -> str:
    date = f", {_line(passage.date)}" if passage.date else ""
    return f"{_line(passage.title)} — {_line(passage.source)}{date}"


def _rendering(rendering: Rendering | None) -> list[str]:
    """The quote's machine translation, labelled in its language, and the figure warning if any.

    >>> print("\\n".join(_rendering(Rendering("Valued at *US$157 million*.", "zh", "en", ("1570亿美元",)))))
    Machine translation: Valued at \\*US$157 million\\*.
    <BLANKLINE>
    _⚠ Figures differ from the original: 1570亿美元 is not in the translation._
    <BLANKLINE>
    """
    if rendering is None:
        return []
    lang = rendering.target_language
    if rendering.failure:
        return [f"_{_line(message(lang, 'translation_failed', why=rendering.failure))}_", ""]
    lines = [f"{message(lang, 'machine_translation')}: {_line(rendering.text)}", ""]
    if not rendering.figures_match:
        lines += [f"_⚠ {_line(figures_differ(lang, rendering.missing, rendering.added))}_", ""]
    if rendering.untranslated:
        lines += [f"_⚠ {_line(message(lang, 'untranslated', words=', '.join(rendering.untranslated)))}_", ""]
    return lines


def _citation(citation: Citation) -> list[str]:
    return [f"[{citation.n}] {_source_line(citation.passage)}", "", _blockquote(plain(citation.quote)), "",
            *_rendering(citation.rendering), "Passage:", "", _blockquote(plain(citation.passage.text)), ""]


def _turn(number: int, answer: Answer) -> list[str]:
    lines = [f"### Q{number}. {_line(answer.question)}", "", answer_text(answer.text.strip()), ""]
    if answer.citations:
        lines += ["**Sources**", ""]
        for citation in answer.citations:
            lines += _citation(citation)
    if answer.refused and answer.retrieved:
        lines += ["**Related passages**", ""]
        lines += [f"- {_line(p.title)} — {_line(p.source)}" for p in answer.retrieved[:3]]
        lines.append("")
    if answer.notes:
        lines += ["**Notes**", ""]
        lines += [f"- _{_line(say(n, answer.language))}_" for n in answer.notes]
        lines.append("")
    return lines


def conversation_markdown(turns: list[Answer], title: str = "Citewise conversation") -> str:
    """The whole conversation as Markdown, one section per question.

    >>> from core.records import Note
    >>> answer = Answer(question="Who?", language="en", text="Nobody [1].", refused=False, citations=[],
    ...                 retrieved=[], notes=[Note("off_question", {"sentence": "<3>"})], timings={},
    ...                 source="model")
    >>> print(conversation_markdown([answer]))
    # Citewise conversation
    <BLANKLINE>
    ### Q1. Who?
    <BLANKLINE>
    Nobody [1].
    <BLANKLINE>
    **Notes**
    <BLANKLINE>
    - _Left out “&lt;3&gt;”: it is about something other than the question._
    <BLANKLINE>
    """
    lines = [f"# {_line(title)}", ""]
    for number, answer in enumerate(turns, start=1):
        if number > 1:
            lines += ["---", ""]
        lines += _turn(number, answer)
    return "\n".join(lines)
