"""The follow-up decision set (eval/followups.jsonl) and its measure (issue 24)."""

from __future__ import annotations

from collections import Counter

from app.followup import refers_back
from eval.followups import load, main, rates
from index.keywords import query_language


def test_the_set_has_sixty_pairs_split_by_language_and_kind():
    pairs = load()
    assert len(pairs) >= 60 and len({p["id"] for p in pairs}) == len(pairs)
    kinds = Counter((p["lang"], p["split"], p["follow_up"]) for p in pairs)
    assert all(kinds[(lang, split, kind)] >= 5 for lang in ("en", "zh") for split in ("tune", "test")
               for kind in (True, False)), kinds
    assert all(query_language(p["question"]) in ("en", "zh") and p["previous"] for p in pairs)


def test_rates_count_right_decisions_per_language():
    pairs = [{"lang": "en", "follow_up": True}, {"lang": "en", "follow_up": False}, {"lang": "zh", "follow_up": True}]
    assert rates(pairs, lambda p: True) == {"en_n": 2, "en_right": 0.5, "zh_n": 1, "zh_right": 1.0}


def test_deciding_beats_assuming_on_each_half_and_language(capsys):
    pairs = load()
    for split in ("tune", "test"):
        half = [p for p in pairs if p["split"] == split]
        always = rates(half, lambda p: True)
        decided = rates(half, lambda p: refers_back(p["question"], query_language(p["question"])))
        assert all(decided[f"{lang}_right"] > always[f"{lang}_right"] for lang in ("en", "zh")), (split, decided)
    assert main(["--split", "tune"]) == 0 and '"split": "tune"' in capsys.readouterr().out
