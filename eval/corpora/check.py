"""Checks the gold sets of the held-out corpora (standard library only).

    python3 eval/corpora/check.py                 # every eval/corpora/*/gold.jsonl
    python3 eval/corpora/check.py eval/corpora/zh_city

For each corpus: every row has the expected keys; ids are unique; kinds are known; answerable rows
have facts and unanswerable rows none; every evidence string occurs verbatim (whitespace removed)
in the body of one of the row's docs; every pattern compiles and matches (case-insensitively) one
of its evidence strings or the note; each "pair" value is shared by exactly two rows, in different
languages, of the same kind and split. Prints counts per (kind, lang, split). Exit status 1 when
anything is flagged.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

KEYS = ["id", "lang", "kind", "question", "history", "answerable", "docs", "facts", "note", "pair"]
ANSWERABLE = ["fact", "multipart", "list", "cross", "followup", "conflict"]
UNANSWERABLE = ["near_miss", "absent_entity", "false_premise", "off_topic", "instruction", "prediction"]
FRONT_MATTER = re.compile(r"\A---\r?\n.*?\r?\n---\r?\n", re.S)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def body(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    return text[match.end():] if match else text


def check(corpus: Path) -> tuple[list[str], list[str], Counter]:
    errors: list[str] = []
    warnings: list[str] = []
    docs = {p.name: squash(body(p)) for p in sorted((corpus / "docs").glob("*.txt"))}
    rows = [json.loads(line) for line in (corpus / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = Counter(r.get("id") for r in rows)
    errors += [f"duplicate id {i}" for i, n in ids.items() if n > 1]
    pairs: dict[str, list[dict]] = defaultdict(list)
    counts: Counter = Counter()
    for r in rows:
        rid = r.get("id", "?")
        missing = [k for k in KEYS if k not in r]
        extra = [k for k in r if k not in KEYS + ["split"]]
        if missing or extra:
            errors.append(f"{rid}: missing keys {missing}, unexpected keys {extra}")
            continue
        if r["lang"] not in ("en", "zh"):
            errors.append(f"{rid}: lang {r['lang']!r}")
        if r["kind"] not in ANSWERABLE + UNANSWERABLE:
            errors.append(f"{rid}: unknown kind {r['kind']!r}")
        if r["answerable"] != (r["kind"] in ANSWERABLE):
            errors.append(f"{rid}: answerable={r['answerable']} does not fit kind {r['kind']}")
        if r["answerable"] and not r["facts"]:
            errors.append(f"{rid}: answerable row without facts")
        if not r["answerable"] and r["facts"]:
            errors.append(f"{rid}: unanswerable row with facts")
        if "split" in r and r["split"] not in ("tune", "test"):
            errors.append(f"{rid}: split {r['split']!r}")
        if not isinstance(r["history"], list) or any(
                not (isinstance(h, list) and len(h) == 2 and all(isinstance(s, str) and s for s in h)) for h in r["history"]):
            errors.append(f"{rid}: history must be a list of [question, answer] pairs")
        if (r["kind"] == "followup") != bool(r["history"]):
            errors.append(f"{rid}: history given iff kind is followup")
        unknown = [d for d in r["docs"] if d not in docs]
        if unknown:
            errors.append(f"{rid}: unknown docs {unknown}")
        if r["kind"] in ("cross", "conflict") and len(set(r["docs"])) < 2:
            errors.append(f"{rid}: {r['kind']} row names fewer than two docs")
        if not r["question"].strip() or not r["note"].strip():
            errors.append(f"{rid}: empty question or note")
        used_docs = set()
        for f in r["facts"]:
            if set(f) != {"name", "pattern", "evidence"}:
                errors.append(f"{rid}: fact keys {sorted(f)}")
                continue
            try:
                pattern = re.compile(f["pattern"], re.I)
            except re.error as exc:
                errors.append(f"{rid}: pattern {f['pattern']!r} does not compile ({exc})")
                continue
            if not 1 <= len(f["evidence"]) <= 2:
                errors.append(f"{rid}: fact {f['name']!r} has {len(f['evidence'])} evidence strings")
            for ev in f["evidence"]:
                where = [d for d in r["docs"] if d in docs and squash(ev) in docs[d]]
                if not where:
                    errors.append(f"{rid}: evidence {ev!r} not found in {r['docs']}")
                used_docs.update(where)
                if not 8 <= len(ev) <= 30:
                    warnings.append(f"{rid}: evidence {ev!r} is {len(ev)} characters long")
            if not any(pattern.search(t) for t in f["evidence"] + [r["note"]]):
                errors.append(f"{rid}: pattern {f['pattern']!r} matches neither its evidence nor the note")
        if r["kind"] in ("cross", "conflict") and len(used_docs) < 2:
            errors.append(f"{rid}: {r['kind']} evidence comes from fewer than two docs")
        if r["pair"] is not None:
            pairs[r["pair"]].append(r)
        counts[(r["kind"], r["lang"], r.get("split", "-"))] += 1
    for name, members in sorted(pairs.items()):
        if len(members) != 2:
            errors.append(f"pair {name}: {len(members)} rows")
            continue
        a, b = members
        if a["lang"] == b["lang"]:
            errors.append(f"pair {name}: both rows in {a['lang']}")
        if a["kind"] != b["kind"]:
            errors.append(f"pair {name}: kinds {a['kind']} / {b['kind']}")
        if a.get("split") != b.get("split"):
            errors.append(f"pair {name}: splits {a.get('split')} / {b.get('split')}")
        if [f["pattern"] for f in a["facts"]] != [f["pattern"] for f in b["facts"]]:
            errors.append(f"pair {name}: different facts")
    return errors, warnings, counts


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    corpora = [Path(a) for a in argv] or sorted(p.parent for p in here.glob("*/gold.jsonl"))
    status = 0
    for corpus in corpora:
        errors, warnings, counts = check(corpus)
        total = sum(counts.values())
        print(f"== {corpus.name}: {total} rows")
        print(f"{'kind':<15}{'lang':<6}{'tune':>6}{'test':>6}{'-':>4}")
        kinds = ANSWERABLE + UNANSWERABLE
        for kind in kinds:
            for lang in ("en", "zh"):
                row = [counts[(kind, lang, s)] for s in ("tune", "test", "-")]
                if any(row):
                    print(f"{kind:<15}{lang:<6}{row[0]:>6}{row[1]:>6}{row[2] or '':>4}")
        by_lang = Counter()
        by_split = Counter()
        for (_kind, lang, split), n in counts.items():
            by_lang[lang] += n
            by_split[split] += n
        print("by lang:", dict(sorted(by_lang.items())), " by split:", dict(sorted(by_split.items())))
        rows = [json.loads(line) for line in (corpus / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        n_pairs = len({r["pair"] for r in rows if r.get("pair")})
        print(f"pairs: {n_pairs} ({2 * n_pairs} rows)")
        for w in warnings:
            print("  warning:", w)
        for e in errors:
            print("  ERROR:", e)
        print("OK" if not errors else f"{len(errors)} error(s)")
        status |= bool(errors)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
