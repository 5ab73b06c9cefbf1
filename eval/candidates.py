"""`python -m eval.candidates`: how many gold facts the model could point at, without the model.

    python -m eval.candidates --split tune                  # the seeds' tune half
    python -m eval.candidates --corpus zh_city --split tune
    python -m eval.candidates --split tune --sizes 6:360 12:600 16:9999

For each answerable question, the pipeline's own search and `choose` give the candidate
sentences; a gold fact counts as reachable when one of its evidence strings is inside one
candidate, as the scorer reads it (`eval.score.has_evidence`). Pointing can only show what is reachable, so this
is the ceiling of fact recall for a candidate size, and the prompt's cost is what it pays for it.
Prints, per size (candidates:budget in estimated tokens): reachable facts, questions with every
fact reachable, and the mean estimated prompt tokens of the sentences.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys

from core.settings import Settings
from eval.__main__ import CORPORA, GOLD, corpus_settings, select
from eval.score import has_evidence


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.candidates", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("tune", "test", "all"), default="tune")
    parser.add_argument("--corpus")
    parser.add_argument("--lang", choices=("en", "zh"))
    parser.add_argument("--sizes", nargs="+", default=["6:360", "8:480", "10:600", "12:720", "16:9999"])
    args = parser.parse_args(argv)

    from app.answering.candidates import choose, cost
    from app.engine import load_engine
    from app.pipeline import gather, read_question

    settings = Settings.from_env()
    if args.corpus:
        settings = corpus_settings(settings, args.corpus)
    engine = load_engine(settings, with_chat=False)
    gold = [g for g in select(CORPORA / args.corpus / "gold.jsonl" if args.corpus else GOLD,
                              args.split, args.lang, None) if g["answerable"]]
    gathered = [(g, gather(engine, read_question(engine, g["question"], g.get("history") or [])))
                for g in gold]
    print(f"{len(gold)} answerable questions, {sum(len(g['facts']) for g in gold)} facts", file=sys.stderr)
    for size in args.sizes:
        count, budget = (int(x) for x in size.split(":"))
        policy = dataclasses.replace(engine.settings.policy, candidates=count, candidate_budget=budget)
        facts = whole = 0
        tokens = []
        by_lang: dict[str, list[int]] = {}
        for g, evidence in gathered:
            chosen = choose(engine.index, evidence.passages, evidence.scored, policy, evidence.parts)
            hits = [any(has_evidence(c.text, f["evidence"]) for c in chosen) for f in g["facts"]]
            facts += sum(hits)
            whole += all(hits)
            tokens.append(sum(cost(c.text) for c in chosen))
            by_lang.setdefault(g["lang"], [0, 0])
            by_lang[g["lang"]][0] += sum(hits)
            by_lang[g["lang"]][1] += len(hits)
        total = sum(len(g["facts"]) for g in gold)
        langs = "  ".join(f"{k}={v[0] / v[1]:.3f}" for k, v in sorted(by_lang.items()))
        print(f"{size:>9}  facts reachable {facts / total:.3f} ({langs})  questions whole {whole / len(gold):.3f}"
              f"  tokens mean {statistics.mean(tokens):.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
