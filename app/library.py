"""Articles added and removed from the page, through the same build as `python -m index`.

    library = Library(live)                      # live.engine answers now
    library.add("report.pdf", data, on_count)    # -> Changed | Refused
    library.paste("Title", "text…", on_count)
    library.remove("report.txt", on_count)

An added file's text (index.formats) is kept in `settings.upload_folder` as a .txt/.md article with
its title and original file name as front matter; that folder is indexed with the others, so
`python -m index` keeps it too. Each change builds, validates and publishes a new index (the
atomic rename of index.build) while `live.engine` keeps answering from the old one; then a new
engine over the new index replaces it, the models reused. New questions see the change at once;
an answer already under way finishes with the engine it started with.

Refusals are typed codes with values (worded in English and Chinese at the UI): the formats' own
(empty, too_big, corrupt, encrypted, no_text, not_utf8, binary, unsupported_type) and duplicate,
name_taken, not_found, not_removable, no_chunks, index_failed, busy.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app.engine import Engine, load_engine
from core.errors import CitewiseError
from core.records import Document, body_key
from index.build import Counted, build_index
from index.documents import split_front_matter
from index.formats import Extracted, Unreadable, clean_text, extract
from index.reader import IndexReader

log = logging.getLogger(__name__)
_UNSAFE = re.compile(r"[^\w.\-]+")


class Live:
    """The engine answering now; replaced whole when the articles change."""

    def __init__(self, engine: Engine):
        self.engine = engine  # one attribute: readers take it once per question, a swap is atomic


@dataclass(frozen=True)
class Changed:
    """An article added or removed, and the index now answering."""

    source: str
    title: str
    passages: int  # the article's chunks (0 when removed)
    seconds: float


@dataclass(frozen=True)
class Refused:
    code: str
    args: dict[str, str] = field(default_factory=dict)


def _body_key(text: str) -> str:
    """`body_key` of a file's text after its front matter: an upload's, compared with the indexed ones.

    >>> _body_key("---\\ntitle: A\\n---\\n英伟达 投资。\\n") == _body_key("英伟达投资。")
    True
    """
    _, start = split_front_matter(text)
    return body_key(text[start:])


def _same_body(index: IndexReader, key: str) -> Document | None:
    """The indexed article whose body has `key`, from the keys the build stored in its manifest.

    An index built before the manifest kept them (no "body_key") has its articles hashed here, as
    every upload used to: it works as before until the next change publishes a build with the keys.
    """
    stored = index.manifest.get("documents", {})
    for document in index.documents.values():
        if (stored.get(document.source, {}).get("body_key") or document.body_key) == key:
            return document
    return None


def file_name(name: str, kind: str) -> str:
    """A safe file name in the uploads folder for an upload called `name`.

    >>> file_name("../../etc/Q3 报告 (final).pdf", "pdf"), file_name("notes.md", "md"), file_name("", "txt")
    ('Q3_报告_final.txt', 'notes.md', 'article.txt')
    """
    base = re.split(r"[\\/]", name)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", unicodedata.normalize("NFKC", stem)).strip("._-")[:80] or "article"
    return f"{stem}.{'md' if kind == 'md' else 'txt'}"


def _article(extracted: Extracted, original: str | None) -> str:
    """The kept file: the text with its title and the uploaded file's name as front matter."""
    _, start = split_front_matter(extracted.text)
    meta = {k: v for k, v in (("title", extracted.title), ("file", original)) if v}
    if start or not meta:  # a .md/.txt with its own front matter keeps it as written
        return extracted.text
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + extracted.text


