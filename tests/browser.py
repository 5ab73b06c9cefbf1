"""Helpers for the browser tests: the app served on a free port, and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.serving import chromium_browser as _chromium_browser
from bench.serving import (  # noqa: F401  (re-exported for the tests)
    chromium_missing,
    free_port,
    new_page,  # noqa: F401  (re-exported for the tests)
    served,
)
from bench.serving import chromium_page as _chromium_page
from core.settings import ROOT

SHOTS = ROOT / "tests" / "screenshots"


def need_chromium() -> None:
    """CI must have Chromium (.ci/run installs it); elsewhere the browser tests are skipped with the reason."""
    if why := chromium_missing():
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


# what a failed browser test prints (pytest shows it with the failure, in CI's log too): the page's
# console and the loading or error overlays standing over it, the usual cause of a click that times out
OVERLAYS = """() => [...document.querySelectorAll('[data-testid=status-tracker]')]
    .filter(e => !e.className.includes('hide'))
    .map(e => `${e.parentElement.id || e.parentElement.className}: ${e.className} «${e.innerText.slice(0, 200)}»`)"""


def watched(page) -> list[str]:
    """The page's console messages and errors, as they come."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: seen.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: seen.append(f"request failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and seen.append(f"response {r.status}: {r.url}"))
    return seen


def tell_failure(page, seen: list[str]) -> None:
    try:
        print("overlays:", *page.evaluate(OVERLAYS), sep="\n  ")
        print("console:", *seen[-30:], sep="\n  ")
        shot(page, "failed")
    except Exception as exc:  # the page may be gone: the failure itself matters more
        print("no report from the page:", exc)


@contextmanager
def chromium_page(locale: str = "en-US"):
    """A page in headless Chromium (the test is skipped, or fails in CI, without one)."""
    need_chromium()
    with _chromium_page(locale) as (page, dialogs, requests):
        seen = watched(page)
        try:
            yield page, dialogs, requests
        except BaseException:
            tell_failure(page, seen)
            raise


@contextmanager
def chromium_browser():
    """Headless Chromium for tests that need several browser sessions (`new_page(browser)` each)."""
    need_chromium()
    with _chromium_browser() as browser:
        yield browser


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
