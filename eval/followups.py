"""`python -m eval.followups`: how often a question is read as a follow-up when it is one (issue 24).

eval/followups.jsonl holds pairs of turns (the previous question, the question) in English and
Chinese, each marked follow_up (refers back) or not (names its own subject: a change of topic, or
the same question again in the other language), split into tune and test halves by a seeded shuffle.
Prints, per split and language, the share decided right by `app.followup.refers_back`, beside what
the app did before it ("always": every question with a previous one was read with it).

    python -m eval.followups                 # both halves
    python -m eval.followups --split test --wrong
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.followup import refers_back
from index.keywords import query_language

PAIRS = Path(__file__).with_name("followups.jsonl")


def load(path: Path = PAIRS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def rates(pairs: list[dict], decide) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    for lang in ("en", "zh"):
        mine = [p for p in pairs if p["lang"] == lang]
        out[f"{lang}_n"] = len(mine)
        out[f"{lang}_right"] = round(sum(decide(p) == p["follow_up"] for p in mine) / len(mine), 3) if mine else None
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.followups", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("tune", "test", "all"), default="all")
    parser.add_argument("--wrong", action="store_true", help="list the pairs decided wrong")
    args = parser.parse_args(argv)
    pairs = load()
    splits = ("tune", "test") if args.split == "all" else (args.split,)
    rule = lambda p: refers_back(p["question"], query_language(p["question"]))  # noqa: E731
    for split in splits:
        half = [p for p in pairs if p["split"] == split]
        print(json.dumps({"split": split, "always": rates(half, lambda p: True), "refers_back": rates(half, rule)}))
        if args.wrong:
            for p in half:
                if rule(p) != p["follow_up"]:
                    print(f"  wrong {p['id']} ({'follow-up' if p['follow_up'] else 'own subject'}): "
                          f"{p['previous']} → {p['question']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
