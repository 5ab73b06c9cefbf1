"""The answering pipeline with a fake embedder, a real index in a temp dir and a scripted chat model."""

from __future__ import annotations

import time

import pytest
from conftest import fake_index
from fakes import Blocked, Choices, ScriptedChat

from app.engine import load_engine
from app.notes import say
from app.pipeline import REFUSAL_TEXT, Final, Found, Quick, Stage, answer, answer_events
from app.prompts import render
from app.scope import ScopeReader
from app.validate import InvalidQuestion
from core.records import Signals

ARTICLES = {
    "deal.txt": "英伟达每落地1GW对应约100亿美元投资。首笔资金在首个吉瓦级数据中心建成后支付。",
    "oracle.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。",
}


@pytest.fixture
def engine(settings, docs):
    # dim 512: wide enough that unrelated texts hash apart
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200, relevance_floor=0.2,
                                    retrieve_k=2)
    return load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=[], prompts=[]))


def test_events_arrive_in_order_and_the_answer_is_a_pointed_sentence(engine):
    engine.chat.replies.append("1")
    events = list(answer_events(engine, "英伟达每落地1GW投资多少？"))
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["Stage", "Found", "Quick", "Stage", "Stage", "Final"]
    assert [e.name for e in events if isinstance(e, Stage)] == ["searching", "reading", "checking"]
    final = events[-1].answer
    assert (final.text, final.refused, final.source, final.notes) == (
        "英伟达每落地1GW对应约100亿美元投资。[1]", False, "model", [])
    (cite,) = final.citations
    assert (cite.n, cite.passage.source, cite.quote) == (1, "deal.txt", "英伟达每落地1GW对应约100亿美元投资。")
    assert ARTICLES["deal.txt"][cite.quote_start:cite.quote_end] == cite.quote
    assert [p.source for p in final.retrieved] == ["deal.txt", "oracle.txt"]
    assert set(final.timings) == {"retrieve_s", "embed_s", "dense_s", "keyword_s", "sentence_s", "fuse_s", "quick_s",
                                  "reading_s", "first_token_s", "point_s", "total_s"}
    assert final.signals == Signals(evidence=final.signals.evidence, scope_margin=final.signals.scope_margin,
                                    candidates=4, picked=1, picked_best=final.signals.evidence, shown=1)


def test_the_quick_answer_comes_before_the_model(engine):
    engine.chat.replies.append("1")
    quick = next(e for e in answer_events(engine, "甲骨文的总债务股本比是多少？") if isinstance(e, Quick))
    assert quick.text == "甲骨文的总债务股本比为427%。[1]"
    assert [(c.n, c.passage.source) for c in quick.citations] == [(1, "oracle.txt")]


def test_the_prompt_numbers_sentences_fenced_and_keeps_the_question_verbatim(engine):
    engine.chat.replies.append("1")
    answer(engine, "甲骨文的总债务股本比 {context} {{x}} 是多少？")
    (system, user), = engine.chat.prompts
    assert system == ("system", render("point_system.txt", most=4))
    assert user[1] == ("Article: 甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。\n"
                       "<s1> 甲骨文的总债务股本比为427%。\n<s2> 微软的总债务股本比为32.7%。\n"
                       "Article: 英伟达每落地1GW对应约100亿美元投资。首笔资金在首个吉瓦级数\n"
                       "<s3> 英伟达每落地1GW对应约100亿美元投资。\n<s4> 首笔资金在首个吉瓦级数据中心建成后支付。\n"
                       "Question: 甲骨文的总债务股本比 {context} {{x}} 是多少？\nNumbers:")


def test_the_model_saying_nothing_answers_is_a_refusal(engine):
    engine.chat.replies.append("0")
    result = answer(engine, "英伟达每落地1GW投资多少？")
    # the closest sentence is one the checks would show as the answer: it is not offered as "related"
    assert (result.text, result.refused, result.source) == (REFUSAL_TEXT["zh"], True, "refusal")
    assert [n.code for n in result.notes] == ["model_no_answer"]
    assert result.citations == []
    assert [p.source for p in result.retrieved] == ["deal.txt", "oracle.txt"]


