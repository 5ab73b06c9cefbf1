"""`python -m bench.ui_times`: what a person waits for in the browser, on this machine.

Serves the app with the real models on a free port, opens it in headless Chromium, asks each
question in a fresh page and records, from the click on "Ask": passages shown, quick answer shown,
first model token shown, verified answer shown. Prints one JSON line per question and the medians.

    python -m bench.ui_times                                  # the tranche question, 3 times
    python -m bench.ui_times --question "英伟达投资了多少？" --repeat 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys

from bench.serving import chromium_page, served

# Marks the time of each first sighting, measured in the page from the click.
WATCH = """() => {
  window.cwTimes = {};
  const t0 = performance.now();
  // from the click when the caller notes it in window.cwT0 (several pages made ready one by one)
  const seen = (k) => { if (!(k in window.cwTimes)) window.cwTimes[k] = (performance.now() - (window.cwT0 ?? t0)) / 1000; };
  new MutationObserver(() => {
    const src = document.querySelector('#cw-sources')?.innerText || '';
    const status = document.querySelector('#cw-status')?.innerText || '';
    const last = [...document.querySelectorAll('#cw-chat .message')].pop()?.innerText || '';
    if (/Passages found|检索到的段落|Cited passages/.test(src)) seen('passages_s');
    if (/Quick answer from the passages|快速回答/.test(last)) seen('quick_s');
    if (/writing|正在作答/.test(status)) seen('first_token_s');
    if (/Answered in|用时/.test(status)) seen('answer_s');
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ui_times", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--question", default="What are the Nvidia–OpenAI tranche terms?")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from app.engine import load_engine
    from core.settings import Settings

    engine = load_engine(Settings.from_env())
    rows = []
    with served(engine) as (url, _), chromium_page() as (page, _, _):
        for _ in range(args.repeat):
            page.goto(url)
            page.locator("#cw-question textarea").fill(args.question)
            page.evaluate(WATCH)
            page.locator("#cw-send").click()
            page.wait_for_function("() => window.cwTimes && 'answer_s' in window.cwTimes", timeout=180_000)
            times = {k: round(v, 2) for k, v in page.evaluate("() => window.cwTimes").items()}
            rows.append(times)
            print(json.dumps({"question": args.question, **times}, ensure_ascii=False), flush=True)
    keys = ("passages_s", "quick_s", "first_token_s", "answer_s")
    print(json.dumps({"median": {k: round(statistics.median(r[k] for r in rows if k in r), 2)
                                 for k in keys if any(k in r for r in rows)}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
