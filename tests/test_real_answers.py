"""End to end with the real models (embedder + local GGUF): questions checked by hand.

Temperature 0, so answers repeat on one machine; the assertions hold the facts, the
citations and the refusal flags, not the model's exact wording.
"""

from __future__ import annotations

import re
import time

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from app.llm import ModelTimeout, stream_until
from app.pipeline import REFUSAL_TEXT, answer

pytestmark = pytest.mark.real


def test_a_chinese_fact_with_its_citation(real_engine):
    """Its greedy reply named the wrong sentences (D30); the first token's probabilities add the right one (D31)."""
    result = answer(real_engine, "英伟达在xAI最新一轮融资中投资了多少？")
    assert (result.refused, result.language) == (False, "zh")
    assert "20亿美元" in result.text
    assert re.search(r"\[1\]", result.text)
    assert "20亿美元" in result.citations[0].passage.text


def test_an_english_comparison_keeps_both_figures(real_engine):
    result = answer(real_engine, "What is Oracle's total debt-to-equity ratio compared with Microsoft's?")
    assert result.refused is False
    assert "427%" in result.text and "32.7%" in result.text
    # both figures from the one sentence that compares them; a further picked line (D31's widening
    # of picks, about half of them irrelevant: cite_precision) may follow it
    assert result.citations[0].passage.source == "000_c62bac7e870a0b69.txt"
    assert "甲骨文为427%" in result.citations[0].quote and "32.7%" in result.citations[0].quote


def test_what_the_articles_do_not_say_is_refused(real_engine):
    result = answer(real_engine, "How much did Apple invest in OpenAI?")
    assert (result.refused, result.source, result.text.split("\n")[0]) == (True, "refusal", REFUSAL_TEXT["en"])
    assert "Apple" not in result.text and len(result.citations) <= 1  # at most the closest passage, as related
    assert len(result.retrieved) == 5


def test_the_english_tranche_question_is_answered(real_engine):
    """The greedy reply is "0"; the first token's probabilities are not (D31)."""
    result = answer(real_engine, "What are the Nvidia–OpenAI tranche terms?")
    assert result.refused is False and 0 <= result.signals.none_share < 0.35
    assert "US$100 billion" in result.text
    assert any("1000亿美元" in c.quote for c in result.citations)


def test_the_local_model_gives_its_first_token_probabilities(real_engine):
    steps: list[dict] = []
    prompt = [SystemMessage("Reply with one digit."), HumanMessage("Which digit comes after 6?")]
    text = "".join(stream_until(real_engine.chat, prompt, 60, logprobs=steps, max_tokens=2, top_logprobs=5))
    first = steps[0]["top_logprobs"]
    assert len(first) == 5 and first[0]["token"] == text[0] == "7"
    assert all(a["logprob"] >= b["logprob"] for a, b in zip(first, first[1:])) and first[0]["logprob"] <= 0.0


def test_a_follow_up_uses_the_conversation(real_engine):
    history = [("Tell me about AMD's chip deal with OpenAI.",
                "OpenAI agreed to buy AMD Instinct chips, and AMD granted OpenAI a warrant to buy AMD shares [1].")]
    result = answer(real_engine, "How much compute does it cover?", history)
    assert any("6GW" in p.text for p in result.retrieved)


def test_a_timeout_while_the_model_reads_the_prompt_aborts_it_and_the_next_answer_is_unchanged(real_engine):
    """llama.cpp is aborted mid-prompt (not left reading it with the lock held), and its cache
    stays sound: the next answer is the one a fresh call gives."""
    chat = real_engine.chat
    long_prompt = [SystemMessage("You answer briefly."),
                   HumanMessage("Summarise: " + "英伟达将分阶段向OpenAI投资，每部署1吉瓦投资100亿美元。" * 60)]
    short = [SystemMessage("You answer briefly."), HumanMessage("Say the word yes.")]
    expected = "".join(stream_until(chat, short, 60, max_tokens=8))
    started = time.perf_counter()
    with pytest.raises(ModelTimeout):
        list(stream_until(chat, long_prompt, 0.5, max_tokens=8))
    assert time.perf_counter() - started < 1.5
    started = time.perf_counter()
    assert "".join(stream_until(chat, short, 60, max_tokens=8)) == expected
    # ~1,500 prompt tokens take ~25 s to read here: waiting for them would show in this call
    assert time.perf_counter() - started < 10


def test_the_local_model_waits_while_a_page_finds_its_passages(real_engine):
    """`paused()` (D29): the answering model holds still between compute steps while another page's
    retrieval runs, and carries on after it, its text unchanged."""
    chat = real_engine.chat
    prompt = [HumanMessage("Count from 1 to 40, separated by commas.")]
    expected = "".join(stream_until(chat, prompt, 120, max_tokens=60))
    pieces = stream_until(chat, prompt, 120, tick_s=0.1, max_tokens=60)
    text = next(p for p in pieces if isinstance(p, str))
    late = []  # seconds into the pause at which text still came
    with chat.paused():
        paused_at = time.monotonic()
        while (since := time.monotonic() - paused_at) < 0.8:  # PAUSE_MAX_S is 1 s: it must not resume
            piece = next(pieces)
            if isinstance(piece, str):
                text += piece
                late.append(since)
    text += "".join(p for p in pieces if isinstance(p, str))
    assert [t for t in late if t > 0.3] == []  # at most the step under way when the pause began
    assert text == expected
