"""Is a request one the chat serves? Compared, by embedding, with example requests of each kind.

Jokes, chit-chat, instructions to drop the articles or play a role, and predictions or advice
get a short reply saying what the chat answers, with no model call and no citation. Examples
are data (app/data/scope.tsv); the margin is tuned on the tune half (Policy.scope_margin, D19).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

IN_SCOPE = "in_scope"


@dataclass(frozen=True)
class Scope:
    kind: str  # in_scope | off_topic | instruction | prediction: the closest example's kind
    margin: float  # best out-of-scope similarity minus best in-scope similarity


class ScopeReader:
    def __init__(self, examples: tuple[tuple[str, str], ...], embed_query: Callable[[str], list[float]]):
        self.kinds = [kind for kind, _ in examples]
        self.vectors = np.asarray([embed_query(text) for _, text in examples], dtype=np.float32)

    def read(self, vector: list[float]) -> Scope:
        """The question's (query-embedded) vector against the examples."""
        if not len(self.kinds):
            return Scope(IN_SCOPE, -1.0)
        sims = self.vectors @ np.asarray(vector, dtype=np.float32)
        inside = max((float(s) for s, k in zip(sims, self.kinds) if k == IN_SCOPE), default=-1.0)
        outside = [(float(s), k) for s, k in zip(sims, self.kinds) if k != IN_SCOPE]
        if not outside:
            return Scope(IN_SCOPE, -1.0)
        best, kind = max(outside)
        return Scope(kind if best > inside else IN_SCOPE, round(best - inside, 4))
