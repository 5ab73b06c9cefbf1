"""`python -m bench` (`make bench`): speed, memory and how cost grows, in one run on this machine.

Prints a table, writes the results as JSON and a PNG plot of retrieval latency against corpus
size. Stages: index build (the seeds, nothing cached, each embedding backend side by side),
indexing time for 100 and 1,000 synthetic articles (bench/articles.py), query path per stage over a gold set,
answer path with the local model beside a plain LangChain-tutorial pipeline (the peer) and the raw
llama.cpp rates, synthetic corpora of 10^3 … 10^6 chunks, and the peak RSS of the running app.

    python -m bench                            # everything up to 10^5 chunks, ~20 minutes on 2 cores
    python -m bench --sizes 1000,10000,100000,1000000           # + 10^6: ~45 minutes more, 29 GB of disk
    python -m bench --answers 4 --sizes 1000,10000 --no-app     # a shorter run
    python -m bench --smoke                    # seconds: retrieval and a 10^3 corpus only
    python -m bench --answers 0 --sizes "" --no-app --no-peer   # indexing only: backends, 100 and 1,000 articles
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from app.engine import Engine
from bench.answer_path import count_tokens, rates, raw_rates, timed_answer
from bench.injection import Recorder
from bench.stats import p50_p95, peak_rss_mb
from core.settings import ROOT, Settings

OUT = ROOT / "bench" / "results"
GOLD = ROOT / "eval" / "gold.jsonl"


def gold_questions(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def answer_questions(rows: list[dict], n: int) -> list[str]:
    """`n` answerable single-turn questions, alternating Chinese and English."""
    zh = [r["question"] for r in rows if r["answerable"] and not r["history"] and r["lang"] == "zh"]
    en = [r["question"] for r in rows if r["answerable"] and not r["history"] and r["lang"] == "en"]
    mixed = [q for pair in zip(zh, en) for q in pair]
    return mixed[:n]


def p50(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


# --- stages ---------------------------------------------------------------------------------------


def bench_index(settings: Settings, embedder=None, backend: str | None = None) -> dict:
    """Index the articles into a fresh folder with an empty vector cache: every vector is computed.
    Run in a process of its own (its peak RSS is the indexer's), or here with a given embedder;
    `backend` sets CITEWISE_EMBED_BACKEND for that process."""
    from bench.index_build import build

    with tempfile.TemporaryDirectory(prefix="citewise-bench-index-") as tmp:
        if embedder is not None:
            return build(settings.with_(index_dir=Path(tmp) / "index"), embedder)
        env = {**os.environ, "CITEWISE_INDEX_DIR": str(Path(tmp) / "index"),
               **({"CITEWISE_EMBED_BACKEND": backend} if backend else {})}
        done = subprocess.run([sys.executable, "-m", "bench.index_build", str(Path(tmp) / "index")], cwd=ROOT,
                              env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"python -m bench.index_build failed: {done.stderr[-2000:]}")
        return {**json.loads(done.stdout.strip().splitlines()[-1]), "load_before": round(os.getloadavg()[0], 2)}


def bench_backends(settings: Settings) -> list[dict]:
    """The seeds indexed by each embedding backend, one after the other in this run: on a shared
    machine only their ratio means much, so each row has the load average it started at."""
    from provision.export import BACKENDS

    rows = [{"backend": name, **bench_index(settings, backend=name)} for name in BACKENDS]
    torch_row = next(r for r in rows if r["backend"] == "torch")
    for row in rows:
        for key in ("chunks_per_s", "sentences_per_s"):
            row[f"{key}_x_torch"] = round(row[key] / torch_row[key], 2) if row[key] and torch_row[key] else None
    return rows


def bench_query(engine: Engine, questions: list[str], repeat: int = 3) -> dict:
    from bench.scaling import measure

    return {"questions": len(questions), "repeat": repeat,
            "stages": measure(engine.retriever, questions, engine.settings.retrieve_k, repeat)}


def bench_answers(engine: Engine, questions: list[str], log) -> tuple[dict, list[dict]]:
    recorder = Recorder(engine.chat)
    engine = replace(engine, chat=recorder)
    rows = []
    for q in questions:
        row = timed_answer(engine, recorder, q)
        row["read_tok_s"], row["write_tok_s"] = rates(row)
        rows.append(row)
        log(f"  {row['total_s']:5.1f} s  first token {_s(row.get('first_token_s'))}  {row['source']:<7} {q[:60]}")
    summary = {"questions": len(rows)}
    for key in ("passages_s", "quick_s", "first_token_s", "total_s", "prompt_tokens", "generated_tokens",
                "read_tok_s", "write_tok_s"):
        summary[key] = p50(r.get(key) for r in rows)
    summary["render"] = p50_p95([r["render_s"] for r in rows if r.get("render_s") is not None], 1000)
    summary["first_token_p95_s"] = p50_p95([r["first_token_s"] for r in rows if r.get("first_token_s")])["p95"]
    summary["total_p95_s"] = p50_p95([r["total_s"] for r in rows])["p95"]
    return summary, rows


def bench_peer(engine: Engine, questions: list[str], log) -> tuple[dict, list[dict]]:
    from bench.peer import Peer
    from index.documents import load_documents

    documents, _ = load_documents(engine.settings.docs_dirs, engine.settings.max_file_bytes)
    peer = Peer(documents, engine.embedder, engine.chat)
    rows = []
    for q in questions:
        row = peer.answer(q)
        row["prompt_tokens"] = count_tokens(engine.chat, row["prompt"])
        row["generated_tokens"] = count_tokens(engine.chat, row["answer"]) if row["answer"] else 0
        row["passages_s"] = round(row["retrieve_s"], 3)
        rows.append(row)
        log(f"  {row['total_s']:5.1f} s  first token {_s(row['first_token_s'])}  peer    {q[:60]}")
    summary = {"questions": len(rows), "chunks": peer.chunks, "index_s": round(peer.build_s, 1)}
    for key in ("passages_s", "first_token_s", "total_s", "prompt_tokens", "generated_tokens"):
        summary[key] = p50(r.get(key) for r in rows)
    return summary, rows


def bench_app(settings: Settings, questions: list[str], timeout_s: float = 300) -> dict:
    """Start `python -m app` as the user does, ask through its API, read the process's peak RSS."""
    from gradio_client import Client

    from bench.serving import free_port

    port = free_port()
    env = {**os.environ, "CITEWISE_PORT": str(port), "CITEWISE_HOST": "127.0.0.1",
           "CITEWISE_INDEX_DIR": str(settings.index_dir)}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"`python -m app` exited with {proc.returncode}")
            try:
                client = Client(url, verbose=False)
                break
            except Exception:
                if time.perf_counter() - started > timeout_s:
                    raise
                time.sleep(1)
        ready_s = time.perf_counter() - started
        for q in questions:
            client.predict(q, [], api_name="/ask")
        return {"peak_rss_mb": round(peak_rss_mb(proc.pid)), "answers": len(questions), "ready_s": round(ready_s, 1)}
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def targets(results: dict) -> list[dict]:
    out = []

    def add(target: str, value, limit, unit: str, higher_is_better: bool = False):
        if value is None:
            return
        met = value >= limit if higher_is_better else value <= limit
        out.append({"target": target, "measured": f"{value:g} {unit}".strip(), "met": bool(met)})

    for row in results.get("backends", []):
        if row["backend"] != "torch":
            add(f"{row['backend']} chunks/s ≥ 4x torch's", row["chunks_per_s_x_torch"], 4, "x", higher_is_better=True)
            add(f"{row['backend']} sentences/s ≥ 4x torch's", row["sentences_per_s_x_torch"], 4, "x", higher_is_better=True)
    q = results.get("query")
    if q:
        add("retrieval p95 on the seeds ≤ 150 ms", q["stages"]["retrieval"]["p95"], 150, "ms")
    for r in results.get("scaling", []):
        if r["chunks"] == 100_000 and r["fits"]:
            add("retrieval p95 at 10^5 chunks ≤ 250 ms", r["retrieval"]["p95"], 250, "ms")
    a, peer = results.get("answer"), results.get("peer")
    if a:
        add("first token p50 ≤ 6 s", a["first_token_s"], 6, "s")
        add("full answer p50 ≤ 15 s", a["total_s"], 15, "s")
        if peer and a["total_s"] and peer["total_s"]:
            add("full answer ≥ 2x faster than the peer", round(peer["total_s"] / a["total_s"], 2), 2, "x",
                higher_is_better=True)
    if results.get("app"):
        add("peak RSS of the running app ≤ 4 GB", results["app"]["peak_rss_mb"], 4096, "MB")
    return out


