"""`python -m bench.parsers`: which PDF, DOCX and HTML parser index/formats.py should use, measured.

Makes real files at run time in a temp folder from the five Chinese seed articles (text after the
front matter) and one English news-like article: a .docx per article written with python-docx (a
running header, a "第 N 页" footer field, core-properties title), a .pdf per article and one exactly
20-page .pdf converted from such .docx files by LibreOffice (`soffice --headless`, CJK fonts from
fonts-noto-cjk), and four HTML pages per article wrapped in site boilerplate (a semantic HTML5
page; a GBK-declared portal page of nested divs; a blog page of <br>-split text with readers'
comments; a CMS page splitting the article into <section>s beside a list of teasers). Each candidate runs in its own subprocess (its import,
time and peak memory alone) and is scored on:

    recall        share of the article's non-space characters recovered in order (difflib LCS)
    paragraphs    share of the article's paragraphs found exactly as one output paragraph
    leaked        share of boilerplate characters (nav, footer, banners, running headers) in the output
    s/file        seconds per article-sized file (min of --repeat runs); s/20p for the 20-page PDF
    peak MB       the subprocess's peak RSS; deps/MB: distributions the candidate brings that
                  requirements.txt does not already pin, and their installed size; licence

Candidates not installed are reported and skipped; without LibreOffice the PDF rows are skipped.
The PDF candidates share formats.py's header/footer removal and line joining, so the rows compare
the parsers. HTML is formats.py's own path (trafilatura on lxml's tree); the hand-written article
picking that selectolax and beautifulsoup4 were measured with is gone (bench/results/parsers.md).

    python -m bench.parsers                     # table; bench/results/parsers.json
    python -m bench.parsers --format html       # only the HTML files and candidates; the other
                                                # formats' rows already in --out are kept
    python -m bench.parsers --repeat 1 --keep /tmp/parser-files
"""

from __future__ import annotations

import argparse
import difflib
import io
import json
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from core.settings import ROOT
from index.documents import split_front_matter

OUT = ROOT / "bench" / "results" / "parsers.json"
SEEDS = ROOT / "seeds"
HEADER = "Citewise 测试文档 · 财经观察 Weekly Review"
FOOTER = re.compile(r"第\d+页")  # "第 N 页" with its spaces squeezed out
PAGES_20 = 20

ENGLISH = [
    'Nvidia to invest up to $100 billion in OpenAI as the race for computing power intensifies',
    "Nvidia said on Monday that it would invest as much as $100 billion in OpenAI, tying the world's most valuable "
    'chipmaker more closely to one of its largest customers. The two companies signed a letter of intent to deploy '
    'at least 10 gigawatts of Nvidia systems, with the first gigawatt expected to come online in the second half of'
    ' 2026.',
    'Under the plan, Nvidia will invest progressively as each gigawatt is deployed. Analysts estimated that every '
    'gigawatt of capacity could cost between $50 billion and $60 billion to build, of which roughly $35 billion '
    "would go to Nvidia's chips and systems.",
    "The announcement lifted Nvidia's shares by almost 4 percent. It also revived a debate about so-called circular"
    ' financing: money that Nvidia puts into OpenAI may return to Nvidia as orders for its processors, directly or '
    'through cloud providers such as Oracle and CoreWeave.',
    '"This is the biggest computing project in history," Jensen Huang, Nvidia\'s chief executive, told reporters. '
    'Sam Altman, who runs OpenAI, said that compute was the basis of the economy of the future and that the company'
    ' could not meet demand without it.',
    "Skeptics pointed to OpenAI's losses. The company is expected to spend far more than it earns for several "
    'years, and some investors compared the arrangement with the vendor financing of the telecom boom around 2000, '
    'when equipment makers lent money to customers who then bought their equipment.',
    'Others were less worried. As long as demand for artificial intelligence keeps growing, they argued, the '
    'investment simply lets OpenAI secure scarce chips early, while Nvidia locks in its most important buyer for '
    'the next generation of its Vera Rubin platform.',
]  # the title line, then the paragraphs

