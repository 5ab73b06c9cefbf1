"""index/formats.py: uploads turned into article text, every file written by the test itself."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from index.formats import Extracted, Unreadable, extract

LIMIT = 1_000_000


# --- files made here --------------------------------------------------------------------------

def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _runs(line: str) -> list[tuple[bool, str]]:
    """A line split into (is CJK, text) runs: Latin text is set in Helvetica, CJK in a Type0 font."""
    runs: list[list] = []
    for char in line:
        wide = ord(char) > 127
        if runs and runs[-1][0] == wide:
            runs[-1][1] += char
        else:
            runs.append([wide, char])
    return [(wide, text) for wide, text in runs]


def make_pdf(pages: list[list[str]], *, title: str | None = None, encrypt: bool = False) -> bytes:
    """A minimal PDF, one text line per entry, 18 pt apart. CJK characters are CIDs of a Type0 font
    whose ToUnicode map gives them back (no glyphs needed for text extraction). A page without lines
    holds only a filled rectangle, like a scan holds only an image. `encrypt` adds a standard
    security handler whose password is not empty."""
    cjk = sorted({c for page in pages for line in page for c in line if ord(c) > 127})
    cid = {c: i + 1 for i, c in enumerate(cjk)}
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Citewise def "
            "1 begincodespacerange <0000> <FFFF> endcodespacerange "
            f"{len(cjk)} beginbfchar " + " ".join(f"<{cid[c]:04X}> <{ord(c):04X}>" for c in cjk)
            + " endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
    objects = {
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        3: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: "<< /Type /Font /Subtype /Type0 /BaseFont /CJK /Encoding /Identity-H /DescendantFonts [5 0 R] /ToUnicode 6 0 R >>",
        5: "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /CJK /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity)"
           " /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
        6: f"<< /Length {len(cmap.encode())} >>\nstream\n{cmap}\nendstream",
        7: "<< /Type /FontDescriptor /FontName /CJK /Flags 4 /FontBBox [0 -120 1000 880] /ItalicAngle 0 /Ascent 880"
           " /Descent -120 /CapHeight 700 /StemV 80 >>",
    }
    kids = []
    number = 8
    for page in pages:
        ops = []
        for row, line in enumerate(page):
            ops.append(f"BT 1 0 0 1 72 {760 - 18 * row} Tm")
            for wide, run in _runs(line):
                ops.append("/F2 12 Tf <" + "".join(f"{cid[c]:04X}" for c in run) + "> Tj" if wide
                           else f"/F1 12 Tf {_pdf_string(run)} Tj")
            ops.append("ET")
        content = "\n".join(ops) if page else "0 0 0 rg 72 72 200 200 re f"
        objects[number] = f"<< /Length {len(content.encode())} >>\nstream\n{content}\nendstream"
        objects[number + 1] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {number} 0 R"
                               " /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>")
        kids.append(f"{number + 1} 0 R")
        number += 2
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>"
    trailer = ""
    if title:
        objects[number] = "<< /Title <FEFF" + title.encode("utf-16-be").hex() + "> >>"
        trailer += f" /Info {number} 0 R"
        number += 1
    if encrypt:
        objects[number] = "<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <" + "11" * 32 + "> /U <" + "22" * 32 + "> >>"
        trailer += f" /Encrypt {number} 0 R /ID [<{'33' * 16}> <{'33' * 16}>]"
        number += 1
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for key in sorted(objects):
        offsets[key] = len(out)
        out += f"{key} 0 obj\n{objects[key]}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {number}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offsets[key]:010d} 00000 n \n".encode() for key in range(1, number))
    out += f"trailer\n<< /Size {number} /Root 1 0 R{trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def make_docx(paragraphs: list[str], *, title: str = "", header: str = "", table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    if header:
        document.sections[0].header.paragraphs[0].text = header
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- text files -------------------------------------------------------------------------------

def test_txt_is_read_like_read_document():
    data = "\ufeff---\ntitle: 算力账本\n---\n第一段。\r\n第二段 with English.\r\n".encode()
    assert extract("a.txt", data, LIMIT) == Extracted(
        text="---\ntitle: 算力账本\n---\n第一段。\n第二段 with English.\n", kind="txt", title="算力账本")


def test_md_kind():
    assert extract("notes.MD", "# 标题\n\n正文".encode(), LIMIT) == Extracted(text="# 标题\n\n正文", kind="md", title=None)


def test_invalid_utf8_txt():
    assert extract("a.txt", "GPU 算力".encode("gbk"), LIMIT) == Unreadable("not_utf8", {"offset": "4"})


def test_txt_with_nul_is_binary():
    assert extract("a.txt", b"text\x00more", LIMIT) == Unreadable("binary")


def test_front_matter_only_has_no_text():
    assert extract("a.md", b"---\ntitle: T\n---\n  \n", LIMIT) == Unreadable("no_text")


# --- limits and types -------------------------------------------------------------------------

def test_empty_file():
    assert extract("a.pdf", b"", LIMIT) == Unreadable("empty")


def test_too_big_names_the_limit():
    assert extract("a.txt", b"x" * 11, 10) == Unreadable("too_big", {"max_bytes": "10", "size": "11"})


@pytest.mark.parametrize("name, suffix", [("setup.exe", ".exe"), ("README", ""), ("scan.jpeg", ".jpeg")])
def test_unsupported_type(name, suffix):
    assert extract(name, b"MZ\x90\x00", LIMIT) == Unreadable("unsupported_type", {"suffix": suffix})


# --- PDF --------------------------------------------------------------------------------------

def test_pdf_text_lines_joined_into_paragraphs():
    data = make_pdf([["Nvidia will invest up to $100", "billion in OpenAI.", "英伟达将向OpenAI投资最高", "1000亿美元。"]],
                    title="英伟达 Deal")
    assert extract("deal.pdf", data, LIMIT) == Extracted(
        text="Nvidia will invest up to $100 billion in OpenAI.\n\n英伟达将向OpenAI投资最高1000亿美元。",
        kind="pdf", title="英伟达 Deal")


PAGES = [["Daily Report", "英伟达的第一页正文写满了这一整行", "短。", "Page 1"],
         ["Daily Report", "OpenAI on page two fills its line.", "Short.", "Page 2"],
         ["Daily Report", "第三页：10 GW 的算力集群部署进度", "完。", "Page 3"]]


def test_pdf_running_header_and_page_numbers_dropped():
    assert extract("report.pdf", make_pdf(PAGES), LIMIT) == Extracted(
        text="英伟达的第一页正文写满了这一整行短。\n\nOpenAI on page two fills its line. Short.\n\n"
             "第三页：10 GW 的算力集群部署进度完。", kind="pdf")


def test_pdf_pages_past_the_limit_are_not_read():
    assert extract("report.pdf", make_pdf(PAGES), LIMIT, max_pages=2) == Extracted(
        text="英伟达的第一页正文写满了这一整行短。\n\nOpenAI on page two fills its line. Short.", kind="pdf",
        cut_at_page=2)


def test_pdf_without_text_layer():
    assert extract("scan.pdf", make_pdf([[], []]), LIMIT) == Unreadable("no_text", {"pages": "2"})


def test_encrypted_pdf():
    assert extract("locked.pdf", make_pdf([["secret"]], encrypt=True), LIMIT) == Unreadable("encrypted")


def test_corrupt_pdf():
    data = b"%PDF-1.4\n" + bytes(range(256)) * 4
    assert extract("broken.pdf", data, LIMIT) == Unreadable("corrupt", {"error": "Data format error"})


def test_text_named_pdf_is_corrupt():
    assert extract("article.pdf", "英伟达投资 OpenAI。".encode(), LIMIT) == Unreadable("corrupt", {"error": "not a PDF"})


# --- DOCX -------------------------------------------------------------------------------------

def test_docx_body_and_table_without_page_header():
    data = make_docx(["英伟达将向 OpenAI 投资最高 1000 亿美元 (up to $100 billion).", "", "第二段。"],
                     title="算力交易", header="内部资料 Confidential", table=[["公司", "GW"], ["OpenAI", "10"]])
    assert extract("deal.docx", data, LIMIT) == Extracted(
        text="英伟达将向 OpenAI 投资最高 1000 亿美元 (up to $100 billion).\n\n第二段。\n\n公司\tGW\n\nOpenAI\t10",
        kind="docx", title="算力交易")


def test_docx_that_is_not_a_zip():
    assert extract("a.docx", "纯文本".encode(), LIMIT) == Unreadable("corrupt", {"error": "not a zip file"})


def test_zip_without_word_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("content.xml", "<x/>")
    assert extract("a.docx", buffer.getvalue(), LIMIT) == Unreadable("corrupt", {"error": "no word/document.xml"})


def test_docx_that_unpacks_past_the_limit():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", " " * 300_000)
    assert extract("bomb.docx", buffer.getvalue(), 10_000) == Unreadable("too_big", {"max_bytes": "10000", "size": "300000"})


def test_password_protected_docx():
    # Office stores an encrypted .docx in an OLE compound file holding an EncryptionInfo stream.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptionInfo".encode("utf-16-le")
    assert extract("locked.docx", data, LIMIT) == Unreadable("encrypted")


def test_old_word_file_named_docx():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "WordDocument".encode("utf-16-le")
    assert extract("old.docx", data, LIMIT) == Unreadable("unsupported_type", {"suffix": ".docx", "detected": "doc"})


# --- HTML -------------------------------------------------------------------------------------
# Pages of four designs around one article, with the boilerplate real news sites put around it.
# trafilatura needs an article of real length to tell it from the page around it: a page holding
# one short paragraph falls back to the whole page's text.

ARTICLE = [
    "英伟达周一宣布，将向 OpenAI 投资最高 1000 亿美元，双方已签署意向书，计划部署至少 10 GW 的英伟达系统。",
    "Nvidia will invest up to $100 billion in OpenAI, progressively as each gigawatt is deployed, the companies said on Monday.",
    "首个 1 GW 预计 2026 年下半年投入使用，硬件平台为英伟达即将推出的 Vera Rubin 系统。",
    "消息公布当天，英伟达股价上涨近 4%。也有分析人士担心“循环融资”的风险：投给 OpenAI 的钱可能以订单的形式回到英伟达。",
]
BODY = "\n\n".join(ARTICLE)
NAV = '<a href="/">首页</a> <a href="/tech">科技</a> <a href="/money">财经</a>'
LINKS = ["美联储议息会议前瞻：降息预期再度升温", "A股三大指数集体收涨 半导体板块午后领涨", "特斯拉三季度交付量创下历史新高"]
RELATED = "".join(f'<li><a href="/n/{i}.html">{title}</a></li>' for i, title in enumerate(LINKS))
COOKIE = "我们使用 Cookie 来改善您的浏览体验。继续浏览即表示您同意我们的 Cookie 政策。"
FOOTER = "关于我们 | 联系我们 | 隐私政策 Copyright 2025 财经网 版权所有"


def test_html_keeps_only_the_article_body():
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>英伟达投资 OpenAI - 财经网</title>
<script>var tracking = "不是正文";</script><style>p {{ margin: 0 }}</style></head>
<body><div class="cookie-banner">{COOKIE}<button>接受</button></div>
<header><a href="/">财经网</a><nav>{NAV}</nav></header>
<main><article><h1>英伟达投资 OpenAI</h1>
<p>{ARTICLE[0]}</p>
<p>Nvidia will invest up to <b>$100 billion</b> in OpenAI, progressively as each gigawatt is deployed, the companies said on Monday.</p>
<div class="ad-slot">广告：理财产品限时优惠，七日年化收益最高可达 4.5%</div>
<p>{ARTICLE[2]}</p>
<table><tr><th>公司</th><th>算力 (GW)</th></tr><tr><td>OpenAI</td><td>10</td></tr></table>
<p>{ARTICLE[3]}</p>
<div class="share-bar">分享到：微信 微博 QQ空间</div>
</article><aside class="related"><h3>相关阅读</h3><ul>{RELATED}</ul></aside></main>
<section class="comments"><h3>网友评论 已有 128 条评论</h3></section>
<footer><p>{FOOTER}</p></footer></body></html>"""
    # The headline stays, as an article's first line; a table's rows stay together as one block;
    # the title is the page's one <h1>, not the <title> with the site's name.
    assert extract("page.html", page.encode(), LIMIT) == Extracted(
        text="英伟达投资 OpenAI\n\n" + "\n\n".join(ARTICLE[:3]) + "\n\n| 公司 | 算力 (GW) |\n|---|---|\n| OpenAI | 10 |\n\n"
             + ARTICLE[3], kind="html", title="英伟达投资 OpenAI")


