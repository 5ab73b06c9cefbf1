from pathlib import Path

from core.records import Skipped
from index.documents import load_documents, read_document, split_front_matter, strip_surrogates

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_front_matter_becomes_metadata_not_text():
    doc = read_document(SEEDS / "004_94acd972758495ac.txt", "004_94acd972758495ac.txt", 10**7)
    assert (doc.title, doc.date, doc.url) == (
        "OpenAI的算力神话：万亿帝国还是巨大泡沫？", "2025-10-13", "https://www.youtube.com/watch?v=X2OXhK3IE4c")
    assert doc.meta["tags"] == "t-literature-note, openai, ai-computing, nvidia, amd, financial-alchemy"
    assert doc.text[doc.body_start:].startswith("### OpenAI的估值飙升与算力需求\n")


def test_malformed_front_matter_is_still_skipped_as_text():
    meta, start = split_front_matter("---\ntitle: [unclosed\n---\n正文。")
    assert (meta, start) == ({}, 25)


def test_title_falls_back_to_first_line():
    doc = read_document(SEEDS / "003_6e523a1193defd17.txt", "003_6e523a1193defd17.txt", 10**7)
    assert (doc.title, doc.date, doc.body_start) == ("21世纪经济报道记者 彭新", None, 0)


def test_bad_files_are_skipped_with_their_reason(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "huge.md").write_bytes("长".encode() * 400)
    (tmp_path / "blank.md").write_text("  \n\n ")
    (tmp_path / "frontonly.md").write_text("---\ntitle: x\n---\n")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "good.txt").write_text("英伟达宣布投资。")
    docs, skipped = load_documents([tmp_path], max_bytes=1000)
    assert [d.source for d in docs] == ["good.txt"]
    assert skipped == [
        Skipped("binary.txt", "binary file (contains NUL bytes)"),
        Skipped("blank.md", "no article text"),
        Skipped("empty.txt", "empty file"),
        Skipped("frontonly.md", "no article text"),
        Skipped("huge.md", "larger than the 1,000-byte limit (1,200 bytes)"),
        Skipped("latin1.txt", "not valid UTF-8 (bad byte at offset 3)"),
    ]


def test_windows_newlines_and_bom_are_normalised(tmp_path):
    (tmp_path / "a.txt").write_bytes("\ufeff第一句。\r\n第二句。".encode())
    (doc,), _ = load_documents([tmp_path], 1000)
    assert doc.text == "第一句。\n第二句。"


def test_same_name_in_two_folders_keeps_the_first(tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "a.txt").write_text(f"{folder}。")
    docs, skipped = load_documents([tmp_path / "one", tmp_path / "two"], 1000)
    assert [d.text for d in docs] == ["one。"]
    assert skipped == [Skipped(str(tmp_path / "two" / "a.txt"), "another file named a.txt was indexed first")]


def test_lone_surrogates_are_stripped():
    assert strip_surrogates("OpenAI\udc80投资\ud800") == "OpenAI投资"