NAV = ["首页", "财经", "科技", "股市", "基金", "房产", "汽车", "观点", "视频"]
COOKIE = "我们使用 Cookie 来改善您的浏览体验并分析网站流量。继续浏览即表示您同意我们的 Cookie 政策。"
RELATED = ["美联储议息会议前瞻：降息预期再度升温", "A股三大指数集体收涨 半导体板块午后领涨",
           "苹果发布新款手机 销量预期出现分化", "特斯拉三季度交付量创下历史新高", "数字货币价格大幅波动 监管风险仍存"]
FOOTER_LINKS = "关于我们 | 联系我们 | 广告服务 | 隐私政策 | 网站地图"
COPYRIGHT = "Copyright © 2025 财经观察网 版权所有 京ICP备12345678号-1"
AD = "广告：理财产品限时优惠，七日年化收益最高可达4.5%，立即开户领取新人礼包"
SHARE = "分享到：微信 微博 QQ空间 复制链接"
COMMENTS = "网友评论 已有128条评论，登录后发表您的看法"


@dataclass(frozen=True)
class Article:
    name: str
    title: str
    paragraphs: list[str]


@dataclass(frozen=True)
class Sample:
    """A generated file, the article text it holds and the boilerplate put around it."""

    path: str
    kind: str
    paragraphs: list[str]
    boilerplate: list[str]  # strings that must not reach the output
    pages: int = 0  # for PDFs: running header and footer expected on each page


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: str
    dist: str  # the PyPI distribution it installs
    note: str


CANDIDATES = [
    Candidate("pypdfium2", "pdf", "pypdfium2", "PDFium, line ends and first words from char boxes (formats.py)"),
    Candidate("pypdfium2-text", "pdf", "pypdfium2", "PDFium page text, widths counted in characters"),
    Candidate("pypdf", "pdf", "pypdf", "page.extract_text()"),
    Candidate("pdfminer.six", "pdf", "pdfminer.six", "high_level.extract_text, LAParams defaults"),
    Candidate("python-docx", "docx", "python-docx", "body paragraphs and tables (formats.py)"),
    Candidate("docx2txt", "docx", "docx2txt", "docx2txt.process"),
    Candidate("mammoth", "docx", "mammoth", "extract_raw_text"),
    Candidate("trafilatura", "html", "trafilatura", "trafilatura.bare_extraction on lxml's tree, title from its metadata (formats.py)"),
]


# --- the articles and the files made from them ------------------------------------------------

def articles() -> list[Article]:
    """The seed articles' bodies (front matter dropped) and the English one, as paragraphs."""
    found = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        meta, start = split_front_matter(text)
        paragraphs = [line.strip() for line in text[start:].split("\n") if line.strip()]
        found.append(Article(path.stem, meta.get("title") or paragraphs[0][:24], paragraphs))
    title, *body = ENGLISH
    found.append(Article("english", title, body))
    return found


def squeeze(text: str) -> str:
    """Text without whitespace, as recall compares it.

    >>> squeeze("GPU 算力\\n 10 GW")
    'GPU算力10GW'
    """
    return re.sub(r"\s+", "", text)


