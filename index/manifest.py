"""What an index build is: written with the build, checked by every reader.

The parts that the configuration determines (format, embedding model, chunker, store) must
match, or the reader refuses with a message naming the difference and what to run.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.errors import IndexMismatch
from core.settings import Settings
from provision.export import backend

FORMAT = "citewise-index"
FORMAT_VERSION = 4  # 2: sentence vectors; 3: the library's own words (words.json) in the keyword tokenizer;
# 4: profile.json (index.profile)


def store_mode(settings: Settings) -> dict[str, object]:
    if settings.chroma_host:
        return {"mode": "server", "host": settings.chroma_host, "port": settings.chroma_port}
    return {"mode": "embedded"}


def expected(settings: Settings, model_id: str, model_sha256: str) -> dict[str, object]:
    """The manifest fields a reader with these settings requires."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        # the backend too: OpenVINO's vectors are not torch's bit for bit (D32)
        "embedding": {"id": model_id, "sha256": model_sha256, "backend": backend(settings)},
        "chunker": settings.chunker,
        "store": store_mode(settings),
    }


def differences(manifest: dict, wanted: dict) -> list[str]:
    """Human-readable differences between a manifest and what the settings require.

    >>> differences({"format_version": 0, "chunker": {"chunk_chars": 200}},
    ...             {"format_version": 1, "chunker": {"chunk_chars": 200}})
    ['format_version: index has 0, settings need 1']
    """
    out = []
    for key, value in wanted.items():
        have = manifest.get(key)
        if isinstance(value, dict) and isinstance(have, dict):
            have = {k: have.get(k) for k in value}
        if have != value:
            out.append(f"{key}: index has {_short(have)}, settings need {_short(value)}")
    return out


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) < 160 else text[:157] + "..."


def check(manifest: dict, wanted: dict, where: Path) -> None:
    diffs = differences(manifest, wanted)
    if diffs:
        raise IndexMismatch(
            f"The index at {where} does not match the current settings ({'; '.join(diffs)}). "
            f"Run `python -m index` to build one that does; it will not be migrated silently."
        )


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write(path: Path, manifest: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(path)
