"""Passages shown without Markdown marks and glossary parentheses, highlights still on the right words."""

from __future__ import annotations

import html
import re

from app.display import plain, shown
from app.ui.export import conversation_markdown
from app.ui.sources import highlighted, passage_card
from core.records import Answer, Citation, Passage
from core.settings import ROOT
from index.chunking import chunk_document, document_sentences
from index.documents import read_document

SEED_004 = "004_94acd972758495ac.txt"
MARKED = ("### OpenAI的估值飙升与算力需求\n\n"
          "OpenAI在巨额烧钱的同时，吸引**英伟达**（NVIDIA: 全球领先的人工智能计算公司，主要生产图形处理器GPU）撒钱、"
          "**AMD**（Advanced Micro Devices: 超微半导体）送股。")
CLEAN = "OpenAI的估值飙升与算力需求\n\nOpenAI在巨额烧钱的同时，吸引英伟达撒钱、AMD送股。"


def passage_of(text: str, start: int = 100) -> Passage:
    return Passage("c", "a.txt", "A", None, text, start, start + len(text), 0.9)


def test_marks_headings_and_glossary_parentheses_are_removed():
    assert shown(MARKED).text == CLEAN
    assert plain(MARKED) == CLEAN
    assert plain("甲骨文（Oracle：数据库公司）与 __微软__、*谷歌* 和 _Meta_ 用 `CUDA`") == "甲骨文与 微软、谷歌 和 Meta 用 CUDA"
    assert plain("**a *b* c**") == "a b c"
    assert plain("*   Meta的Hyperion项目：1000亿美元\n+ 第二项") == "• Meta的Hyperion项目：1000亿美元\n• 第二项"


def test_parentheses_with_content_and_lone_marks_stay():
    kept = ("英伟达计划部署10吉瓦(GW)算力，签署了意向书(LOI)，估值5000亿美元（以当时估值为准）。"
            "分析师吉尔·卢里亚（Gil Luria）说 (Source: Reuters)；专用芯片(ASIC,即专用集成电路)。"
            "snake_case 与 2*3*4，以及 C# 和 #1。")
    view = shown(kept)
    assert (view.text, view.keep) == (kept, tuple(range(len(kept))))
    assert plain(kept) == kept


def test_a_highlight_inside_a_bolded_name_marks_only_the_name():
    text = MARKED.split("\n\n")[1]
    start = 100 + text.index("英伟达")
    assert highlighted(passage_of(text), start, start + 3) == (
        "OpenAI在巨额烧钱的同时，吸引<mark>英伟达</mark>撒钱、AMD送股。")
    # a sentence that starts on the opening ** and ends after the glossary parenthesis
    bold = 100 + text.index("**英伟达**")
    after = 100 + text.index("撒钱")
    assert highlighted(passage_of(text), bold, after + 2) == (
        "OpenAI在巨额烧钱的同时，吸引<mark>英伟达撒钱</mark>、AMD送股。")


def test_offsets_round_trip():
    view = shown(MARKED)
    assert len(view.keep) == len(view.text)
    for i, stored in enumerate(view.keep):
        assert MARKED[stored] == view.text[i]
        assert view.span(stored, stored + 1) == (i, i + 1)
    # a stored span made only of marks shows nothing
    closing = MARKED.index("**（")
    assert view.span(closing, closing + 2) == (view.text.index("撒"), view.text.index("撒"))


def test_a_passage_card_and_the_export_show_the_clean_text():
    passage = passage_of(MARKED, start=0)
    assert passage_card(passage) == (
        '<section class="cw-source cw-plain"><h4>A</h4><div class="cw-meta">a.txt</div>'
        f'<div class="cw-text">{html.escape(CLEAN)}</div></section>')
    quote_start = MARKED.index("OpenAI在")
    quote = MARKED[quote_start:]
    answer = Answer("Who?", "en", "Nvidia [1].", False, [Citation(1, passage, quote, quote_start, len(MARKED))],
                    [passage], [], {}, "model")
    lines = conversation_markdown([answer]).splitlines()
    assert lines[6:] == [
        "**Sources**",
        "",
        "[1] A — a.txt",
        "",
        "> OpenAI在巨额烧钱的同时，吸引英伟达撒钱、AMD送股。",
        "",
        "Passage:",
        "",
        "> OpenAI的估值飙升与算力需求",
        ">",
        "> OpenAI在巨额烧钱的同时，吸引英伟达撒钱、AMD送股。",
    ]


def test_the_marked_seed_article_shows_clean_and_every_sentence_stays_highlightable():
    document = read_document(ROOT / "seeds" / SEED_004, SEED_004, 2_000_000)
    stored = document.text[document.body_start:]
    glossary = re.findall(r"（[A-Za-z][^（）]*?[:：][^（）]*）", stored)
    assert len(glossary) == 20 and stored.count("**") == 62  # the file as checked by hand
    clean = plain(stored)
    assert "**" not in clean and "（Gil Luria）" in clean and "（其中部分目标与AMD的股价挂钩）" in clean
    assert [g for g in glossary if g in clean] == []
    assert [line for line in clean.splitlines() if line.startswith("#")] == []
    chunks = chunk_document(document, 400, 1)
    sentences = document_sentences(document)
    for sentence in sentences:
        chunk = next(c for c in chunks if c.start <= sentence.start and sentence.end <= c.end)
        passage = Passage(chunk.id, chunk.source, document.title, None, chunk.text, chunk.start, chunk.end, 1.0)
        view = shown(chunk.text)
        s, e = view.span(sentence.start - chunk.start, sentence.end - chunk.start)
        assert view.text[s:e] == plain(sentence.text), sentence.text
        assert f"<mark>{html.escape(plain(sentence.text))}</mark>" in highlighted(passage, sentence.start, sentence.end)
    assert len(sentences) == 187
