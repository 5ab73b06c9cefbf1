"""The answering package (D30): a shown line is a quote of its passage, pointed at by the model,
and rendered for a reader of the other language as a separate, checked step.

The scripted model stands in at the model boundary; every case below is a kind of failure the
free-text design showed (issue 22), with its exact output.
"""

from __future__ import annotations

import pytest
from conftest import fake_index
from fakes import ScriptedChat

from app.answering.names import name_pairs, transliterated
from app.answering.point import picks
from app.answering.quote import quote_of
from app.answering.render import checked, left_in_source_script, passes, prepared
from app.engine import load_engine
from app.pipeline import REFUSAL_TEXT, Final, Token, answer, answer_events

# --- the quote check: no language rules -------------------------------------------------------


@pytest.mark.parametrize("line, passage, expected", [
    # deletions are allowed, in any script
    ("英伟达投资1000亿美元", "英伟达将分阶段向OpenAI投资最高1000亿美元。", True),
    ("Nvidia will invest US$100 billion.", "Nvidia said it will invest up to US$100 billion in OpenAI.", True),
    # white space, punctuation, full-width forms and thousands separators change nothing
    ("英伟达 投资 1,000亿美元！", "英伟达投资１０００亿美元。", True),
    # an added figure, or a figure changed by one digit
    ("The site cost NOK 410 million and NOK 2.9 billion.", "The site cost NOK 2.9 billion.", False),
    ("英伟达投资100亿美元", "英伟达投资1000亿美元。", False),
    # a figure put on another noun: the grant's amount as the cost
    ("The site cost NOK 410 million.", "The site cost NOK 2.9 billion. The state grant was NOK 410 million.", False),
    # a word the passage does not have (the CEO vs the chief executive)
    ("The CEO said the site opens in May.", "The chief executive said the site opens in May.", False),
    # single characters stitched from far apart make a new word
    ("甲文", "甲骨文的债务很高。", False),
    # a name in another script is not in the passage
    ("Alcaraz won the final.", "阿尔卡拉斯赢得了决赛。", False),
    ("", "anything", False),
])
def test_a_line_is_a_quote_only_when_the_passage_holds_it_in_order(line, passage, expected):
    assert quote_of(line, passage) is expected


def test_picks_read_numbers_zero_or_nothing():
    assert picks("2, 5, 2, 99, 3", 6, 2) == [2, 5]
    assert picks("0", 6, 4) == []
    # an answer from the model's memory names no sentence: not an answer
    assert picks("The name of Amazon's AI assistant is Alexa.", 6, 4) is None


# --- names from the documents, never from a list ---------------------------------------------


def test_names_come_from_the_articles_own_brackets():
    texts = ["新能源公司博通储能(Broadcell Storage)宣布扩产。博通储能的股价上涨。",
             "主教练王皓表示满意。星际之门（Stargate）项目启动，星际之门将部署"]
    assert name_pairs(texts) == (("博通储能", "Broadcell Storage"), ("星际之门", "Stargate"))


def test_a_personal_name_without_an_english_form_is_transliterated_with_its_original():
    assert transliterated("王楚钦") == "Wang Chuqin (王楚钦)"
    assert prepared("王楚钦在2023年1月8日获得冠军。", "zh", "en", ()) == "Wang Chuqin (王楚钦)在January 8, 2023获得冠军。"


# --- rendering checks -----------------------------------------------------------------------


def test_a_rendering_with_a_converted_figure_gone_wrong_fails():
    assert passes(checked("总投资1000亿美元。", "Total investment: US$100 billion.", "zh", "en"))
    wrong = checked("总投资1000亿美元。", "Total investment: US$1000 billion.", "zh", "en")
    assert (passes(wrong), wrong.missing, wrong.added) == (False, ("1000亿美元",), ("US$1000 billion",))


def test_an_english_rendering_keeps_chinese_only_as_a_names_original():
    assert left_in_source_script("Wang Chuqin (王楚钦) beat Alcar拉斯.", "en") == ("拉斯",)
    assert passes(checked("王楚钦获胜。", "Wang Chuqin (王楚钦) won.", "zh", "en"))
    # a short run the model copied is a name it did not know: romanised, the original kept (D31)
    copied = checked("张丰毅出演。", "张丰毅 starred.", "zh", "en")
    assert (passes(copied), copied.text) == (True, "Zhang Fengyi (张丰毅) starred.")
    # a longer run is a clause left untranslated: the line fails and the quote is shown
    clause = checked("他说比赛令人热血沸腾。", "He said 比赛令人热血沸腾.", "zh", "en")
    assert (passes(clause), clause.untranslated) == (False, ("比赛令人热血沸腾",))


def test_a_date_in_the_other_format_is_the_same_date():
    assert passes(checked("2023年1月8日，成交额为43214.85亿元。",
                          "On January 8, 2023, turnover was 4,321.485 billion yuan.", "zh", "en"))


# --- the pipeline with a scripted model ------------------------------------------------------

ARTICLES = {
    "deal.txt": "英伟达每落地1GW对应约100亿美元投资。首笔资金在首个吉瓦级数据中心建成后支付。",
    "oracle.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。",
    "site.txt": "The storage site cost NOK 2.9 billion to build. The state grant was NOK 410 million.",
}


