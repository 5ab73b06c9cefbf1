"""Load through the real queue, with gradio_client and a slow scripted model: nothing lost."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from browser import served
from conftest import fake_index
from fakes import Blocked, ScriptedChat
from gradio_client import Client

from app.engine import load_engine
from bench.load import burst, run_load

ARTICLES = {"oracle.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。"}
QUESTIONS = ["甲骨文的总债务股本比是多少？", "微软的总债务股本比是多少？", "甲骨文和微软的债务股本比？"]
REPLY = "1".ljust(24)  # a pick, padded to stream in three pieces like a short answer


def slow_engine(settings, docs, replies: int, delay_s: float):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200, relevance_floor=0.2)
    chat = ScriptedChat(replies=[REPLY] * replies, prompts=[], delay_s=delay_s, chunk_chars=8)
    return load_engine(settings, embedder=embedder, chat=chat)


def final_answer(result) -> str:
    chat, *_ = result
    content = chat[-1]["content"]  # gradio 6 sends a message's content as typed parts
    return "".join(part["text"] for part in content) if isinstance(content, list) else content


def test_eight_users_three_questions_each_all_answered(settings, docs):
    engine = slow_engine(settings, docs, replies=24, delay_s=0.02)
    with served(engine) as (url, _):

        def user(_: int) -> list[str]:
            client = Client(url, verbose=False)
            return [final_answer(client.predict(q, [], api_name="/ask")) for q in QUESTIONS]

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(user, range(8)))
    # each user is one conversation: the n-th answer links to the n-th turn's sources (whether a
    # question was read as a follow-up, the small-type line after it, is eval.followups' concern)
    answered = [[a.split("\n\n<sub>")[0] for a in mine] for mine in answers]
    assert answered == [[f"甲骨文的总债务股本比为427%。[\\[1\\]](#src-{t}-1)" for t in range(3)]] * 8
    assert len(engine.chat.prompts) == 24


def test_a_stalled_model_frees_the_answering_slot_within_the_timeout(settings, docs):
    engine = slow_engine(settings, docs, replies=1, delay_s=0.0)
    stalled = Blocked()
    engine.chat.replies.insert(0, stalled)
    engine.settings = engine.settings.with_(llm_timeout_s=2)
    try:
        with served(engine) as (url, _):
            first, second = Client(url, verbose=False), Client(url, verbose=False)
            started = time.perf_counter()
            job = first.submit(QUESTIONS[0], [], api_name="/ask")
            assert stalled.started.wait(10)  # the first question holds the model
            queued = second.submit(QUESTIONS[0], [], api_name="/ask")  # waits for the one answering slot
            stalled_answer = final_answer(job.result(timeout=30))
            assert time.perf_counter() - started < 6
            assert stalled_answer == ("甲骨文的总债务股本比为427%。[\\[1\\]](#src-0-1)\n\n"
                                      "_⚠ 模型在 2 秒内没有给出完整回答，以下为直接摘自段落的快速回答。_")
            assert final_answer(queued.result(timeout=30)) == "甲骨文的总债务股本比为427%。[\\[1\\]](#src-0-1)"
            assert time.perf_counter() - started < 10
            assert not stalled.event.is_set()  # the first model call never returned: only the slot was freed
    finally:
        stalled.release()


def test_a_burst_beyond_the_queue_is_told_the_queue_is_full_and_later_requests_succeed(settings, docs):
    engine = slow_engine(settings, docs, replies=40, delay_s=0.05)
    with served(engine, max_size=2) as (url, _):
        client = Client(url, verbose=False)
        jobs = [client.submit(QUESTIONS[0], [], api_name="/ask") for _ in range(8)]
        outcomes = []
        for job in jobs:
            try:
                outcomes.append(final_answer(job.result(timeout=120)))
            except Exception as exc:  # gradio_client raises for a rejected job
                outcomes.append(f"error: {exc}")
        rejected = [o for o in outcomes if o.startswith("error")]
        assert rejected, outcomes
        assert all("queue is full" in o.lower() for o in rejected), rejected
        assert len(outcomes) - len(rejected) >= 3  # one running + max_size waiting
        later = Client(url, verbose=False)  # a new visitor, so a new conversation
        assert final_answer(later.predict(QUESTIONS[1], [], api_name="/ask")) == \
            "甲骨文的总债务股本比为427%。[\\[1\\]](#src-0-1)"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_the_timed_load_bench_sees_every_answer_reach_its_own_user_and_turn(settings, docs):
    engine = slow_engine(settings, docs, replies=200, delay_s=0.01)
    with served(engine, max_size=3) as (url, _):
        results = run_load(url, users=3, until=time.perf_counter() + 3, questions=[(q, "427%") for q in QUESTIONS])
        flood = burst(url, 12, QUESTIONS[0])
    assert {r.user for r in results} == {0, 1, 2}
    assert [r.turn for r in results if r.user == 0] == list(range(sum(r.user == 0 for r in results)))
    assert [r for r in results if not (r.own_turn and r.cited and not r.answer.startswith("error"))] == []
    # one running and three waiting are kept; answers finishing while the burst is sent free places
    assert flood["queue_full"] >= 1 and flood["answered"] >= 4 and flood["queue_full"] + flood["answered"] == 12
    assert flood["other_errors"] == []