def test_a_model_that_replies_0_but_leans_to_a_sentence_answers_with_it(engine):
    """The reply is one greedy draw; its first token's probabilities decide (D31): "0" at 0.30 is
    below `none_share`, so the likeliest sentence, and one near it, are the answer."""
    engine.settings = engine.settings.with_(pick_floor=0.3)
    engine.chat.replies.append(Choices("0", {"0": 0.30, "1": 0.40, "2": 0.25, "<": 0.05}))
    result = answer(engine, "甲骨文的总债务股本比是多少？")
    assert (result.text, result.source) == ("甲骨文的总债务股本比为427%。[1]微软的总债务股本比为32.7%。[1]", "model")
    assert (result.signals.picked, result.signals.none_share) == (2, 0.3158)  # 0.30 of the 0.95 on "0" and the tags


def test_a_sentence_the_model_names_while_doubting_every_one_is_refused(engine):
    engine.chat.replies.append(Choices("1", {"1": 0.55, "0": 0.45}))
    result = answer(engine, "甲骨文的总债务股本比是多少？")
    assert (result.refused, [n.code for n in result.notes]) == (True, ["model_no_answer"])
    assert result.signals.none_share == 0.45


def test_a_model_without_probabilities_is_taken_at_its_reply(engine):
    engine.chat.replies.append("0")
    assert answer(engine, "甲骨文的总债务股本比是多少？").signals.none_share == -1.0
    engine.chat.replies.append("1")
    assert answer(engine, "甲骨文的总债务股本比是多少？").text == "甲骨文的总债务股本比为427%。[1]"


def test_a_refusal_offers_the_closest_sentence_only_when_it_does_not_answer(engine):
    engine.settings = engine.settings.with_(pick_floor=0.99)
    engine.chat.replies.append("0")
    result = answer(engine, "英伟达每落地1GW投资多少？")
    assert result.text == f"{REFUSAL_TEXT['zh']}\n文章中最接近的内容：“英伟达每落地1GW对应约100亿美元投资。”[1]"
    assert [(c.n, c.quote) for c in result.citations] == [(1, "英伟达每落地1GW对应约100亿美元投资。")]


def test_a_picked_sentence_far_from_the_question_is_left_out(engine):
    engine.settings = engine.settings.with_(pick_floor=0.3)  # the hashing embedder's cosines: 0.63 and 0.06
    engine.chat.replies.append("1, 4")
    result = answer(engine, "甲骨文的总债务股本比是多少？")
    assert result.text == "甲骨文的总债务股本比为427%。[1]"
    assert [say(n, "en") for n in result.notes] == [
        "Left out “首笔资金在首个吉瓦级数据中心建成后支付。”: it is about something other than the question."]


def test_nothing_relevant_is_refused_without_calling_the_model(engine):
    # with the hashing embedder "What about Apple?" reads closest to a chit-chat example
    result = answer(engine, "What about Apple?")
    assert (result.text, result.refused, result.source) == (engine.about.scope_reply("en"), True, "scope")
    assert [(n.code, n.args) for n in result.notes] == [("out_of_scope", {"kind": "off_topic"})]
    engine.scope = ScopeReader((), engine.embedder.embed_query)  # no examples: a plain refusal
    result = answer(engine, "What about Apple?")
    assert (result.text, result.refused, result.source) == (REFUSAL_TEXT["en"], True, "refusal")
    assert result.notes[0].code == "nothing_relevant"
    assert say(result.notes[0], "en").startswith("No passage is relevant enough (best ")
    assert engine.chat.prompts == []


def test_a_model_failure_mid_answer_falls_back_to_the_quick_answer(engine):
    engine.chat.replies.append(ConnectionError("server closed the connection"))
    events = list(answer_events(engine, "甲骨文的总债务股本比是多少？"))
    final = events[-1].answer
    quick = next(e for e in events if isinstance(e, Quick))
    assert (final.text, final.source, final.refused) == (quick.text, "quick", False)
    assert [say(n, "zh") for n in final.notes] == [
        "模型未能作答（ConnectionError: server closed the connection），以下为直接摘自段落的快速回答。"]


