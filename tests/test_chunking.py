import re
from pathlib import Path

import pytest

from core.records import Document
from index.chunking import chunk_document, chunk_id, split_sentences
from index.documents import load_documents

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BOILERPLATE = ("图片来源", "登录后才可以发布评论哦", "打开小程序可以发布评论哦", "全部评论", "pixabay.com")


def doc(text: str, body_start: int = 0) -> Document:
    return Document(source="t.txt", text=text, sha256="x", title="t", body_start=body_start)


def test_sentences_end_at_chinese_and_english_terminators():
    text = "英伟达宣布投资。“这是开始！”他说；真的吗？\nOpenAI grew. Then 4.5 GW came"
    spans = [text[s.start:s.end] for s in split_sentences(text)]
    assert spans == ["英伟达宣布投资。", "“这是开始！”", "他说；", "真的吗？", "OpenAI grew.", "Then 4.5 GW came"]


def test_chunks_pack_whole_sentences_up_to_the_limit():
    text = "一二三四五。六七八九十。甲乙丙丁戊。"
    chunks = chunk_document(doc(text), chunk_chars=12)
    assert [(c.start, c.end, c.text) for c in chunks] == [(0, 12, "一二三四五。六七八九十。"), (12, 18, "甲乙丙丁戊。")]
    assert [c.id for c in chunks] == [chunk_id("t.txt", 0, "一二三四五。六七八九十。"), chunk_id("t.txt", 1, "甲乙丙丁戊。")]


def test_overlap_repeats_the_last_sentence():
    chunks = chunk_document(doc("甲。乙。丙。丁。"), chunk_chars=4, chunk_overlap=1)
    assert [c.text for c in chunks] == ["甲。乙。", "乙。丙。", "丙。丁。"]


def test_a_long_sentence_is_a_chunk_of_its_own():
    chunks = chunk_document(doc("短。" + "长" * 30 + "。短。"), chunk_chars=10)
    assert [len(c.text) for c in chunks] == [2, 31, 2]


def test_photo_credit_is_dropped_but_the_caption_before_it_kept():
    text = "CoreWeave 获得了支持,但分析师忧心忡忡。图片来源:Michael Nagle — Bloomberg\n下一段。\n全部评论"
    chunks = chunk_document(doc(text), chunk_chars=500)
    assert [c.text for c in chunks] == ["CoreWeave 获得了支持,但分析师忧心忡忡。", "下一段。"]


def test_front_matter_is_not_chunked():
    text = "---\ntitle: T\n---\n正文一。"
    assert [c.text for c in chunk_document(doc(text, body_start=17), 100)] == ["正文一。"]


@pytest.mark.parametrize("size,overlap", [(120, 0), (200, 0), (200, 1), (400, 0)])
def test_seed_chunks_are_exact_spans_without_boilerplate(size, overlap):
    docs, skipped = load_documents([SEEDS], 10**7)
    assert (len(docs), skipped) == (5, [])
    for d in docs:
        chunks = chunk_document(d, size, overlap)
        assert all(c.text == d.text[c.start:c.end] for c in chunks)
        assert [c for c in chunks if any(b in c.text for b in BOILERPLATE)] == []
        assert len({c.id for c in chunks}) == len(chunks)


def test_no_article_text_is_lost():
    """Every visible character of a seed body is in a chunk, except exactly the boilerplate."""
    docs, _ = load_documents([SEEDS], 10**7)
    for d in docs:
        covered = [False] * len(d.text)
        for c in chunk_document(d, 200):
            covered[c.start:c.end] = [True] * (c.end - c.start)
        uncovered = "".join(ch if not covered[i] else " " for i, ch in enumerate(d.text) if i >= d.body_start)
        body = d.text[d.body_start:]
        boilerplate = re.findall(r"图片来源:[^\n]*|"
                                 r"^(?:登录后才可以发布评论哦|打开小程序可以发布评论哦|全部评论|\(pixabay\.com,由AI生成\))$",
                                 body, re.M)
        assert uncovered.split() == " ".join(boilerplate).split(), d.source
