"""The eval's reply cache (eval/cache.py): a replayed reply is the one the model gave, with its
first token's probabilities, so a replay decides as the live run did (D31)."""

from __future__ import annotations

from fakes import Choices, ScriptedChat
from langchain_core.messages import HumanMessage

from app.answering.point import first_choice
from app.llm import stream_until
from eval.cache import CachedChat


def test_a_replayed_reply_keeps_its_probabilities_and_asks_the_model_once(tmp_path):
    inner = ScriptedChat(replies=[Choices("2, 1", {"2": 0.6, "0": 0.3, "1": 0.1})], prompts=[])
    chat = CachedChat(inner=inner, path=str(tmp_path / "cache.sqlite"))
    prompt = [HumanMessage("Which sentences answer?")]
    runs = []
    for _ in range(2):
        steps: list[dict] = []
        runs.append(("".join(stream_until(chat, prompt, 10, logprobs=steps)), first_choice(steps, 3)))
    assert runs[0] == runs[1] and runs[0][0] == "2, 1"
    assert {t: round(p, 2) for t, p in runs[0][1].items()} == {2: 0.6, 0: 0.3, 1: 0.1}
    assert len(inner.prompts) == 1 and chat.hits == 1


def test_the_same_prompt_without_probabilities_is_another_entry(tmp_path):
    inner = ScriptedChat(replies=["1", Choices("1", {"1": 0.9, "0": 0.1})], prompts=[])
    chat = CachedChat(inner=inner, path=str(tmp_path / "cache.sqlite"))
    prompt = [HumanMessage("Which sentences answer?")]
    steps: list[dict] = []
    assert "".join(stream_until(chat, prompt, 10, logprobs=None)) == "1"
    assert "".join(stream_until(chat, prompt, 10, logprobs=steps)) == "1"
    assert len(inner.prompts) == 2
    assert {t: round(p, 2) for t, p in first_choice(steps, 3).items()} == {1: 0.9, 0: 0.1}
