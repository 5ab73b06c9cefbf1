"""Turn an uploaded file into article text, or say why it cannot be read.

`extract(name, data, max_bytes)` decides the format from the name's extension, checks the
content's magic bytes, and returns `Extracted(text, kind, title)` or `Unreadable(code, args)`:
codes, not sentences, so the UI can word them in English and Chinese.

    .txt .md     UTF-8 (a BOM is dropped), front matter kept as it is (index/documents.py reads it)
    .pdf         pypdfium2 (PDFium); each line read left to right from the glyph boxes, repeated page
                 headers/footers dropped, lines joined into paragraphs where the layout shows one ended
    .docx        python-docx; body paragraphs and tables in order (page headers/footers are not body)
    .html .htm   lxml's tree, then trafilatura: the main text (nav, footer, comments, cookie banners
                 and related links dropped), tables kept; the title from trafilatura's metadata

The parsers were chosen by measurement: `python -m bench.parsers`, bench/results/parsers.md.
Text always comes back with "\\n" newlines, paragraphs separated by a blank line, no NUL and no
lone surrogates. PDF, DOCX and HTML parsers raise many exception types on hostile input: the
documented ones map to "corrupt"/"encrypted", and one broad clause at `extract` maps anything
else to "corrupt" with the exception's type name, so an upload can never crash the caller.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from index.documents import split_front_matter, strip_surrogates

Kind = Literal["txt", "md", "pdf", "docx", "html"]
Code = Literal["empty", "too_big", "unsupported_type", "corrupt", "encrypted", "no_text", "not_utf8", "binary"]

KINDS: dict[str, Kind] = {".txt": "txt", ".md": "md", ".markdown": "md", ".pdf": "pdf", ".docx": "docx",
                          ".html": "html", ".htm": "html"}
MAX_PAGES = 500  # a PDF's pages read at most: ~4 ms a page (bench/results/parsers.md), so a hostile file takes seconds
UNPACK_RATIO = 20  # a .docx may unpack to this many times the byte limit (text XML compresses ~5-10x)


@dataclass(frozen=True)
class Extracted:
    """Article text from one file. `cut_at_page` is set when a PDF had more pages than were read."""

    text: str
    kind: Kind
    title: str | None = None
    cut_at_page: int | None = None


@dataclass(frozen=True)
class Unreadable:
    """Why a file gave no text: a code for the UI to word, and its values (limits, the parser's error)."""

    code: Code
    args: dict[str, str] = field(default_factory=dict)


def extract(name: str, data: bytes, max_bytes: int, *, max_pages: int = MAX_PAGES) -> Extracted | Unreadable:
    """The article text of an uploaded file named `name`, or why there is none.

    >>> extract("a.txt", "Hello\\r\\n世界".encode(), 100)
    Extracted(text='Hello\\n世界', kind='txt', title=None, cut_at_page=None)
    >>> extract("a.exe", b"MZ", 100)
    Unreadable(code='unsupported_type', args={'suffix': '.exe'})
    """
    suffix = _suffix(name)
    kind = KINDS.get(suffix)
    if kind is None:
        return Unreadable("unsupported_type", {"suffix": suffix})
    if not data:
        return Unreadable("empty")
    if len(data) > max_bytes:
        return Unreadable("too_big", {"max_bytes": str(max_bytes), "size": str(len(data))})
    try:
        if kind in ("txt", "md"):
            return _plain(data, kind)
        if kind == "pdf":
            return _pdf(data, max_pages)
        if kind == "docx":
            return _docx(data, max_bytes)
        return _html(data)
    except Exception as exc:  # the format boundary: hostile files make parsers raise anything
        return Unreadable("corrupt", {"error": type(exc).__name__})


def _suffix(name: str) -> str:
    """The lower-cased extension of a file name, with its dot.

    >>> _suffix("新闻.PDF"), _suffix("notes"), _suffix(".md")
    ('.pdf', '', '')
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


# --- text clean-up shared by every format ---------------------------------------------------

_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_BLANKS = re.compile(r"\n[ \t\u3000]*\n\s*")


def clean_text(text: str) -> str:
    """Newlines normalised, control characters and lone surrogates dropped, one blank line between
    paragraphs, trailing spaces gone.

    >>> clean_text("a\\x00b \\r\\n\\r\\n\\r\\nc\\fd\\ud800")
    'ab\\n\\nc\\nd'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = strip_surrogates(_CONTROLS.sub("", text))
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", text).strip()


def _paragraphs_text(paragraphs: list[str]) -> str:
    return clean_text("\n\n".join(p.strip() for p in paragraphs if p.strip()))


# --- .txt / .md: as index/documents.py read_document reads them ------------------------------

def _plain(data: bytes, kind: Kind) -> Extracted | Unreadable:
    if b"\x00" in data:
        return Unreadable("binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Unreadable("not_utf8", {"offset": str(exc.start)})
    text = strip_surrogates(text.replace("\r\n", "\n").replace("\r", "\n"))
    meta, body_start = split_front_matter(text)
    if not text[body_start:].strip():
        return Unreadable("no_text")
    return Extracted(text=text, kind=kind, title=meta.get("title"))


# --- PDF: pypdfium2 ---------------------------------------------------------------------------

# PDFium is not thread-safe (pypdfium2's documentation): the UI may extract two uploads at once.
_PDFIUM = threading.Lock()
_PDF_MAGIC = b"%PDF-"


def _pdf(data: bytes, max_pages: int) -> Extracted | Unreadable:
    # The spec lets the header start anywhere in the first 1024 bytes.
    if _PDF_MAGIC not in data[:1024]:
        return Unreadable("corrupt", {"error": "not a PDF"})
    import pypdfium2 as pdfium

    with _PDFIUM:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                return Unreadable("encrypted")
            return Unreadable("corrupt", {"error": _pdfium_reason(exc)})
        try:
            total = len(pdf)
            pages = [_pdfium_page_lines(pdf, i) for i in range(min(total, max_pages))]
            title = _meta_title(pdf.get_metadata_value("Title"))
        except pdfium.PdfiumError as exc:  # a page that cannot be loaded
            return Unreadable("corrupt", {"error": _pdfium_reason(exc)})
        finally:
            pdf.close()
    text = pdf_text(pages, slack=PDFIUM_SLACK)
    if not text:
        return Unreadable("no_text", {"pages": str(total)})
    return Extracted(text=text, kind="pdf", title=title, cut_at_page=max_pages if total > max_pages else None)


PDFIUM_SLACK = 2.0  # points: a unit that fits with less room to spare than this may not have fitted


def _pdfium_page_lines(pdf, index: int) -> list[Line]:
    """A page's lines with where each ends and how wide its first unbreakable unit is, in points,
    from PDFium's character boxes (loose boxes: a glyph's full advance, as the typesetter saw it)."""
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
            if len(text) != textpage.count_chars():  # no index-to-box mapping: measure in characters
                return [_text_line(line) for line in clean_text(text).split("\n")]
            lines = []
            start = 0
            for raw in text.split("\r\n"):
                lines += _pdfium_lines(textpage, raw, start)
                start += len(raw) + 2
            return lines
        finally:
            textpage.close()
    finally:
        page.close()


def _pdfium_lines(textpage, raw: str, start: int) -> list[Line]:
    import pypdfium2.raw as pdfium_c

    glyphs = []
    for offset, char in enumerate(raw):
        if _CONTROLS.match(char) or _SURROGATES.match(char):
            continue
        left, bottom, right, top = textpage.get_charbox(start + offset, loose=True)
        generated = bool(pdfium_c.FPDFText_IsGenerated(textpage.raw, start + offset))
        glyphs.append(_Glyph(char, left, right, top - bottom, generated))
    glyphs = in_reading_order(glyphs)
    text = "".join(g.char for g in glyphs).strip()
    if not text:
        return [Line("", 0.0, 0.0)]
    lead = len(glyphs) - len("".join(g.char for g in glyphs).lstrip())
    unit = glyphs[lead:lead + len(first_unit(text))]
    end = max(g.right for g in glyphs if not g.char.isspace())
    return [Line(text, end, unit[-1].right - unit[0].left)]


@dataclass(frozen=True)
class _Glyph:
    char: str
    left: float
    right: float
    height: float
    generated: bool  # a space PDFium inferred from a gap, not a character in the file


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def in_reading_order(glyphs: list[_Glyph]) -> list[_Glyph]:
    """A line's glyphs left to right. Writers may emit a line in pieces: LibreOffice sets CJK text
    first and the Western-font quotes “ ” after it, so in file order the quotes land at the line's
    end. Out-of-order lines are rebuilt from their real glyphs sorted by position, with a space
    where the gap is wider than a quarter of the text height; right-to-left scripts are left as
    they are.

    >>> g = [_Glyph("的", 0, 11, 11, False), _Glyph(" ", 22, 22, 0, True), _Glyph("补", 22, 33, 11, False),
    ...      _Glyph("“", 16, 22, 11, False), _Glyph("“", 11, 16, 11, False)]
    >>> "".join(x.char for x in in_reading_order(g))
    '的““补'
    """
    real = [g for g in glyphs if not g.generated]
    lefts = [g.left for g in real]
    if all(a <= b + 0.5 for a, b in zip(lefts, lefts[1:])) or any(_RTL.match(g.char) for g in real):
        return glyphs
    ordered = sorted(real, key=lambda g: g.left)
    heights = sorted(g.height for g in ordered)
    gap = heights[len(heights) // 2] / 4
    out = ordered[:1]
    for glyph in ordered[1:]:
        before = out[-1]
        if glyph.left - before.right > gap and not before.char.isspace() and not glyph.char.isspace():
            out.append(_Glyph(" ", before.right, glyph.left, 0.0, True))
        out.append(glyph)
    return out


def _pdfium_reason(exc: Exception) -> str:
    """PDFium's short reason out of pypdfium2's message.

    >>> _pdfium_reason(Exception("Failed to load document (PDFium: Data format error)."))
    'Data format error'
    """
    found = re.search(r"PDFium: ([^)]*)", str(exc))
    return found.group(1).strip() if found else type(exc).__name__


def _meta_title(value: str | None) -> str | None:
    value = clean_text(value or "").replace("\n", " ")
    return value or None


@dataclass(frozen=True)
class Line:
    """A visual line of a PDF page: its text, where it ends, and the width of its first unbreakable
    unit (the word a typesetter would have had to fit on the line before), both in one unit."""

    text: str
    end: float
    first: float


_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_EDGE_LINES = 2  # header/footer lines looked at on each page's top and bottom


def _edge_key(line: str) -> str:
    """A line as compared across pages: page numbers and spaces ignored.

    >>> _edge_key("第 3 页 / 共 20 页")
    '第#页/共#页'
    """
    return _SPACE.sub("", _DIGITS.sub("#", line))


def repeated_edges(pages: list[list[str]]) -> set[str]:
    """Keys of lines at the top or bottom of most pages (running headers, footers, page numbers).

    Needs two pages; with two or three, the line must be on every page.

    >>> sorted(repeated_edges([["Daily News", body, f"- {i} -"] for i, body in enumerate("甲乙丙", 1)]))
    ['-#-', 'DailyNews']
    """
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages:
        nonblank = [line for line in lines if line.strip()]
        edges = nonblank[:_EDGE_LINES] + nonblank[-_EDGE_LINES:]
        counts.update({_edge_key(line) for line in edges})
    needed = len(pages) if len(pages) < 4 else int(0.6 * len(pages) + 0.5)
    return {key for key, n in counts.items() if n >= needed and key}


def _drop_edges(lines: list[Line], repeated: set[str]) -> list[Line]:
    """A page's lines without the repeated lines among its first and last two (blank lines skipped)."""
    keep = list(lines)
    for edge in (0, -1):
        for _ in range(_EDGE_LINES):
            while keep and not keep[edge].text.strip():
                keep.pop(edge)
            if not keep or _edge_key(keep[edge].text) not in repeated:
                break
            keep.pop(edge)
    return keep


def _width(line: str) -> int:
    """Display width: CJK characters count two.

    >>> _width("GPU算力")
    7
    """
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


_IDEOGRAPH = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_CJK_CLOSING = frozenset("，。、；：！？）」』】》”’")
_CJK_OPENING = frozenset("（「『【《“‘")


def first_unit(line: str) -> str:
    """The line's first unbreakable unit, as line breaking (UAX 14, simplified) sees it: a line may
    break before an ideograph, after a space, after CJK closing punctuation, and between an
    ideograph and a Latin letter, but not inside "后,OpenAI" or before "，".

    >>> first_unit("后,OpenAI 又与"), first_unit("英伟达"), first_unit("作。此次"), first_unit("Microsoft、Oracle")
    ('后,OpenAI', '英', '作。', 'Microsoft、')
    """
    for i in range(1, len(line)):
        before, char = line[i - 1], line[i]
        if char.isspace() or before in _CJK_CLOSING and char not in _CJK_CLOSING:
            return line[:i]
        if _IDEOGRAPH.match(char) and before not in _CJK_OPENING:
            return line[:i]
        if _IDEOGRAPH.match(before) and char.isalnum() and char.isascii():
            return line[:i]
    return line


def _text_line(text: str) -> Line:
    """A line measured in characters (CJK count two), for text without geometry.

    >>> _text_line("后,OpenAI 又与")
    Line(text='后,OpenAI 又与', end=14, first=9)
    """
    return Line(text, _width(text.strip()), _width(first_unit(text.strip())))


_BULLET = re.compile(r"^\s*(?:[•·●◆■▪]\s*|[-–*]\s+|\d{1,2}(?:[.)]\s+|、)|[（(]?[一二三四五六七八九十]+[)）、])\S")
_LATIN_END = re.compile(r"[A-Za-z0-9,;:.!?%)\]'\"]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9(\['\"$]")
FIT_SLACK = 2  # in characters: widths counted in characters are off by up to one CJK character


def join_lines(lines: list[Line], slack: float = FIT_SLACK) -> list[str]:
    """Paragraphs from a PDF's visual lines. A line ends its paragraph when the next line's first unit
    would have fitted after it (the typesetter broke the line on purpose); a bullet or an empty line
    starts a paragraph. Lines are joined with a space only between Latin words.

    >>> join_lines([_text_line(t) for t in ["英伟达宣布与OpenAI达成意向合", "作。", "The deal is worth up to",
    ...                                     "$100 billion over ten", "years."]])
    ['英伟达宣布与OpenAI达成意向合作。', 'The deal is worth up to $100 billion over ten years.']
    """
    ends = sorted(line.end for line in lines if line.text.strip())
    if not ends:
        return []
    # A full line: most lines of running text are full, even in news with one-sentence paragraphs.
    full = ends[min(len(ends) - 1, int(len(ends) * 0.9))]
    paragraphs: list[str] = []
    current = ""
    previous: Line | None = None
    for line in lines:
        text = line.text.strip()
        if not text:
            previous = None
            continue
        if previous is None or _BULLET.match(text) or full - previous.end > line.first + slack:
            if current:
                paragraphs.append(current)
            current = text
        else:
            current += _joiner(current, text) + text
        previous = line
    if current:
        paragraphs.append(current)
    return paragraphs


def _joiner(before: str, after: str) -> str:
    """A space between Latin words, nothing next to CJK text or after a hyphen.

    >>> _joiner("up to", "$100"), _joiner("合", "作"), _joiner("GPU", "算力"), _joiner("state-", "of")
    (' ', '', '', '')
    """
    if before.endswith("-") or not _LATIN_END.search(before) or not _LATIN_START.match(after):
        return ""
    return " "


def pdf_text(pages: list[list[Line]], slack: float = FIT_SLACK) -> str:
    """Article text from each page's lines: repeated headers/footers dropped, lines joined."""
    repeated = repeated_edges([[line.text for line in page] for page in pages])
    lines: list[Line] = []
    for page in pages:
        lines += _drop_edges(page, repeated)
    return _paragraphs_text(join_lines(lines, slack))


def pdf_text_from_pages(pages: list[str]) -> str:
    """Article text from the plain text of each page (no geometry: widths counted in characters).

    >>> pdf_text_from_pages(["Daily News\\n第一行很长很长很长\\n短。\\n1", "Daily News\\n第二段很长很长很长\\n也短。\\n2",
    ...                      "Daily News\\n第三段。\\n3"])
    '第一行很长很长很长短。\\n\\n第二段很长很长很长也短。\\n\\n第三段。'
    """
    return pdf_text([[_text_line(line) for line in clean_text(page).split("\n")] for page in pages])


# --- DOCX: python-docx ------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def _docx(data: bytes, max_bytes: int) -> Extracted | Unreadable:
    if data.startswith(_OLE_MAGIC):
        # Office wraps a password-protected .docx in an OLE container; otherwise this is an old .doc.
        if _ENCRYPTION_INFO in data:
            return Unreadable("encrypted")
        return Unreadable("unsupported_type", {"suffix": ".docx", "detected": "doc"})
    if not data.startswith(b"PK\x03\x04"):
        return Unreadable("corrupt", {"error": "not a zip file"})
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            has_body = "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return Unreadable("corrupt", {"error": type(exc).__name__})
    if not has_body:
        return Unreadable("corrupt", {"error": "no word/document.xml"})
    if unpacked > UNPACK_RATIO * max_bytes:
        # A zip bomb would otherwise be inflated in memory by the parser.
        return Unreadable("too_big", {"max_bytes": str(max_bytes), "size": str(unpacked)})
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs = list(_docx_blocks(document))
        title = _meta_title(document.core_properties.title)
    except (PackageNotFoundError, XMLSyntaxError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return Unreadable("corrupt", {"error": type(exc).__name__})
    text = _paragraphs_text(paragraphs)
    if not text:
        return Unreadable("no_text")
    return Extracted(text=text, kind="docx", title=title)


def _docx_blocks(document):
    """Body paragraphs, and each table row as one line with its cells tab-separated, in order."""
    from docx.table import Table

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) not in seen:  # a merged cell is listed once per grid column
                        seen.add(id(cell._tc))
                        cells.append(cell.text.strip())
                yield "\t".join(cells)
        else:
            yield block.text


# --- HTML: trafilatura on lxml's tree ----------------------------------------------------------

# Only the title is wanted from the metadata. htmldate's extensive date search would run dateparser
# over the page's text: 0.13 s a page on the bench's pages, against 0.007 s for all the rest.
_DATE_PARAMS = {"extensive_search": False}


def _html(data: bytes) -> Extracted | Unreadable:
    text = decode_html(data)
    if text is None:
        return Unreadable("not_utf8")
    if "\x00" in text:
        return Unreadable("binary")
    import lxml.html
    import trafilatura
    from lxml.etree import ParserError

    text = _XML_DECLARATION.sub("", text, count=1)
    if not text.strip():
        return Unreadable("no_text")
    try:
        # huge_tree: libxml2 otherwise drops whatever is nested deeper than 256 elements
        page = lxml.html.document_fromstring(
            text, parser=lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True))
    except (ParserError, ValueError) as exc:
        return Unreadable("corrupt", {"error": type(exc).__name__})
    # Given a tree, trafilatura works on a copy; it returns None when it finds no main text.
    found = trafilatura.bare_extraction(page, include_comments=False, include_tables=True, with_metadata=True,
                                        date_extraction_params=_DATE_PARAMS)
    body = html_paragraphs(found.text) if found is not None and found.text else ""
    if not body:
        return Unreadable("no_text")
    # trafilatura's title: og:title and the like, else the page's one <h1>, else <title> less the
    # site's name ("Article - Site"), else the whole <title>
    return Extracted(text=body, kind="html", title=_meta_title(found.title))


def html_paragraphs(text: str) -> str:
    """trafilatura's text as paragraphs: each of its lines (a block, or a piece of one split by
    <br>) a paragraph, except a table's rows ("| a | b |"), which stay together as one block.

    >>> html_paragraphs("标题\\n第一段。\\n| 公司 | GW | \\n|---|---|\\n| OpenAI | 10 | \\n第二段。")
    '标题\\n\\n第一段。\\n\\n| 公司 | GW |\\n|---|---|\\n| OpenAI | 10 |\\n\\n第二段。'
    """
    blocks: list[str] = []
    for line in text.split("\n"):
        if blocks and line.startswith("|") and blocks[-1].startswith("|"):
            blocks[-1] += "\n" + line.rstrip()
        else:
            blocks.append(line)
    return _paragraphs_text(blocks)


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)


def decode_html(data: bytes) -> str | None:
    """An HTML page's text: BOM, then UTF-8, then the charset its <meta> declares (GBK pages are
    read as GB18030, their superset); None when none of these decodes it.

    >>> decode_html('<meta charset="gbk"><p>算力'.encode("gbk"))
    '<meta charset="gbk"><p>算力'
    """
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _CHARSET.search(data[:4096])
    if not declared:
        return None
    codec = declared.group(1).decode("ascii").lower()
    codec = "gb18030" if codec in ("gb2312", "gbk", "x-gbk") else codec
    try:
        return data.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None
