"""`python -m bench.index_build DIR`: index the configured articles into DIR with nothing cached.

`python -m bench` runs this in a process of its own, so the peak RSS printed is the indexer's
alone (the embedding model, the articles, Chroma), as `python -m index` uses it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.stats import peak_rss_mb
from core.settings import Settings
from index.build import BuildResult, build_index


def summary(result: BuildResult) -> dict:
    return {"documents": result.documents, "chunks": result.chunks, "sentences": result.sentences,
            "chunks_per_s": round(result.embedded / result.embed_s, 1) if result.embed_s else None,
            "sentences_per_s": round(result.sentences / result.sentence_s, 1) if result.sentence_s else None,
            "embed_s": round(result.embed_s + result.sentence_s, 1), "build_s": round(result.seconds, 1)}


def build(settings: Settings, embedder=None) -> dict:
    """Build into `settings.index_dir` (which must hold no vector cache yet)."""
    from index.embedder import load_embedder

    embedder = embedder or load_embedder(settings)
    return {**summary(build_index(settings, lambda: embedder, force=True)), "peak_rss_mb": round(peak_rss_mb())}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m bench.index_build EMPTY_DIR", file=sys.stderr)
        return 2
    print(json.dumps(build(Settings.from_env().with_(index_dir=Path(argv[0])))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
