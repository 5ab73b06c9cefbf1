"""Fit the answer decision on the tune half: a logistic score over a verified answer's signals.

    python -m eval --split tune                         # with no weights in the policy: every verified answer shown
    python -m eval.calibrate eval/runs/gold_v2-tune-….jsonl

Label: an answer is right when the question is answerable and the answer carries at least one
of its facts; wrong when the question is unanswerable or no fact is there. Prints the weights
to put in `Policy.answer_weights` / `answer_bias`, and for each threshold how many right and
wrong answers it keeps, on the questions given (use the tune half only).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from eval.__main__ import GOLD, select
from eval.score import load, score

FEATURES = ("evidence", "cited", "support", "kept", "kinds", "scope_margin")


def dataset(gold: list[dict], records: list[dict]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Signals and labels of the answers that reached the decision (a verified model answer)."""
    rows = {r["id"]: r for r in score(gold, records)}
    xs, ys, ids = [], [], []
    for record in records:
        signals = record.get("signals") or {}
        row = rows.get(record["id"])
        if row is None or "support" not in signals:
            continue
        xs.append([float(signals.get(f, 0.0)) for f in FEATURES])
        ys.append(int(row["answerable"] and any(f["present"] for f in row["facts"])))
        ids.append(record["id"])
    return np.asarray(xs), np.asarray(ys), ids


def main(argv: list[str] | None = None) -> int:
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("answers", type=Path)
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--split", default="tune")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    args = parser.parse_args(argv)
    gold = select(args.gold, args.split, None, None)
    x, y, ids = dataset(gold, [r for r in load(args.answers) if r["id"] in {g["id"] for g in gold}])
    print(f"{len(y)} verified answers: {int(y.sum())} right, {int(len(y) - y.sum())} wrong")
    model = LogisticRegression(C=args.c, max_iter=1000).fit(x, y)
    weights = tuple((f, round(float(w), 3)) for f, w in zip(FEATURES, model.coef_[0]))
    print(f"answer_weights = {weights}\nanswer_bias = {round(float(model.intercept_[0]), 3)}")
    p = model.predict_proba(x)[:, 1]
    for threshold in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        keep = p >= threshold
        print(f"threshold {threshold:.1f}: keeps {int((keep & (y == 1)).sum())} right, {int((keep & (y == 0)).sum())} wrong")
    print("wrong answers, lowest score first:", [i for _, i in sorted(zip(p, ids)) if y[ids.index(i)] == 0][:20])
    return 0


if __name__ == "__main__":
    sys.exit(main())