def write_docx(path: Path, title: str, pages: list[list[str]]) -> None:
    """A .docx with a running header, a page-number footer field and a page break between `pages`."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.core_properties.title = title
    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER
    footer = section.footer.paragraphs[0]
    footer.add_run("第 ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" 页")
    for number, paragraphs in enumerate(pages):
        if number:
            document.add_page_break()
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.save(str(path))


def twenty_pages(all_articles: list[Article], chars: int = 900) -> list[list[str]]:
    """Paragraphs for 20 pages, ~`chars` characters a page (one page each in Letter 11pt), the
    articles repeated as needed."""
    stream = [p for article in all_articles for p in article.paragraphs if len(p) < chars]
    pages: list[list[str]] = []
    index = 0
    while len(pages) < PAGES_20:
        page: list[str] = []
        while sum(len(p) for p in page) + len(stream[index % len(stream)]) <= chars:
            page.append(stream[index % len(stream)])
            index += 1
        pages.append(page)
    return pages


def html_semantic(article: Article) -> str:
    paragraphs = "\n".join(f"<p>{_escape(p)}</p>" for p in article.paragraphs)
    nav = "".join(f'<li><a href="/{i}">{item}</a></li>' for i, item in enumerate(NAV))
    related = "".join(f'<li><a href="/news/{i}.html">{t}</a></li>' for i, t in enumerate(RELATED))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{_escape(article.title)} - 财经观察网</title>
<style>body{{font-family:sans-serif}} .cookie-banner{{position:fixed}}</style>
<script>window.dataLayer=[];function gtag(){{dataLayer.push(arguments)}};var hot="热门推荐";</script>
<script type="application/ld+json">{{"@type":"NewsArticle","publisher":"财经观察网"}}</script></head>
<body>
<div id="cookie-banner" class="cookie-banner">{COOKIE}<button>接受</button></div>
<header class="site-header"><a class="logo" href="/">财经观察网</a>
<nav><ul>{nav}</ul></nav><form><input placeholder="搜索"><button>搜索</button></form></header>
<div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/tech">科技</a> &gt; 正文</div>
<main><article>
<header><h1>{_escape(article.title)}</h1><div class="byline">财经观察网 2025-10-13 08:30</div></header>
<div class="article-body">
{paragraphs}
<div class="ad-slot">{AD}</div>
</div>
<div class="share-bar">{SHARE}</div>
</article>
<aside class="sidebar"><h3>相关阅读</h3><ul>{related}</ul></aside></main>
<section class="comments"><h3>{COMMENTS}</h3></section>
<footer><p>{FOOTER_LINKS}</p><p>{COPYRIGHT}</p></footer>
</body></html>"""


def html_portal(article: Article) -> str:
    """An older portal's page: nested divs and no semantic tags, declared GBK."""
    paragraphs = "\n".join(f"<p>{_escape(p)}</p>" for p in article.paragraphs)
    nav = " | ".join(f'<a href="/{i}">{item}</a>' for i, item in enumerate(NAV))
    related = "".join(f'<li><a href="/news/{i}.html">{t}</a></li>' for i, t in enumerate(RELATED))
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<title>{_escape(article.title)}_财经观察网</title><script type="text/javascript">document.write("");</script></head>
<body><div class="top">{nav}</div>
<div class="wrap"><div class="left">
<div class="tit"><h1>{_escape(article.title)}</h1></div><div class="info">2025-10-13 来源：财经观察网</div>
<div id="Zoom" class="zw">
{paragraphs}
</div>
<div class="xgyd"><h3>相关阅读</h3><ul>{related}</ul></div>
</div>
<div class="right"><div class="phb"><h3>排行榜</h3><ol>{related}</ol></div></div></div>
<div class="bottom">{FOOTER_LINKS}<br>{COPYRIGHT}</div>
<div id="tip">{COOKIE} <a href="#">同意</a></div>
</body></html>"""


PLAIN_COMMENTS = ["网友“算力观察”：这篇文章分析得很透彻，循环融资的风险确实值得警惕，希望监管部门能够尽早关注。",
                  "网友“老股民”：去年就说是泡沫，结果又涨了一倍，我看短期内还是会继续上涨，大家理性投资吧。"]


def html_plain(article: Article) -> str:
    """A blog-style page: paragraphs split by <br><br> in one div, no <p>, comments in plain divs."""
    body = "<br><br>\n".join(_escape(p) for p in article.paragraphs)
    nav = " ".join(f'<a href="/{i}">{item}</a>' for i, item in enumerate(NAV))
    related = " ".join(f'<a href="/news/{i}.html">{t}</a>' for i, t in enumerate(RELATED))
    comments = "".join(f'<div class="pl-item">{c}</div>' for c in PLAIN_COMMENTS)
    return f"""<html><head><meta charset="utf-8"><title>{_escape(article.title)}</title></head>
