"""`python -m bench.first_answer`: is the first question after start slower than later ones?

Asking the same question twice measures llama.cpp's prompt cache, not a warm app (the second
prompt is the first one again), so two different questions are asked in both orders, each order
in a freshly started app: a question's time when asked first ("cold") is compared with its time
when asked second ("warm").

    python -m bench.first_answer                  # `python -m app` started per order, timed in Chromium
    python -m bench.first_answer --in-process     # the same in one process per order, with the
                                                  # answer's own stage timings (where the time goes)
    python -m bench.first_answer --no-warm        # the app started without its warm-up answer

Prints one JSON line per answer, then the ratio cold/warm per question (the issue's target: ≤ 1.2).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from bench.serving import chromium_browser, free_port, new_page
from bench.ui_times import WATCH
from core.settings import ROOT

QUESTIONS = ("What are the Nvidia–OpenAI tranche terms?", "甲骨文的总债务股本比是多少？")


def in_browser(first: str, second: str, warm: bool) -> list[dict]:
    """`python -m app` started fresh; both questions asked in Chromium, timed from the click."""
    port = free_port()
    env = {**os.environ, "CITEWISE_PORT": str(port), "CITEWISE_WARM": "1" if warm else "0"}
    started = time.perf_counter()
    app = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    rows = []
    try:
        for line in app.stdout:  # "Open http://…" comes after "Ready"
            if line.startswith("Open http"):
                break
        ready_s = time.perf_counter() - started
        time.sleep(2)  # the server starts listening just after it prints the address
        with chromium_browser() as browser:
            for order, question in enumerate((first, second)):
                # a new browser session per question: the second is not a follow-up of the first,
                # and its page holds no earlier "Answered in" for the watcher to see
                page = new_page(browser)[0]
                page.goto(f"http://127.0.0.1:{port}")
                page.evaluate(WATCH)
                page.locator("#cw-question textarea").fill(question)
                page.locator("#cw-send").click()
                page.wait_for_function("() => window.cwTimes && 'answer_s' in window.cwTimes", timeout=300_000)
                times = page.evaluate("window.cwTimes")
                rows.append({"question": question, "order": order, "ready_s": round(ready_s, 1),
                             **{k: round(v, 2) for k, v in times.items()}})
                # the cited sentences' translation follows in the model's slot: the next question
                # would wait for it, which is not the first-answer cost measured here
                page.wait_for_timeout(1500)
                page.wait_for_function("() => !/Translating|正在翻译/.test(document.querySelector('#cw-status').innerText)",
                                       timeout=300_000)
    finally:
        app.terminate()
        app.wait(30)
    return rows


def in_process(first: str, second: str, warm: bool) -> list[dict]:
    """The same in this process, with each answer's stage timings."""
    from app.engine import load_engine, warm_up
    from app.pipeline import answer
    from core.settings import Settings

    started = time.perf_counter()
    engine = load_engine(Settings.from_env())
    if warm:
        warm_up(engine)
    ready_s = time.perf_counter() - started
    rows = []
    for order, question in enumerate((first, second)):
        t0 = time.perf_counter()
        result = answer(engine, question)
        rows.append({"question": question, "order": order, "ready_s": round(ready_s, 1),
                     "answer_s": round(time.perf_counter() - t0, 2), "timings": result.timings})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.first_answer", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--in-process", action="store_true", help="no browser; print the stage timings")
    parser.add_argument("--no-warm", action="store_true", help="start without the warm-up answer")
    args = parser.parse_args(argv)
    rows = []
    for first, second in (QUESTIONS, QUESTIONS[::-1]):
        if args.in_process:
            # each order in its own process: the first answer of a process is the one measured
            out = subprocess.run([sys.executable, "-c", "import json,sys; from bench.first_answer import in_process; "
                                  f"print(json.dumps(in_process({first!r}, {second!r}, {not args.no_warm}), "
                                  "ensure_ascii=False))"], cwd=ROOT, capture_output=True, text=True, check=True)
            got = json.loads(out.stdout.strip().splitlines()[-1])
        else:
            got = in_browser(first, second, warm=not args.no_warm)
        for row in got:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        rows += got
    summary = {}
    for question in QUESTIONS:
        cold = next(r["answer_s"] for r in rows if r["question"] == question and r["order"] == 0)
        warm = next(r["answer_s"] for r in rows if r["question"] == question and r["order"] == 1)
        summary[question] = {"cold_s": cold, "warm_s": warm, "ratio": round(cold / warm, 2)}
    print(json.dumps({"warm_start": not args.no_warm, "questions": summary}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
