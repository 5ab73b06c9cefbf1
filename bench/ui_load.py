"""`python -m bench.ui_load`: what each of several people at once waits for, in Chromium.

Serves the app with the real models, opens one browser session per user, and sends every user's
question in the same instant (a click in each page, no waiting in between). Each page records,
in its own clock from its click: passages shown, quick answer shown, verified answer shown. With
one model slot, the later users' verified answers wait their turn; their passages and quick
answer should not (issue 14: within a second).

    python -m bench.ui_load                  # 8 users, the load bench's questions in turn
    python -m bench.ui_load --users 4
    python -m bench.ui_load --stagger 1      # one more person every second: each joins a longer line
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from bench.load import QUESTIONS
from bench.serving import chromium_browser, new_page, served
from bench.stats import percentile
from bench.ui_times import WATCH


def run(url: str, users: int, timeout_s: float = 1800, stagger_s: float = 0.0) -> list[dict]:
    with chromium_browser() as browser:
        pages = [new_page(browser)[0] for _ in range(users)]
        for u, page in enumerate(pages):
            page.goto(url)
            page.locator("#cw-question textarea").fill(QUESTIONS[u % len(QUESTIONS)][0])
            page.evaluate(WATCH)
        for page in pages:  # one JS click each: all the questions leave within a few milliseconds
            page.evaluate("() => { window.cwT0 = performance.now(); document.querySelector('#cw-send').click(); }")
            time.sleep(stagger_s)  # --stagger: people arriving one after another, the line growing
        deadline = time.monotonic() + timeout_s
        rows = []
        for u, page in enumerate(pages):
            page.wait_for_function("() => 'answer_s' in window.cwTimes",
                                   timeout=max(1.0, deadline - time.monotonic()) * 1000)
            times = page.evaluate("window.cwTimes")
            rows.append({"user": u, "question": QUESTIONS[u % len(QUESTIONS)][0],
                         **{k: round(v, 2) for k, v in times.items()}})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--stagger", type=float, default=0.0, help="seconds between one user's question and the next")
    args = parser.parse_args(argv)
    from app.engine import load_engine
    from core.settings import Settings

    engine = load_engine(Settings.from_env())
    with served(engine) as (url, _):
        rows = run(url, args.users, stagger_s=args.stagger)
    for row in rows:
        print(json.dumps(row, ensure_ascii=False), flush=True)
    figures = {}
    for key in ("passages_s", "quick_s", "answer_s"):
        values = sorted(r[key] for r in rows if key in r)
        figures[key] = {"p50": percentile(values, 0.5), "p95": percentile(values, 0.95), "max": values[-1] if values else None}
    print(json.dumps({"users": args.users, "stagger_s": args.stagger, **figures}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