<body><div id="hd">{nav}</div>
<div id="bd"><div class="post"><h2>{_escape(article.title)}</h2>
<div class="post-body">{body}</div>
<div class="xg">延伸阅读：{related}</div></div>
<div class="pl"><h4>{COMMENTS}</h4>{comments}</div></div>
<div id="ft">{FOOTER_LINKS}<br>{COPYRIGHT}</div>
</body></html>"""


def html_sections(article: Article) -> str:
    """A CMS page that splits the article into <section>s under one div, with a teaser list of
    <p> summaries beside it and no <article> or <main>."""
    third = max(1, len(article.paragraphs) // 3)
    parts = [article.paragraphs[i:i + third] for i in range(0, len(article.paragraphs), third)]
    sections = "\n".join("<section>" + "".join(f"<p>{_escape(p)}</p>" for p in part) + "</section>" for part in parts)
    teasers = "".join(f'<div class="item"><h4><a href="/t/{i}">{t}</a></h4><p>{TEASER}</p></div>' for i, t in enumerate(RELATED))
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_escape(article.title)} | 财经观察网</title></head>
<body><div class="topbar">{" ".join(f'<a href="/{i}">{item}</a>' for i, item in enumerate(NAV))}</div>
<div class="container"><div class="col-main"><h1>{_escape(article.title)}</h1>
<div class="content">{sections}</div></div>
<div class="col-side"><h3>更多新闻</h3>{teasers}</div></div>
<div class="site-footer">{FOOTER_LINKS} {COPYRIGHT}</div></body></html>"""


TEASER = "编辑精选：本文梳理了近期市场热点与机构观点，带您快速了解行业动态，点击查看全文。"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


KINDS = frozenset({"pdf", "docx", "html"})
HTML_BOILERPLATE = [*NAV[1:], COOKIE, *RELATED, FOOTER_LINKS, COPYRIGHT, AD, SHARE, COMMENTS, *PLAIN_COMMENTS, TEASER]


def make_samples(folder: Path, log: Callable[[str], None], kinds: frozenset[str] = KINDS) -> list[Sample]:
    """Write the test files of `kinds` into `folder`; PDFs only when LibreOffice is installed."""
    samples: list[Sample] = []
    all_articles = articles()
    for article in all_articles:
        if kinds & {"docx", "pdf"}:  # the PDFs are converted from the .docx files
            path = folder / f"{article.name}.docx"
            write_docx(path, article.title, [article.paragraphs])
            if "docx" in kinds:
                samples.append(Sample(str(path), "docx", article.paragraphs, [HEADER]))
        if "html" not in kinds:
            continue
        for style, page, encoding in (("semantic", html_semantic, "utf-8"), ("portal", html_portal, "gb18030"),
                                      ("plain", html_plain, "utf-8"), ("sections", html_sections, "utf-8")):
            path = folder / f"{article.name}-{style}.html"
            path.write_bytes(page(article).encode(encoding))
            samples.append(Sample(str(path), "html", article.paragraphs, HTML_BOILERPLATE))
    if "pdf" not in kinds:
        return samples
    pages = twenty_pages(all_articles)
    write_docx(folder / "twenty-pages.docx", "二十页合集", pages)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        log("LibreOffice (soffice) is not installed: no PDFs, the PDF candidates are skipped. "
            "apt-get install libreoffice-writer-nogui fonts-noto-cjk to measure them.")
        return samples
    pdf_dir = folder / "pdf"
    pdf_dir.mkdir()
    started = time.perf_counter()
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{folder}/lo-profile", "--convert-to", "pdf",
                    "--outdir", str(pdf_dir), *sorted(str(p) for p in folder.glob("*.docx"))],
                   check=True, capture_output=True, timeout=600)
    log(f"LibreOffice made {len(list(pdf_dir.glob('*.pdf')))} PDFs in {time.perf_counter() - started:.0f} s")
    for article in all_articles:
        path = pdf_dir / f"{article.name}.pdf"
        samples.append(Sample(str(path), "pdf", article.paragraphs, [HEADER], pages=_page_count(path)))
    twenty = pdf_dir / "twenty-pages.pdf"
    if _page_count(twenty) != PAGES_20:
        log(f"twenty-pages.pdf has {_page_count(twenty)} pages, not {PAGES_20}: its seconds are for that many")
    samples.append(Sample(str(twenty), "pdf", [p for page in pages for p in page], [HEADER], pages=PAGES_20))
    return samples


