"""The documents tab's data: a table of the indexed articles and one article as safe HTML.

Every piece of article text goes through `html.escape`; the only tags are the ones written here.
"""

from __future__ import annotations

import html
from collections import Counter

from core.records import Chunk, Document

DOCUMENTS_CSS = """
.cw-doc-meta { opacity: 0.75; margin-top: 0; }
.cw-doc-text { white-space: pre-wrap; line-height: 1.7; }
.cw-chunk { border-radius: 3px; }
.cw-chunk-even { background: rgba(59, 130, 246, 0.10); }
.cw-chunk-odd { background: rgba(234, 179, 8, 0.14); }
.cw-chunk-mark {
  display: inline-block; margin: 0 0.25em; padding: 0 0.35em; border-radius: 0.6em;
  font-size: 0.75em; font-weight: 600; line-height: 1.4; vertical-align: 0.1em;
  background: rgba(100, 116, 139, 0.25); user-select: none;
}
/* The indexing progress is drawn over the report; an empty report has no height to show it in. */
#cw-library-report:has(.pending) { min-height: 5em; }
"""


def document_rows(documents: list[Document], chunks: list[Chunk]) -> list[list]:
    """One row per article, [title, date or "", source, number of chunks], sorted by source.

    >>> docs = [Document("b.txt", "x", "h", "B", "2025-10-01"), Document("a.txt", "y", "h", "A")]
    >>> chunks = [Chunk("b:0", "b.txt", 0, 0, 1, "x", "h"), Chunk("b:1", "b.txt", 1, 0, 1, "x", "h")]
    >>> document_rows(docs, chunks)
    [['A', '', 'a.txt', 0], ['B', '2025-10-01', 'b.txt', 2]]
    """
    counts = Counter(chunk.source for chunk in chunks)
    return [[d.title, d.date or "", d.source, counts[d.source]]
            for d in sorted(documents, key=lambda d: d.source)]


def _text(text: str) -> str:
    return html.escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def _header(document: Document, count: int) -> str:
    meta = [document.date, document.source, f"{count} chunk" + ("" if count == 1 else "s")]
    return (f'<div class="cw-doc-header"><h3>{html.escape(document.title)}</h3>'
            f'<p class="cw-doc-meta">{" · ".join(html.escape(m) for m in meta if m)}</p></div>')


def document_html(document: Document, chunks: list[Chunk]) -> str:
    """The article from `body_start` on, with a badge where each of its chunks starts.

    Chunks overlap, so a boundary is where a chunk starts; each stretch up to the next boundary
    gets the other tint. Chunks of other documents are ignored.

    >>> doc = Document("a.txt", "One. Two.\\n<b>", "h", "A & B")
    >>> chunks = [Chunk("a:0", "a.txt", 0, 0, 9, "One. Two.", "h"), Chunk("a:1", "a.txt", 1, 5, 14, "", "h")]
    >>> print(document_html(doc, chunks).replace("><", ">\\n<"))
    <div class="cw-doc">
    <div class="cw-doc-header">
    <h3>A &amp; B</h3>
    <p class="cw-doc-meta">a.txt · 2 chunks</p>
    </div>
    <div class="cw-doc-text">
    <span class="cw-chunk-mark" id="chunk-0">§1</span>
    <span class="cw-chunk cw-chunk-even">One. </span>
    <span class="cw-chunk-mark" id="chunk-1">§2</span>
    <span class="cw-chunk cw-chunk-odd">Two.<br>&lt;b&gt;</span>
    </div>
    </div>
    """
    own = sorted((c for c in chunks if c.source == document.source), key=lambda c: (c.start, c.position))
    end = len(document.text)
    # A chunk offset outside the shown body still gets its badge, at the nearest edge.
    starts = [min(max(c.start, document.body_start), end) for c in own]
    parts = [_header(document, len(own)), '<div class="cw-doc-text">']
    stretch = 0
    lead_end = starts[0] if own else end  # text before the first chunk, untinted
    if lead_end > document.body_start:
        parts.append(_text(document.text[document.body_start:lead_end]))
    for i, (chunk, start) in enumerate(zip(own, starts)):
        parts.append(f'<span class="cw-chunk-mark" id="chunk-{chunk.position}">§{chunk.position + 1}</span>')
        stop = starts[i + 1] if i + 1 < len(own) else end
        if stop > start:
            parity = "even" if stretch % 2 == 0 else "odd"
            parts.append(f'<span class="cw-chunk cw-chunk-{parity}">{_text(document.text[start:stop])}</span>')
            stretch += 1
    parts.append("</div>")
    return '<div class="cw-doc">' + "".join(parts) + "</div>"
