"""`python -m eval`: answer gold questions with the real pipeline and print score.py's metrics.

    python -m eval --split tune                      # eval/gold_v2.jsonl, the tune half: decide here
    python -m eval --split test                      # the test half: report only
    python -m eval --gold ../shared/eval/dev_questions.jsonl
    python -m eval --split tune --replay             # model replies from the cache: checks only, seconds
    python -m eval --rescore eval/runs/X.jsonl --split tune   # score saved answers again
    python -m eval --corpus zh_city --split test     # another library: eval/corpora/zh_city/{docs,gold.jsonl},
                                                     # indexed in a temporary folder first

Answers are written to eval/runs/<gold>-<split>-<time>.jsonl (the `ask --jsonl` format), so a
run can be rescored with `python eval/score.py GOLD ANSWERS`. Prints score.py's summary, the
same metrics per language and per kind, citations outside the retrieved passages (must be 0),
quick / first token / full answer p50, and the risk–coverage curve of the answer decision.
Every model reply is cached by prompt (eval/runs/llm_cache.sqlite) for --replay.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core.settings import ROOT, Settings
from eval.score import load, score, summarize

if TYPE_CHECKING:
    from index.embedder import Embedder

GOLD = ROOT / "eval" / "gold_v2.jsonl"
CORPORA = ROOT / "eval" / "corpora"
RUNS = ROOT / "eval" / "runs"
CACHE = RUNS / "llm_cache.sqlite"
METRICS = ("fact_recall", "cite_support", "cite_precision", "evidence_hit@k", "rejection", "false_refusal")


def outside_citations(records: list[dict]) -> int:
    """Citations whose chunk is not among the answer's retrieved passages."""
    return sum(1 for r in records for c in r["citations"]
               if c["chunk_id"] not in {p["chunk_id"] for p in r["retrieved"]})


def p50(records: list[dict], key: str) -> float | None:
    values = [r["timings"][key] for r in records if key in r.get("timings", {})]
    return round(statistics.median(values), 2) if values else None


def wrong(row: dict) -> bool:
    """An answer shown that should not have been: an unanswerable question answered, or an
    answerable one answered without any of its facts."""
    if row.get("missing") or row["refused"]:
        return False
    if not row["answerable"]:
        return True
    return not any(f["present"] for f in row["facts"])