@pytest.fixture
def engine(settings, docs):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200, relevance_floor=0.2,
                                    retrieve_k=3)
    return load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=[], prompts=[]))


def tags(engine, text: str) -> int:
    """The number the last pointing prompt gave the sentence `text`."""
    (_, user) = engine.chat.prompts[-1]
    line = next(ln for ln in user[1].splitlines() if ln.endswith(text))
    return int(line[2:line.index(">")])


def test_a_pointed_sentence_is_the_answer_verbatim(engine):
    engine.chat.replies.append("1")
    first = answer(engine, "甲骨文的总债务股本比是多少？")
    (_, user) = engine.chat.prompts[0]
    sentences = [ln for ln in user[1].splitlines() if ln.startswith("<s")]
    assert sentences[0] == "<s1> 甲骨文的总债务股本比为427%。"
    assert first.text == "甲骨文的总债务股本比为427%。[1]"
    assert (first.source, first.refused, first.notes) == ("model", False, [])
    assert first.citations[0].quote == "甲骨文的总债务股本比为427%。"


def test_the_same_figure_for_the_wrong_noun_cannot_be_written(engine):
    # the model can only point: the cost line and the grant line are separate sentences, each
    # shown as the article writes it, so "cost NOK 410 million" is never an answer line
    engine.chat.replies.append("1")
    result = answer(engine, "What did the storage site cost?")
    assert result.text == "The storage site cost NOK 2.9 billion to build. [1]"


def test_an_answer_from_memory_is_a_refusal(engine):
    engine.chat.replies.append("The storage site is run by Statkraft.")
    result = answer(engine, "Who runs the storage site?")
    assert result.refused and result.source == "refusal"
    assert result.text.startswith(REFUSAL_TEXT["en"])
    assert [n.code for n in result.notes] == ["model_no_answer"]


def test_a_refusal_never_calls_an_answering_sentence_related(engine):
    engine.chat.replies.append("0")
    result = answer(engine, "What did the storage site cost?")
    # the closest sentence passes the checks as an answer, so it is not offered as "related"
    assert result.text == REFUSAL_TEXT["en"]
    assert result.citations == []


def test_an_english_reader_gets_the_chinese_line_rendered_and_checked(engine):
    engine.chat.replies += ["1", "1. Nvidia invests about US$10 billion for each 1 GW deployed."]
    events = list(answer_events(engine, "How much does Nvidia invest per GW?"))
    (_, render_prompt) = engine.chat.prompts[1]
    assert render_prompt[1] == "1. 英伟达每落地1GW对应约US$10 billion投资。\nEnglish:"
    assert "".join(e.text for e in events if isinstance(e, Token)) == \
        "1. Nvidia invests about US$10 billion for each 1 GW deployed."
    result = events[-1].answer
    assert isinstance(events[-1], Final)
    assert result.text == "Nvidia invests about US$10 billion for each 1 GW deployed. [1]"
    (citation,) = result.citations
    assert citation.quote == "英伟达每落地1GW对应约100亿美元投资。"
    assert citation.rendering.text == "Nvidia invests about US$10 billion for each 1 GW deployed."


def test_a_rendering_that_fails_its_check_shows_the_quote_with_a_note(engine):
    engine.chat.replies += ["1", "1. Nvidia invests about US$100 billion for each GW."]
    result = answer(engine, "How much does Nvidia invest per GW?")
    assert result.text == "英伟达每落地1GW对应约100亿美元投资。 [1]"
    assert [n.code for n in result.notes] == ["rendering_failed"]
    assert result.citations[0].rendering.added == ("US$100 billion",)


def test_a_chinese_rendering_that_changes_an_english_name_fails():
    """The Golden Gull became 金鱼奖 ("Goldfish award") and a film's title another film's in the
    audit of D31: a Chinese rendering keeps an English line's names in their own spelling."""
    changed = checked("The Golden Gull went to The Salt Orchard.", "金鱼奖授予《三姐妹》。", "en", "zh")
    assert (passes(changed), changed.names_missing) == (False, ("The Golden Gull", "The Salt Orchard"))
    kept = checked("The Golden Gull went to The Salt Orchard.", "金海鸥奖（Golden Gull）授予《The Salt Orchard》。", "en", "zh")
    assert passes(kept)


def test_a_vague_amount_keeps_its_order_of_magnitude():
    """数百亿美元 is tens of billions; the model wrote "hundreds of billions" in the D31 audit."""
    original = "微软此前向OpenAI投资了数百亿美元。"
    read = prepared(original, "zh", "en", ())
    assert read == "微软此前向OpenAI投资了tens of billions of US dollars。"
    wrong = checked(original, "Microsoft previously invested hundreds of billions in OpenAI.", "zh", "en", read)
    assert (passes(wrong), wrong.names_missing) == (False, ("tens of billions",))
    assert passes(checked(original, "Microsoft had invested tens of billions of US dollars in OpenAI.", "zh", "en", read))


def test_words_the_preparation_added_are_not_names_the_rendering_must_keep():
    original = "CoreWeave以英伟达GPU为抵押筹集了120亿美元。"
    read = prepared(original, "zh", "en", ())
    text = "CoreWeave raised $12 billion using Nvidia GPUs as collateral."
    assert (read, checked(original, text, "zh", "en", read).names_missing) == (
        "CoreWeave以英伟达GPU为抵押筹集了US$12 billion。", ())
