"""The documents tab: the table of articles and one article as safe HTML with its chunks marked."""

from __future__ import annotations

from app.ui.documents import DOCUMENTS_CSS, document_html, document_rows
from core.records import Chunk, Document

FRONT = "title: Deals\n---\n"
BODY = "Alpha one. Beta two.\nGamma three."
TEXT = FRONT + BODY


def chunk(source: str, position: int, text: str, start: int) -> Chunk:
    return Chunk(id=f"{source}:{position}", source=source, position=position, start=start,
                 end=start + len(text), text=text, sha256="h")


def deals() -> Document:
    return Document(source="deals.txt", text=TEXT, sha256="h", title="Deals", date="2025-10-01",
                    body_start=len(FRONT))


def deals_chunks() -> list[Chunk]:
    """Three chunks of deals.txt where the second overlaps both neighbours, plus one of another file."""
    pieces = ["Alpha one. Beta two.", "Beta two.\nGamma", "Gamma three."]
    chunks = [chunk("deals.txt", i, text, TEXT.index(text)) for i, text in enumerate(pieces)]
    assert [c.text for c in chunks] == [TEXT[c.start:c.end] for c in chunks]
    assert [(c.start, c.end) for c in chunks] == [(17, 37), (28, 43), (38, 50)]
    return [chunks[2], chunk("other.txt", 0, "Elsewhere.", 0), chunks[0], chunks[1]]


def test_rows_count_each_documents_chunks_and_sort_by_source():
    other = Document(source="other.txt", text="Elsewhere.", sha256="h", title="Other")
    empty = Document(source="a-empty.txt", text="Nothing indexed.", sha256="h", title="Empty", date="2024-01-02")
    assert document_rows([other, deals(), empty], deals_chunks()) == [
        ["Empty", "2024-01-02", "a-empty.txt", 0],
        ["Deals", "2025-10-01", "deals.txt", 3],
        ["Other", "", "other.txt", 1],
    ]


def test_no_documents_no_rows():
    assert document_rows([], []) == []


def test_overlapping_chunks_get_badges_where_they_start_and_alternating_tints():
    assert document_html(deals(), deals_chunks()) == (
        '<div class="cw-doc">'
        '<div class="cw-doc-header"><h3>Deals</h3><p class="cw-doc-meta">2025-10-01 · deals.txt · 3 chunks</p></div>'
        '<div class="cw-doc-text">'
        '<span class="cw-chunk-mark" id="chunk-0">§1</span>'
        '<span class="cw-chunk cw-chunk-even">Alpha one. </span>'
        '<span class="cw-chunk-mark" id="chunk-1">§2</span>'
        '<span class="cw-chunk cw-chunk-odd">Beta two.<br></span>'
        '<span class="cw-chunk-mark" id="chunk-2">§3</span>'
        '<span class="cw-chunk cw-chunk-even">Gamma three.</span>'
        "</div></div>"
    )


def test_text_before_the_first_chunk_is_shown_untinted_and_front_matter_is_not():
    doc = deals()
    first = chunk("deals.txt", 0, "Gamma three.", TEXT.index("Gamma"))
    assert document_html(doc, [first]) == (
        '<div class="cw-doc">'
        '<div class="cw-doc-header"><h3>Deals</h3><p class="cw-doc-meta">2025-10-01 · deals.txt · 1 chunk</p></div>'
        '<div class="cw-doc-text">'
        "Alpha one. Beta two.<br>"
        '<span class="cw-chunk-mark" id="chunk-0">§1</span>'
        '<span class="cw-chunk cw-chunk-even">Gamma three.</span>'
        "</div></div>"
    )


def test_a_document_without_chunks_is_plain_text():
    doc = Document(source="n.txt", text="Line one.\r\nLine two.", sha256="h", title="N")
    assert document_html(doc, []) == (
        '<div class="cw-doc">'
        '<div class="cw-doc-header"><h3>N</h3><p class="cw-doc-meta">n.txt · 0 chunks</p></div>'
        '<div class="cw-doc-text">Line one.<br>Line two.</div></div>'
    )


def test_document_text_never_becomes_tags():
    body = "<img src=x onerror=alert(1)> ![x](http://127.0.0.2/p.png)\n<script>alert(1)</script>"
    doc = Document(source="evil.txt", text=body, sha256="h", title="<script>alert(1)</script>",
                   date="<img src=x onerror=alert(1)>")
    chunks = [chunk("evil.txt", 0, "<img src=x onerror=alert(1)>", 0),
              chunk("evil.txt", 1, "<script>", body.index("<script>"))]
    html = document_html(doc, chunks)
    assert html == (
        '<div class="cw-doc">'
        '<div class="cw-doc-header"><h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>'
        '<p class="cw-doc-meta">&lt;img src=x onerror=alert(1)&gt; · evil.txt · 2 chunks</p></div>'
        '<div class="cw-doc-text">'
        '<span class="cw-chunk-mark" id="chunk-0">§1</span>'
        '<span class="cw-chunk cw-chunk-even">'
        "&lt;img src=x onerror=alert(1)&gt; ![x](http://127.0.0.2/p.png)<br></span>"
        '<span class="cw-chunk-mark" id="chunk-1">§2</span>'
        '<span class="cw-chunk cw-chunk-odd">&lt;script&gt;alert(1)&lt;/script&gt;</span>'
        "</div></div>"
    )
    assert "<img" not in html and "<script" not in html


def test_the_css_styles_every_class_the_html_uses():
    classes = ["cw-doc-meta", "cw-doc-text", "cw-chunk", "cw-chunk-even", "cw-chunk-odd", "cw-chunk-mark"]
    assert [f".{name} {{" in DOCUMENTS_CSS for name in classes] == [True] * len(classes)
    assert "rgba(" in DOCUMENTS_CSS
