"""Load the models and the index once; everything that answers goes through an Engine."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage

from app.about import About, examples
from app.evidence import score_sentences
from app.lexicon import Lexicon
from app.planted import InstructionProbe, planted_rows
from app.prompts import render
from app.retrieve import Retriever
from app.scope import IN_SCOPE, ScopeReader
from core.settings import Settings
from index.embedder import Embedder, load_embedder
from index.glossary import Glossary
from index.profile import NO_ARTICLES
from index.reader import IndexReader, check_published, open_index

log = logging.getLogger(__name__)


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
    planted: frozenset[int] = frozenset()  # sentence rows read as instructions to a machine (app.planted)
    # (Chinese, Latin) forms of the names the articles give in both scripts (app.answering.names)
    names: tuple[tuple[str, str], ...] = ()
    about: About = About(NO_ARTICLES, (), ())  # the library as the page describes it


def load_engine(settings: Settings, embedder: Embedder | None = None, chat: BaseChatModel | None = None,
                with_chat: bool = True, lexicon: Lexicon | None = None) -> Engine:
    """Check the index against the settings first (cheap), then load the models and warm them.

    Warming reads the fixed system prompt once, so llama.cpp keeps it as a cached prefix.
    """
    started = time.perf_counter()
    published = check_published(settings)
    embedder = embedder or load_embedder(settings)
    lexicon = lexicon or Lexicon.load()
    index = open_index(settings, embedder, published)
    # Instructions planted in an article are never evidence: not read by the model, not quoted,
    # not support for a checked sentence (app.planted, D25).
    probe = InstructionProbe.load()
    if probe is not None and probe.model_sha256 != embedder.sha256:
        # Fitted on another embedding model, its scores mean nothing here: the rules still hold.
        log.warning("instruction probe fitted on another embedding model: skipped (refit: python -m bench.instruction_probe)")
        probe = None
    planted = planted_rows(index.sentences, index.sentence_vectors, index.documents, lexicon.instructions,
                           probe, settings.policy.instruction_score)
    index = index.without(planted)
    retriever = Retriever(index, embedder, settings.policy.fusion, glossary=Glossary.of(index.words))
    retriever.search("warm-up 预热", k=1)  # first call pays for lazy init in torch and Chroma
    names = index.words.pairs  # read from the articles when they were indexed (index.corpus_words)
    about = About(index.profile, names, examples(index.profile, names, _answered_by(index, retriever, settings)))
    # what the chat serves is this library: its titles and its example questions are the in-scope examples
    in_scope = tuple((IN_SCOPE, text) for text in (*index.profile.titles, *about.examples))
    scope = ScopeReader((*in_scope, *lexicon.scope), embedder.embed_query)
    if chat is None and with_chat:
        chat = load_chat(settings)
    return Engine(settings, embedder, index, retriever, chat, time.perf_counter() - started, lexicon, scope,
                  planted, names, about)


def _answered_by(index: IndexReader, retriever: Retriever, settings: Settings):
    """Whether the library answers a question about a name: one of its three best evidence sentences
    mentions the name and the best reaches the relevance floor (below it the chat refuses)."""

    def answers(question: str, name: str) -> bool:
        found = retriever.search(question, k=settings.retrieve_k)
        scored = score_sentences(index, found.passages, found.vector)
        return bool(scored) and scored[0].score >= settings.policy.relevance_floor and any(
            name.lower() in index.sentences[s.row].text.lower() for s in scored[:3])

    return answers


def load_chat(settings: Settings) -> BaseChatModel:
    """The configured chat model; a local one is warmed with the pointing system prompt, so
    llama.cpp holds it as a cached prefix."""
    from app.llm import load_chat_model

    chat = load_chat_model(settings)
    if not settings.llm_base_url:
        warm_prefix(chat, settings)
    return chat


def warm_prefix(chat: BaseChatModel, settings: Settings) -> None:
    """Read the pointing system prompt (the prefix every question's prompt starts with)."""
    most = settings.policy.pick_most
    chat.invoke([SystemMessage(render("point_system.txt", most=most)), HumanMessage("OK?")], max_tokens=1)


def warm_up(engine: Engine) -> float:
    """Answer one question before anyone asks, so the first person's question does not pay the
    first-call costs (bench.first_answer measures them; DECISIONS D27). The question is the first
    article's title: whatever the articles are, it finds passages and makes the model read and write.
    Returns the seconds it took."""
    from app.pipeline import answer

    started = time.perf_counter()
    documents = sorted(engine.index.documents.values(), key=lambda d: d.source)
    if documents and engine.chat is not None:
        answer(engine, documents[0].title)
    return time.perf_counter() - started
