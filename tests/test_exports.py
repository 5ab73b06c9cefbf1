"""Exports belong to the browser that made them, and the server hands out nothing else.

The store with no server; then the app served with a fake embedder and a scripted model: raw
HTTP requests that try to walk out of every file route, and two Chromium sessions that export in
the same second while a third asks for their links.
"""

from __future__ import annotations

import http.client
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import ask, chromium_browser, new_page, served, shot
from conftest import fake_index
from fakes import ScriptedChat

from app.engine import load_engine
from app.ui.downloads import COOKIE, Downloads, session_of

ALICE, BOB = "a" * 32, "b" * 32

# --- the store -----------------------------------------------------------------------------------


def test_exports_in_the_same_second_get_their_own_unguessable_files(tmp_path):
    store = Downloads(tmp_path)
    first, second = store.put(ALICE, "Alice's conversation"), store.put(BOB, "Bob's conversation")
    third = store.put(ALICE, "Alice, again")
    assert len({first, second, third}) == 3 and all(len(t) == 32 for t in (first, second, third))
    folders = sorted(p.name for p in tmp_path.iterdir())
    assert len(folders) == 2 and ALICE not in folders and BOB not in folders  # the cookie is not on disk
    assert sorted(p.name for p in (tmp_path / folders[0]).iterdir()) != sorted(p.name for p in (tmp_path / folders[1]).iterdir())
    assert store.take(ALICE, first) == b"Alice's conversation"
    assert store.take(BOB, second) == b"Bob's conversation"
    assert store.take(ALICE, third) == b"Alice, again"


def test_another_session_gets_nothing_and_the_owner_gets_it_once(tmp_path):
    store = Downloads(tmp_path)
    token = store.put(ALICE, "private")
    assert store.take(BOB, token) is None
    assert store.take(None, token) is None
    assert store.take(ALICE, token) == b"private"
    assert store.take(ALICE, token) is None  # removed after download
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("token", ["", "..", "../../etc/passwd", "x" * 10, "a" * 31 + "/", "a" * 65, "%2e%2e"])
def test_a_token_the_store_did_not_issue_is_never_looked_up(tmp_path, token):
    store = Downloads(tmp_path / "exports")
    (tmp_path / "secret.md").write_text("secret", encoding="utf-8")
    store.put(ALICE, "mine")
    assert store.take(ALICE, token) is None


def test_an_export_nobody_fetches_is_removed_after_its_time(tmp_path):
    store = Downloads(tmp_path, ttl_s=600)
    old, fresh = store.put(ALICE, "old"), store.put(BOB, "fresh")
    path = next(tmp_path.rglob(f"{old}.md"))
    os.utime(path, (time.time() - 601, time.time() - 601))
    assert store.sweep() == 1
    assert store.take(ALICE, old) is None
    assert store.take(BOB, fresh) == b"fresh"
    assert store.sweep() == 0
    assert list(tmp_path.iterdir()) == []  # empty session folders go at the next sweep


def test_the_session_cookie_is_read_only_when_it_looks_like_one_the_server_set():
    assert session_of(f"theme=dark; {COOKIE}={ALICE}") == ALICE
    assert session_of(f"{COOKIE}=../../x") is None
    assert session_of(f"{COOKIE}=") is None


# --- the served app ------------------------------------------------------------------------------

ARTICLES = {"oracle.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。"}
QUESTIONS = ["甲骨文的总债务股本比是多少？", "微软的总债务股本比是多少？"]
REPLIES = ["1", "2"]  # the model points at the sentence that answers


@pytest.fixture
def engine(settings, docs):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200, relevance_floor=0.2)
    return load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=list(REPLIES), prompts=[]))


