"""`python -m bench.load`: concurrent users through the real queue with the real models.

Each user is a gradio_client session asking its questions one after another; all users start
together. For every answer: wall time at the client, processing time (the app's "Answered in
X s" line) and so queue wait = wall - processing; whether the answer holds the expected fact
and cites a passage.

    python -m bench.load                       # 4 users x 5 questions
    python -m bench.load --users 2 --questions 3
    python -m bench.load --users 8 --minutes 5 --burst 4   # issue 13: a timed run, then a burst

With --minutes each user keeps asking until the time is up (the last answers are awaited). Every
answer is checked to have reached its own user and turn: it holds the fact of the question that
user asked, and its citation links carry that turn's number (#src-<turn>-n). The process's resident
memory is read after a warm-up answer and again at the end. --burst N then sends the queue's size
plus N requests at once: N of them should be told the queue is full, and the rest answered.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.serving import served

# (question, a regex the answer must match): facts the articles state plainly, which the app answers
# correctly when asked alone, so a wrong answer here means something went wrong under load.
# (Not used: "CoreWeave与OpenAI的合同总价值是多少？", which the 1.5B model answers with Oracle's
# 3000亿 even alone, and "What is Oracle's total debt-to-equity ratio?", whose English retrieval
# misses the 427% passage; both are measured by `python -m eval`.)
QUESTIONS = [
    ("英伟达计划向OpenAI投资多少？", r"1000\s*亿|100\s*billion"),
    ("How much will Nvidia invest in OpenAI?", r"1000\s*亿|100\s*billion"),
    ("甲骨文的总债务股本比是多少？", r"427\s*%"),
    ("AMD授予OpenAI的认股权证最多可购买多少股？", r"1\.6\s*亿|160\s*million"),
    ("How many gigawatts of systems will OpenAI deploy with Nvidia?", r"10\s*(GW|吉瓦|gigawatts)"),
]


@dataclass(frozen=True)
class Result:
    user: int
    turn: int
    question: str
    wall_s: float
    processing_s: float | None
    queue_s: float | None
    correct: bool
    cited: bool
    answer: str
    own_turn: bool = True  # its citation links are this turn's (#src-<turn>-n) and no other's


def text_of(content) -> str:
    return "".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)


def ask(client, u: int, turn: int, question: str, pattern: str) -> Result:
    started = time.perf_counter()
    chat, _, status, _ = client.predict(question, [], api_name="/ask")  # chat, sources, status, box
    wall = time.perf_counter() - started
    answer = text_of(chat[-1]["content"])
    m = re.search(r"(\d+(?:\.\d+)?) s\.|用时 (\d+(?:\.\d+)?) 秒", status or "")
    processing = float(m[1] or m[2]) if m else None
    turns = set(re.findall(r"\(#src-(\d+)-\d+\)", answer))
    return Result(u, turn, question, round(wall, 2), processing,
                  round(wall - processing, 2) if processing is not None else None,
                  bool(re.search(pattern, answer, re.I)), "](#src-" in answer, answer, turns <= {str(turn)})


def run_load(url: str, users: int, per_user: int = 0, until: float | None = None,
             questions: list[tuple[str, str]] = QUESTIONS) -> list[Result]:
    """Each user in its own session asks `per_user` questions, or asks until `until` (perf_counter);
    user u's n-th question is `questions[(u + n) % len(questions)]` (question, a regex its answer must match)."""
    from gradio_client import Client

    def user(u: int) -> list[Result]:
        client = Client(url, verbose=False)
        out = []
        while (len(out) < per_user) if until is None else (time.perf_counter() < until):
            question, pattern = questions[(u + len(out)) % len(questions)]
            try:
                out.append(ask(client, u, len(out), question, pattern))
            except Exception as exc:  # a lost answer is a result to count, not the end of the run
                out.append(Result(u, len(out), question, 0.0, None, None, False, False, f"error: {exc}", False))
        return out

    with ThreadPoolExecutor(users) as pool:
        return [r for rows in pool.map(user, range(users)) for r in rows]


