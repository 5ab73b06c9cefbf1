"""Try values of the policy's thresholds on the tune half, model replies from the cache.

    python -m eval.sweep --vary figure_context_floor=0,0.3,0.4,0.5 --vary scope_margin=1,0.05,0
    python -m eval.sweep --set support_floor=0.6 --vary min_kinds=0,0.5,1

Each --vary is swept alone from the base policy (the settings' policy with every --set applied).
Replies come from eval/runs/llm_cache.sqlite where the prompt is the same, so a sweep over
thresholds applied after the model costs retrieval and checks only; a value that lets new
questions reach the model asks it (and caches the reply). Prints one line of metrics per value.
Decide here, on tune; report the chosen policy on test with `python -m eval --split test`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.ask import one
from app.engine import load_engine
from core.settings import POLICY_FIELDS, Settings
from eval.__main__ import CACHE, GOLD, report, select
from eval.cache import CachedChat

SHOWN = ("fact_recall", "cite_support", "cite_precision", "rejection", "false_refusal", "overall_risk")
UNANSWERABLE = ("near_miss", "absent_entity", "false_premise", "off_topic", "instruction", "prediction")


def parse(pairs: list[str]) -> list[tuple[str, list[float]]]:
    out = []
    for pair in pairs:
        name, _, values = pair.partition("=")
        if name not in POLICY_FIELDS:
            raise SystemExit(f"{name} is not a Policy field; one of: {', '.join(sorted(POLICY_FIELDS))}")
        out.append((name, [float(v) for v in values.split(",")]))
    return out


def line(label: str, out: dict) -> str:
    kinds = " ".join(f"{k[:6]}={out[f'kind:{k}'].get('rejection')}" for k in UNANSWERABLE if f"kind:{k}" in out)
    return f"{label:34s} " + " ".join(f"{k}={out.get(k)}" for k in SHOWN) + f" | {kinds}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.sweep", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--split", default="tune")
    parser.add_argument("--set", action="append", default=[], help="NAME=VALUE applied to the base policy")
    parser.add_argument("--vary", action="append", default=[], help="NAME=V1,V2,… swept one at a time")
    args = parser.parse_args(argv)
    base = Settings.from_env().with_(**{name: values[0] for name, values in parse(args.set)})
    engine = load_engine(base)
    engine.chat = CachedChat(inner=engine.chat, path=str(CACHE), replay=True)
    gold = select(args.gold, args.split, None, None)

    def run(settings: Settings, label: str) -> None:
        engine.settings = settings
        records = [one(engine, g["id"], g["question"], g.get("history") or [], False, settings.retrieve_k) for g in gold]
        print(line(label, report(args.gold.name, gold, records)), flush=True)

    run(base, "base")
    for name, values in parse(args.vary):
        for value in values:
            run(base.with_(**{name: value}), f"{name}={value}")
    print(f"model calls not in the cache: {len(gold) * (1 + sum(len(v) for _, v in parse(args.vary))) - engine.chat.hits}"
          " (upper bound: refusals before the model make no call)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
