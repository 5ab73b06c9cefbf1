"""`python -m index`: index the articles in seeds/ (and --docs folders) into Chroma + BM25.

Unchanged articles make this a no-op; changed or added ones are the only ones embedded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.errors import CitewiseError
from core.settings import Settings
from index.build import build_index, rollback
from index.embedder import load_embedder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    parser.add_argument("--docs", type=Path, action="append", default=[],
                        help="another folder of .txt/.md articles (repeatable)")
    parser.add_argument("--only", action="store_true", help="index only the --docs folders, not seeds/")
    parser.add_argument("--force", action="store_true", help="build even if the index is up to date")
    parser.add_argument("--rollback", action="store_true", help="serve the previous build again")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.rollback:
            print(f"Now serving build {rollback(settings)}.")
            return 0
        extra = tuple(p.resolve() for p in args.docs)
        missing = [str(p) for p in extra if not p.is_dir()]
        if missing:
            print(f"error: not a folder: {', '.join(missing)}", file=sys.stderr)
            return 2
        settings = settings.with_(docs_dirs=extra if args.only else settings.docs_dirs + extra)
        result = build_index(settings, lambda: load_embedder(settings), force=args.force)
    except CitewiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for skipped in result.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)
    print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
