"""What the model gets to read, without the model: prompt tokens and the gold facts in the context.

    python -m eval.context --split tune
    python -m eval.context --split tune --set context_diversity=1 --set context_spread_budget=0

For each answerable question, the context is built as the answer path builds it. A gold fact
counts as read when one of its evidence strings stands in a context sentence. This is the
ceiling of fact_recall that context choice sets: a fact the model never reads it cannot state.
Tokens are counted with the local model's tokenizer (vocabulary only, no weights run): the user
message, which is what each answer pays to read (the system prompt is a cached prefix).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections import defaultdict

from app.engine import load_engine
from app.evidence import build_context
from app.pipeline import gather, messages, read_question
from core.settings import Settings
from eval.__main__ import GOLD, select
from eval.score import has_evidence
from eval.sweep import parse


def tokenizer(settings: Settings):
    from llama_cpp import Llama

    llama = Llama(model_path=str(settings.llm_path), vocab_only=True, verbose=False)
    return lambda text: len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))


def measure(engine, gold: list[dict], count, whole: bool = False) -> dict:
    by_kind: dict[str, list[float]] = defaultdict(list)
    retrieved = []
    tokens, chars = [], []
    for g in gold:
        if not g["answerable"]:
            continue
        asked = read_question(engine, g["question"], [tuple(t) for t in g.get("history", [])])
        evidence = gather(engine, asked)
        context = build_context(engine.index, evidence.passages, evidence.scored, asked.language,
                                engine.settings.policy, () if whole else evidence.parts,
                                asked.parts.spread and not whole, engine.lexicon.english)
        read = "".join(engine.index.sentences[r].text for c in context for r in c.rows)
        facts = g.get("facts", [])
        found = sum(has_evidence(read, f.get("evidence", [])) for f in facts)
        by_kind[g["kind"]].append(found / max(1, len(facts)))
        passages = "".join(p.text for p in evidence.passages)
        retrieved.append(sum(has_evidence(passages, f.get("evidence", [])) for f in facts) / max(1, len(facts)))
        tokens.append(count(messages(context, asked.text, asked.language)[1].content))
        chars.append(sum(len(c.text) for c in context))
    everything = [v for values in by_kind.values() for v in values]
    return {"facts_in_context": round(statistics.mean(everything), 3),
            "facts_in_passages": round(statistics.mean(retrieved), 3),
            **{f"kind:{k}": round(statistics.mean(v), 3) for k, v in sorted(by_kind.items())},
            "tokens_p50": statistics.median(tokens), "tokens_mean": round(statistics.mean(tokens), 1),
            "chars_p50": statistics.median(chars)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.context", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("tune", "test", "all"), default="tune")
    parser.add_argument("--set", action="append", default=[], help="NAME=VALUE of a Policy field")
    parser.add_argument("--vary", action="append", default=[], help="NAME=V1,V2 swept one at a time")
    parser.add_argument("--whole", action="store_true", help="context for the whole question only (no parts, no spread)")
    args = parser.parse_args(argv)
    settings = Settings()
    changes = {name: values[0] for name, values in parse(args.set)}
    settings = settings.with_(**{k: int(v) if float(v).is_integer() and "budget" in k else v for k, v in changes.items()})
    engine = load_engine(settings, with_chat=False)
    count = tokenizer(settings)
    gold = select(GOLD, args.split, None, None)
    print("base", measure(engine, gold, count, args.whole))
    for name, values in parse(args.vary):
        for value in values:
            engine.settings = settings.with_(**{name: int(value) if "budget" in name else value})
            print(f"{name}={value}", measure(engine, gold, count, args.whole))
    return 0


if __name__ == "__main__":
    sys.exit(main())
