"""Load the models and the index once; everything that answers goes through an Engine."""

from __future__ import annotations

import time
from dataclasses import dataclass

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from app.lexicon import Lexicon
from app.prompts import render
from app.retrieve import Retriever
from app.scope import ScopeReader
from core.settings import Settings
from index.embedder import Embedder, load_embedder
from index.glossary import Glossary
from index.reader import IndexReader, check_published, open_index


@dataclass
class Engine:
    settings: Settings
    embedder: Embedder
    index: IndexReader
    retriever: Retriever
    chat: BaseChatModel | None
    load_s: float
    lexicon: Lexicon
    scope: ScopeReader


def load_engine(settings: Settings, embedder: Embedder | None = None, chat: BaseChatModel | None = None,
                with_chat: bool = True) -> Engine:
    """Check the index against the settings first (cheap), then load the models and warm them.

    Warming reads the fixed system prompt once, so llama.cpp keeps it as a cached prefix.
    """
    started = time.perf_counter()
    published = check_published(settings)
    embedder = embedder or load_embedder(settings)
    index = open_index(settings, embedder, published)
    retriever = Retriever(index, embedder, settings.policy.fusion, glossary=Glossary.load())
    retriever.search("warm-up 预热", k=1)  # first call pays for lazy init in torch and Chroma
    lexicon = Lexicon.load()
    scope = ScopeReader(lexicon.scope, embedder.embed_query)
    if chat is None and with_chat:
        chat = load_chat(settings)
    return Engine(settings, embedder, index, retriever, chat, time.perf_counter() - started, lexicon, scope)


def load_chat(settings: Settings) -> BaseChatModel:
    """The configured chat model; a local one is warmed with the system prompt."""
    from app.llm import load_chat_model

    chat = load_chat_model(settings)
    if not settings.llm_base_url:
        chat.invoke([SystemMessage(render("answer_system.txt")), HumanMessage("OK?")], max_tokens=1)
    return chat
