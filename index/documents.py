"""Read article files into `Document` records, skipping bad files with a reason.

A file is skipped when it is empty, larger than the limit, binary (has NUL bytes), not
valid UTF-8, or holds no article text. YAML front matter becomes metadata, not text.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from core.records import Document, Skipped

SUFFIXES = (".txt", ".md")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.S)
_SURROGATES = re.compile("[\ud800-\udfff]")


def strip_surrogates(text: str) -> str:
    """Remove lone surrogates, which cannot be encoded as UTF-8 (Chroma and JSON reject them).

    >>> strip_surrogates("a\\ud800b")
    'ab'
    """
    return _SURROGATES.sub("", text)


def split_front_matter(text: str) -> tuple[dict[str, str], int]:
    """Parse a leading `---` YAML block; return (string metadata, offset where the body starts).

    >>> split_front_matter("---\\ntitle: T\\ndate: '2025-10-13'\\n---\\nBody")
    ({'title': 'T', 'date': '2025-10-13'}, 36)
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        data = None  # malformed front matter is still not article text
    meta = {}
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, (str, int, float)) or hasattr(value, "isoformat"):
                text_value = value.isoformat() if hasattr(value, "isoformat") else str(value)
                if text_value.strip():
                    meta[str(key)] = text_value.strip()
            elif isinstance(value, list) and value:
                meta[str(key)] = ", ".join(str(v) for v in value)
    return meta, match.end()


def derive_title(body: str, limit: int = 48) -> str:
    """The first line of the body, cut at a clause boundary when longer than `limit`.

    >>> derive_title("\\n英伟达的人工智能称霸之路\\n正文。")
    '英伟达的人工智能称霸之路'
    """
    for line in body.splitlines():
        line = line.strip().lstrip("#").strip()
        if not line:
            continue
        if len(line) <= limit:
            return line
        cut = max(line.rfind(p, 0, limit) for p in "，,。;；:：")
        return (line[:cut] if cut > limit // 2 else line[:limit]).rstrip() + "…"
    return ""


def read_document(path: Path, source: str, max_bytes: int) -> Document | Skipped:
    """One file as a Document, or a Skipped saying why not."""
    try:
        size = path.stat().st_size
        if size == 0:
            return Skipped(source, "empty file")
        if size > max_bytes:
            return Skipped(source, f"larger than the {max_bytes:,}-byte limit ({size:,} bytes)")
        raw = path.read_bytes()
    except OSError as exc:
        return Skipped(source, f"cannot be read ({exc.strerror})")
    if b"\x00" in raw:
        return Skipped(source, "binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return Skipped(source, f"not valid UTF-8 (bad byte at offset {exc.start})")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    meta, body_start = split_front_matter(text)
    if not text[body_start:].strip():
        return Skipped(source, "no article text")
    return Document(
        source=source,
        text=text,
        sha256=hashlib.sha256(raw).hexdigest(),
        title=meta.get("title") or derive_title(text[body_start:]) or Path(source).stem,
        date=meta.get("date"),
        url=meta.get("source") or meta.get("url"),
        body_start=body_start,
        meta=meta,
    )


def discover(dirs: Iterable[Path]) -> list[tuple[Path, str]]:
    """(path, source name) for every .txt/.md file below the folders, in a stable order."""
    found = []
    for folder in dirs:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith("."):
                found.append((path, path.relative_to(folder).as_posix()))
    return found


def load_documents(dirs: Iterable[Path], max_bytes: int) -> tuple[list[Document], list[Skipped]]:
    """Every readable article below `dirs`; unreadable ones come back as Skipped."""
    docs: list[Document] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for path, source in discover(dirs):
        if source in seen:
            skipped.append(Skipped(str(path), f"another file named {source} was indexed first"))
            continue
        result = read_document(path, source, max_bytes)
        if isinstance(result, Skipped):
            skipped.append(result)
        else:
            seen.add(source)
            docs.append(result)
    return docs, skipped
