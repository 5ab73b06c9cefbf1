"""Stored article text as a reader sees it: without Markdown marks and glossary parentheses.

Some articles are Markdown with a glossary written into the prose, e.g.
`**英伟达**（NVIDIA: 全球领先的人工智能计算公司）撒钱`. The index keeps the stored text, so every
offset (a chunk's, a sentence's, a citation's quote) points into it; only what is shown is
cleaned. `shown` gives the clean text with, for each shown character, the stored offset it came
from, so a highlight computed on stored offsets lands on the same words in the clean text.

What is removed: `**`, `__`, `*…*`, `_…_` and backtick pairs (the marks, not what they enclose),
a `**` left without its pair, the `#`s that open a heading, and a parenthesis right after a term
whose content is a Latin term, a colon and a description ("（NVIDIA: …）"). A `*` or `+` list
bullet becomes "•". Parentheses that carry content are kept: "(GW)", "(LOI)", "（以当时估值为准）",
"（Gil Luria）".
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

# One mark pair per alternative, its enclosed text in the group named like the mark (ms -> is).
# Underscores and single asterisks pair only outside ASCII words, so snake_case and 2*3*4 stay.
_EMPHASIS = re.compile(
    r"(?P<ms>\*\*)(?=\S)(?P<is>[^\n]*?\S)\*\*"
    r"|(?<![0-9A-Za-z_])(?P<m2>__)(?=\S)(?P<i2>[^\n]*?\S)__(?![0-9A-Za-z_])"
    r"|(?<![*\\0-9A-Za-z])(?P<m1>\*)(?=[^\s*])(?P<i1>[^\n*]*?[^\s*])\*(?![*0-9A-Za-z])"
    r"|(?<![0-9A-Za-z_])(?P<mu>_)(?=[^\s_])(?P<iu>[^\n_]*?[^\s_])_(?![0-9A-Za-z_])"
    r"|(?P<mb>`+)(?P<ib>[^`\n]+?)(?P=mb)(?!`)")
# A sentence may end inside a bold run ("**1. 英伟达的现金闭环**" splits after "1."), so a double
# asterisk left without its pair is removed too: in prose it is never content.
_STRAY = re.compile(r"\*{2,}")
_HEADING = re.compile(r"(?m)^[ \t]{0,3}#{1,6}(?:[ \t]+|$)")
_BULLET = re.compile(r"(?m)^[ \t]*[*+](?P<space>[ \t]+)(?=\S)")
# "（Large Language Model, LLM: 基于…）" right after a term (a word character or a closing mark).
_GLOSSARY = re.compile(r"(?<=[\w*`])[（(][ \t]*[A-Za-z][A-Za-z0-9 .,&'’/+\-]*[ \t]*[:：][^（）()\n]*[）)]")
# Text without any of these characters is shown as stored (the fast path of `plain`).
_MAYBE = re.compile(r"[*_`#]|(?m:^[ \t]*\+[ \t])|[（(][ \t]*[A-Za-z][^（）()\n]*[:：]")

Edit = tuple[int, int, str]  # replace text[start:end] with a string no longer than the span


@dataclass(frozen=True)
class Shown:
    """Clean text and, for each of its characters, the stored offset it shows.

    >>> s = shown("**英伟达**（NVIDIA: 芯片公司）撒钱")
    >>> s.text, s.keep
    ('英伟达撒钱', (2, 3, 4, 21, 22))
    >>> s.span(0, 7), s.span(2, 23)
    ((0, 3), (0, 5))
    """

    text: str
    keep: tuple[int, ...]  # keep[i] is the stored offset of text[i]; increasing

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Shown offsets of the stored span [start, end): the shown characters that come from it."""
        return bisect_left(self.keep, start), bisect_left(self.keep, end)


def _emphasis(text: str, start: int, end: int, edits: list[Edit]) -> None:
    for m in _EMPHASIS.finditer(text, start, end):
        mark = next(name for name in ("ms", "m2", "m1", "mu", "mb") if m[name])
        inner = "i" + mark[1]
        edits.append((m.start(), m.start(inner), ""))
        edits.append((m.end(inner), m.end(), ""))
        if mark != "mb":  # code keeps its characters; emphasis may nest ("**a *b* c**")
            _emphasis(text, m.start(inner), m.end(inner), edits)


def _edits(text: str) -> list[Edit]:
    """Non-overlapping edits in order; where two overlap the first one wins."""
    edits: list[Edit] = [(m.start(), m.end(), "") for m in _HEADING.finditer(text)]
    edits += [(m.start(), m.end(), "• ") for m in _BULLET.finditer(text)]
    edits += [(m.start(), m.end(), "") for m in _GLOSSARY.finditer(text)]
    _emphasis(text, 0, len(text), edits)
    edits += [(m.start(), m.end(), "") for m in _STRAY.finditer(text)]
    edits.sort()
    out: list[Edit] = []
    for edit in edits:
        if out and edit[0] < out[-1][1]:
            continue
        out.append(edit)
    return out


def shown(text: str) -> Shown:
    """The text as shown, with the stored offset of every shown character.

    >>> shown("### 标题\\n正文").text
    '标题\\n正文'
    >>> shown("*   Meta的Hyperion项目").text
    '• Meta的Hyperion项目'
    """
    pieces: list[str] = []
    keep: list[int] = []
    last = 0
    for start, end, replacement in _edits(text):
        pieces += [text[last:start], replacement]
        keep += range(last, start)
        keep += range(start, start + len(replacement))
        last = end
    pieces.append(text[last:])
    keep += range(last, len(text))
    return Shown("".join(pieces), tuple(keep))


def plain(text: str) -> str:
    """Just the clean text (for the model's context and the quick answer lines).

    >>> plain("2024年，**OpenAI**（OpenAI: 一家人工智能研究和部署公司）的营收约为40亿美元")
    '2024年，OpenAI的营收约为40亿美元'
    >>> plain("10吉瓦(GW)，签署意向书(LOI)")
    '10吉瓦(GW)，签署意向书(LOI)'
    """
    if not _MAYBE.search(text):
        return text
    pieces: list[str] = []
    last = 0
    for start, end, replacement in _edits(text):
        pieces += [text[last:start], replacement]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
