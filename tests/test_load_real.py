"""Four users at once, five questions each, through the real queue with the real models."""

from __future__ import annotations

import pytest

from bench.load import QUESTIONS, run_load, summary
from bench.serving import served

pytestmark = pytest.mark.real


def test_four_users_five_questions_each_all_answered_in_their_own_turn(real_engine):
    with served(real_engine) as (url, _):
        results = run_load(url, users=4, per_user=5)
    report = summary(results)
    print(report)  # queue wait and time per answer: `pytest -s`, or `python -m bench.load`
    assert [(r.user, r.question) for r in results] == [
        (u, QUESTIONS[(u + i) % len(QUESTIONS)][0]) for u in range(4) for i in range(5)]
    # Since answers are pointed sentences (issue 22) the 1.5B model misses some of these questions even
    # asked alone (8 of 20 here, the closing note), so what this test holds is delivery: every
    # answer reaches its own user and turn, in order; answer quality is `python -m eval`'s.
    print(f"correct and cited: {sum(r.correct and r.cited for r in results)} of {len(results)}")
    assert all(r.own_turn for r in results)
    assert all(r.processing_s is not None and r.queue_s >= -0.5 for r in results)
