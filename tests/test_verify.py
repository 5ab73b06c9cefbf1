"""The verifier on hand-made answers: exact kept passages and exact notes."""

from __future__ import annotations

import pytest
from conftest import fake_index

from app.conflicts import describe, find_conflicts
from app.evidence import ContextPassage, score_sentences
from app.lexicon import Lexicon
from app.notes import say
from app.verify import check, is_refusal, parse_claims
from core.settings import Policy
from index.glossary import Glossary
from index.keywords import query_language
from index.reader import open_index

ARTICLES = {
    "deal.txt": "英伟达每落地1GW对应约100亿美元投资。AMD授予OpenAI最多可购买1.6亿股的认股权证,行权价为每股0.01美元。",
    "market.txt": "英伟达市值突破 4.46 万亿美元。甲骨文的总债务股本比为427%。",
    "a.txt": "OpenAI的算力承诺总额约1.4万亿美元。",
    "b.txt": "OpenAI的算力承诺总额超过1万亿美元。",
}


@pytest.fixture
def index(settings, docs):
    settings, embedder = fake_index(settings, docs, ARTICLES, chunk_chars=200)
    return open_index(settings, embedder), embedder


def context(index, *sources):
    reader, _ = index
    out = []
    for n, source in enumerate(sources, start=1):
        chunk = next(c for c in reader.chunks if c.source == source)
        passage = next(p for p in _passages(reader) if p.chunk_id == chunk.id)
        out.append(ContextPassage(n, passage, reader.chunk_sentences[reader.chunk_row[chunk.id]], chunk.text))
    return out


def _passages(reader):
    from core.records import Passage
    return [Passage(c.id, c.source, reader.documents[c.source].title, None, c.text, c.start, c.end, 1.0)
            for c in reader.chunks]


def run(index, answer, *sources, question="", policy=None):
    """The sentences kept with their passages, and the notes in English."""
    reader, embedder = index
    language = query_language(answer)
    result = check(answer, question, language, context(index, *sources), reader, embedder.embed_documents,
                   Glossary.load(), Lexicon.load(), policy or Policy(support_floor=0.3))
    return [(k.text, k.passages) for k in result.kept], [say(n, "en") for n in result.notes]


@pytest.mark.parametrize("answer", [
    "OpenAI gets US$10 billion for each GW [1].",
    "AMD's warrant covers 160 million shares [1].",
    "The exercise price is one cent per share [1].",
    "The exercise price is US$0.01 per share [1].",
])
def test_english_figures_are_found_in_the_chinese_passage(index, answer):
    assert run(index, answer, "deal.txt") == ([(answer.replace(" [1]", ""), [1])], [])


def test_trillions_convert(index):
    assert run(index, "Nvidia's market value passed US$4.46 trillion [1].", "market.txt") == (
        [("Nvidia's market value passed US$4.46 trillion.", [1])], [])


def test_a_figure_no_passage_holds_removes_the_sentence(index):
    claims, warnings = run(index, "Nvidia invests US$100 billion per GW [1]. 英伟达每落地1GW对应约100亿美元投资[1]。",
                           "deal.txt")
    assert claims == [("英伟达每落地1GW对应约100亿美元投资。", [1])]
    assert warnings == ["Removed “Nvidia invests US$100 billion per GW.”: the figure US$100 billion is not in the passages."]


def test_a_dangling_marker_is_dropped_and_the_sentence_recited(index):
    claims, warnings = run(index, "甲骨文的总债务股本比为427% [7]。", "deal.txt", "market.txt")
    assert claims == [("甲骨文的总债务股本比为427%。", [2])]
    assert warnings == ["Dropped marker [7]: there is no passage 7."]


def test_a_misplaced_marker_moves_to_the_supporting_passage(index):
    claims, warnings = run(index, "Oracle's debt-to-equity ratio is 427% [1].", "deal.txt", "market.txt")
    assert claims == [("Oracle's debt-to-equity ratio is 427%.", [2])]
    assert warnings == ["Moved the citation of “Oracle's debt-to-equity ratio is 427%.” to the passage that supports it."]


def test_an_unmarked_sentence_gets_its_passage(index):
    claims, warnings = run(index, "甲骨文的总债务股本比为427%。", "deal.txt", "market.txt")
    assert (claims, warnings) == ([("甲骨文的总债务股本比为427%。", [2])], [])


def test_a_conflict_between_articles_is_noticed(index):
    reader, embedder = index
    passages = [p for p in _passages(reader) if p.source in ("a.txt", "b.txt")]
    scored = score_sentences(reader, passages, embedder.embed_query("OpenAI的算力承诺总额是多少？"))
    (conflict,) = find_conflicts(reader, passages, scored, Policy())
    assert conflict.kind == "usd"
    assert [q.text for q in conflict.first_values + conflict.second_values] in (["1.4万亿美元", "1万亿美元"],
                                                                              ["1万亿美元", "1.4万亿美元"])
    first = "US$1.4 trillion" if conflict.first_values[0].value > 1.2e12 else "US$1 trillion"
    second = "US$1 trillion" if first == "US$1.4 trillion" else "US$1.4 trillion"
    line = describe(conflict, "en", passages)
    assert line.text.format("[1]", "[2]") == (
        f"Note that the sources differ: one article gives {first} [1], another gives {second} [2].")
    assert [s.passage.source for s in line.sources] == ["a.txt", "b.txt"] or line.sources[0].passage.source == "b.txt"


def test_same_figures_in_two_articles_are_no_conflict(index):
    reader, embedder = index
    passages = [p for p in _passages(reader) if p.source in ("a.txt", "market.txt")]
    scored = score_sentences(reader, passages, embedder.embed_query("英伟达市值"))
    assert find_conflicts(reader, passages, scored, Policy()) == []


@pytest.mark.parametrize("text,refused", [
    ("NOT IN ARTICLES", True),
    ("The passages do not mention Apple's investment.", True),
    ("文章中没有提到苹果的投资。", True),
    ("Nvidia invests US$10 billion per GW [1].", False),
])
def test_refusals_are_recognised(text, refused):
    assert is_refusal(text) is refused


def test_list_numbers_and_late_markers_are_parsed():
    claims = parse_claims("The terms: [1] 1. Up to US$100 billion [1] 2. Non-voting equity. [2]")
    assert [(c.text, c.cited) for c in claims] == [("The terms:", [1]), ("Up to US$100 billion", [1]),
                                                  ("Non-voting equity.", [2])]