def _page_count(path: Path) -> int:
    """Page objects in a PDF as LibreOffice writes them (uncompressed object dictionaries)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


# --- the candidates, each in its own subprocess ---------------------------------------------

def _pdf_pages_pypdf(data: bytes) -> tuple[list[str], str | None]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    title = reader.metadata.title if reader.metadata else None
    return [page.extract_text() or "" for page in reader.pages], title


def _pdf_pages_pdfium(data: bytes) -> tuple[list[str], str | None]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))], pdf.get_metadata_value("Title")
    finally:
        pdf.close()


def _pdf_pages_pdfminer(data: bytes) -> tuple[list[str], str | None]:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data)).split("\f"), None


PDF_PAGES = {"pypdf": _pdf_pages_pypdf, "pdfminer.six": _pdf_pages_pdfminer, "pypdfium2-text": _pdf_pages_pdfium}


def _extract_with(candidate: str, path: Path) -> tuple[str, str | None]:
    """(text, title) of one file with one candidate, through formats.py's shared clean-up."""
    from index import formats

    data = path.read_bytes()
    if candidate in ("pypdfium2", "python-docx", "trafilatura"):
        result = formats.extract(path.name, data, max_bytes=10**9)
        if isinstance(result, formats.Unreadable):
            return f"<{result.code} {result.args}>", None
        return result.text, result.title
    if candidate in PDF_PAGES:
        pages, title = PDF_PAGES[candidate](data)
        return formats.pdf_text_from_pages(pages), title
    if candidate == "docx2txt":
        import docx2txt

        return formats.clean_text(docx2txt.process(io.BytesIO(data))), None
    if candidate == "mammoth":
        import mammoth

        return formats.clean_text(mammoth.extract_raw_text(io.BytesIO(data)).value), None
    raise ValueError(f"unknown candidate {candidate}")


def worker(candidate: str, files: list[Path], repeat: int, out: Path) -> None:
    """Extract `files` with one candidate `repeat` times each; write texts, best times and peak RSS."""
    started = time.perf_counter()
    _extract_with(candidate, files[0])  # the import and first-call set-up, timed apart
    first = time.perf_counter() - started
    rows = {}
    for path in files:
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            text, title = _extract_with(candidate, path)
            best = min(best, time.perf_counter() - started)
        rows[str(path)] = {"text": text, "title": title, "seconds": best}
    peak_mb = _peak_rss_mb()
    out.write_text(json.dumps({"first_call_s": first, "peak_mb": peak_mb, "files": rows}, ensure_ascii=False))


