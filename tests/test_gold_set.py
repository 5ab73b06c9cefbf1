"""Sanity checks for the evaluation gold set (eval/gold.jsonl).

Standard library + pytest only. Seeds are read relative to this file so the
test works from any working directory.
"""
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "eval" / "gold.jsonl"
SEEDS = ROOT / "seeds"

MIN_TOTAL = 64
MIN_KIND = {"negative": 9, "followup": 7, "conflict": 5}
KINDS = {"fact", "conflict", "followup", "negative"}
LANGS = {"en", "zh"}
ID_RE = re.compile(r"^g\d{2,}$")
REQUIRED = {
    "id": str,
    "lang": str,
    "kind": str,
    "question": str,
    "history": list,
    "answerable": bool,
    "docs": list,
    "facts": list,
}


def squash(text: str) -> str:
    """Same normalisation as eval/score.py: NFKC, then drop all whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _load_lines():
    with open(GOLD, encoding="utf-8") as fh:
        return [(n, line) for n, line in enumerate(fh, 1) if line.strip()]


@pytest.fixture(scope="module")
def rows():
    out = []
    for _, line in _load_lines():
        out.append(json.loads(line))
    return out


@pytest.fixture(scope="module")
def seed_text():
    return {p.name: squash(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))}


def test_gold_file_exists():
    assert GOLD.is_file(), f"missing {GOLD}"


def test_every_line_is_a_json_object():
    bad = []
    for n, line in _load_lines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((n, str(exc)))
            continue
        if not isinstance(obj, dict):
            bad.append((n, type(obj).__name__))
    assert bad == []


def test_required_fields_and_types(rows):
    bad = []
    for r in rows:
        rid = r.get("id", "?")
        for key, typ in REQUIRED.items():
            if key not in r:
                bad.append((rid, key, "missing"))
            elif not isinstance(r[key], typ):
                bad.append((rid, key, type(r[key]).__name__))
        if r.get("lang") not in LANGS:
            bad.append((rid, "lang", r.get("lang")))
        if r.get("kind") not in KINDS:
            bad.append((rid, "kind", r.get("kind")))
        if isinstance(r.get("question"), str) and not r["question"].strip():
            bad.append((rid, "question", "empty"))
        for turn in r.get("history") or []:
            if not (isinstance(turn, list) and len(turn) == 2
                    and all(isinstance(t, str) and t.strip() for t in turn)):
                bad.append((rid, "history", turn))
        for d in r.get("docs") or []:
            if not isinstance(d, str):
                bad.append((rid, "docs", d))
        for f in r.get("facts") or []:
            if not isinstance(f, dict):
                bad.append((rid, "fact", f))
                continue
            if not (isinstance(f.get("name"), str) and f["name"].strip()):
                bad.append((rid, "fact.name", f.get("name")))
            if not (isinstance(f.get("pattern"), str) and f["pattern"].strip()):
                bad.append((rid, "fact.pattern", f.get("pattern")))
            ev = f.get("evidence")
            if not (isinstance(ev, list) and ev and all(isinstance(e, str) and e.strip() for e in ev)):
                bad.append((rid, "fact.evidence", ev))
    assert bad == []


def test_ids_unique_and_well_formed(rows):
    ids = [r.get("id") for r in rows]
    dupes = sorted(i for i, c in Counter(ids).items() if c > 1)
    malformed = [i for i in ids if not (isinstance(i, str) and ID_RE.match(i))]
    assert dupes == []
    assert malformed == []


def test_questions_unique(rows):
    qs = Counter(r["question"].strip() for r in rows if not r["history"])
    assert sorted(q for q, c in qs.items() if c > 1) == []


def test_size_and_language_balance(rows):
    langs = Counter(r["lang"] for r in rows)
    assert len(rows) >= MIN_TOTAL, len(rows)
    assert langs["en"] == langs["zh"], dict(langs)


def test_kind_minimums(rows):
    kinds = Counter(r["kind"] for r in rows)
    short = {k: (kinds[k], need) for k, need in MIN_KIND.items() if kinds[k] < need}
    assert short == {}
    assert kinds["fact"] > 0


def test_answerable_matches_kind(rows):
    bad = [r["id"] for r in rows if r["answerable"] != (r["kind"] != "negative")]
    assert bad == []


def test_negatives_have_no_facts_or_docs(rows):
    bad = [r["id"] for r in rows if r["kind"] == "negative" and (r["facts"] or r["docs"] or r["answerable"])]
    assert bad == []


def test_answerables_have_facts_and_docs(rows):
    bad = [r["id"] for r in rows if r["answerable"] and (not r["facts"] or not r["docs"])]
    assert bad == []


def test_followups_have_history(rows):
    bad = [r["id"] for r in rows if r["kind"] == "followup" and not r["history"]]
    assert bad == []


def test_conflicts_have_several_facts(rows):
    # a conflict covers at least two versions, each with its own evidence
    bad = [r["id"] for r in rows if r["kind"] == "conflict" and len(r["facts"]) < 2]
    assert bad == []


def test_docs_exist(rows):
    missing = [(r["id"], d) for r in rows for d in r["docs"] if not (SEEDS / d).is_file()]
    assert missing == []


def test_every_seed_is_covered(rows, seed_text):
    used = Counter(d for r in rows for d in r["docs"])
    thin = {name: used[name] for name in seed_text if used[name] < 3}
    assert thin == {}


def test_patterns_compile(rows):
    bad = []
    for r in rows:
        for f in r["facts"]:
            try:
                re.compile(f["pattern"], re.I)
            except re.error as exc:
                bad.append((r["id"], f["name"], str(exc)))
    assert bad == []


def test_patterns_do_not_match_empty_answer(rows):
    bad = []
    for r in rows:
        for f in r["facts"]:
            try:
                rx = re.compile(f["pattern"], re.I)
            except re.error:
                continue  # reported by test_patterns_compile
            if rx.search("") or rx.search("   "):
                bad.append((r["id"], f["name"]))
    assert bad == []


def test_evidence_occurs_in_named_docs(rows, seed_text):
    missing = []
    for r in rows:
        docs_text = [seed_text.get(d, "") for d in r["docs"]]
        for f in r["facts"]:
            for e in f["evidence"]:
                if not any(squash(e) in t for t in docs_text):
                    missing.append((r["id"], f["name"], e))
    assert missing == []


def test_every_named_doc_holds_some_evidence(rows, seed_text):
    idle = []
    for r in rows:
        evs = [squash(e) for f in r["facts"] for e in f["evidence"]]
        for d in r["docs"]:
            if not any(e in seed_text.get(d, "") for e in evs):
                idle.append((r["id"], d))
    assert idle == []