def raw_get(url: str, path: str, cookie: str | None = None) -> tuple[int, bytes, str | None]:
    """GET `path` exactly as written (no client normalises its dots or its escapes)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read(), response.getheader("set-cookie")
    finally:
        connection.close()


SECRET = "SECRET-do-not-serve-41c9"


def targets(engine, demo) -> list[str]:
    """Files the server must never hand out: the system's, the index's, the models', an export by its
    path, this test file; each of ours holds SECRET."""
    planted = []
    for folder in (engine.settings.index_dir, engine.settings.models_dir):
        (folder / "secret.txt").write_text(SECRET, encoding="utf-8")
        planted.append(str(folder / "secret.txt"))
    export = next(demo.downloads.folder.rglob("*.md"))
    return ["/etc/passwd", *planted, str(export), str(engine.settings.index_dir / "vectors.sqlite"),
            str(Path(__file__).resolve())]


def attempts(path: str) -> list[str]:
    """`path` as an absolute name, climbed to with ../ and with its encodings."""
    climb = "../" * 12 + path.lstrip("/")
    return [path, climb, climb.replace("../", "%2e%2e/"), climb.replace("../", "..%2f"),
            climb.replace("../", "%252e%252e%252f"), climb.replace("../", "..\\"), path.replace("/", "%2f"),
            climb.replace("../", "....//")]


# every route the app exposes that takes a path or a name from the URL
ROUTES = ["/gradio_api/file=", "/gradio_api/file/", "/file=", "/static/", "/assets/", "/svelte/", "/export/",
          "/gradio_api/proxy=", "/gradio_api/custom_component/x/client/x/"]


def test_no_file_route_serves_anything_outside_its_own_files(engine):
    with served(engine) as (url, demo):
        status, page, set_cookie = raw_get(url, "/")
        assert status == 200 and set_cookie.startswith(f"{COOKIE}=") and "HttpOnly" in set_cookie
        cookie = set_cookie.split(";")[0]
        demo.downloads.put(session_of(cookie), SECRET)
        secrets = [b"root:x:0:0", SECRET.encode(), b"SQLite format", b"Exports belong to the browser"]
        seen = {}
        for target in targets(engine, demo):
            for attempt in attempts(target):
                for route in ROUTES:
                    status, body, _ = raw_get(url, route + attempt, cookie)
                    seen.setdefault(status, 0)
                    seen[status] += 1
                    assert status in (403, 404), (route + attempt, status, body[:200])
                    assert not any(s in body for s in secrets), (route + attempt, body[:200])
        assert sum(seen.values()) == 6 * 8 * len(ROUTES)
        # nor does it fetch other URLs for a caller (Gradio's relay routes)
        for relay in ("/gradio_api/file=http://127.0.0.1:1/", "/gradio_api/file=https%3A%2F%2Fexample.com%2F",
                      "/gradio_api/proxy=https://example.com/", "/gradio_api/file/http%253A//example.com/"):
            assert raw_get(url, relay, cookie)[:2] == (404, b"Not found.")
        # Gradio's own assets are still served
        assets = re.findall(r'(?:src|href)="\.?(/assets/[^"]+\.(?:js|css))"', page.decode())
        assert assets and {raw_get(url, a)[0] for a in assets} == {200}


def test_two_browsers_exporting_in_the_same_second_each_download_their_own(engine):
    with served(engine) as (url, _), chromium_browser() as browser:
        pages = [new_page(browser, locale="zh-CN")[0] for _ in range(3)]
        for page, question in zip(pages, QUESTIONS):
            page.goto(url)
            ask(page, question, timeout_s=60)
        thief = pages[2]
        thief.goto(url)
        started = time.monotonic()
        for page in pages[:2]:
            page.locator("#cw-export").click()
        assert time.monotonic() - started < 1.0  # both pressed within the same second
        links = []
        for page in pages[:2]:
            page.locator("#cw-download a").wait_for()
            links.append(page.locator("#cw-download a").get_attribute("href"))
        assert links[0] != links[1]
        for href in links:  # the third session holds both links, and gets nothing
            response = thief.request.get(f"{url}/{href}")
            assert response.status == 404
            assert "属于其他浏览器" in response.text() or "another browser" in response.text()
        shot(pages[0], "export-link")
        texts = []
        for page in pages[:2]:
            with page.expect_download() as download:
                page.locator("#cw-download a").click()
            assert download.value.suggested_filename.startswith("citewise-conversation-")
            texts.append(Path(download.value.path()).read_text(encoding="utf-8"))
        for mine, theirs, text in ((0, 1, texts[0]), (1, 0, texts[1])):
            assert f"### Q1. {QUESTIONS[mine]}" in text and QUESTIONS[theirs] not in text
            assert REPLIES[mine].replace("[1]", "") in text.replace("[1]", "")
        assert pages[0].request.get(f"{url}/{links[0]}").status == 404  # once downloaded, gone
