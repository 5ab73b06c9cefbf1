"""Split an article into sentences and pack them into chunks that keep their offsets.

Sentences end at 。！？；!? (with any closing quotes), at line breaks, and at an English
full stop followed by a space. Page furniture is dropped and breaks a chunk, so every chunk is
one contiguous span of the original text: `chunk.text == document.text[chunk.start:chunk.end]`,
which the UI uses to highlight it. Furniture is found by general rules, never by phrases of
particular articles:

- photo credits (a credit label, or a bracketed line naming a site, a photographer or a
  generated image);
- the short unpunctuated lines an article's text ends with (comment-box prompts, "Share");
- lines that stand in more than one article of the library (`repeated_lines`, at index time).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from core.records import Chunk, Document, Sentence

# A sentence: anything up to a terminator (plus closing quotes/brackets) or the line end.
_SENTENCE = re.compile(
    r"[^\n]*?(?:[。！？；!?]+[”’\"』」)）]*|\.(?=\s)|(?=\n)|$)",
)
# Lines, or parts of lines, that are page furniture rather than article text.
_BOILERPLATE = (
    re.compile(r"^图片来源\s*[:：].*$"),
    re.compile(r"^[（(][^()（）]*(?:\.com|\.cn|\.org|由AI生成|图片来源|视觉中国|摄)[^()（）]*[)）]$"),
)
_PHOTO_CREDIT = re.compile(r"图片来源\s*[:：]")
# The end of an article: a line this short that ends no sentence and holds no figure is a prompt
# of the page around it ("全部评论", "Share this"), not a sentence of the article.
TRAILING_CHARS = 16
_ENDS_SENTENCE = re.compile(r"[。！？.!?”\"」』）)]$|\d")
# A line the library repeats word for word in other articles is the site's, not the article's.
REPEATED_CHARS = 80


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    boilerplate: bool


def split_sentences(text: str, start: int = 0, repeated: frozenset[str] = frozenset()) -> list[Span]:
    """Sentence spans of text[start:], whitespace trimmed, boilerplate marked; a line in
    `repeated` (see repeated_lines) is boilerplate.

    >>> [(s.start, s.end, s.boilerplate) for s in split_sentences("甲。乙！\\nA b. C\\n全部评论")]
    [(0, 2, False), (2, 4, False), (5, 9, False), (10, 11, False), (12, 16, True)]
    """
    spans: list[Span] = []
    lines: list[tuple[int, int]] = []  # (first span, span count) of each line
    for line_match in re.finditer(r"[^\n]+", text[start:]):
        line_start = start + line_match.start()
        line = line_match.group()
        first = len(spans)
        if " ".join(line.split()) in repeated:
            _add(spans, text, line_start, line_start + len(line), boilerplate=True)
            continue
        # A photo credit runs to the end of its line; what stands before it is kept.
        credit = _PHOTO_CREDIT.search(line)
        cut = credit.start() if credit else len(line)
        pos = 0
        while pos < cut:
            match = _SENTENCE.match(line, pos, cut)
            end = match.end() if match and match.end() > pos else cut
            _add(spans, text, line_start + pos, line_start + end)
            pos = end
        if credit:
            _add(spans, text, line_start + cut, line_start + len(line), boilerplate=True)
        lines.append((first, len(spans) - first))
    _mark_trailing(spans, text, lines)
    return spans


def _mark_trailing(spans: list[Span], text: str, lines: list[tuple[int, int]]) -> None:
    """Mark the short unpunctuated whole lines the text ends with (see TRAILING_CHARS)."""
    for first, count in reversed(lines):
        if count != 1:
            return
        span = spans[first]
        piece = text[span.start:span.end]
        if span.boilerplate:
            continue
        if len(piece) > TRAILING_CHARS or _ENDS_SENTENCE.search(piece):
            return
        spans[first] = Span(span.start, span.end, True)


def repeated_lines(documents: list[Document]) -> frozenset[str]:
    """Lines (whitespace folded, up to REPEATED_CHARS) that stand in more than one document's body.

    >>> a = Document("a", "Share this\\nThe dam opened.\\nAdvertisement", "", "A")
    >>> b = Document("b", "The bridge closed.\\nAdvertisement\\nShare this", "", "B")
    >>> sorted(repeated_lines([a, b]))
    ['Advertisement', 'Share this']
    """
    seen: dict[str, set[str]] = {}
    for doc in documents:
        for line in doc.text[doc.body_start:].splitlines():
            folded = " ".join(line.split())
            if folded and len(folded) <= REPEATED_CHARS:
                seen.setdefault(folded, set()).add(doc.source)
    return frozenset(line for line, sources in seen.items() if len(sources) > 1)


def _add(spans: list[Span], text: str, start: int, end: int, boilerplate: bool = False) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return
    piece = text[start:end]
    if not boilerplate:
        boilerplate = any(p.match(piece) for p in _BOILERPLATE)
    spans.append(Span(start, end, boilerplate))


def chunk_id(source: str, position: int, text: str) -> str:
    """Stable id from the source, the position and the content.

    >>> chunk_id("002_x.txt", 3, "甲。")
    '002_x.txt#3:8c253750d3'
    """
    return f"{source}#{position}:{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def chunk_document(doc: Document, chunk_chars: int, chunk_overlap: int = 0,
                   repeated: frozenset[str] = frozenset()) -> list[Chunk]:
    """Pack whole sentences into chunks of up to `chunk_chars` characters.

    A sentence longer than `chunk_chars` is a chunk of its own; `chunk_overlap` sentences
    at the end of a chunk start the next one as well (never across boilerplate).
    """
    runs: list[list[Span]] = [[]]
    for sentence in split_sentences(doc.text, doc.body_start, repeated):
        if sentence.boilerplate:
            runs.append([])
        else:
            runs[-1].append(sentence)
    groups: list[list[Span]] = []
    for run in runs:
        current: list[Span] = []
        fresh = 0  # sentences in `current` that are not overlap from the previous chunk
        for sentence in run:
            if fresh and sentence.end - current[0].start > chunk_chars:
                groups.append(current)
                current = current[len(current) - min(chunk_overlap, len(current) - 1):] if chunk_overlap else []
                fresh = 0
            current.append(sentence)
            fresh += 1
        if fresh:
            groups.append(current)
    chunks = []
    for position, group in enumerate(groups):
        start, end = group[0].start, group[-1].end
        text = doc.text[start:end]
        chunks.append(Chunk(
            id=chunk_id(doc.source, position, text), source=doc.source, position=position,
            start=start, end=end, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
        ))
    return chunks


def document_sentences(doc: Document, repeated: frozenset[str] = frozenset()) -> list[Sentence]:
    """The article sentences of a document (boilerplate left out), with offsets."""
    return [Sentence(doc.source, s.start, s.end, doc.text[s.start:s.end])
            for s in split_sentences(doc.text, doc.body_start, repeated) if not s.boilerplate]