def risk_coverage(rows: list[dict], records: list[dict]) -> list[dict]:
    """Answered share against wrong share of the answered, as the decision's confidence threshold rises.

    Confidence of an answer is one minus the model's first-token probability of "0" (D31), else
    the cosine of the best sentence it pointed at, else the evidence score. Each point answers
    the questions at or above one confidence (refusals stay refusals).
    """
    def sure(signals: dict) -> float:
        if signals.get("none_share", -1.0) >= 0:
            return 1.0 - signals["none_share"]
        return signals.get("picked_best") or signals.get("evidence", 0.0)

    confidence = {r["id"]: sure(r.get("signals") or {}) for r in records}
    answered = sorted((r for r in rows if not r.get("missing") and not r["refused"]),
                      key=lambda r: -confidence.get(r["id"], 0.0))
    total = len([r for r in rows if not r.get("missing")])
    points = []
    for i in range(len(answered), 0, -max(1, len(answered) // 8)):
        shown = answered[:i]
        points.append({"threshold": round(confidence.get(shown[-1]["id"], 0.0), 3),
                       "coverage": round(len(shown) / total, 3),
                       "risk": round(sum(wrong(r) for r in shown) / len(shown), 3)})
    return points


def report(name: str, gold: list[dict], records: list[dict]) -> dict:
    rows = score(gold, records)
    out = {"set": name, **summarize(rows)}
    for group, key in (("lang", "lang"), ("kind", "kind")):
        for value in sorted({g[key] for g in gold}):
            ids = {g["id"] for g in gold if g[key] == value}
            part = summarize([r for r in rows if r["id"] in ids])
            out[f"{group}:{value}"] = {k: part[k] for k in METRICS if part[k] is not None} | {"n": len(ids)}
    out["citations_outside_retrieved"] = outside_citations(records)
    out["quick_p50_s"] = p50(records, "quick_s")
    out["first_token_p50_s"] = p50(records, "first_token_s")
    out["total_p50_s"] = p50(records, "total_s")
    out["risk_coverage"] = risk_coverage(rows, records)
    out["overall_risk"] = round(sum(wrong(r) for r in rows) / max(1, sum(not r["refused"] for r in rows
                                                                         if not r.get("missing"))), 3)
    return out


def print_report(out: dict) -> None:
    print(json.dumps({k: v for k, v in out.items() if not k.startswith(("lang:", "kind:")) and k != "risk_coverage"},
                     ensure_ascii=False))
    for key, value in out.items():
        if key.startswith(("lang:", "kind:")):
            print(f"  {key:22s} " + "  ".join(f"{k}={v}" for k, v in value.items()))
    print("  risk-coverage: " + "  ".join(f"{p['coverage']:.2f}/{p['risk']:.2f}@{p['threshold']}"
                                          for p in out["risk_coverage"]))


def select(path: Path, split: str, lang: str | None, limit: int | None) -> list[dict]:
    return [g for g in load(path) if split == "all" or g.get("split", split) == split
            if lang in (None, g["lang"])][:limit]


def corpus_settings(settings: Settings, name: str, load: Callable[[], Embedder] | None = None) -> Settings:
    """Settings for a library of eval/corpora/, indexed (once per run) in a temporary folder.

    `load` gives the embedder when the caller already has one (default: load the configured model)."""
    import tempfile

    from index.build import build_index
    from index.embedder import load_embedder

    docs = CORPORA / name / "docs"
    if not docs.is_dir():
        raise SystemExit(f"No corpus at {docs}: the corpora are {sorted(p.name for p in CORPORA.iterdir() if p.is_dir())}")
    folder = Path(tempfile.mkdtemp(prefix=f"citewise-{name}-"))
    settings = settings.with_(docs_dirs=(docs,), index_dir=folder / "index", uploads_dir=folder / "uploads")
    build_index(settings, load or (lambda: load_embedder(settings)))
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, action="append")
    parser.add_argument("--split", choices=("tune", "test", "all"), default="all",
                        help="the half of a split gold set (files without a split field are used whole)")
    parser.add_argument("--limit", type=int, help="only the first N questions of each file")
    parser.add_argument("--lang", choices=("en", "zh"), help="only questions in this language")
    parser.add_argument("--replay", action="store_true", help="model replies from the cache where the prompt is the same")
    parser.add_argument("--rescore", type=Path, help="score these saved answers instead of answering")
    parser.add_argument("--corpus", help="a library of eval/corpora/: its docs/ indexed in a temporary folder, "
                                         "its gold.jsonl asked")
    args = parser.parse_args(argv)
    paths = args.gold or [CORPORA / args.corpus / "gold.jsonl" if args.corpus else GOLD]
    if args.rescore:
        for path in paths:
            gold = select(path, args.split, args.lang, args.limit)
            print_report(report(path.name, gold, load(args.rescore)))
        return 0

    from app.ask import one
    from app.engine import load_engine
    from eval.cache import CachedChat

    settings = Settings.from_env()
    if args.corpus:
        settings = corpus_settings(settings, args.corpus)
    engine = load_engine(settings)
    if engine.chat is not None:
        engine.chat = CachedChat(inner=engine.chat, path=str(CACHE), replay=args.replay)
    RUNS.mkdir(parents=True, exist_ok=True)
    for path in paths:
        gold = select(path, args.split, args.lang, args.limit)
        out_path = RUNS / f"{args.corpus or path.stem}-{args.split}-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
        records = []
        with open(out_path, "w", encoding="utf-8") as fh:
            for g in gold:
                record = one(engine, g["id"], g["question"], g.get("history") or [], False, engine.settings.retrieve_k)
                records.append(record)
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                fh.flush()
                print(f"{g['id']}: {record['timings'].get('total_s', 0):.1f} s, "
                      f"{'refused' if record['refused'] else len(record['citations'])} "
                      f"{'' if record['refused'] else 'citations'}", file=sys.stderr, flush=True)
        print_report(report(f"{path.name}:{args.split}", gold, records))
        print(f"answers: {out_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
