"""Indexing time for a library of N articles, made deterministically from the real articles' sentences.

Each synthetic article is `SENTENCES` sentences drawn (seeded by its number) from the seeds and the
held-out corpora, each tagged with the article's number so that no two texts are the same and
nothing comes from the vector cache. Sizes up to `measured_max` are built (in a process of their
own, as `python -m index` runs); larger ones are extrapolated from the largest measured build,
since embedding, the larger part of a build, is linear in the text.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from core.settings import ROOT
from index.chunking import document_sentences
from index.documents import load_documents

SENTENCES = 20  # about 1,300 characters, a short news article
SOURCES = (ROOT / "seeds", ROOT / "eval" / "corpora" / "zh_city" / "docs", ROOT / "eval" / "corpora" / "en_local" / "docs")


def sentence_pool() -> list[str]:
    docs, _ = load_documents(SOURCES, 2_000_000)
    return [s.text for d in docs for s in document_sentences(d)]


def article(pool: list[str], number: int) -> str:
    """Article `number`: the same text on every run and machine.

    >>> article(["甲。", "B b."], 3) == article(["甲。", "B b."], 3) != article(["甲。", "B b."], 4)
    True
    """
    picked = random.Random(number).choices(pool, k=SENTENCES)
    return f"---\ntitle: Synthetic article {number}\n---\n" + "\n".join(f"[{number}] {s}" for s in picked) + "\n"


def write_articles(folder: Path, n: int, pool: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(n):
        (folder / f"synthetic-{number:05d}.txt").write_text(article(pool, number), encoding="utf-8")


def measure(n: int, pool: list[str]) -> dict:
    """Build an index of `n` synthetic articles with nothing cached; bench.index_build's summary."""
    with tempfile.TemporaryDirectory(prefix=f"citewise-articles-{n}-") as tmp:
        write_articles(Path(tmp) / "docs", n, pool)
        env = {**os.environ, "CITEWISE_DOCS": str(Path(tmp) / "docs"), "CITEWISE_UPLOADS_DIR": str(Path(tmp) / "uploads")}
        done = subprocess.run([sys.executable, "-m", "bench.index_build", str(Path(tmp) / "index")], cwd=ROOT,
                              env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"python -m bench.index_build failed: {done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def run_articles(sizes: list[int], measured_max: int, log=print) -> list[dict]:
    """One row per size: measured up to `measured_max` articles, extrapolated above."""
    pool = sentence_pool()
    rows: list[dict] = []
    base: dict | None = None
    for n in sorted(sizes):
        if n <= measured_max:
            base = {"articles": n, "how": "measured", "load_before": round(os.getloadavg()[0], 2), **measure(n, pool)}
            rows.append(base)
        elif base is not None:
            rows.append({"articles": n, "how": f"extrapolated from {base['articles']}",
                         "build_s": round(base["build_s"] * n / base["articles"], 1)})
        else:
            rows.append({"articles": n, "how": "not run: no smaller size measured"})
        log(f"  {n:>6,} articles: {rows[-1].get('build_s')} s ({rows[-1]['how']})")
    return rows
