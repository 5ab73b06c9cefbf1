"""A turn as people live it in Chromium (issue 14): a status line that moves while the model is
silent, the passages and quick answer before the model's turn, Enter, Stop, reload, a laptop screen.

The model is scripted (tests/fakes.py); the real models are in test_browser.py.
"""

from __future__ import annotations

import re

from browser import ask, chromium_browser, chromium_page, new_page, served, shot
from conftest import fake_index
from fakes import Blocked, ScriptedChat

from app.engine import load_engine

ARTICLES = {"oracle.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。"}
QUESTION = "甲骨文的总债务股本比是多少？"
REPLY = "1"  # the model points at the first sentence
QUICK = "Quick answer from the passages"
MESSAGES = "#cw-chat .message.user, #cw-chat .message.bot"  # one element per message (Gradio nests a .message)


def engine_with(settings, docs, replies: list, delay_s: float = 0.0, relevance_floor: float = 0.2):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200,
                                    relevance_floor=relevance_floor)
    return load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=replies, prompts=[], delay_s=delay_s))


def status(page) -> str:
    return page.locator("#cw-status").inner_text().strip()


def test_the_status_line_ticks_while_the_model_reads(settings, docs):
    blocked = Blocked()
    engine = engine_with(settings, docs, [blocked])
    with served(engine) as (url, _), chromium_page() as (page, _, _):
        page.goto(url)
        page.locator("#cw-question textarea").fill(QUESTION)
        page.locator("#cw-send").click()
        page.wait_for_function("() => /reading/.test(document.querySelector('#cw-status').innerText)")
        seen = []
        for _ in range(8):  # 2 s: the line must change at least every 0.5 s
            seen.append(status(page))
            page.wait_for_timeout(250)
        shot(page, "status-ticking")
        blocked.release()
    readings = [s for s in seen if s.startswith("The model is reading the sentences found (")]
    assert len(readings) == 8
    times = [float(re.search(r"· (\d+\.\d) s$", s)[1]) for s in readings]
    assert len(set(times)) >= 4 and times == sorted(times)


def test_enter_sends_a_reload_keeps_the_conversation_and_clear_removes_it(settings, docs):
    engine = engine_with(settings, docs, [REPLY])
    with served(engine) as (url, _), chromium_page() as (page, _, _):
        page.goto(url)
        page.locator("#cw-question textarea").fill(QUESTION)
        page.locator("#cw-question textarea").press("Enter")
        page.wait_for_function("() => /Answered in/.test(document.querySelector('#cw-status').innerText)")
        answer = page.locator(MESSAGES).last.inner_text()
        assert answer.startswith("甲骨文的总债务股本比为427%。")
        page.reload()
        page.locator(MESSAGES).nth(1).wait_for()
        got = [m.inner_text().strip() for m in page.locator(MESSAGES).all()]
        assert got == [QUESTION, answer.strip()], got
        assert "Cited passages" in page.locator("#cw-sources").inner_text()
        shot(page, "reloaded")
        page.locator("#cw-clear").click()
        page.wait_for_function("() => document.querySelectorAll('#cw-chat .message').length === 0")
        page.wait_for_timeout(300)  # the cleared value reaches localStorage
        page.reload()
        page.locator("#cw-question textarea").wait_for()
        page.wait_for_timeout(500)
        assert page.locator(MESSAGES).count() == 0


