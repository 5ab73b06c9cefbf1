"""Four users at once, five questions each, through the real queue with the real models."""

from __future__ import annotations

import pytest

from bench.load import QUESTIONS, run_load, summary
from bench.serving import served

pytestmark = pytest.mark.real


def test_four_users_five_questions_each_all_answered_correctly_and_cited(real_engine):
    with served(real_engine) as (url, _):
        results = run_load(url, users=4, per_user=5)
    report = summary(results)
    print(report)  # queue wait and time per answer: `pytest -s`, or `python -m bench.load`
    assert [(r.user, r.question) for r in results] == [
        (u, QUESTIONS[(u + i) % len(QUESTIONS)][0]) for u in range(4) for i in range(5)]
    wrong = [(r.question, r.answer) for r in results if not (r.correct and r.cited)]
    assert wrong == []
    assert all(r.own_turn for r in results)
    assert all(r.processing_s is not None and r.queue_s >= -0.5 for r in results)
