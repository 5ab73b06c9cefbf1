"""The page on an empty library, then after one article is pasted in: the intro, the examples and the
question box's hint describe the library as it is now (issue 23). Scripted model, Chromium."""

from __future__ import annotations

import pytest
from browser import chromium_page, served, shot
from fakes import ScriptedChat, fake_embedder

from app.engine import load_engine
from index.build import build_index

ARTICLE = ("Skarvik Harbour opened a ferry berth in May. The berth cost NOK 310 million, the harbour said. "
           "The ferry from Skarvik Harbour to Hamarvik runs twice a day.")


@pytest.fixture
def empty_engine(settings):
    settings = settings.with_(chunk_chars=200, relevance_floor=0.2, pick_floor=0.0)
    embedder = fake_embedder(settings, dim=512)
    build_index(settings, lambda: embedder)
    return load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=["1"], prompts=[]))


def test_an_empty_library_then_one_article(empty_engine):
    with served(empty_engine) as (url, _), chromium_page() as (page, _, _):
        page.goto(url)
        intro = page.locator("#cw-intro")
        intro.get_by_text("The library holds no articles yet").wait_for(timeout=30_000)
        shot(page, "about-empty")
        assert not page.locator("#cw-examples").is_visible()  # no examples to show

        page.get_by_role("tab", name="Documents").click()  # "Add articles" is open on an empty library
        page.locator("#cw-paste-title textarea, #cw-paste-title input").first.fill("Skarvik ferry berth opens")
        page.locator("#cw-paste-text textarea").fill(ARTICLE)
        page.locator("#cw-add-text").click()
        page.wait_for_function("() => /Skarvik ferry berth opens/.test(document.querySelector('#cw-doc-table').innerText)",
                               timeout=60_000)

        # the intro above the tabs describes the new library before the chat tab is shown again
        intro.get_by_text("Ask about the 1 article in the library").wait_for(timeout=30_000)
        page.get_by_role("tab", name="Chat").click()
        text = intro.inner_text()
        assert "“Skarvik ferry berth opens”" in text and "They mention Skarvik Harbour and Hamarvik most." in text
        examples = page.locator("#cw-examples").inner_text()
        assert "What do the articles say about Skarvik Harbour?" in examples
        assert page.locator("#cw-question textarea").get_attribute("placeholder").startswith("e.g. What do the articles")
        shot(page, "about-one-article")
        page.locator("#cw-examples").get_by_text("What do the articles say about Skarvik Harbour?").click()
        page.wait_for_function("() => document.querySelector('#cw-question textarea').value === "
                               "'What do the articles say about Skarvik Harbour?'", timeout=10_000)
