"""`python -m app`: the chat in the browser, on http://127.0.0.1:7860 by default.

    python -m app                       # loopback only, no share link
    python -m app --host 0.0.0.0        # or CITEWISE_HOST=0.0.0.0: reachable from the network
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
        from app.engine import load_engine
        from app.ui import build_ui

        print("Loading the models and the index ...", flush=True)
        engine = load_engine(settings)
        print(f"Ready in {engine.load_s:.1f} s: {len(engine.index.documents)} articles, "
              f"{len(engine.index.chunks)} passages. Open http://{settings.host}:{settings.port}", flush=True)
        demo = build_ui(engine)
        demo.queue(max_size=32, default_concurrency_limit=1, api_open=False)
        demo.launch(server_name=settings.host, server_port=settings.port, share=False, show_error=False,
                    max_threads=8, footer_links=[])
    except CitewiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
