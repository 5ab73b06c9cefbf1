"""`python -m app`: the chat in the browser, on http://127.0.0.1:7860 by default.

    python -m app                       # loopback only, no share link
    python -m app --host 0.0.0.0        # or CITEWISE_HOST=0.0.0.0: reachable from the network

When the index cannot be opened the page still starts and says what to run; when the chat
model cannot be loaded, answers are the quick extractive ones, with a note.
"""

from __future__ import annotations

import argparse
import sys

from core.errors import CitewiseError
from core.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", help="address to bind (default 127.0.0.1, or CITEWISE_HOST)")
    parser.add_argument("--port", type=int, help="port (default 7860, or CITEWISE_PORT)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env(host=args.host, port=args.port)
    except CitewiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from app.engine import load_chat, load_engine, warm_up
    from app.ui import build_ui, serve

    print("Loading the models and the index ...", flush=True)
    engine, problem = None, None
    try:
        engine = load_engine(settings, with_chat=False)
        engine.chat = load_chat(settings)
    except CitewiseError as exc:
        if engine is None:
            problem = str(exc)
            print(f"error: {exc}\nThe page will say so until this is fixed.", file=sys.stderr, flush=True)
        else:
            print(f"warning: {exc}\nAnswering with quick extractive answers only.", file=sys.stderr, flush=True)
    if engine is not None:
        warmed = warm_up(engine) if settings.warm_start else 0.0
        print(f"Ready in {engine.load_s + warmed:.1f} s: {len(engine.index.documents)} articles, "
              f"{len(engine.index.chunks)} passages.", flush=True)
    print(f"Open http://{settings.host}:{settings.port}", flush=True)
    serve(build_ui(engine, problem), settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