class Library:
    def __init__(self, live: Live):
        self.live = live
        self._lock = threading.Lock()  # one change at a time; answering goes on meanwhile

    @property
    def folder(self) -> Path:
        return self.live.engine.settings.upload_folder

    def removable(self, source: str) -> bool:
        """Only articles added in the page: the configured folders belong to whoever set them up."""
        return (self.folder / source).is_file() and source in self.live.engine.index.documents

    def add(self, name: str, data: bytes, on_count: Counted = lambda what, done, total: None) -> Changed | Refused:
        settings = self.live.engine.settings
        # a PDF is mostly not text, an HTML page mostly is: trafilatura takes ~12 s on 2.6 MB of
        # small blocks (bench/results/parsers.md), so a page gets the text's limit, not the file's
        limit = settings.max_file_bytes if name.lower().endswith((".html", ".htm")) else settings.max_upload_bytes
        extracted = extract(name, data, limit)
        if isinstance(extracted, Unreadable):
            return Refused(extracted.code, extracted.args)
        if len(extracted.text.encode("utf-8")) > settings.max_file_bytes:
            return Refused("too_big", {"max_bytes": str(settings.max_file_bytes)})
        return self._put(file_name(name, extracted.kind), _article(extracted, Path(name).name), on_count)

    def paste(self, title: str, text: str, on_count: Counted = lambda what, done, total: None) -> Changed | Refused:
        text = clean_text(text or "")
        title = " ".join((title or "").split())[:120]
        if not text.strip():
            return Refused("empty")
        if len(text.encode("utf-8")) > self.live.engine.settings.max_file_bytes:
            return Refused("too_big", {"max_bytes": str(self.live.engine.settings.max_file_bytes)})
        return self._put(file_name(title or "pasted", "txt"), _article(Extracted(text, "txt", title or None), None),
                         on_count)

    def remove(self, source: str, on_count: Counted = lambda what, done, total: None) -> Changed | Refused:
        if not self._lock.acquire(blocking=False):
            return Refused("busy")
        try:
            engine = self.live.engine
            document = engine.index.documents.get(source)
            if document is None:
                return Refused("not_found", {"source": source})
            if not self.removable(source):
                return Refused("not_removable", {"source": source})
            path = self.folder / source
            kept = path.read_bytes()
            path.unlink()
            return self._publish(source, document.title, on_count, undo=lambda: path.write_bytes(kept))
        finally:
            self._lock.release()

    def _put(self, source: str, text: str, on_count: Counted) -> Changed | Refused:
        if not self._lock.acquire(blocking=False):
            return Refused("busy")
        try:
            engine = self.live.engine
            if source in engine.index.documents or (self.folder / source).exists():
                return Refused("name_taken", {"source": source})
            same = _same_body(engine.index, _body_key(text))
            if same is not None:
                return Refused("duplicate", {"source": same.source, "title": same.title})
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / source
            tmp = self.folder / f".{source}.{os.getpid()}.tmp"  # hidden: the indexer skips dot files
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
            return self._publish(source, split_front_matter(text)[0].get("title") or source, on_count,
                                 undo=path.unlink)
        finally:
            self._lock.release()

    def _publish(self, source: str, title: str, on_count: Counted, undo) -> Changed | Refused:
        """Build and publish the index with the folder as it is now; on failure put the folder back."""
        engine = self.live.engine
        started = time.perf_counter()
        try:
            result = build_index(engine.settings, lambda: engine.embedder, on_count=on_count)
            if any(s.path.endswith(source) for s in result.skipped):
                undo()  # the published index left it out: it stays as it was
                reason = next(s.reason for s in result.skipped if s.path.endswith(source))
                return Refused("no_chunks", {"source": source, "error": reason})
            # the same chat model answers on (none stays none: a page answering without one keeps doing so)
            fresh = load_engine(engine.settings, embedder=engine.embedder, chat=engine.chat, with_chat=False,
                                lexicon=engine.lexicon)
        except CitewiseError as exc:
            undo()
            log.exception("indexing after a change to %s failed", source)
            return Refused("index_failed", {"error": str(exc)[:300]})
        self.live.engine = fresh
        passages = sum(c.source == source for c in fresh.index.chunks)
        return Changed(source, title, passages, round(time.perf_counter() - started, 2))
