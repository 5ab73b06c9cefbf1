"""Helpers for the browser tests: the app served on a free port, and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import shutil
import socket
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.settings import ROOT

CHROMIUM = os.environ.get("CITEWISE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "tests" / "screenshots"


def need_chromium() -> None:
    """CI must have Chromium (.ci/run installs it); elsewhere the browser tests are skipped with the reason."""
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    why = f"no Chromium at {CHROMIUM}: `apt-get install chromium` (or set CITEWISE_CHROMIUM)"
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(engine, max_size: int = 32, problem: str | None = None):
    """The app on 127.0.0.1:<free port>; yields (url, demo)."""
    from app.ui import build_ui, serve

    settings = engine.settings.with_(port=free_port()) if engine else None
    if settings is None:
        from core.settings import Settings

        settings = Settings(port=free_port())
    demo = serve(build_ui(engine, problem), settings, max_size=max_size, block=False)
    try:
        yield f"http://127.0.0.1:{settings.port}", demo
    finally:
        demo.close()


@contextmanager
def chromium_page(locale: str = "en-US"):
    """A page in headless Chromium; yields (page, dialogs, requests) to assert on."""
    from playwright.sync_api import sync_playwright

    need_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            dialogs, requests = [], []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("request", lambda r: requests.append(r.url))
            yield page, dialogs, requests
        finally:
            browser.close()


def ask(page, question: str, timeout_s: float = 120) -> None:
    """Type a question, send it, wait until the answer is verified (the status says so)."""
    box = page.locator("#cw-question textarea")
    box.fill(question)
    before = page.locator("#cw-chat .message").count()
    page.locator("#cw-send").click()
    page.wait_for_function(
        """([before]) => document.querySelectorAll('#cw-chat .message').length >= before + 2
                && /Answered in|用时/.test(document.querySelector('#cw-status').innerText)""",
        arg=[before], timeout=timeout_s * 1000)


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