def test_stop_leaves_the_partial_answer_marked_as_stopped(settings, docs):
    # an English question over a Chinese article: the model's rendering streams, and Stop ends it
    # (the hashing embedder sees no likeness across scripts, so no relevance floor here)
    engine = engine_with(settings, docs, ["1", "1. Oracle's total debt-to-equity ratio is 427%, " * 30], delay_s=0.15,
                         relevance_floor=-1.0)
    with served(engine) as (url, _), chromium_page() as (page, _, _):
        page.goto(url)
        page.locator("#cw-question textarea").fill("What is Oracle's total debt-to-equity ratio?")
        page.locator("#cw-send").click()
        # Stop once the rendering has begun to stream (the question has the same words: the answer's message)
        page.wait_for_function("""() => [...document.querySelectorAll('#cw-chat .message.bot')]
            .some(m => /Oracle's total/.test(m.innerText))""")
        page.locator("#cw-stop").click()
        page.wait_for_function("() => /Stopped\\./.test(document.querySelector('#cw-status').innerText)")
        page.wait_for_timeout(1000)  # an answer still streaming would overwrite the mark within this
        shown = page.locator(MESSAGES).last.inner_text()
        shot(page, "stopped")
        assert "Oracle's" in shown  # the rendering as far as it streamed
        assert shown.strip().endswith("■ Stopped: this partial answer was not checked against the passages."), shown
        # the page is free again: the next question is answered
        engine.chat.replies.append(REPLY)
        ask(page, QUESTION, timeout_s=30)


def test_the_first_source_is_on_a_laptop_screen_without_scrolling(settings, docs):
    engine = engine_with(settings, docs, [REPLY])
    with served(engine) as (url, _), chromium_browser() as browser:
        context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(url)
        ask(page, QUESTION, timeout_s=30)
        page.screenshot(path=str(shot(page, "laptop-1366x768").with_name("laptop-1366x768-viewport.png")))
        # where the page is after clicking Ask (scrolled to the button), the first source is in view
        box = page.locator("#src-0-1").bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + 40 <= 768, box


# Sends the question with a click in the page and notes, in the page's own clock, when the quick
# answer and the passages first show: Playwright's waits would add their polling to the figure.
SEND_AND_TIME = """(quick) => {
    window.__quick = null;
    const t0 = performance.now();
    const seen = () => document.querySelector('#cw-chat').innerText.includes(quick)
        && /Passages found|Cited passages/.test(document.querySelector('#cw-sources').innerText);
    new MutationObserver(() => { if (window.__quick === null && seen()) window.__quick = performance.now() - t0; })
        .observe(document.body, {subtree: true, childList: true, characterData: true});
    document.querySelector('#cw-send').click();
}"""


def test_a_queued_user_sees_passages_and_the_quick_answer_before_the_model_reaches_it(settings, docs):
    """8 people asking 0.3 s apart while the model takes ~1.3 s an answer: from the second on, each
    question waits for the model, and each page still shows its passages and quick answer before the
    model reaches it: when all 8 show them, the last still reads "Waiting for the model" (it waits
    ~7 s), so its passages did not queue. The 1-second figure is a latency, measured uncontended by
    `python -m bench.ui_load` (D29): CI runs 8 Chromium pages on 2 shared cores, where a timed
    assertion at the target fails on noise (1.1 s on one CI run)."""
    users = 8
    engine = engine_with(settings, docs, [REPLY.ljust(52)] * users, delay_s=0.1)  # ~1.3 s of the model each
    with served(engine) as (url, _), chromium_browser() as browser:
        pages = [new_page(browser)[0] for _ in range(users)]
        for page in pages:
            page.goto(url)
            page.locator("#cw-question textarea").fill(QUESTION)
        for page in pages:  # each page's send is one call in the page; the next comes 0.3 s later
            page.evaluate(SEND_AND_TIME, QUICK)
            page.wait_for_timeout(300)
        for page in pages:
            page.wait_for_function("() => window.__quick !== null", timeout=30_000)
        seen = [page.evaluate("window.__quick") / 1000 for page in pages]
        last = pages[-1]
        queued = status(last)
        shot(last, "queued-user")
        for page in pages:
            page.wait_for_function("() => /Answered in/.test(document.querySelector('#cw-status').innerText)",
                                   timeout=60_000)
        answers = [page.locator(MESSAGES).last.inner_text().strip() for page in pages]
    assert max(seen) < 3.0, seen
    assert re.search(r"Waiting for the model: [1-7] questions? ahead of yours…", queued), queued
    assert answers == [answers[0]] * users and answers[0].startswith("甲骨文的总债务股本比为427%")
