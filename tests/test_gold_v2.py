"""The held-out gold set (eval/gold_v2.jsonl), its split, and the eval's scoring helpers."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from eval.__main__ import risk_coverage, wrong
from eval.split import assign

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "gold_v2.jsonl"
PARTS = sorted((ROOT / "eval" / "parts").glob("*.jsonl"))
ANSWERABLE = {"fact", "multipart", "list", "cross", "followup", "conflict"}
UNANSWERABLE = {"near_miss", "absent_entity", "false_premise", "off_topic", "instruction", "prediction"}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_set_is_the_parts_with_their_seeded_split(rows):
    parts = [json.loads(line) for path in PARTS for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert {r["id"]: r for r in rows} == {r["id"]: r for r in assign(parts)}


def test_size_kinds_and_languages(rows):
    assert len(rows) == 236 and len({r["id"] for r in rows}) == 236
    assert sum(r["answerable"] for r in rows) == 152
    kinds = Counter(r["kind"] for r in rows if not r["answerable"])
    assert kinds == {kind: 14 for kind in UNANSWERABLE}
    assert {r["kind"] for r in rows if r["answerable"]} == ANSWERABLE
    assert Counter(r["lang"] for r in rows) == {"en": 118, "zh": 118}


def test_every_kind_and_language_is_in_both_halves(rows):
    for kind in ANSWERABLE | UNANSWERABLE:
        for lang in ("en", "zh"):
            group = Counter(r["split"] for r in rows if r["kind"] == kind and r["lang"] == lang)
            assert set(group) == {"tune", "test"} and abs(group["tune"] - group["test"]) <= 1, (kind, lang, group)


def test_evidence_stands_in_the_articles_and_patterns_match_their_examples(rows):
    seeds = {p.name: squash(p.read_text(encoding="utf-8")) for p in (ROOT / "seeds").glob("*.txt")}
    for row in rows:
        assert bool(row["facts"]) == row["answerable"], row["id"]
        for fact in row["facts"]:
            assert any(squash(e) in seeds[d] for e in fact["evidence"] for d in row["docs"]), (row["id"], fact["name"])
            pattern = re.compile(fact["pattern"], re.I)
            assert all(pattern.search(example) for example in fact["examples"]), (row["id"], fact["name"])
            assert not pattern.search("The articles don't say."), (row["id"], fact["name"])


def test_risk_counts_unanswerable_answers_and_answers_without_any_fact():
    rows = [
        {"id": "a", "answerable": True, "refused": False, "facts": [{"present": True}]},
        {"id": "b", "answerable": True, "refused": False, "facts": [{"present": False}]},
        {"id": "c", "answerable": False, "refused": False},
        {"id": "d", "answerable": False, "refused": True},
    ]
    assert [wrong(r) for r in rows] == [False, True, True, False]
    records = [{"id": i, "signals": {"picked_best": s}} for i, s in zip("abcd", (0.9, 0.5, 0.7, 0.1))]
    assert risk_coverage(rows, records) == [
        {"threshold": 0.5, "coverage": 0.75, "risk": 0.667},
        {"threshold": 0.7, "coverage": 0.5, "risk": 0.5},
        {"threshold": 0.9, "coverage": 0.25, "risk": 0.0},
    ]
    # with the model's probability of "0" (D31) the confidence is one minus it; -1 means none was given
    records = [{"id": i, "signals": {"picked_best": 0.99, "none_share": p}} for i, p in zip("abcd", (0.1, 0.5, 0.3, 0.9))]
    records[0]["signals"] = {"picked_best": 0.9, "none_share": -1.0}
    assert risk_coverage(rows, records) == [
        {"threshold": 0.5, "coverage": 0.75, "risk": 0.667},
        {"threshold": 0.7, "coverage": 0.5, "risk": 0.5},
        {"threshold": 0.9, "coverage": 0.25, "risk": 0.0},
    ]
