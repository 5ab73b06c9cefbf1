"""The app in real Chromium (Debian's, driven by Playwright). Screenshots go to tests/screenshots/."""

from __future__ import annotations

import re

import pytest
from browser import ask, chromium_page, served, shot
from conftest import fake_index
from fakes import ScriptedChat
from playwright.sync_api import expect

from app.engine import load_engine

PAYLOAD = "<img src=x onerror=alert(1)> ![x](http://127.0.0.2/p.png) <script>alert(2)</script>"
ARTICLES = {"oracle.txt": f"甲骨文的总债务股本比为427%。{PAYLOAD}微软的总债务股本比为32.7%。"}


@pytest.fixture
def fake_engine(settings, docs):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200, relevance_floor=0.2)
    # the model points at the sentence; the payload is in the article it quotes
    return load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=["1"] * 4, prompts=[]))


def inert(page) -> None:
    """No element the payloads could have made."""
    for where in ("#cw-chat", "#cw-sources", "#cw-doc"):
        assert page.locator(f"{where} img").count() == 0
        assert page.locator(f"{where} script").count() == 0


def test_payloads_in_a_document_and_an_answer_render_inert(fake_engine):
    with served(fake_engine) as (url, _), chromium_page() as (page, dialogs, requests):
        page.goto(url)
        ask(page, "甲骨文的总债务股本比是多少？", timeout_s=60)
        assert "<img src=x onerror=alert(1)>" in page.locator("#cw-sources").inner_text()
        page.get_by_role("tab", name="Documents").click()
        page.locator("#cw-doc").wait_for()
        assert "<script>alert(2)</script>" in page.locator("#cw-doc").inner_text()
        shot(page, "xss-documents")
        inert(page)
        page.wait_for_timeout(500)
        assert dialogs == []
        assert [u for u in requests if "127.0.0.2" in u] == []


def test_the_interface_follows_the_browsers_language(fake_engine):
    with served(fake_engine) as (url, _), chromium_page(locale="zh-CN") as (page, _, _):
        page.goto(url)
        assert page.locator("#cw-send").inner_text() == "提问"
        ask(page, "甲骨文的总债务股本比是多少？", timeout_s=60)
        assert re.fullmatch(r"用时 \d+\.\d 秒。", page.locator("#cw-status").inner_text().strip())
        assert "引用的段落" in page.locator("#cw-sources").inner_text()


@pytest.mark.real
def test_the_tranche_question_with_the_real_models(real_engine):
    with served(real_engine) as (url, _), chromium_page() as (page, dialogs, _):
        page.goto(url)
        example = real_engine.about.examples[0]  # made from the library (app.about), checked against it
        page.get_by_role("button", name=example).click()
        expect(page.locator("#cw-question textarea")).to_have_value(example)
        # asked in Chinese: in English the model answers 0 (test_real_answers, issue 22's closing note)
        ask(page, "英伟达与OpenAI的分批投资条款是什么？")
        answer = page.locator("#cw-chat .message").last
        links = answer.locator('a[href^="#src-0-"]')
        assert links.count() >= 1, answer.inner_text()
        target = links.first.get_attribute("href")[1:]
        source = page.locator(f"#{target}")
        assert source.locator("mark").count() == 1
        assert source.locator("mark").inner_text().strip() in source.inner_text()
        links.first.click()
        page.wait_for_timeout(800)
        assert source.is_visible()
        shot(page, "tranche")

        ask(page, "首笔投资什么时候支付？")
        assert page.locator("details.cw-turn").count() == 1  # the first answer's sources, folded
        shot(page, "tranche-followup")
        assert dialogs == []