def test_gbk_page_without_article_tag():
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>英伟达投资 OpenAI_财经网</title></head>
<body><div class="top">{NAV}</div>
<div class="wrap"><div class="left"><div class="tit"><h1>英伟达投资 OpenAI</h1></div>
<div class="info">2025-10-13 来源：财经网</div>
<div id="Zoom">{paragraphs}</div>
<div class="xgyd"><h3>相关阅读</h3><ul>{RELATED}</ul></div></div>
<div class="right"><div class="phb"><h3>排行榜</h3><ol>{RELATED}</ol></div></div></div>
<div class="bottom">{FOOTER}</div><div id="tip">{COOKIE} <a href="#">同意</a></div></body></html>"""
    assert extract("page.htm", page.encode("gbk"), LIMIT) == Extracted(text=BODY, kind="html", title="英伟达投资 OpenAI")


def test_paragraphs_split_by_br():
    text = "<br><br>\n".join(ARTICLE[:2]) + "<br>" + "<br>".join(ARTICLE[2:])
    further = " ".join(f'<a href="/n/{i}.html">{title}</a>' for i, title in enumerate(LINKS))
    page = f"""<html><head><meta charset="utf-8"><title>英伟达投资 OpenAI</title></head>
<body><div id="hd">{NAV}</div>
<div id="bd"><div class="post"><h2>英伟达投资 OpenAI</h2><div class="post-body">{text}</div>
<div class="xg">延伸阅读：{further}</div></div>
<div class="pl"><h4>网友评论</h4><div class="pl-item">网友“老股民”：去年就说是泡沫，结果又涨了一倍。</div></div></div>
<div id="ft">{FOOTER}</div></body></html>"""
    assert extract("blog.htm", page.encode(), LIMIT) == Extracted(
        text="英伟达投资 OpenAI\n\n" + BODY, kind="html", title="英伟达投资 OpenAI")


def test_article_split_into_sections_beside_teasers():
    sections = "".join(f"<section><p>{p}</p></section>" for p in ARTICLE[:2])
    sections += "<section>" + "".join(f"<p>{p}</p>" for p in ARTICLE[2:]) + "</section>"
    teasers = "".join(f'<div class="item"><h4><a href="/t/{i}">{title}</a></h4><p>编辑精选：近期市场热点与机构观点。</p></div>'
                      for i, title in enumerate(LINKS))
    page = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>英伟达投资 OpenAI | 财经网</title></head>
<body><div class="topbar">{NAV}</div>
<div class="container"><div class="col-main"><h1>英伟达投资 OpenAI</h1><div class="content">{sections}</div></div>
<div class="col-side"><h3>更多新闻</h3>{teasers}</div></div>
<div class="site-footer">{FOOTER}</div></body></html>"""
    assert extract("page.html", page.encode(), LIMIT) == Extracted(text=BODY, kind="html", title="英伟达投资 OpenAI")


def test_title_from_the_title_element_without_a_headline():
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = f"<html><head><title>Nvidia Inc. to invest $100bn</title></head><body><div>{paragraphs}</div></body></html>"
    assert extract("page.html", page.encode(), LIMIT) == Extracted(text=BODY, kind="html", title="Nvidia Inc. to invest $100bn")


def test_html_nested_deeper_than_libxml2_default():
    page = "<html><body>" + "<div>" * 300 + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div>" * 300 + "</body></html>"
    assert extract("deep.html", page.encode(), LIMIT) == Extracted(text=BODY, kind="html")


def test_html_in_no_known_encoding():
    assert extract("page.html", "<p>英伟达</p>".encode("gbk"), LIMIT) == Unreadable("not_utf8")


def test_html_without_text():
    page = '<html><head><title>图集</title></head><body><img src="a.jpg"><div class="gallery"></div></body></html>'
    assert extract("page.html", page.encode(), LIMIT) == Unreadable("no_text")


def test_html_that_lxml_cannot_parse():
    assert extract("page.html", b"<!-- nothing but a comment -->", LIMIT) == Unreadable("corrupt", {"error": "ParserError"})
