"""The indexer with a fake embedder and a real Chroma in a temp dir."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import chromadb
import numpy as np
import pytest
from conftest import make_fake_model
from fakes import fake_embedder

from app.retrieve import Fusion, Retriever
from core.errors import IndexMismatch, IndexMissing, Locked
from core.lock import FileLock
from core.records import Chunk
from core.settings import ROOT
from index.build import build_index, current_build, rollback
from index.reader import open_index
from index.store import write_chunks

ARTICLES = {
    "a.txt": "英伟达宣布向OpenAI投资1000亿美元。首期资金在第一个吉瓦部署后支付。双方签署了意向书。",
    "b.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。分析师担心甲骨文的债务。",
    "c.md": "---\ntitle: AMD交易\ndate: '2025-10-06'\n---\nAMD向OpenAI发行认股权证。OpenAI可以每股0.01美元购买1.6亿股AMD股票。",
}


def write_docs(folder: Path, articles: dict[str, str] = ARTICLES) -> None:
    for name, text in articles.items():
        (folder / name).write_text(text, encoding="utf-8")


def build(settings, **kw):
    return build_index(settings, lambda: fake_embedder(settings, **kw))


def never_load():
    raise AssertionError("the model must not be loaded")


def test_build_publishes_a_readable_index(settings, docs):
    write_docs(docs)
    result = build(settings)
    assert (result.documents, result.chunks, result.embedded, result.skipped) == (3, 8, 8, ())
    link = settings.index_dir / "current"
    assert os.readlink(link) == f"builds/{result.build_id}"
    index = open_index(settings, fake_embedder(settings))
    assert [c.text for c in index.chunks[:3]] == ["英伟达宣布向OpenAI投资1000亿美元。", "首期资金在第一个吉瓦部署后支付。",
                                                  "双方签署了意向书。"]
    assert index.documents["c.md"].title == "AMD交易"
    manifest = index.manifest
    assert manifest["counts"] == {"documents": 3, "chunks": 8, "sentences": 8}
    assert manifest["chunker"] == {"chunk_chars": 20, "chunk_overlap": 0}
    assert manifest["embedding"]["dim"] == 64
    body = ARTICLES["c.md"].split("---\n")[2]  # the body key leaves the front matter out
    assert manifest["documents"]["c.md"] == {"sha256": manifest["documents"]["c.md"]["sha256"],
                                             "body_key": hashlib.sha256(body.encode()).hexdigest(),
                                             "title": "AMD交易", "date": "2025-10-06", "chunks": 2}
    assert manifest["chromadb"] == chromadb.__version__


def test_retrieval_over_the_built_index(settings, docs):
    write_docs(docs)
    build(settings)
    retriever = Retriever(open_index(settings, fake_embedder(settings)), fake_embedder(settings))
    found = retriever.search("甲骨文的总债务股本比是多少", k=2)
    assert found.language == "zh"
    assert [p.text for p in found.passages] == ["甲骨文的总债务股本比为427%。", "微软的总债务股本比为32.7%。"]
    assert [(p.source, p.start, p.end) for p in found.passages] == [("b.txt", 0, 16), ("b.txt", 16, 32)]
    assert retriever.search("   ", k=5).passages == []
    assert len(retriever.search("OpenAI", k=50).passages) == 8  # k is clamped to the corpus


def test_a_large_corpus_ranks_sentences_of_the_candidates_only(settings, docs):
    """Above `sentence_scan_max` chunks only dense and BM25 candidates are scored by their sentences;
    when every chunk is a candidate, the ranking is the full scan's."""
    write_docs(docs)
    build(settings)
    index = open_index(settings, fake_embedder(settings))
    assert isinstance(index.sentence_vectors, np.memmap)  # read from disk as needed
    full = Retriever(index, fake_embedder(settings), Fusion(candidates=8))
    pooled = Retriever(index, fake_embedder(settings), Fusion(candidates=8, sentence_scan_max=0))
    for question in ("甲骨文的总债务股本比是多少", "OpenAI AMD 认股权证"):
        assert ([p.chunk_id for p in pooled.search(question, k=8).passages]
                == [p.chunk_id for p in full.search(question, k=8).passages])


def test_unchanged_documents_are_a_no_op(settings, docs):
    write_docs(docs)
    first = build(settings)
    again = build_index(settings, never_load)
    assert (again.build_id, again.chunks) == (None, 8)
    assert again.summary() == "Index is up to date: 3 documents, 8 chunks; nothing to do."
    assert current_build(settings.index_dir).name == first.build_id


def test_only_new_or_changed_chunks_are_embedded(settings, docs):
    write_docs(docs)
    build(settings)
    (docs / "d.txt").write_text("博通与OpenAI合作开发定制芯片。目标是2029年底部署10GW。", encoding="utf-8")
    (docs / "a.txt").write_text(ARTICLES["a.txt"].replace("意向书", "最终协议"), encoding="utf-8")
    embedder = fake_embedder(settings)
    result = build_index(settings, lambda: embedder)
    assert (result.documents, result.chunks, result.embedded) == (4, 10, 3)
    assert embedder._inner.calls == [3]


