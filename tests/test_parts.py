"""Complete answers (issue 12): a question's parts found, and each part's best evidence among the
sentences the model may point at, however few they are."""

from __future__ import annotations

import pytest
from conftest import fake_index
from fakes import ScriptedChat

from app.engine import load_engine
from app.english import to_english
from app.parts import PartRules
from app.pipeline import answer, gather, read_question

RULES = PartRules.load()


@pytest.mark.parametrize("question, names, texts, spread", [
    ("How much will Nvidia invest, and when is the first tranche paid?", ["Nvidia"],
     ("How much will Nvidia invest", "when is the first tranche paid?"), True),
    ("What did xAI's Colossus cost, how much compute does it have, and how far is Colossus 2 meant to scale?", [],
     ("What did xAI's Colossus cost", "how much compute does it have", "how far is Colossus 2 meant to scale?"), False),
    ("If AI demand disappoints, what could happen to the build-out?", [],
     ("If AI demand disappoints, what could happen to the build-out?",), False),
    ("甲骨文具体为OpenAI提供哪些东西，OpenAI又是怎么付费的？", ["甲骨文", "OpenAI"],
     ("甲骨文具体为OpenAI提供哪些东西", "OpenAI又是怎么付费的？"), False),
    ("甲骨文、AMD和博通分别与OpenAI签了多少算力？", ["甲骨文", "AMD", "博通", "OpenAI"],
     ("甲骨文分别与OpenAI签了多少算力？", "AMD分别与OpenAI签了多少算力？", "博通分别与OpenAI签了多少算力？"), False),
    ("英伟达和OpenAI的合作规模是多少？", ["英伟达", "OpenAI"], ("英伟达和OpenAI的合作规模是多少？",), False),
    ("英伟达与OpenAI的分批投资条款是什么？", ["英伟达", "OpenAI"], ("英伟达与OpenAI的分批投资条款是什么？",), True),
])
def test_parts_of_a_question(question, names, texts, spread):
    parts = RULES.parts(question, names)
    assert (parts.texts, parts.spread) == (texts, spread)


ARTICLES = {
    "deal.txt": "英伟达每落地1GW向OpenAI投资约100亿美元。首笔资金在首个吉瓦级数据中心建成后支付。",
    "chips.txt": "OpenAI将购买400万颗GPU。甲骨文上半年营收为150亿美元。",
}


@pytest.fixture
def engine(settings, docs):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200, relevance_floor=0.05,
                                    retrieve_k=4)
    return load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=[], prompts=[]))


def test_each_part_gets_its_own_evidence(engine):
    asked = read_question(engine, "英伟达每落地1GW投资多少？首笔资金何时支付？", ())
    evidence = gather(engine, asked)
    best = [engine.index.sentences[scored[0].row].text for scored in evidence.parts]
    assert best == ["英伟达每落地1GW向OpenAI投资约100亿美元。", "首笔资金在首个吉瓦级数据中心建成后支付。"]


def test_every_part_is_among_the_sentences_the_model_reads(engine):
    # two candidate sentences only: the best of each part, not the two best of the first part
    engine.settings = engine.settings.with_(candidates=2, candidate_part_first=1)
    engine.chat.replies.append("1, 2")
    result = answer(engine, "英伟达每落地1GW投资多少？首笔资金何时支付？")
    (_, (_, user)), = engine.chat.prompts
    assert [ln for ln in user.splitlines() if ln.startswith("<s")] == [
        "<s1> 英伟达每落地1GW向OpenAI投资约100亿美元。", "<s2> 首笔资金在首个吉瓦级数据中心建成后支付。"]
    assert result.text == "英伟达每落地1GW向OpenAI投资约100亿美元。[1]首笔资金在首个吉瓦级数据中心建成后支付。[1]"


def test_english_readers_get_english_names_dates_and_units():
    names = [("英伟达", "Nvidia"), ("博通", "Broadcom"), ("吉瓦", "GW")]
    assert to_english("博通在2026年下半年交付，英伟达部署10吉瓦。", names) == (
        "Broadcom在the second half of 2026交付，Nvidia部署10 GW。")
    assert to_english("- 2026 年 H2:首个 1 GW 系统上线", names) == "- the second half of 2026:首个 1 GW 系统上线"