def _s(v) -> str:
    return "   —  " if v is None else f"{v:5.2f}s"


# --- the run --------------------------------------------------------------------------------------


def run(engine: Engine, args: argparse.Namespace, log=print) -> dict:
    from bench.scaling import run_scaling

    results: dict = {"machine": {"cpus": os.cpu_count(), "threads": engine.settings.threads},
                     "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "args": vars(args)}
    gold = [row for path in args.gold for row in gold_questions(path)]
    questions = [r["question"] for r in gold]
    if not args.no_index and args.index_in_process:
        log("index: building the articles with an empty vector cache …")
        results["index"] = bench_index(engine.settings, engine.embedder)
    elif not args.no_index:
        from provision.export import backend

        log("index: building the articles with an empty vector cache, each embedding backend side by side …")
        results["backends"] = bench_backends(engine.settings)
        results["index"] = next(r for r in results["backends"] if r["backend"] == backend(engine.settings))
    if args.articles:
        from bench.articles import run_articles

        log(f"index: {', '.join(f'{n:,}' for n in args.articles)} synthetic articles …")
        results["articles"] = run_articles(args.articles, args.articles_measured_max, log=log)
    log(f"query path: {len(questions)} questions × {args.repeat} …")
    results["query"] = bench_query(engine, questions, args.repeat)
    picked = answer_questions(gold, args.answers)
    if picked and engine.chat is not None:
        log(f"answer path: {len(picked)} questions with the local model …")
        results["answer"], results["answer_rows"] = bench_answers(engine, picked, log)
        results["query"]["stages"]["rendering"] = results["answer"]["render"]
        if not args.no_peer:
            log("peer: the LangChain tutorial pipeline on the same questions …")
            results["peer"], results["peer_rows"] = bench_peer(engine, picked, log)
        text = "\n".join(d.text for d in engine.index.documents.values())
        results["raw_llama"] = raw_rates(engine.chat, text)
    if args.sizes:
        log(f"scaling: {', '.join(f'{n:,}' for n in args.sizes)} chunks …")
        mixed = answer_questions(gold, len(gold)) or questions  # Chinese ones use BM25, English ones do not
        results["scaling"] = run_scaling(engine.index, engine.embedder, mixed[:args.scale_questions],
                                         args.sizes, log=log)
    if not args.no_app:
        log("the running app: `python -m app`, 3 answers …")
        results["app"] = bench_app(engine.settings, picked[:3] or questions[:3])
    results["targets"] = targets(results)
    return results


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, action="append", help=f"gold JSONL (default {GOLD.relative_to(ROOT)})")
    parser.add_argument("--answers", type=int, default=10, help="questions answered by the model (and the peer)")
    parser.add_argument("--repeat", type=int, default=3, help="passes over the gold set for the query path")
    parser.add_argument("--sizes", default="1000,10000,100000",
                        help="synthetic corpus sizes; a size that would not fit in memory is reported, not run")
    parser.add_argument("--articles", default="100,1000", help="library sizes (articles) whose indexing time is reported")
    parser.add_argument("--articles-measured-max", type=int, default=100,
                        help="sizes above this are extrapolated from the largest measured one, not built")
    parser.add_argument("--scale-questions", type=int, default=20, help="questions per synthetic corpus")
    parser.add_argument("--no-index", action="store_true")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--no-app", action="store_true")
    parser.add_argument("--smoke", action="store_true",
                        help="seconds: no model answers, no index build, no app, one 10^3 corpus")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for bench.json and retrieval.png")
    args = parser.parse_args(argv)
    args.gold = args.gold or [GOLD]
    args.sizes = [int(float(s)) for s in args.sizes.split(",") if s.strip()]
    args.articles = [int(float(s)) for s in args.articles.split(",") if s.strip()]
    if args.smoke:
        args.answers, args.repeat, args.sizes, args.scale_questions, args.articles = 0, 1, [1000], 5, []
        args.no_index = args.no_peer = args.no_app = True
    return args


def main(argv: list[str] | None = None, engine: Engine | None = None) -> int:
    from bench.report import plot, table
    from core.errors import CitewiseError

    args = parse(argv)
    args.index_in_process = engine is not None  # a given engine (tests) has an embedder no other process has
    try:
        if engine is None:
            from app.engine import load_engine

            engine = load_engine(Settings.from_env(), with_chat=args.answers > 0)
        results = run(engine, args)
    except CitewiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str),
                                         encoding="utf-8")
    png = plot(results, args.out / "retrieval.png")
    print()
    print(table(results))
    print(f"Results: {args.out / 'bench.json'}" + (f"; plot: {png}" if png else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
