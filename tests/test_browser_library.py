"""Adding and removing articles in the page, in Chromium (issue 14, item 3). Scripted model."""

from __future__ import annotations

import re

import pytest
from browser import ask, chromium_page, served, shot
from conftest import fake_index
from fakes import ScriptedChat
from test_formats import make_docx, make_pdf

from app.engine import load_engine

ARTICLES = {"oracle.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。"}
PDF_FACT = "Zorblax Dynamics shipped 4,812 quantum routers to Lisbon in March."
DOCX_FACT = "Quillon Bank lent 73 million euros to the Vetrano wind farm."
MESSAGES = "#cw-chat .message.user, #cw-chat .message.bot"


@pytest.fixture
def engine(settings, docs):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200, relevance_floor=0.2)
    replies = ["1", "1"]  # the model points at the first sentence each time
    return load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=replies, prompts=[]))


def report(page) -> str:
    return page.locator("#cw-library-report").inner_text().strip()


def test_upload_a_pdf_and_a_docx_ask_about_them_then_remove_one(engine):
    files = [{"name": "routers.pdf", "mimeType": "application/pdf", "buffer": make_pdf([[PDF_FACT]], title="Routers")},
             {"name": "bank.docx", "buffer": make_docx([DOCX_FACT], title="Wind farm loan"),
              "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
             {"name": "broken.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + bytes(range(256)) * 4}]
    with served(engine) as (url, _), chromium_page() as (page, _, _):
        page.goto(url)
        page.get_by_role("tab", name="Documents").click()
        page.locator("#cw-add").get_by_text("Add articles").click()
        engine.embedder._inner.delay = 0.6  # slow enough to be seen while it indexes
        page.locator("#cw-upload input[type=file]").set_input_files(files)
        page.wait_for_function("() => /not searchable yet/.test(document.querySelector('#cw-library-report').innerText)",
                               timeout=60_000)
        shot(page, "library-indexing")
        assert "Indexing routers.pdf" in report(page)
        assert page.locator("#cw-library-report").bounding_box()["height"] >= 60  # room to show it (CSS)
        engine.embedder._inner.delay = 0.0
        page.wait_for_function("() => /broken\\.pdf/.test(document.querySelector('#cw-library-report').innerText)",
                               timeout=60_000)
        lines = [re.sub(r"\d+\.\d s", "T", line) for line in report(page).splitlines() if line.strip()]
        shot(page, "library-uploaded")
        assert lines[:2] == ["✓ routers.pdf: added as “Routers”, searchable now (1 passage, indexed in T).",
                             "✓ bank.docx: added as “Wind farm loan”, searchable now (1 passage, indexed in T)."]
        assert lines[2].startswith("✗ broken.pdf: the file is damaged or not what its name says (")
        assert lines[2].endswith("). Nothing was changed.") and len(lines) == 3
        table = page.locator("#cw-doc-table").inner_text()
        assert "routers.txt" in table and "bank.txt" in table and "broken" not in table

        page.get_by_role("tab", name="Chat").click()
        ask(page, "How many quantum routers did Zorblax Dynamics ship to Lisbon?", timeout_s=60)
        assert page.locator(MESSAGES).last.inner_text().strip() == f"{PDF_FACT} [1]"
        assert "routers.txt" in page.locator("#cw-sources").inner_text()
        ask(page, "How much did Quillon Bank lend to the Vetrano wind farm?", timeout_s=60)
        assert page.locator(MESSAGES).last.inner_text().strip() == f"{DOCX_FACT} [1]"
        assert "bank.txt" in page.locator("#cw-sources").inner_text()

        page.get_by_role("tab", name="Documents").click()
        page.locator("#cw-doc-pick input").click()
        page.get_by_role("option", name="Routers").click()
        page.locator("#cw-remove").click()
        page.wait_for_function("() => /removed/.test(document.querySelector('#cw-library-report').innerText)",
                               timeout=60_000)
        assert re.sub(r"\d+\.\d s", "T", report(page)) == \
            "✓ routers.txt: removed, no longer searchable (index rebuilt in T)."
        assert "routers.txt" not in page.locator("#cw-doc-table").inner_text()
        page.get_by_role("tab", name="Chat").click()
        ask(page, "How many quantum routers did Zorblax Dynamics ship to Lisbon?", timeout_s=60)
        shot(page, "library-removed-refused")
        assert page.locator(MESSAGES).last.inner_text().startswith("The articles don't say")
