"""`python -m app.ask`: answer questions from the command line.

    python -m app.ask "What are the Nvidia–OpenAI tranche terms?"      # readable
    python -m app.ask --json "英伟达投资了多少？"                        # one JSON object
    python -m app.ask --jsonl questions.jsonl > answers.jsonl          # a batch, models loaded once

Each JSON object has the fields eval/score.py reads (see README, "The ask format").
With --retrieval-only no chat model is loaded: the answer is left empty and only
`retrieved` is filled.

A cited sentence in another language than the question gets a machine translation after the
answer is made (app.translate): each citation has `translation` (null when the languages match or
the answer is a refusal) and `translation_check` (its figures against the original's), and the
record has `translate_s`, kept out of `timings`. --no-translate leaves these fields out.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from app.engine import Engine, load_engine
from app.notes import say
from app.pipeline import answer
from app.retrieve import search_text
from app.translate import Translator
from app.validate import InvalidQuestion
from core.errors import CitewiseError
from core.records import Answer, Citation, Passage
from core.settings import Settings

_SURROGATE = re.compile("[\ud800-\udfff]")


def retrieved(passages: list[Passage]) -> list[dict]:
    return [{"source": p.source, "chunk_id": p.chunk_id, "text": p.text, "score": p.score} for p in passages]


def retrieval_record(engine: Engine, qid: str | None, question: str, history: list, k: int = 5) -> dict:
    started = time.perf_counter()
    found = engine.retriever.search(search_text(question, [tuple(t) for t in history]), k=k)
    return {
        "id": qid, "question": question, "answer": "", "refused": False, "citations": [],
        "retrieved": retrieved(found.passages),
        "warnings": [],
        "timings": {"retrieve_s": round(time.perf_counter() - started, 3)},
    }


def translation_fields(citation: Citation) -> dict:
    """A citation's machine translation and its figure check; both null when there is none.

    >>> from core.records import Rendering
    >>> c = Citation(1, None, "估值达1570亿美元。", 0, 10, Rendering("Valued at US$157 million.", "zh", "en",
    ...              ("1570亿美元",), ("US$157 million",)))
    >>> translation_fields(c)["translation_check"]
    {'source_language': 'zh', 'figures_match': False, 'missing': ['1570亿美元'], 'added': ['US$157 million'], \
'untranslated': [], 'failure': None}
    """
    r = citation.rendering
    if r is None:
        return {"translation": None, "translation_check": None}
    return {"translation": r.text or None,
            "translation_check": {"source_language": r.source_language, "figures_match": r.figures_match,
                                  "missing": list(r.missing), "added": list(r.added),
                                  "untranslated": list(r.untranslated), "failure": r.failure}}


def answer_record(qid: str | None, result: Answer, translate_s: float | None = None) -> dict:
    """The JSON object eval/score.py reads; with `translate_s`, the citations' translations too."""
    extra = translation_fields if translate_s is not None else (lambda c: {})
    record = {
        "id": qid, "question": result.question, "answer": result.text, "refused": result.refused,
        "citations": [{"n": c.n, "source": c.passage.source, "chunk_id": c.passage.chunk_id,
                       "text": c.passage.text, "quote": c.quote, **extra(c)} for c in result.citations],
        "retrieved": retrieved(result.retrieved),
        "warnings": [say(n, result.language) for n in result.notes],
        "notes": [{"code": n.code, **n.args} for n in result.notes],
        "source": result.source,
        "signals": result.signals.as_dict(),
        "timings": result.timings,
    }
    if translate_s is not None:
        record["translate_s"] = translate_s
    return record


def invalid_record(qid: str | None, question: str, exc: InvalidQuestion) -> dict:
    return {"id": qid, "question": question, "answer": str(exc), "refused": True, "citations": [],
            "retrieved": [], "warnings": [str(exc)], "timings": {}}


