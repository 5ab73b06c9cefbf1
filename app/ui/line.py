"""Questions searched and quick-answered, waiting for the one model slot.

The page's first handler (retrieval and the quick answer, no model) ends by putting its Ticket
here and handing the page the ticket's id; the page then starts the model handler with that id,
which takes the ticket. One browser session has one question in flight at most (`busy`, from
`put` until `finish`): a second question's messages would otherwise be overwritten in the chat by
the first one's answer.

    line = Line(ttl_s=900)
    ticket_id, ahead = line.put(session, ticket)     # ahead: tickets put before it, not yet taken
    line.take(session, ticket_id)                    # -> the ticket once, then None
    line.stop(session)                               # Stop: "waiting", "answering" or "none"
    line.finish(session)                             # answered, or cleared
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    ticket_id: str
    item: T
    put_at: float
    taken: bool = False  # the model handler has it: the model is answering it
    stopped: bool = False  # Stop was pressed while the model answered it


class Line(Generic[T]):
    """Tickets by browser session, in the order they were put."""

    def __init__(self, ttl_s: float = 900.0):
        self.ttl_s = ttl_s  # a page closed while waiting never takes its ticket: it goes after this
        self._lock = threading.Lock()
        self._waiting: dict[str, _Entry[T]] = {}  # session -> its ticket; dicts keep insertion order

    def _sweep(self, now: float) -> None:
        for session in [s for s, e in self._waiting.items() if now - e.put_at > self.ttl_s]:
            del self._waiting[session]

    def put(self, session: str, item: T) -> tuple[str, int]:
        """Queue `item` for `session` (replacing an older one); its id and how many wait before it."""
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            self._waiting.pop(session, None)
            ahead = sum(not e.taken for e in self._waiting.values())
            ticket_id = secrets.token_urlsafe(16)
            self._waiting[session] = _Entry(ticket_id, item, now)
            return ticket_id, ahead

    def take(self, session: str, ticket_id: str) -> T | None:
        """The ticket, once, to the session that put it; None for any other id or session."""
        with self._lock:
            entry = self._waiting.get(session)
            if entry is None or entry.taken or not secrets.compare_digest(entry.ticket_id, ticket_id or ""):
                return None
            entry.taken = True
            return entry.item

    def busy(self, session: str) -> bool:
        """A question of this session is waiting for the model or being answered by it."""
        with self._lock:
            self._sweep(time.monotonic())
            return session in self._waiting

    def stop(self, session: str) -> str:
        """Stop this session's question: "waiting" (it is dropped: the model never starts it),
        "answering" (the model handler sees `stopped` and ends the answer itself), or "none"."""
        with self._lock:
            entry = self._waiting.get(session)
            if entry is None:
                return "none"
            if not entry.taken:
                del self._waiting[session]
                return "waiting"
            entry.stopped = True
            return "answering"

    def stopped(self, session: str) -> bool:
        with self._lock:
            entry = self._waiting.get(session)
            return entry is not None and entry.stopped

    def finish(self, session: str) -> None:
        with self._lock:
            self._waiting.pop(session, None)