def burst(url: str, size: int, question: str = QUESTIONS[0][0]) -> dict:
    """`size` requests at once from one session: how many were told the queue is full, how many answered."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    jobs = [client.submit(question, [], api_name="/ask") for _ in range(size)]
    full, answered, other = 0, 0, []
    for job in jobs:
        try:
            job.result(timeout=1800)
            answered += 1
        except Exception as exc:  # gradio_client raises for a rejected job
            if "queue is full" in str(exc).lower():
                full += 1
            else:
                other.append(str(exc)[:200])
    return {"burst": size, "queue_full": full, "answered": answered, "other_errors": other}


def rss_mb() -> float:
    """Resident memory of this process (the app runs in it), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def summary(results: list[Result]) -> dict:
    def p50(xs):
        xs = [x for x in xs if x is not None]
        return round(statistics.median(xs), 2) if xs else None

    def p95(xs):
        xs = sorted(x for x in xs if x is not None)
        return xs[min(len(xs) - 1, int(0.95 * len(xs)))] if xs else None

    return {"answers": len(results), "correct": sum(r.correct for r in results),
            "cited": sum(r.cited for r in results), "own_turn": sum(r.own_turn for r in results),
            "processing_p50_s": p50([r.processing_s for r in results]),
            "queue_wait_p50_s": p50([r.queue_s for r in results]), "queue_wait_p95_s": p95([r.queue_s for r in results]),
            "queue_wait_max_s": max((r.queue_s for r in results if r.queue_s is not None), default=None),
            "wall_p50_s": p50([r.wall_s for r in results]), "wall_max_s": max(r.wall_s for r in results)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--questions", type=int, default=5, help="per user")
    parser.add_argument("--minutes", type=float, help="ask until this time is up instead of --questions")
    parser.add_argument("--burst", type=int, help="then send the queue's size plus this many requests at once")
    args = parser.parse_args(argv)
    from app.engine import load_engine
    from app.ui.layout import MAX_QUEUE
    from core.settings import Settings

    engine = load_engine(Settings.from_env())
    # with a burst, the queue holds as many as there are users, so the burst needs few answers
    max_size = args.users if args.burst else MAX_QUEUE
    with served(engine, max_size=max_size) as (url, _):
        # a warm-up: each question once, so the one-time buffers (llama.cpp's, torch's per batch
        # shape, the translation cache's first rows) exist before the first reading; what grows
        # after that grows with use
        run_load(url, 1, len(QUESTIONS))
        rss_start = rss_mb()
        started = time.perf_counter()
        until = started + 60 * args.minutes if args.minutes else None
        timeline, done = [], threading.Event()

        def sample() -> None:  # the curve tells a plateau from a leak
            while not done.wait(30):
                timeline.append((round(time.perf_counter() - started), rss_mb()))

        threading.Thread(target=sample, daemon=True).start()
        results = run_load(url, args.users, args.questions, until)
        done.set()
        elapsed = time.perf_counter() - started
        rss_end = rss_mb()
        flood = burst(url, max_size + args.burst) if args.burst else None
    for r in results:
        print(json.dumps(asdict(r), ensure_ascii=False))
    lost = [(r.user, r.turn) for r in results if r.answer.startswith("error: ")]
    # issue 24's measure: the end against the first reading after five minutes (the warm-up's growth
    # is over by then), so a leak shows as a slope and a plateau as ~0
    settled = next((mb for s, mb in timeline if s >= 300), None)
    for s, mb in timeline:
        print(f"rss {s:>5} s {mb:8.1f} MB", file=sys.stderr)
    print(json.dumps({**summary(results), "elapsed_s": round(elapsed, 1), "lost": lost,
                      "rss_start_mb": rss_start, "rss_end_mb": rss_end,
                      "rss_growth_pct": round(100 * (rss_end - rss_start) / rss_start, 1),
                      "rss_timeline": timeline, "rss_after_5_min_mb": settled,
                      "rss_growth_after_5_min_pct": round(100 * (rss_end - settled) / settled, 2) if settled else None,
                      **({"burst": flood} if flood else {})}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