def one(engine: Engine, qid: str | None, question: str, history: list, retrieval_only: bool, k: int,
        translate: bool = False) -> dict:
    """One question's record. `translate`: the cited sentences in the reader's language too, made
    after the answer and timed apart (`translate_s`), so `timings` stay the answer's own."""
    if retrieval_only:
        return retrieval_record(engine, qid, question, history, k)
    try:
        result = answer(engine, question, [tuple(t) for t in history])
    except InvalidQuestion as exc:
        return invalid_record(qid, question, exc)
    if not translate:
        return answer_record(qid, result)
    started = time.perf_counter()
    translator = Translator.for_engine(engine)
    result = translator.translate_answer(result)
    translate_s = round(time.perf_counter() - started, 3)
    translator.restore_answer_prefix(engine.settings)  # the next question of a batch reads its cached prefix
    return answer_record(qid, result, translate_s)


def json_line(record: dict) -> str:
    """One JSON line, Chinese kept readable; a lone surrogate (valid in JSON input, not encodable as
    UTF-8 output) stays escaped, so one odd question cannot stop a batch.

    >>> json_line({"question": "英伟达\\ud800"})
    '{"question": "英伟达\\\\ud800"}'
    """
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(record, ensure_ascii=False))


def read_questions(path: Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CitewiseError(f"{path} line {n} is not JSON ({exc.msg}); fix it and run again.") from None
            if not isinstance(row, dict) or not isinstance(row.get("question"), str):
                raise CitewiseError(f'{path} line {n} has no "question" string; each line needs {{"id", "question"}}.')
            yield row


def readable(record: dict) -> str:
    lines = [f"Q: {record['question']}", ""]
    if record["answer"]:
        lines += [record["answer"], ""]
    if record["citations"]:
        lines.append("Sources:")
        for c in record["citations"]:
            lines.append(f"[{c['n']}] {c['source']}: “{c['quote']}”")
            check = c.get("translation_check")
            if c.get("translation"):
                lines.append(f"    machine translation: {c['translation']}")
            if check and check["failure"]:
                lines.append(f"    no machine translation: {check['failure']}")
            elif check and not check["figures_match"]:
                differ = [f"{f} is not in the translation" for f in check["missing"]]
                differ += [f"{f} is not in the original" for f in check["added"]]
                lines.append(f"    ⚠ figures differ from the original: {'; '.join(differ)}")
            if check and check["untranslated"]:
                lines.append(f"    ⚠ left untranslated: {', '.join(check['untranslated'])}")
    else:
        lines.append("Related passages:" if record["answer"] else "Passages found:")
        for n, r in enumerate(record["retrieved"], start=1):
            lines.append(f"  {n}. {r['source']} (score {r['score']:.2f}): " + r["text"].replace("\n", " ")[:160])
    for warning in record["warnings"]:
        lines.append(f"note: {warning}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.ask", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("question", nargs="?")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--jsonl", type=Path, help="answer every line of this file")
    parser.add_argument("--retrieval-only", action="store_true", help="only retrieve passages; no chat model")
    parser.add_argument("-k", type=int, default=5, help="passages to retrieve")
    parser.add_argument("--no-translate", action="store_true",
                        help="no machine translation of cited sentences in another language than the question")
    args = parser.parse_args(argv)
    if (args.question is None) == (args.jsonl is None):
        parser.error("give a question or --jsonl FILE")
    try:
        rows = list(read_questions(args.jsonl)) if args.jsonl else [{"id": None, "question": args.question}]
        engine = load_engine(Settings.from_env(), with_chat=not args.retrieval_only)
        if args.jsonl:
            for row in rows:
                record = one(engine, row.get("id"), row["question"], row.get("history") or [],
                             args.retrieval_only, args.k, not args.no_translate)
                print(json_line(record), flush=True)
            return 0
        record = one(engine, None, args.question, [], args.retrieval_only, args.k, not args.no_translate)
        print(json_line(record) if args.json else readable(record))
        return 0
    except CitewiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
