"""Open the published index for reading, refusing one that is missing, damaged or mismatched."""

from __future__ import annotations

import bisect
import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from chromadb.errors import NotFoundError
from langchain_chroma import Chroma

from core.errors import IndexMismatch, IndexMissing
from core.records import Chunk, Document, Sentence
from core.settings import Settings
from index import manifest as mf
from index.build import current_build, damage
from index.corpus_words import FILE as WORDS_FILE
from index.corpus_words import CorpusWords
from index.embedder import Embedder, model_identity
from index.keywords import KeywordIndex
from index.profile import NO_ARTICLES, Profile
from index.store import open_client, vector_store

REBUILD = "Run `python -m index` to rebuild it."


@dataclass
class IndexReader:
    """Everything a query needs: chunks in BM25 row order, documents, both indexes, and
    every sentence with its vector (for picking evidence inside a passage)."""

    build: Path
    manifest: dict
    chunks: list[Chunk]
    documents: dict[str, Document]
    keyword: KeywordIndex
    store: Chroma
    sentences: list[Sentence]
    sentence_vectors: np.ndarray
    chunk_sentences: list[list[int]]  # per chunk row: rows of the sentences inside it
    profile: Profile = NO_ARTICLES  # what the library is about (index.profile), made at build time
    words: CorpusWords = CorpusWords()  # the library's name pairs, tokenizer words and English terms

    def __post_init__(self) -> None:
        self.chunk_row = {c.id: i for i, c in enumerate(self.chunks)}

    def without(self, rows: frozenset[int]) -> IndexReader:
        """The same index with sentences `rows` left out of every chunk's sentences: what is read
        as evidence. Rows keep their numbers; chunk and document texts are unchanged."""
        if not rows:
            return self
        return dataclasses.replace(self, chunk_sentences=[[r for r in rs if r not in rows]
                                                          for rs in self.chunk_sentences])

    @property
    def build_id(self) -> str:
        return self.manifest["build_id"]


def _read_jsonl(path: Path, cls):
    with open(path, encoding="utf-8") as fh:
        return [cls(**json.loads(line)) for line in fh if line.strip()]


def check_published(settings: Settings) -> tuple[Path, dict]:
    """The current build folder and its manifest, checked against the settings (no model loaded)."""
    build = current_build(settings.index_dir)
    if build is None:
        raise IndexMissing(f"No index at {settings.index_dir}: run `python -m index` first.")
    try:
        manifest = mf.read(build / "manifest.json")
    except (OSError, ValueError) as exc:
        raise IndexMismatch(f"The index at {build} is damaged (manifest.json: {exc}). {REBUILD}") from None
    model_id, model_sha = model_identity(settings)
    mf.check(manifest, mf.expected(settings, model_id, model_sha), build)
    return build, manifest


def open_index(settings: Settings, embedder: Embedder, published: tuple[Path, dict] | None = None) -> IndexReader:
    """The published index, ready to query; `published` is check_published's result if already had."""
    build, manifest = published or check_published(settings)
    if manifest["embedding"].get("dim") != embedder.dim:
        raise IndexMismatch(f"The index at {build} holds {manifest['embedding'].get('dim')}-dimensional vectors "
                            f"but the embedder makes {embedder.dim}. {REBUILD}")
    problem = damage(build, manifest)
    if problem:
        raise IndexMismatch(f"The index at {build} is damaged ({problem}). {REBUILD}")
    try:
        chunks = _read_jsonl(build / "chunks.jsonl", Chunk)
        documents = {d.source: d for d in _read_jsonl(build / "documents.jsonl", Document)}
        words = CorpusWords.load(build / WORDS_FILE)
        keyword = KeywordIndex.load(build / "bm25", words.tokenizer())
        sentences = _read_jsonl(build / "sentences.jsonl", Sentence)
        sentence_vectors = np.load(build / "sentence_vectors.npy", mmap_mode="r")  # read as needed, not held
        profile = Profile.load(build / "profile.json")
        client = open_client(settings, build)
        count = client.get_collection(manifest["collection"]).count()
    except IndexMissing:
        raise
    except NotFoundError:
        where = (f"The Chroma server at {settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host
                 else f"The vector store in {build}")
        raise IndexMissing(f"{where} does not hold this index's vectors (collection {manifest['collection']}; "
                           f"a new or wiped server?). Run `python -m index` to index the articles into it.") from None
    except Exception as exc:  # a damaged build can fail in json, bm25s or chromadb in many ways
        raise IndexMismatch(f"The index at {build} is damaged ({type(exc).__name__}: {exc}). {REBUILD}") from None
    expected = manifest["counts"]["chunks"]
    if len(sentences) != len(sentence_vectors) or sentence_vectors.shape[1:] != (embedder.dim,):
        raise IndexMismatch(f"The index at {build} is damaged: {len(sentences)} sentences but "
                            f"{sentence_vectors.shape} sentence vectors. {REBUILD}")
    if not (len(chunks) == keyword.size == count == expected):
        raise IndexMismatch(f"The index at {build} is damaged: {len(chunks)} chunks, {keyword.size} keyword rows, "
                            f"{count} vectors, manifest says {expected}. {REBUILD}")
    return IndexReader(build, manifest, chunks, documents, keyword,
                       vector_store(client, manifest["collection"], embedder),
                       sentences, sentence_vectors, sentences_in_chunks(chunks, sentences), profile, words)


def sentences_in_chunks(chunks: list[Chunk], sentences: list[Sentence]) -> list[list[int]]:
    """For each chunk, the rows of the sentences that lie inside it.

    Sentences are stored in document order, so each source's rows are sorted by start.
    """
    by_source: dict[str, list[int]] = {}
    for row, sentence in enumerate(sentences):
        by_source.setdefault(sentence.source, []).append(row)
    starts = {src: [sentences[r].start for r in rows] for src, rows in by_source.items()}
    out = []
    for chunk in chunks:
        rows = by_source.get(chunk.source, [])
        i = bisect.bisect_left(starts.get(chunk.source, []), chunk.start)
        inside = []
        while i < len(rows) and sentences[rows[i]].end <= chunk.end:
            inside.append(rows[i])
            i += 1
        out.append(inside)
    return out
