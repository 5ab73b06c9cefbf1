"""Keep a page's clock moving while a handler's generator is busy between two views.

    for item in ticking(views, 0.4):
        if item is None:        # nothing new for 0.4 s: redraw the last view with the time now
            ...

The generator runs in a worker thread; the caller gets its items in order, a None whenever
`every_s` passes without one, then the generator's return value (as `yield from` would) or its
exception. Closing the caller (Gradio stops iterating when the user presses Stop) closes the
generator in its own thread at its next item, so a model call inside it is abandoned too.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def ticking(items: Generator[T, None, R], every_s: float) -> Generator[T | None, None, R]:
    out: queue.Queue = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            while not stop.is_set():
                out.put(("item", next(items)))
            items.close()
        except StopIteration as done:
            out.put(("done", done.value))
        except BaseException as exc:  # handed to the caller, which re-raises it in its own thread
            out.put(("error", exc))

    threading.Thread(target=work, name="citewise-ticker", daemon=True).start()
    try:
        while True:
            try:
                kind, value = out.get(timeout=every_s)
            except queue.Empty:
                yield None
                continue
            if kind == "item":
                yield value
            elif kind == "done":
                return value
            else:
                raise value
    finally:
        stop.set()
