"""Adding and removing articles from the page's side (app.library), with the fake embedder."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from types import SimpleNamespace

import pytest
from conftest import fake_index
from fakes import ScriptedChat
from test_formats import make_docx, make_pdf

from app.engine import load_engine, warm_up
from app.library import Changed, Library, Live, Refused
from app.pipeline import answer
from app.ui import build_ui
from app.ui.library_tab import make_library_handlers
from core.records import Document
from core.settings import Settings
from index import manifest as mf

ARTICLES = {"oracle.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。"}
FACT = "Zorblax Dynamics shipped 4,812 quantum routers to Lisbon in March."


@pytest.fixture
def library(settings, docs):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200, relevance_floor=0.2)
    engine = load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=[], prompts=[]))
    return Library(Live(engine))


def test_an_uploaded_docx_is_indexed_and_answers_new_questions_at_once(library):
    old = library.live.engine
    counts = []
    done = library.add("routers.docx", make_docx([FACT], title="Router shipments"),
                       lambda what, n, total: counts.append((what, n, total)))
    assert isinstance(done, Changed) and (done.source, done.title, done.passages) == \
        ("routers.txt", "Router shipments", 1)
    assert counts[0] == ("chunk", 0, 1) and ("chunk", 1, 1) in counts
    engine = library.live.engine
    assert engine is not old and old.index.documents.keys() == {"oracle.txt"}  # the old one is left whole
    assert sorted(engine.index.documents) == ["oracle.txt", "routers.txt"]
    kept = (engine.settings.upload_folder / "routers.txt").read_text(encoding="utf-8")
    assert kept == f"---\ntitle: Router shipments\nfile: routers.docx\n---\n{FACT}"
    engine.chat.replies.append("1")
    result = answer(engine, "How many quantum routers did Zorblax Dynamics ship to Lisbon?")
    assert result.text == "Zorblax Dynamics shipped 4,812 quantum routers to Lisbon in March. [1]"
    assert result.citations[0].passage.source == "routers.txt"


def test_a_pdf_then_its_removal(library):
    done = library.add("report.pdf", make_pdf([[FACT]], title="Q1 report"))
    assert isinstance(done, Changed) and done.source == "report.txt"
    assert library.removable("report.txt") and not library.removable("oracle.txt")
    gone = library.remove("report.txt")
    assert isinstance(gone, Changed) and (gone.source, gone.passages) == ("report.txt", 0)
    assert sorted(library.live.engine.index.documents) == ["oracle.txt"]
    assert not (library.folder / "report.txt").exists()


def test_refusals_change_nothing(library):
    before = library.live.engine
    corrupt = library.add("broken.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4)
    assert isinstance(corrupt, Refused) and corrupt.code == "corrupt"
    assert library.add("empty.txt", b"") == Refused("empty")
    assert library.add("tool.exe", b"MZ....") == Refused("unsupported_type", {"suffix": ".exe"})
    assert library.add("oracle.txt", "另一篇文章。".encode()) == Refused("name_taken", {"source": "oracle.txt"})
    same = library.add("copy.md", ("  " + ARTICLES["oracle.txt"] + "\n").encode())
    assert same == Refused("duplicate", {"source": "oracle.txt", "title": before.index.documents["oracle.txt"].title})
    assert library.paste("", "   ") == Refused("empty")
    assert library.remove("oracle.txt") == Refused("not_removable", {"source": "oracle.txt"})
    assert library.remove("nothing.txt") == Refused("not_found", {"source": "nothing.txt"})
    assert library.live.engine is before
    assert not library.folder.exists() or list(library.folder.iterdir()) == []


def test_pasted_text_with_a_title(library):
    done = library.paste("Router news", FACT)
    assert isinstance(done, Changed) and (done.source, done.title) == ("Router_news.txt", "Router news")
    assert library.live.engine.index.documents["Router_news.txt"].title == "Router news"


def test_changing_articles_in_the_page_is_on_only_on_loopback_unless_set(settings):
    assert settings.uploads_allowed  # 127.0.0.1
    assert not settings.with_(host="0.0.0.0").uploads_allowed
    assert settings.with_(host="0.0.0.0", uploads=True).uploads_allowed
    assert not settings.with_(uploads=False).uploads_allowed
    assert Settings.from_env({"CITEWISE_UPLOADS": "0"}).uploads is False


def test_the_page_offers_adding_and_removing_only_when_allowed(library):
    def ids(demo) -> set[str]:
        return {b.elem_id for b in demo.blocks.values() if getattr(b, "elem_id", None)}

    assert {"cw-upload", "cw-add-text", "cw-remove"} <= ids(build_ui(library.live.engine))
    closed = dataclasses.replace(library.live.engine, settings=library.live.engine.settings.with_(host="0.0.0.0"))
    assert not {"cw-upload", "cw-add-text"} & ids(build_ui(closed))


def test_the_warm_up_answers_one_question_before_anyone_asks(library):
    engine = library.live.engine
    engine.chat.replies.append("1")
    assert warm_up(engine) > 0
    assert len(engine.chat.prompts) == 1 and engine.chat.replies == []


def test_each_articles_body_key_is_kept_in_the_manifest_and_an_upload_reads_it_from_there(library, monkeypatch):
    manifest = library.live.engine.index.manifest
    assert manifest["documents"]["oracle.txt"]["body_key"] == hashlib.sha256(ARTICLES["oracle.txt"].encode()).hexdigest()
    hashed = []  # the indexed articles hashed again, by source
    real = Document.body_key
    monkeypatch.setattr(Document, "body_key", property(lambda d: hashed.append(d.source) or real.fget(d)))
    duplicate = Refused("duplicate", {"source": "oracle.txt", "title": library.live.engine.index.documents["oracle.txt"].title})
    assert library.add("copy.md", ("  " + ARTICLES["oracle.txt"] + "\n").encode()) == duplicate
    assert hashed == []
    assert isinstance(library.paste("Router news", FACT), Changed)
    assert hashed == ["oracle.txt", "Router_news.txt"]  # once each, by the build, into the new manifest
    assert library.live.engine.index.manifest["documents"]["Router_news.txt"]["body_key"] == \
        hashlib.sha256(FACT.replace(" ", "").encode()).hexdigest()


def test_an_index_built_before_the_manifest_kept_body_keys_still_finds_duplicates(library, monkeypatch):
    # an older build, as `python -m index` left it: no "body_key"; it is still served as it is
    path = library.live.engine.index.build / "manifest.json"
    old = mf.read(path)
    for entry in old["documents"].values():
        del entry["body_key"]
    mf.write(path, old)
    engine = library.live.engine
    library = Library(Live(load_engine(engine.settings, embedder=engine.embedder, chat=engine.chat)))
    hashed = []
    real = Document.body_key
    monkeypatch.setattr(Document, "body_key", property(lambda d: hashed.append(d.source) or real.fget(d)))
    duplicate = Refused("duplicate", {"source": "oracle.txt", "title": engine.index.documents["oracle.txt"].title})
    assert library.add("copy.md", ARTICLES["oracle.txt"].encode()) == duplicate
    assert hashed == ["oracle.txt"]  # hashed here, as before the manifest kept the keys
    assert isinstance(library.paste("Router news", FACT), Changed)
    assert sorted(library.live.engine.index.manifest["documents"]["oracle.txt"]) == \
        ["body_key", "chunks", "date", "sha256", "title"]  # the next build keeps them


class Bar:
    """gr.Progress's place: each call's (progress, desc, unit), and whether the article was searchable then."""

    def __init__(self, library: Library, source: str):
        self.library, self.source, self.calls = library, source, []

    def __call__(self, progress=None, desc=None, total=None, unit="steps"):
        searchable = self.source in self.library.live.engine.index.documents
        self.calls.append((progress, desc, unit, searchable))


def browser(lang: str):
    return SimpleNamespace(headers={"accept-language": lang}, session_hash="page-1")


def seconds(text: str) -> str:
    return re.sub(r"\d+\.\d s|\d+\.\d 秒", "T", text)


def test_the_tab_says_an_article_is_not_searchable_while_indexing_and_searchable_once_published(library, tmp_path):
    add_files, add_pasted, remove_picked = make_library_handlers(library.live, library)
    bar = Bar(library, "Router_news.txt")
    report, title, text, *_ = add_pasted("Router news", FACT, "oracle.txt", browser("zh-CN,zh;q=0.9"), bar)
    assert seconds(report) == "✓ Router news：已加入「Router news」，现在可以检索（1 个段落，索引用时 T）。"
    assert (title, text) == ("", "")
    assert bar.calls == [(None, "正在索引 Router news：暂时还不能检索…", "steps", False),
                         ((0, 1), "正在索引 Router news，暂时还不能检索：已嵌入的段落", "个段落", False),
                         ((1, 1), "正在索引 Router news，暂时还不能检索：已嵌入的段落", "个段落", False)]
    assert "Router_news.txt" in library.live.engine.index.documents

    bar = Bar(library, "Router_news.txt")
    report, *_ = remove_picked("Router_news.txt", browser("en-US"), bar)
    assert seconds(report) == "✓ Router\\_news.txt: removed, no longer searchable (index rebuilt in T)."
    assert bar.calls == [(None, "Removing Router_news.txt: still searchable until the new index is ready…", "steps",
                          True)]
    assert "Router_news.txt" not in library.live.engine.index.documents

    upload = tmp_path / "routers.docx"
    upload.write_bytes(make_docx([FACT, "Lisbon took 2,001 of them."], title="Router shipments"))
    bar = Bar(library, "routers.txt")
    report, *_ = add_files([str(upload)], "oracle.txt", browser("en-US"), bar)
    assert seconds(report) == "✓ routers.docx: added as “Router shipments”, searchable now (1 passage, indexed in T)."
    assert [(p, desc, unit) for p, desc, unit, _ in bar.calls] == [
        (None, "Indexing routers.docx: not searchable yet…", "steps"),
        ((0, 1), "Indexing routers.docx, not searchable yet: passages embedded", "passage"),
        ((1, 1), "Indexing routers.docx, not searchable yet: passages embedded", "passage"),
        ((0, 1), "Indexing routers.docx, not searchable yet: sentences embedded", "sentence"),
        ((1, 1), "Indexing routers.docx, not searchable yet: sentences embedded", "sentence")]
    assert [searchable for *_, searchable in bar.calls] == [False] * 5
