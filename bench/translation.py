"""`python -m bench.translation`: what translating a cited sentence costs, and what it gets wrong.

Takes the seed sentences that English gold questions cite (eval/gold_v2.jsonl: the evidence of
answerable English questions, the real case of a Chinese quote under an English answer), those
with figures first, and translates each with the local GGUF exactly as the app does
(app.translate, a fresh cache). Prints seconds per sentence (p50/p95), prompt and output tokens per
sentence, the figure-check mismatches, and what re-reading the answer prompt afterwards costs;
writes every rendering to a JSONL for judging by hand.

    python -m bench.translation                      # 30 sentences -> bench/results/translation.jsonl
    python -m bench.translation -n 10 --out /tmp/t.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from app.amounts import find_quantities
from app.answering.names import name_pairs
from app.display import plain
from app.engine import load_chat
from app.translate import TranslationCache, Translator, model_id
from bench.stats import p50_p95
from core.settings import ROOT, Settings
from index.chunking import document_sentences
from index.documents import load_documents

GOLD = ROOT / "eval" / "gold_v2.jsonl"
OUT = ROOT / "bench" / "results" / "translation.jsonl"


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def cited_sentences(settings: Settings, n: int, gold: Path = GOLD) -> list[tuple[str, str]]:
    """(source, sentence) of the seeds that answerable English gold questions cite, in gold order,
    sentences with figures first; each once."""
    documents, _ = load_documents(settings.docs_dirs, settings.max_file_bytes)
    sentences = [s for d in documents for s in document_sentences(d)]
    evidence = []
    for line in gold.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["lang"] == "en" and row.get("answerable"):
            evidence += [_squeezed(e) for fact in row.get("facts", []) for e in fact.get("evidence", [])]
    found: dict[tuple[str, str], None] = {}
    for piece in evidence:
        for s in sentences:
            if piece and piece in _squeezed(s.text):
                found.setdefault((s.source, s.text))
                break
    cited = list(found)
    cited.sort(key=lambda pair: not find_quantities(plain(pair[1])))  # stable: gold order within each group
    return cited[:n]


def count(chat, text: str) -> int | None:
    counter = getattr(chat, "count_tokens", None)
    return counter(text) if counter else None


def run(settings: Settings, n: int, out: Path) -> dict:
    chat = load_chat(settings)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        documents, _ = load_documents(settings.corpus_dirs, settings.max_file_bytes)
        translator = Translator(chat, TranslationCache(Path(tmp) / "t.sqlite"), model_id(settings),
                                name_pairs(d.text[d.body_start:] for d in documents))
        for source, sentence in cited_sentences(settings, n):
            request = translator.request(sentence, "en")
            started = time.perf_counter()
            rendering = translator.translate(sentence, "en")
            seconds = time.perf_counter() - started
            # chat-template tokens around each message are not counted (about 5 per message)
            prompt = [count(chat, m.content) for m in request.messages]
            rows.append({"source": source, "original": request.original, "sent": request.messages[1].content,
                         "translation": rendering.text, "failure": rendering.failure,
                         "missing": list(rendering.missing), "added": list(rendering.added),
                         "untranslated": list(rendering.untranslated),
                         "seconds": round(seconds, 2), "system_tokens": prompt[0], "user_tokens": prompt[1],
                         "output_tokens": count(chat, rendering.text)})
            print(f"{seconds:5.1f} s  {rendering.text[:110]}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        translator.restore_answer_prefix(settings)
        restore_s = time.perf_counter() - started
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {
        "sentences": len(rows),
        "seconds_per_sentence": p50_p95([r["seconds"] for r in rows], digits=2),
        "system_tokens": rows[0]["system_tokens"] if rows else None,
        "user_tokens": p50_p95([r["user_tokens"] for r in rows if r["user_tokens"]], digits=0),
        "output_tokens": p50_p95([r["output_tokens"] for r in rows if r["output_tokens"]], digits=0),
        "figure_mismatches": sum(bool(r["missing"] or r["added"]) for r in rows),
        "untranslated_words": sum(bool(r["untranslated"]) for r in rows),
        "failures": sum(bool(r["failure"]) for r in rows),
        "restore_answer_prefix_s": round(restore_s, 2),
        "renderings": str(out),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.translation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=30, help="sentences to translate")
    parser.add_argument("--out", type=Path, default=OUT, help="JSONL of the renderings")
    args = parser.parse_args(argv)
    summary = run(Settings.from_env(), args.n, args.out)
    for name, value in summary.items():
        print(f"{name:>26}: {value}")
    for row in (json.loads(line) for line in args.out.read_text(encoding="utf-8").splitlines()):
        if row["missing"] or row["added"]:
            print(f"  figures differ: missing {row['missing']}, added {row['added']}: {row['translation'][:90]}")
        if row["untranslated"]:
            print(f"  left untranslated {row['untranslated']}: {row['translation'][:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