def test_a_hanging_model_times_out_to_the_quick_answer(engine):
    engine.chat.replies.append("1, " * 50)
    engine.chat.delay_s = 0.1
    engine.settings = engine.settings.with_(llm_timeout_s=1)
    final = answer(engine, "甲骨文的总债务股本比是多少？")
    assert final.source == "quick"
    assert [say(n, "zh") for n in final.notes] == ["模型在 1 秒内没有给出完整回答，以下为直接摘自段落的快速回答。"]
    assert final.timings["total_s"] < 3


def test_a_model_that_never_yields_a_first_token_gives_the_quick_answer_within_the_timeout(engine):
    stalled = Blocked()
    engine.chat.replies.extend([stalled, "1"])
    engine.settings = engine.settings.with_(llm_timeout_s=1)
    try:
        started = time.perf_counter()
        final = answer(engine, "甲骨文的总债务股本比是多少？")
        took = time.perf_counter() - started
        assert stalled.started.is_set() and not stalled.event.is_set()  # still blocked when the answer came
        assert (final.source, final.refused) == ("quick", False)
        assert [say(n, "en") for n in final.notes] == [
            "The model gave no complete answer within 1 s; this is the quick answer taken verbatim from the passages."]
        # both stamps are rounded to ms, so their difference is compared at that precision
        assert 1.0 <= round(final.timings["total_s"] - final.timings["reading_s"], 3) < 1.5 and took < 3
        # the next question is answered by the model while the first call is still blocked
        again = answer(engine, "甲骨文的总债务股本比是多少？")
        assert (again.source, again.text) == ("model", "甲骨文的总债务股本比为427%。[1]")
    finally:
        stalled.release()


def test_a_follow_up_is_searched_and_read_with_the_previous_question(engine):
    engine.chat.replies.append("2")
    result = answer(engine, "那微软呢？", history=[("甲骨文的总债务股本比是多少？", "427% [1]")])
    assert result.retrieved[0].source == "oracle.txt"
    assert engine.chat.prompts[0][1][1].endswith("Earlier question: 甲骨文的总债务股本比是多少？\nQuestion: 那微软呢？\nNumbers:")
    assert result.text == "微软的总债务股本比为32.7%。[1]"
    assert result.read_with == "甲骨文的总债务股本比是多少？"  # the page says how it was read


def test_a_question_that_names_its_own_subject_is_read_alone_whatever_came_before(engine):
    # issue 24: a change of topic is not a follow-up (jieba tags 甲骨文 a proper noun; it tags 微软 an
    # adjective, so "微软的…" would still be read as one: eval.followups counts such misses)
    engine.chat.replies.append("1")
    result = answer(engine, "甲骨文的总债务股本比是多少？", history=[("首笔资金什么时候支付？", "建成后 [1]")])
    assert "Earlier question" not in engine.chat.prompts[0][1][1]
    assert result.read_with == "" and result.text == "甲骨文的总债务股本比为427%。[1]"


@pytest.mark.parametrize("question,message", [
    ("   ", "Please type a question about the articles."),
    ("x" * 2001, "The question is too long (2,001 characters); the limit is 2,000. Please shorten it."),
    ("hi\x00there", "The question contains invisible control characters (U+0000). Please retype it as plain text."),
    ("abc\u202edef", "The question contains invisible control characters (U+202E). Please retype it as plain text."),
    ("lone \ud800", "The question contains invisible control characters (U+D800). Please retype it as plain text."),
    ("next\x85line", "The question contains invisible control characters (U+0085). Please retype it as plain text."),
])
def test_bad_questions_get_a_clear_message_and_reach_no_model(engine, question, message):
    with pytest.raises(InvalidQuestion) as err:
        answer(engine, question)
    assert str(err.value) == message
    assert engine.chat.prompts == []


def test_events_end_with_exactly_one_final(engine):
    engine.chat.replies.append("0")
    events = list(answer_events(engine, "英伟达每落地1GW投资多少？"))
    assert sum(isinstance(e, Final) for e in events) == 1 and isinstance(events[-1], Final)
    assert isinstance(events[0], Stage) and isinstance(events[1], Found)
