"""The gold set's fixed split into `tune` and `test`, seeded and stratified by kind and language.

    python -m eval.split eval/parts/*.jsonl > eval/gold_v2.jsonl

Within each (kind, language) group, questions are ordered by a seeded hash of their id and
dealt alternately to tune and test, so each half has every kind in both languages; a group of
odd size gives its extra question to tune or test in turn. Thresholds,
prompts and rules are chosen on `tune`; `test` is only scored.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import defaultdict

SEED = "citewise-2026-12-01"


def assign(rows: list[dict], seed: str = SEED) -> list[dict]:
    """Rows with a "split" field, in their original order.

    >>> rows = [{"id": f"q{i}", "kind": "fact", "lang": "en"} for i in range(4)]
    >>> sorted(r["split"] for r in assign(rows))
    ['test', 'test', 'tune', 'tune']
    """
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["kind"], row["lang"])].append(row)
    split: dict[str, str] = {}
    for g, (_, members) in enumerate(sorted(groups.items())):
        members.sort(key=lambda r: hashlib.sha256(f"{seed}:{r['id']}".encode()).hexdigest())
        for i, row in enumerate(members):
            # groups of odd size give their extra question to tune and test in turn
            split[row["id"]] = "tune" if (i + g) % 2 == 0 else "test"
    return [{**row, "split": split[row["id"]]} for row in rows]


def main(paths: list[str]) -> int:
    rows = []
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            rows += [json.loads(line) for line in fh if line.strip()]
    for row in assign(rows):
        print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