def _peak_rss_mb() -> float:
    """This process's peak RSS. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent
    across exec, so every worker would report the parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- scoring ----------------------------------------------------------------------------------

def recall(reference: str, output: str) -> float:
    """Share of the reference's non-space characters found in order in the output (LCS by difflib).

    >>> recall("英伟达 算力", "英伟 算力达")
    0.8
    """
    a, b = squeeze(reference), squeeze(output)
    if not a:
        return 1.0
    matched = sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return matched / len(a)


def paragraphs_exact(paragraphs: list[str], output: str) -> float:
    """Share of the reference paragraphs that come out as one paragraph, spaces collapsed.

    >>> paragraphs_exact(["第一段。", "Second  one."], "第一段。\\n\\nSecond one.\\n\\nextra")
    1.0
    """
    found = {_spaced(p) for p in output.split("\n\n")}
    return sum(_spaced(p) in found for p in paragraphs) / len(paragraphs)


_CJK_SPACE = re.compile(r"\s+(?=[\u2e80-\u9fff\uff00-\uffef])|(?<=[\u2e80-\u9fff\uff00-\uffef])\s+")


def _spaced(text: str) -> str:
    """Spaces collapsed, and dropped next to CJK text, where typesetters add or drop them freely.

    >>> _spaced("与 OpenAI  达成 deal  of  2025")
    '与OpenAI达成deal of 2025'
    """
    return re.sub(r"\s+", " ", _CJK_SPACE.sub("", text)).strip()


def leaked(sample: Sample, output: str) -> float:
    """Share of the boilerplate's characters that reached the output.

    For a PDF the running header and the "第 N 页" footer count once per page."""
    out = squeeze(output)
    body = squeeze("".join(sample.paragraphs))
    if sample.kind == "pdf":
        pages = max(sample.pages, 1)
        found = min(out.count(squeeze(HEADER)), pages) + min(len(FOOTER.findall(out)), pages)
        return found / (2 * pages)
    pieces = [squeeze(b) for b in sample.boilerplate if squeeze(b) not in body]
    total = sum(len(p) for p in pieces)
    return sum(len(p) for p in pieces if p in out) / total if total else 0.0


def installed(dist: str) -> tuple[str, list[str], float, str] | None:
    """(version, new distributions it pulls in, their installed MB, licence), or None if not installed.

    New means not already pinned in requirements.txt."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pinned = {canonicalize_name(line.split("==")[0]) for line in (ROOT / "requirements.txt").read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    try:
        top = metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        return None
    closure: dict[str, metadata.Distribution] = {}
    todo = [top]
    while todo:
        current = todo.pop()
        name = canonicalize_name(current.metadata["Name"])
        if name in closure:
            continue
        closure[name] = current
        for line in current.requires or []:
            requirement = Requirement(line)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            try:
                todo.append(metadata.distribution(requirement.name))
            except metadata.PackageNotFoundError:
                continue
    new = sorted(name for name in closure if name not in pinned)
    size = sum(_dist_bytes(closure[name]) for name in new) / 1e6
    return top.version, [f"{n}=={closure[n].version}" for n in new], size, _licence(top)


def _dist_bytes(dist: metadata.Distribution) -> int:
    total = 0
    for file in dist.files or []:
        path = Path(dist.locate_file(file))
        if path.is_file():
            total += path.stat().st_size
    return total


