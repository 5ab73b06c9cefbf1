"""Build an index into a fresh folder, validate it, then publish it with one atomic rename.

Layout under `settings.index_dir`:

    .lock                  held by the running indexer (flock: gone when it dies)
    vectors.sqlite         embedding cache, keyed by model and text
    builds/<id>/           manifest.json, documents.jsonl, chunks.jsonl, sentences.jsonl,
                           sentence_vectors.npy, words.json, bm25/, chroma/
    current -> builds/<id> what readers open; replaced atomically
    previous -> builds/<id> the build before, kept for rollback

A kill at any moment leaves `current` pointing at a complete build; the next run removes
unfinished build folders and reuses every vector already in the cache.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import chromadb
import numpy as np
from chromadb.errors import NotFoundError
from tqdm import tqdm

from core.errors import CitewiseError
from core.lock import FileLock
from core.records import Chunk, Document, Skipped
from core.settings import Settings
from index import manifest as mf
from index.chunking import chunk_document, document_sentences, repeated_lines
from index.corpus_words import FILE as WORDS_FILE
from index.corpus_words import library_words
from index.documents import load_documents
from index.embedder import Embedder, model_identity
from index.keywords import KeywordIndex
from index.profile import describe
from index.store import metadata, open_client, write_chunks
from index.vector_cache import VectorCache

Stage = Callable[[str], None]
Counted = Callable[[str, int, int], None]  # (what: "chunk" | "sentence", embedded so far, to embed)


@dataclass(frozen=True)
class BuildResult:
    build_id: str | None  # None when the published index was already up to date
    documents: int
    chunks: int
    embedded: int  # chunks whose vectors had to be computed in this run
    seconds: float
    embed_s: float  # time spent embedding chunks
    skipped: tuple[Skipped, ...]
    sentences: int = 0  # sentences whose vectors had to be computed in this run
    sentence_s: float = 0.0

    def summary(self) -> str:
        if not self.documents:
            return ("The library is empty: add .txt or .md files to its folders, pass --docs FOLDER, "
                    "or add articles in the page's Documents tab.")
        if self.build_id is None:
            return f"Index is up to date: {self.documents} documents, {self.chunks} chunks; nothing to do."
        speed = f" at {self.embedded / self.embed_s:.1f}/s" if self.embedded and self.embed_s else ""
        more = (f", {self.sentences} sentences at {self.sentences / self.sentence_s:.1f}/s"
                if self.sentences and self.sentence_s else "")
        return (f"Indexed {self.documents} documents, {self.chunks} chunks in {self.seconds:.1f} s "
                f"(embedded {self.embedded} chunks{speed}{more}); build {self.build_id}.")


def build_id_now() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


def collection_name(build_id: str) -> str:
    return f"citewise-{build_id}"


def current_build(index_dir: Path) -> Path | None:
    link = index_dir / "current"
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def _point(index_dir: Path, name: str, build: Path) -> None:
    tmp = index_dir / f".{name}-{secrets.token_hex(4)}"
    os.symlink(Path("builds") / build.name, tmp)
    os.replace(tmp, index_dir / name)  # atomic: readers see the old or the new, never neither


def damage(build: Path, manifest: dict) -> str | None:
    """What is wrong with a build's files, cheaply checked; None when they look whole."""
    for name in ("chunks.jsonl", "documents.jsonl", "sentences.jsonl", "sentence_vectors.npy", WORDS_FILE,
                 "profile.json", "bm25/size.json", "bm25/params.index.json"):
        if not (build / name).is_file():
            return f"{name} is missing"
    for name, what in (("chunks.jsonl", "chunks"), ("sentences.jsonl", "sentences")):
        with open(build / name, "rb") as fh:
            lines = sum(1 for line in fh if line.strip())
        expected = manifest.get("counts", {}).get(what)
        if lines != expected:
            return f"{name} has {lines} {what}, the manifest says {expected}"
    return None


def _up_to_date(index_dir: Path, wanted: dict, docs: list[Document]) -> dict | None:
    build = current_build(index_dir)
    if build is None or not (build / "manifest.json").is_file():
        return None
    try:
        current = mf.read(build / "manifest.json")
    except (OSError, ValueError):
        return None
    if damage(build, current):
        return None
    same_docs = {d.source: d.sha256 for d in docs} == {s: v["sha256"] for s, v in current.get("documents", {}).items()}
    return current if same_docs and not mf.differences(current, wanted) else None


