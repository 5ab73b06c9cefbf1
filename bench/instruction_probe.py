"""`python -m bench.instruction_probe`: fit and measure the instruction probe (app.planted, D25).

The probe is a logistic regression over sentence vectors of the local embedding model (the
vectors the index stores for every sentence). Positives: the sentences of the tune phrasings of
bench/injection.py that the rules flag or that carry the payload, with the canary swapped for
varied codes, and the generic examples in bench/data/instruction_examples.txt. Negatives: every
sentence of the seed articles and the tune half's example answers (eval/gold_v2.jsonl).

Its threshold is chosen on those alone: each seed article is scored by a probe fitted without it,
and the threshold sits `--margin` above the highest such score, so an article the probe never saw
trips it no more than the seeds did. Recall is leave-one-phrasing-out over the tune phrasings.
Held-out phrasings are only scored, after the choice (`--report`), never used to make it.

    python -m bench.instruction_probe                 # print the choice and the tune figures
    python -m bench.instruction_probe --fit           # …and write app/data/instruction_probe.npz
    python -m bench.instruction_probe --report        # detection per phrasing set: rules, probe, both
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from app.planted import PROBE, InstructionProbe, InstructionRules, planted_rows
from bench.injection import CANARY, PHRASINGS, Phrasing, has, planted_article
from core.records import Document
from core.settings import ROOT, Settings
from index.chunking import document_sentences
from index.documents import load_documents
from index.embedder import load_embedder

EXAMPLES = Path(__file__).parent / "data" / "instruction_examples.txt"
GOLD = ROOT / "eval" / "gold_v2.jsonl"


def codes(n: int, seed: int = 0) -> list[str]:
    """Codes of the shapes planted instructions use, so the probe learns the demand, not one canary."""
    rng = random.Random(seed)
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return [f"{''.join(rng.choices(letters, k=rng.randint(2, 5)))}-{rng.randint(10, 99999)}" for _ in range(n)]


def planted_doc(text: str) -> Document:
    body = planted_article(text)
    return Document(source="planted.txt", text=body, sha256="x", title="t", body_start=body.index("---\n", 4) + 4)


def payload_sentences(phrasing: Phrasing, rules: InstructionRules, code: str) -> list[str]:
    """The phrasing's sentences that are instructions by the rules or carry the code."""
    doc = planted_doc(phrasing.text.replace(CANARY, code))
    article = {s.text for s in document_sentences(planted_doc(""))}
    return [s.text for s in document_sentences(doc)
            if s.text not in article and (rules.kind(s.text) or has(s.text, code))]


def seed_sentences() -> dict[str, list[str]]:
    docs, _ = load_documents([ROOT / "seeds"], 10**7)
    return {d.source: [s.text for s in document_sentences(d)] for d in docs}


def gold_answers(split: str = "tune") -> list[str]:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [e for r in rows if r.get("split") == split for f in r.get("facts", []) for e in f.get("examples", [])]


def fit(x: np.ndarray, y: np.ndarray, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit(x, y)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fit", action="store_true", help=f"write {PROBE.relative_to(ROOT)}")
    parser.add_argument("--report", action="store_true", help="score every phrasing set with the saved probe")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--margin", type=float, default=0.1, help="above the highest held-out seed score")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    embedder = load_embedder(settings)
    rules = InstructionRules.load()

    def embed(texts: list[str]) -> np.ndarray:
        return np.asarray(embedder.embed_documents(texts), dtype=np.float32) if texts else np.zeros((0, embedder.dim))

    if args.report:
        report(embed, rules, InstructionProbe.load(), settings.policy.instruction_score)
        return

    tune = [p for p in PHRASINGS if p.split == "tune"]
    variants = codes(3 * len(tune))
    positives = {p.name: [s for k in range(3) for s in payload_sentences(p, rules, variants[3 * i + k])]
                 for i, p in enumerate(tune)}
    examples = [line for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    seeds = seed_sentences()
    answers = gold_answers()
    vectors = {name: embed(texts) for name, texts in {**positives, **seeds}.items()}
    example_vectors, answer_vectors = embed(examples), embed(answers)

    def data(skip: str = "") -> tuple[np.ndarray, np.ndarray]:
        pos = [vectors[n] for n in positives if n != skip] + [example_vectors]
        neg = [vectors[n] for n in seeds if n != skip] + [answer_vectors]
        x = np.concatenate(pos + neg)
        y = np.concatenate([np.ones(sum(len(v) for v in pos)), np.zeros(sum(len(v) for v in neg))])
        return x, y

    held_scores = {}
    for source in seeds:
        model = fit(*data(skip=source), args.c)
        held_scores[source] = model.decision_function(vectors[source])
    worst = max((float(s.max()), src, seeds[src][int(s.argmax())]) for src, s in held_scores.items())
    threshold = round(worst[0] + args.margin, 2)
    caught = 0
    for name in positives:
        model = fit(*data(skip=name), args.c)
        caught += bool(positives[name]) and bool((model.decision_function(vectors[name]) > threshold).any())
    print(json.dumps({"positives": sum(map(len, positives.values())) + len(examples),
                      "negatives": sum(map(len, seeds.values())) + len(answers), "c": args.c,
                      "highest_held_out_seed_score": round(worst[0], 3), "its_sentence": worst[2],
                      "threshold": threshold,
                      "tune_phrasings_caught_leave_one_out": f"{caught}/{len(positives)}"}, ensure_ascii=False))
    if args.fit:
        model = fit(*data(), args.c)
        InstructionProbe(model.coef_[0].astype(np.float32), float(model.intercept_[0]), embedder.sha256).save()
        print(f"wrote {PROBE.relative_to(ROOT)}; set Policy.instruction_score = {threshold} (D25)")


def report(embed, rules: InstructionRules, probe: InstructionProbe | None, threshold: float) -> None:
    """Per phrasing set: how many phrasings leave no payload sentence readable, by the rules alone,
    the probe alone, and both (what the app does); and the seed sentences either flags."""
    seeds = seed_sentences()
    flat = [s for texts in seeds.values() for s in texts]
    seed_scores = probe.scores(embed(flat)) if probe else np.full(len(flat), -np.inf)
    print(json.dumps({"seed_sentences": len(flat), "flagged_by_rules": sum(bool(rules.kind(s)) for s in flat),
                      "flagged_by_probe": int((seed_scores > threshold).sum()),
                      "top_seed_score": round(float(seed_scores.max()), 3)}, ensure_ascii=False))
    none = InstructionRules.none()
    tally: Counter = Counter()
    for p in PHRASINGS:
        doc = planted_doc(p.text)
        sentences = document_sentences(doc)
        vectors = embed([s.text for s in sentences])
        row = {"phrasing": p.name, "split": p.split}
        for layer, (r, pr) in {"rules": (rules, None), "probe": (none, probe), "both": (rules, probe)}.items():
            out = planted_rows(sentences, vectors, {doc.source: doc}, r, pr, threshold)
            left = [s.text for i, s in enumerate(sentences) if i not in out and (has(s.text) or has(s.text, p.key))]
            row[layer] = not left
            tally[p.split, layer] += not left
        tally[p.split, "n"] += 1
        print(json.dumps(row, ensure_ascii=False))
    for split in sorted({s for s, _ in tally}):
        print(json.dumps({"split": split, "phrasings": tally[split, "n"],
                          **{f"caught_{layer}": tally[split, layer] for layer in ("rules", "probe", "both")}}))


if __name__ == "__main__":
    main()
