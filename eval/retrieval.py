"""`python -m eval.retrieval`: evidence hit@1 / hit@5 of retrieval alone, by question language.

    python -m eval.retrieval                       # the project gold set, current settings
    python -m eval.retrieval --gold other.jsonl    # another gold file of the same format
    python -m eval.retrieval --corpus zh_city      # a library of eval/corpora/, indexed in a temporary folder
    python -m eval.retrieval --sweep-weights       # try keyword weights per language
    python -m eval.retrieval --chunk-sizes 120,200,300 --overlaps 0,1   # rebuild and compare
    python -m eval.retrieval --gold eval/gold_v2.jsonl --split tune   # one half of a split gold set
    python -m eval.retrieval --corpus zh_city --split test   # eval/corpora/zh_city: its docs/ indexed
                                                             # beside the index folder, its gold.jsonl asked

A hit means a retrieved passage holds one of the question's gold evidence strings, the
same test as eval/score.py.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path

from app.retrieve import Fusion, Retriever, search_text
from core.settings import ROOT, Settings
from eval.__main__ import CORPORA, corpus_settings
from eval.score import has_evidence, load
from index.build import build_index
from index.embedder import Embedder, load_embedder
from index.glossary import Glossary
from index.reader import open_index

GOLD = ROOT / "eval" / "gold.jsonl"


class MemoEmbedder(Embedder):
    """Embeds each query once, however many fusion settings are tried."""

    def __init__(self, inner: Embedder):
        super().__init__(inner, inner.model_id, inner.sha256, inner.dim)
        self.embed_query = lru_cache(maxsize=None)(inner.embed_query)


def hits(retriever: Retriever, gold: list[dict], k: int = 5) -> list[tuple[dict, int]]:
    """For each answerable question: rank (1-based) of the first passage holding its evidence, or 0."""
    out = []
    for q in gold:
        if not q["answerable"]:
            continue
        evidence = [e for f in q["facts"] for e in f["evidence"]]
        history = [tuple(turn) for turn in q.get("history") or []]
        found = retriever.search(search_text(q["question"], history), k=k)
        out.append((q, next((i + 1 for i, p in enumerate(found.passages) if has_evidence(p.text, evidence)), 0)))
    return out


def table(ranked: list[tuple[dict, int]]) -> dict[str, float]:
    ranks = {lang: [rank for q, rank in ranked if q["lang"] == lang] for lang in ("en", "zh")}
    row = {}
    for lang in ("en", "zh"):
        r = ranks[lang]
        row[f"{lang}_hit@1"] = round(sum(x == 1 for x in r) / len(r), 3) if r else None
        row[f"{lang}_hit@5"] = round(sum(x >= 1 for x in r) / len(r), 3) if r else None
    every = ranks["en"] + ranks["zh"]
    row["hit@1"] = round(sum(x == 1 for x in every) / len(every), 3)
    row["hit@5"] = round(sum(x >= 1 for x in every) / len(every), 3)
    row["missed"] = sum(x == 0 for x in every)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.retrieval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, action="append", help=f"gold file(s); default {GOLD.name}")
    parser.add_argument("--corpus", help="a library of eval/corpora/: its docs/ indexed in a temporary folder, "
                                         "its gold.jsonl asked (unless --gold)")
    parser.add_argument("--sweep-weights", action="store_true")
    parser.add_argument("--chunk-sizes", help="comma-separated chunk sizes to rebuild and compare")
    parser.add_argument("--overlaps", default="0", help="comma-separated sentence overlaps for --chunk-sizes")
    parser.add_argument("--misses", action="store_true", help="list the questions with no hit in the top 5")
    parser.add_argument("--split", choices=("tune", "test", "all"), default="all",
                        help="the half of a split gold set (files without a split field are used whole)")
    parser.add_argument("--no-glossary", action="store_true",
                        help="search English questions without the library's English -> Chinese terms")
    args = parser.parse_args(argv)
    paths = args.gold or [CORPORA / args.corpus / "gold.jsonl" if args.corpus else GOLD]
    gold = [q for path in paths for q in load(path) if args.split == "all" or q.get("split", args.split) == args.split]
    settings = Settings.from_env()
    embedder = MemoEmbedder(load_embedder(settings))
    if args.corpus:
        settings = corpus_settings(settings, args.corpus, lambda: embedder)

    configs = [settings]
    if args.chunk_sizes:
        configs = []
        for size in (int(s) for s in args.chunk_sizes.split(",")):
            for overlap in (int(o) for o in args.overlaps.split(",")):
                sweep_dir = settings.index_dir.parent / "sweep" / f"c{size}-o{overlap}"
                configs.append(settings.with_(chunk_chars=size, chunk_overlap=overlap, index_dir=sweep_dir))
    for cfg in configs:
        if cfg is not settings:
            build_index(cfg, lambda: embedder)
        index = open_index(cfg, embedder)
        label = {"chunk_chars": cfg.chunk_chars, "overlap": cfg.chunk_overlap, "chunks": len(index.chunks)}
        fusions = [Fusion()]
        if args.sweep_weights:
            fusions = [Fusion(keyword={"zh": 2.0, "en": k}) for k in (0.0, 0.5, 1.0, 2.0)]
        for fusion in fusions:
            retriever = Retriever(index, embedder, fusion, None if args.no_glossary else Glossary.of(index.words))
            ranked = hits(retriever, gold)
            print(json.dumps({**label, "dense": fusion.dense, "keyword": fusion.keyword,
                              "sentence": fusion.sentence, **table(ranked)}))
            if args.misses:
                for q, rank in ranked:
                    if rank == 0:
                        print(f"  miss {q['id']} {q['lang']}: {q['question']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