def test_index_missing_says_what_to_run(settings):
    with pytest.raises(IndexMissing) as err:
        open_index(settings, fake_embedder(settings))
    assert str(err.value) == f"No index at {settings.index_dir}: run `python -m index` first."


def test_other_chunker_settings_are_refused(settings, docs):
    write_docs(docs)
    build(settings)
    other = settings.with_(chunk_chars=80)
    with pytest.raises(IndexMismatch) as err:
        open_index(other, fake_embedder(other))
    build_dir = current_build(settings.index_dir)
    assert str(err.value) == (
        f"The index at {build_dir} does not match the current settings (chunker: index has "
        '{"chunk_chars": 20, "chunk_overlap": 0}, settings need {"chunk_chars": 80, "chunk_overlap": 0}). '
        "Run `python -m index` to build one that does; it will not be migrated silently.")


def test_another_embedding_model_is_refused(settings, docs):
    write_docs(docs)
    build(settings)
    make_fake_model(settings.models_dir, "other-embedder")
    other = settings.with_(embed_model="other-embedder")
    with pytest.raises(IndexMismatch) as err:
        open_index(other, fake_embedder(other))
    assert "embedding: index has {\"backend\": \"torch\", \"id\": \"fake-embedder\"" in str(err.value)
    assert str(err.value).endswith("Run `python -m index` to build one that does; it will not be migrated silently.")


def test_another_embedding_backend_is_refused_and_embeds_everything_again(settings, docs):
    """OpenVINO's vectors are not torch's bit for bit: neither the index nor the vector cache is shared."""
    write_docs(docs)
    make_fake_model(settings.models_dir, "embeddinggemma-300m")  # the default model runs on OpenVINO
    on_torch = settings.with_(embed_model="embeddinggemma-300m", embed_backend="torch")
    build(on_torch)
    on_openvino = on_torch.with_(embed_backend="openvino")
    with pytest.raises(IndexMismatch) as err:
        open_index(on_openvino, fake_embedder(on_openvino))
    assert '"backend": "torch", ' in str(err.value) and '"backend": "openvino", ' in str(err.value)
    embedder = fake_embedder(on_openvino)
    result = build_index(on_openvino, lambda: embedder)
    assert (result.chunks, result.embedded, sum(embedder._inner.calls)) == (8, 8, 8 + result.sentences)


def test_vector_dimension_mismatch_is_refused(settings, docs):
    write_docs(docs)
    build(settings)
    with pytest.raises(IndexMismatch) as err:
        open_index(settings, fake_embedder(settings, dim=32))
    assert str(err.value) == (f"The index at {current_build(settings.index_dir)} holds 64-dimensional vectors "
                              "but the embedder makes 32. Run `python -m index` to rebuild it.")


