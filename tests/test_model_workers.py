"""Model calls run on a few long-lived threads (issue 24): memory stays flat, a stall holds no one else."""

from __future__ import annotations

import threading

import pytest
from fakes import Blocked, ScriptedChat
from langchain_core.messages import HumanMessage

from app.llm import MODEL_WORKERS, ModelTimeout, stream_until

PROMPT = [HumanMessage("Which sentence answers?")]


class ThreadNoting(ScriptedChat):
    """Notes the thread each call ran on."""

    threads: list = []

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        self.threads.append(threading.current_thread())
        yield from super()._stream(messages, stop, run_manager, **kwargs)


def test_fifty_calls_run_on_the_same_few_threads():
    # a new thread per call gave each its own malloc arena, kept by glibc: +1.3 MB an answer
    chat = ThreadNoting(replies=["1"] * 50, prompts=[], threads=[])
    assert ["".join(stream_until(chat, PROMPT, 10)) for _ in range(50)] == ["1"] * 50
    assert {t.name for t in chat.threads} <= {f"citewise-model-{n}" for n in range(MODEL_WORKERS.size)}
    assert len({id(t) for t in chat.threads}) <= MODEL_WORKERS.size
    assert all(t.daemon for t in chat.threads)  # a stalled call never holds up the process's exit


def test_a_stalled_call_holds_only_its_own_thread():
    stalled = Blocked()
    chat = ScriptedChat(replies=[stalled, "2"], prompts=[])
    with pytest.raises(ModelTimeout):
        "".join(stream_until(chat, PROMPT, 0.3))  # the caller gives up; the call stays blocked
    assert stalled.started.is_set() and not stalled.event.is_set()
    assert "".join(stream_until(chat, PROMPT, 5)) == "2"  # the next caller is answered meanwhile
    stalled.release()


def test_a_call_that_waited_past_its_deadline_never_reaches_the_model():
    stalls = [Blocked() for _ in range(MODEL_WORKERS.size)]
    chat = ScriptedChat(replies=[*stalls, "late"], prompts=[])
    for stall in stalls:  # every worker held by a stalled call
        with pytest.raises(ModelTimeout):
            "".join(stream_until(chat, PROMPT, 0.2))
        assert stall.started.wait(5)
    with pytest.raises(ModelTimeout):  # this one waits in line, and its caller gives up
        "".join(stream_until(chat, PROMPT, 0.2))
    for stall in stalls:
        stall.release()
    ok = ScriptedChat(replies=["fresh"], prompts=[])
    assert "".join(stream_until(ok, PROMPT, 5)) == "fresh"  # the workers are free again
    assert chat.replies == ["late"] and len(chat.prompts) == MODEL_WORKERS.size  # never sent