def _licence(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if classifiers:
        return ", ".join(classifiers)
    return (meta.get("License") or "none in its metadata").splitlines()[0][:60]


@dataclass
class Row:
    candidate: str
    kind: str
    version: str
    recall: float
    paragraphs: float
    leaked: float
    seconds_per_file: float
    seconds_20_pages: float | None
    first_call_s: float
    peak_mb: float
    new_dists: list[str]
    new_mb: float
    licence: str
    titles: int  # files whose title came back
    note: str
    per_file: dict[str, dict[str, float]]


def measure(candidate: Candidate, samples: list[Sample], repeat: int, folder: Path, log: Callable[[str], None]) -> Row | None:
    found = installed(candidate.dist)
    if found is None:
        log(f"{candidate.name}: not installed, skipped (pip install {candidate.dist})")
        return None
    mine = [s for s in samples if s.kind == candidate.kind]
    if not mine:
        return None
    out = folder / f"{candidate.name}.json"
    command = [sys.executable, "-m", "bench.parsers", "--worker", candidate.name, "--repeat", str(repeat), "--out", str(out),
               *[s.path for s in mine]]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if done.returncode:
        log(f"{candidate.name}: failed: {done.stderr.strip().splitlines()[-1:]}")
        return None
    result = json.loads(out.read_text(encoding="utf-8"))
    files = result["files"]
    articles_only = [s for s in mine if s.pages != PAGES_20]
    twenty = [s for s in mine if s.pages == PAGES_20]
    version, new, size, licence = found
    per_file = {Path(s.path).name: {"recall": round(recall("\n".join(s.paragraphs), files[s.path]["text"]), 4),
                                    "paragraphs": round(paragraphs_exact(s.paragraphs, files[s.path]["text"]), 3),
                                    "leaked": round(leaked(s, files[s.path]["text"]), 3),
                                    "seconds": round(files[s.path]["seconds"], 4)} for s in mine}
    return Row(
        candidate=candidate.name, kind=candidate.kind, version=version,
        recall=_mean(recall("\n".join(s.paragraphs), files[s.path]["text"]) for s in mine),
        paragraphs=_mean(paragraphs_exact(s.paragraphs, files[s.path]["text"]) for s in mine),
        leaked=_mean(leaked(s, files[s.path]["text"]) for s in mine),
        seconds_per_file=_mean(files[s.path]["seconds"] for s in articles_only),
        seconds_20_pages=files[twenty[0].path]["seconds"] if twenty else None,
        first_call_s=result["first_call_s"], peak_mb=result["peak_mb"], new_dists=new, new_mb=size, licence=licence,
        titles=sum(bool(files[s.path]["title"]) for s in mine), note=candidate.note, per_file=per_file,
    )


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def table(rows: list[Row]) -> str:
    lines = [f"{'format':6} {'candidate':15} {'version':10} {'recall':>7} {'paras':>6} {'leaked':>7} {'s/file':>8} "
             f"{'s/20p':>7} {'1st s':>6} {'peak MB':>8} {'new deps':>8} {'dep MB':>7}  licence"]
    for r in rows:
        twenty = f"{r.seconds_20_pages:7.3f}" if r.seconds_20_pages is not None else f"{'-':>7}"
        lines.append(f"{r.kind:6} {r.candidate:15} {r.version:10} {r.recall:7.4f} {r.paragraphs:6.3f} {r.leaked:7.3f} "
                     f"{r.seconds_per_file:8.4f} {twenty} {r.first_call_s:6.2f} {r.peak_mb:8.0f} {len(r.new_dists):8d} "
                     f"{r.new_mb:7.1f}  {r.licence}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per file; the fastest counts")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--keep", type=Path, help="write the test files here and keep them")
    parser.add_argument("--format", action="append", choices=sorted(KINDS), dest="formats",
                        help="measure only this format (repeatable); rows of other formats in --out are kept")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("files", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.files, args.repeat, args.out)
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="citewise-parsers-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        kinds = frozenset(args.formats or KINDS)
        samples = make_samples(folder, log, kinds)
        rows = []
        for candidate in (c for c in CANDIDATES if c.kind in kinds):
            log(f"measuring {candidate.name} ...")
            row = measure(candidate, samples, args.repeat, Path(scratch), log)
            if row:
                rows.append(row)
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    soffice = shutil.which("soffice")
    report = {
        "python": platform.python_version(),
        "libreoffice": subprocess.run([soffice, "--version"], capture_output=True, text=True).stdout.strip() if soffice else None,
        "files": {kind: sum(s.kind == kind for s in samples) for kind in sorted(kinds)},
        "repeat": args.repeat,
        "rows": [asdict(r) for r in rows],
    }
    if kinds != KINDS and args.out.exists():  # keep the other formats' rows from the last run
        earlier = json.loads(args.out.read_text(encoding="utf-8"))
        report["files"] = {**earlier.get("files", {}), **report["files"]}
        report["rows"] = [r for r in earlier.get("rows", []) if r["kind"] not in kinds] + report["rows"]
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
