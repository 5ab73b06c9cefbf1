"""`python -m eval`: answer gold questions with the real pipeline and print score.py's metrics.

    python -m eval                                   # eval/gold.jsonl
    python -m eval --gold eval/gold.jsonl --gold ../shared/eval/dev_questions.jsonl
    python -m eval --limit 5                         # a quick look

Answers are written to eval/runs/<gold>-<time>.jsonl (the `ask --jsonl` format), so a run can
be rescored with `python eval/score.py GOLD ANSWERS`. Besides score.py's summary, prints the
same metrics per language, citations that point outside the retrieved passages (must be 0),
and the p50 of quick answer, first token and full answer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from app.ask import one
from app.engine import load_engine
from core.settings import ROOT, Settings
from eval.score import load, score, summarize

GOLD = ROOT / "eval" / "gold.jsonl"
RUNS = ROOT / "eval" / "runs"


def outside_citations(records: list[dict]) -> int:
    """Citations whose chunk is not among the answer's retrieved passages."""
    return sum(1 for r in records for c in r["citations"]
               if c["chunk_id"] not in {p["chunk_id"] for p in r["retrieved"]})


def p50(records: list[dict], key: str) -> float | None:
    values = [r["timings"][key] for r in records if key in r.get("timings", {})]
    return round(statistics.median(values), 2) if values else None


def report(name: str, gold: list[dict], records: list[dict]) -> dict:
    rows = score(gold, records)
    out = {"set": name, **summarize(rows)}
    for lang in ("en", "zh"):
        ids = {g["id"] for g in gold if g["lang"] == lang}
        part = summarize([r for r in rows if r["id"] in ids])
        out[lang] = {k: part[k] for k in ("fact_recall", "cite_support", "cite_precision", "evidence_hit@k",
                                          "rejection", "false_refusal")}
    out["citations_outside_retrieved"] = outside_citations(records)
    out["quick_p50_s"] = p50(records, "quick_s")
    out["first_token_p50_s"] = p50(records, "first_token_s")
    out["total_p50_s"] = p50(records, "total_s")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, action="append")
    parser.add_argument("--limit", type=int, help="only the first N questions of each file")
    parser.add_argument("--lang", choices=("en", "zh"), help="only questions in this language")
    args = parser.parse_args(argv)
    engine = load_engine(Settings.from_env())
    RUNS.mkdir(parents=True, exist_ok=True)
    for path in args.gold or [GOLD]:
        gold = [g for g in load(path) if args.lang in (None, g["lang"])][: args.limit]
        out_path = RUNS / f"{path.stem}-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
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
        print(json.dumps(report(path.name, gold, records), ensure_ascii=False))
        print(f"answers: {out_path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
