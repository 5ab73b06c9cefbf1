"""The app served on a free loopback port, and Debian's Chromium through Playwright.

Shared by the benchmarks (`bench.load`, `bench.ui_times`) and the browser and load tests.
"""

from __future__ import annotations

import os
import shutil
import socket
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = os.environ.get("CITEWISE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def chromium_missing() -> str | None:
    """Why Chromium cannot be used here, or None when it can."""
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return None
    return f"no Chromium at {CHROMIUM}: `apt-get install chromium` (or set CITEWISE_CHROMIUM)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(engine, max_size: int = 32, problem: str | None = None):
    """The app on 127.0.0.1:<free port>; yields (url, demo)."""
    from app.ui import build_ui, serve
    from core.settings import Settings

    settings = engine.settings.with_(port=free_port()) if engine else Settings(port=free_port())
    demo = serve(build_ui(engine, problem), settings, max_size=max_size, block=False)
    try:
        yield f"http://127.0.0.1:{settings.port}", demo
    finally:
        demo.close()


@contextmanager
def chromium_browser():
    """Headless Chromium; each `browser.new_context()` is a separate browser session (own cookies)."""
    from playwright.sync_api import sync_playwright

    if why := chromium_missing():
        raise RuntimeError(why)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, locale: str = "en-US"):
    """A page in a new context of `browser`; returns (page, dialogs, requests) to assert on."""
    context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    dialogs, requests = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    return page, dialogs, requests


@contextmanager
def chromium_page(locale: str = "en-US"):
    """A page in headless Chromium; yields (page, dialogs, requests) to assert on."""
    with chromium_browser() as browser:
        yield new_page(browser, locale)