def _on_server(settings: Settings, collection: str) -> bool:
    """Whether the configured Chroma server still holds `collection` (a new or wiped one does not)."""
    try:
        open_client(settings, settings.index_dir).get_collection(collection)
    except NotFoundError:
        return False
    return True


def cache_key(model_sha256: str, backend: str) -> str:
    """What cached vectors are keyed by: torch's keep the key they had before D32.

    >>> cache_key("ab12", "torch"), cache_key("ab12", "openvino")
    ('ab12', 'ab12+openvino')
    """
    return model_sha256 if backend == "torch" else f"{model_sha256}+{backend}"


def _embed(texts: list[str], embedder: Embedder, cache: VectorCache, batch: int,
           on_stage: Stage, what: str = "chunk", on_count: Counted = lambda what, done, total: None,
           ) -> tuple[np.ndarray, int]:
    found = cache.get_many(texts)
    # shortest first, so each call's texts are of similar length: a batch is padded to its longest (D32)
    todo = sorted((i for i, v in enumerate(found) if v is None), key=lambda i: len(texts[i]))
    on_count(what, 0, len(todo))
    with tqdm(total=len(todo), desc=f"embedding {what}s", unit=what, disable=None) as bar:
        for n, i in enumerate(range(0, len(todo), batch)):
            rows = todo[i:i + batch]
            vectors = embedder.embed_documents([texts[r] for r in rows])
            cache.put_many([texts[r] for r in rows], vectors)
            for r, v in zip(rows, vectors):
                found[r] = np.asarray(v, dtype=np.float32)
            bar.update(len(rows))
            on_stage(f"embedded {what} batch {n + 1}")
            on_count(what, min(i + batch, len(todo)), len(todo))
    matrix = np.vstack(found) if found else np.zeros((0, embedder.dim), dtype=np.float32)
    return matrix, len(todo)


def _write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def _validate(client, name: str, chunks: list[Chunk], vectors: np.ndarray, keyword: KeywordIndex) -> None:
    """Counts match and a probe finds its own chunk on both sides (an empty library has none to probe)."""
    collection = client.get_collection(name)
    if collection.count() != len(chunks) or keyword.size != len(chunks):
        raise CitewiseError(f"validation failed: {collection.count()} vectors and {keyword.size} keyword rows "
                            f"for {len(chunks)} chunks; the published index was left as it was")
    if not chunks:
        return
    probe = chunks[0]
    hit = collection.query(query_embeddings=[vectors[0].tolist()], n_results=1, include=["documents"])
    best = int(np.argmax(keyword.scores(keyword.tokenize(probe.text))))
    if hit["documents"][0][0] != probe.text or chunks[best].text != probe.text:
        raise CitewiseError("validation failed: a probe query did not find its own chunk; "
                            "the published index was left as it was")


def _prune(index_dir: Path, settings: Settings, keep: set[str]) -> None:
    builds = index_dir / "builds"
    for folder in builds.iterdir() if builds.is_dir() else ():
        if folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
    if settings.chroma_host:
        client = open_client(settings, index_dir)
        for collection in client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith("citewise-") and name.removeprefix("citewise-") not in keep:
                client.delete_collection(name)