@pytest.mark.parametrize("damage", ["manifest", "chunks", "bm25"])
def test_a_damaged_index_is_refused_with_what_to_run(settings, docs, damage):
    write_docs(docs)
    build(settings)
    folder = current_build(settings.index_dir)
    if damage == "manifest":
        (folder / "manifest.json").write_text("{not json")
    elif damage == "chunks":
        lines = (folder / "chunks.jsonl").read_text().splitlines()
        (folder / "chunks.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    else:
        for file in (folder / "bm25").iterdir():
            file.unlink()
    with pytest.raises(IndexMismatch) as err:
        open_index(settings, fake_embedder(settings))
    assert str(err.value).startswith(f"The index at {folder} is damaged")
    assert str(err.value).endswith("Run `python -m index` to rebuild it.")
    assert build(settings).build_id is not None  # the indexer notices the damage and rebuilds


def test_a_second_indexer_exits_at_once(settings, docs):
    write_docs(docs)
    with FileLock(settings.index_dir / ".lock", what="indexer"):
        started = time.perf_counter()
        with pytest.raises(Locked) as err:
            build_index(settings, never_load)
        assert time.perf_counter() - started < 1.0
    assert str(err.value) == (f"Another indexer is running (pid {os.getpid()}; lock {settings.index_dir / '.lock'}). "
                              "Wait for it to finish, then run the command again.")


def test_an_empty_library_is_published_and_says_so(settings):
    """No articles is a library too: the page must start on it, so articles can be added there."""
    from fakes import fake_embedder

    result = build_index(settings, lambda: fake_embedder(settings))
    assert (result.documents, result.chunks, result.build_id is not None) == (0, 0, True)
    assert result.summary() == ("The library is empty: add .txt or .md files to its folders, pass --docs FOLDER, "
                                "or add articles in the page's Documents tab.")
    assert build_index(settings, never_load).build_id is None  # and it is up to date after


def test_rollback_and_pruning(settings, docs):
    write_docs(docs)
    first = build(settings).build_id
    (docs / "a.txt").write_text("第二版。", encoding="utf-8")
    second = build(settings).build_id
    (docs / "a.txt").write_text("第三版。", encoding="utf-8")
    third = build(settings).build_id
    assert sorted(p.name for p in (settings.index_dir / "builds").iterdir()) == sorted([second, third])
    assert first not in (second, third)
    assert rollback(settings) == second
    assert current_build(settings.index_dir).name == second
    assert open_index(settings, fake_embedder(settings)).chunks[0].text == "第二版。"


class RecordingClient:
    """A real Chroma client whose batch limit is 3, recording every upsert size."""

    def __init__(self, inner):
        self.inner, self.sizes = inner, []

    def get_max_batch_size(self):
        return 3

    def get_or_create_collection(self, name, metadata=None):
        collection = self.inner.get_or_create_collection(name, metadata=metadata)
        outer = self

        class Proxy:
            def upsert(self, **kw):
                outer.sizes.append(len(kw["ids"]))
                collection.upsert(**kw)
        return Proxy()


def test_writes_stay_within_the_client_batch_limit_and_drop_surrogates(tmp_path):
    client = RecordingClient(chromadb.PersistentClient(path=str(tmp_path / "c")))
    chunks = [Chunk(f"id{i}", "s", i, 0, 1, f"文本{i}\ud800", "h") for i in range(8)]
    write_chunks(client, "test", chunks, np.eye(8, dtype=np.float32), [{"n": i} for i in range(8)])
    assert client.sizes == [3, 3, 2]
    stored = client.inner.get_collection("test").get(ids=["id0"])["documents"]
    assert stored == ["文本0"]


# --- kill -9 during a build --------------------------------------------------------------

CHILD = textwrap.dedent("""
    import sys, time
    sys.path[:0] = [{root!r}, {tests!r}]
    from core.settings import Settings
    from fakes import fake_embedder
    from index.build import build_index
    from pathlib import Path
    settings = Settings(models_dir=Path({models!r}), embed_model="fake-embedder",
                        index_dir=Path({index!r}), docs_dirs=(Path({docs!r}),), chunk_chars=20, chunk_overlap=0,
                        embed_batch=2)
    def stage(name):
        print(name, flush=True)
        if name == {stop!r}:
            time.sleep(60)
    build_index(settings, lambda: fake_embedder(settings, delay=0.05), on_stage=stage)
    print("finished", flush=True)
""")
NEW_ARTICLE = "\n".join(f"这是新文章的第{i}句话，它足够长，自成一个片段。" for i in range(1, 6))
STAGES = ["loaded documents", "embedded chunk batch 1", "embedded chunk batch 2",
          "wrote vectors", "wrote keyword index",
          "validated", "wrote manifest"]


@pytest.mark.parametrize("stop", STAGES)
def test_kill_9_during_a_build_leaves_the_published_index_serving(settings, docs, stop):
    write_docs(docs)
    published = build(settings).build_id
    (docs / "a.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    code = CHILD.format(root=str(ROOT), tests=str(Path(__file__).parent), models=str(settings.models_dir),
                        index=str(settings.index_dir), docs=str(docs), stop=stop)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    seen = []
    for line in child.stdout:
        seen.append(line.strip())
        if line.strip() == stop:
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert seen[-1] == stop
    assert current_build(settings.index_dir).name == published
    served = open_index(settings, fake_embedder(settings))
    assert served.chunks[0].text == "英伟达宣布向OpenAI投资1000亿美元。"
    result = build(settings)
    assert result.build_id not in (None, published)
    assert open_index(settings, fake_embedder(settings)).chunks[0].text == NEW_ARTICLE.split("\n")[0]
    builds = sorted(p.name for p in (settings.index_dir / "builds").iterdir())
    assert builds == sorted([published, result.build_id])


def test_cli_second_indexer_exits_with_a_message(settings, docs):
    write_docs(docs)
    env = {**os.environ, "CITEWISE_MODELS_DIR": str(settings.models_dir), "CITEWISE_EMBED_MODEL": "fake-embedder",
           "CITEWISE_INDEX_DIR": str(settings.index_dir), "CITEWISE_DOCS": str(docs)}
    with FileLock(settings.index_dir / ".lock", what="indexer"):
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "index"], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=60)
        elapsed = time.perf_counter() - started
    assert proc.returncode == 1
    assert proc.stderr == (f"error: Another indexer is running (pid {os.getpid()}; lock {settings.index_dir / '.lock'}). "
                           "Wait for it to finish, then run the command again.\n")
    assert elapsed < 15  # imports only; the model is never loaded
    assert not (settings.index_dir / "current").exists()
