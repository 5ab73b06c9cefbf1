"""The chat handler with a scripted fake model: what a person sees, exactly."""

from __future__ import annotations

import inspect

import gradio as gr
import pytest
from conftest import fake_index

from app.engine import load_engine
from app.ui import build_ui, make_chat, respond
from fakes import ScriptedChat

ARTICLES = {"oracle.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。"}


@pytest.fixture
def engine(settings, docs):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200, relevance_floor=0.2)
    return load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=[], prompts=[]))


def test_the_handler_streams_quick_answer_tokens_then_the_verified_answer(engine):
    engine.chat.replies.append("甲骨文的总债务股本比为427%[1]。")
    shown = list(respond(engine, "甲骨文的总债务股本比是多少？", []))
    assert shown[0] == "甲骨文的总债务股本比为427%。\\[1\\]\n\n_Quick answer from the passages; the model is writing…_"
    assert shown[-1] == ("甲骨文的总债务股本比为427%。\\[1\\]\n\n**Sources**\n"
                         "[1] 甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。 (oracle.txt): "
                         "“甲骨文的总债务股本比为427%。”")
    assert len(shown) > 3  # the model's words arrive in between


def test_a_bad_question_gets_a_message_and_no_model_call(engine):
    assert list(respond(engine, "   ", [])) == ["Please type a question about the articles."]
    assert engine.chat.prompts == []


def test_the_chat_function_is_a_generator_so_gradio_streams_it(engine):
    assert inspect.isgeneratorfunction(make_chat(engine))
    assert isinstance(build_ui(engine), gr.Blocks)