def build_index(settings: Settings, load: Callable[[], Embedder], on_stage: Stage = lambda s: None,
                force: bool = False, on_count: Counted = lambda what, done, total: None) -> BuildResult:
    """Index every article under `settings.corpus_dirs`; publish only a validated build.

    `load` is called only when something must be embedded, so an up-to-date index is
    checked in well under a second. `on_count` hears how many chunks, then sentences, are embedded.
    """
    started = time.perf_counter()
    index_dir = settings.index_dir
    index_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(index_dir / ".lock", what="indexer"):
        docs, skipped = load_documents(settings.corpus_dirs, settings.max_file_bytes)
        repeated = repeated_lines(docs)  # the site's lines, not the articles' (index.chunking)
        chunked: list[tuple[Document, list[Chunk]]] = []
        for doc in docs:
            chunks = chunk_document(doc, settings.chunk_chars, settings.chunk_overlap, repeated)
            if chunks:
                chunked.append((doc, chunks))
            else:
                skipped.append(Skipped(doc.source, "no article text after removing boilerplate"))
        # an empty library is a library: it is published, so the page starts and articles can be added there
        docs = [d for d, _ in chunked]
        all_chunks = [c for _, cs in chunked for c in cs]
        sentences = [s for d in docs for s in document_sentences(d, repeated)]
        model_id, model_sha = model_identity(settings)
        wanted = mf.expected(settings, model_id, model_sha)
        on_stage("loaded documents")
        current = None if force else _up_to_date(index_dir, wanted, docs)
        if current is not None and settings.chroma_host and not _on_server(settings, current["collection"]):
            current = None  # the files are whole but the server lost the vectors: build again
        if current is not None:
            return BuildResult(None, len(docs), len(all_chunks), 0, time.perf_counter() - started, 0.0,
                               tuple(skipped))

        build_id = build_id_now()
        build = index_dir / "builds" / build_id
        build.mkdir(parents=True)
        embedder = load()
        cache = VectorCache(index_dir / "vectors.sqlite", cache_key(model_sha, wanted["embedding"]["backend"]))
        embed_started = time.perf_counter()
        try:
            vectors, embedded = _embed([c.text for c in all_chunks], embedder, cache, settings.embed_batch, on_stage,
                                       on_count=on_count)
            embed_s = time.perf_counter() - embed_started
            sentence_vectors, sentences_embedded = _embed([s.text for s in sentences], embedder, cache,
                                                          settings.embed_batch * 2, on_stage, what="sentence",
                                                          on_count=on_count)
            sentence_s = time.perf_counter() - embed_started - embed_s
        finally:
            cache.close()
        by_source = {d.source: d for d in docs}
        client = open_client(settings, build)
        name = collection_name(build_id)
        write_chunks(client, name, all_chunks, vectors,
                     [metadata(c, by_source[c.source].title, by_source[c.source].date) for c in all_chunks])
        on_stage("wrote vectors")
        words = library_words(docs, settings.corpus_dirs)  # the library's own words (index.corpus_words)
        words.save(build / WORDS_FILE)
        keyword = KeywordIndex.build([c.text for c in all_chunks], words.tokenizer())
        keyword.save(build / "bm25")
        _write_jsonl(build / "chunks.jsonl", (asdict(c) for c in all_chunks))
        _write_jsonl(build / "documents.jsonl", (asdict(d) for d in docs))
        _write_jsonl(build / "sentences.jsonl", (asdict(s) for s in sentences))
        np.save(build / "sentence_vectors.npy", sentence_vectors.astype(np.float32))
        describe(docs).save(build / "profile.json")  # the page's intro and examples say what is indexed now
        on_stage("wrote keyword index")
        _validate(client, name, all_chunks, vectors, keyword)
        on_stage("validated")
        mf.write(build / "manifest.json", {
            **wanted,
            "embedding": {**wanted["embedding"], "dim": int(vectors.shape[1])},
            "build_id": build_id,
            "collection": name,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "chromadb": chromadb.__version__,
            "keyword": {"tokenizer": "jieba-search+latin+library-words", "library": "bm25s"},
            "words": words.summary(),
            "counts": {"documents": len(docs), "chunks": len(all_chunks), "sentences": len(sentences)},
            "documents": {d.source: {"sha256": d.sha256, "body_key": d.body_key, "title": d.title, "date": d.date,
                                     "chunks": sum(c.source == d.source for c in all_chunks)} for d in docs},
            "skipped": [asdict(s) for s in skipped],
        })
        on_stage("wrote manifest")
        old = current_build(index_dir)
        if old is not None:
            _point(index_dir, "previous", old)
        _point(index_dir, "current", build)
        on_stage("published")
        _prune(index_dir, settings, {build_id} | ({old.name} if old else set()))
        return BuildResult(build_id, len(docs), len(all_chunks), embedded,
                           time.perf_counter() - started, embed_s, tuple(skipped), sentences_embedded, sentence_s)


def rollback(settings: Settings) -> str:
    """Point `current` back at `previous`; return the build now served."""
    index_dir = settings.index_dir
    with FileLock(index_dir / ".lock", what="indexer"):
        link = index_dir / "previous"
        if not (link.is_symlink() and link.resolve().is_dir()):
            raise CitewiseError(f"No previous build in {index_dir} to roll back to.")
        old, new = current_build(index_dir), link.resolve()
        _point(index_dir, "current", new)
        if old is not None:
            _point(index_dir, "previous", old)
        return new.name
