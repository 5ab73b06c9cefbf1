"""Exports that belong to the browser that asked for them.

Every browser gets a random session cookie (`SessionCookie`, an ASGI middleware). An export is
written under a folder named from a hash of that cookie, as `<random token>.md`, and is served
only by `/export/<token>` to a request carrying the same cookie, once: the file is removed when it
has been sent, or after `ttl_s` seconds if nobody fetches it. Another browser, even one holding
the link, gets 404, and so does every path that is not a token this store issued.

    store = Downloads(folder, ttl_s=600)
    token = store.put(session, markdown)          # -> "Hq3...": the link is export/<token>
    store.take(session, token)                    # -> the file's path once, then None
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import threading
import time
from http.cookies import CookieError, SimpleCookie
from pathlib import Path

COOKIE = "citewise_session"
ROUTE = "/export/{token}"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")  # what secrets.token_urlsafe writes; nothing else is looked up


def session_of(cookie_header: str | None) -> str | None:
    """The session cookie's value in a Cookie header, or None.

    >>> session_of("a=1; citewise_session=abcdefghijklmnopqrstuvwx")
    'abcdefghijklmnopqrstuvwx'
    >>> session_of("citewise_session=short"), session_of(None), session_of('x="unclosed')
    (None, None, None)
    """
    if not cookie_header:
        return None
    try:
        morsel = SimpleCookie(cookie_header).get(COOKIE)
    except CookieError:
        return None
    return morsel.value if morsel is not None and _TOKEN.fullmatch(morsel.value) else None


class Downloads:
    """Per-session export files on disk, each fetched once or expired after `ttl_s`."""

    def __init__(self, folder: Path, ttl_s: float = 600.0):
        self.folder = folder
        self.ttl_s = ttl_s
        self._lock = threading.Lock()

    def _session_folder(self, session: str) -> Path:
        # the cookie itself never reaches the disk: a folder listing does not hand out sessions
        return self.folder / hashlib.sha256(session.encode()).hexdigest()[:32]

    def put(self, session: str, text: str) -> str:
        """Store `text` for `session`; returns the token of its link."""
        self.sweep()
        token = secrets.token_urlsafe(24)
        folder = self._session_folder(session)
        with self._lock:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = folder / f"{token}.md"
            # O_EXCL: a token is never reused, and a file planted under its name is not overwritten
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
        return token

    def take(self, session: str | None, token: str) -> bytes | None:
        """The export's bytes if `token` is this session's and still there; it is removed as it is read."""
        self.sweep()
        if session is None or not _TOKEN.fullmatch(token):
            return None
        path = self._session_folder(session) / f"{token}.md"
        with self._lock:
            try:
                data = path.read_bytes()
                path.unlink()
            except (FileNotFoundError, NotADirectoryError):
                return None
        return data

    def sweep(self, now: float | None = None) -> int:
        """Remove exports older than `ttl_s` (and session folders left empty); returns how many files went."""
        now = time.time() if now is None else now
        removed = 0
        with self._lock:
            if not self.folder.is_dir():
                return 0
            for folder in self.folder.iterdir():
                for path in folder.glob("*.md"):
                    with contextlib.suppress(FileNotFoundError):
                        if now - path.stat().st_mtime > self.ttl_s:
                            path.unlink()
                            removed += 1
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty
        return removed


class SessionCookie:
    """ASGI middleware: a request without the session cookie gets a new random one, set on its
    response and visible to the request's own handlers (so the first page load already has one)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = list(scope.get("headers", []))
        cookie = b"; ".join(v for k, v in headers if k == b"cookie").decode("latin-1")
        if session_of(cookie):
            return await self.app(scope, receive, send)
        value = secrets.token_urlsafe(24)
        merged = f"{cookie}; {COOKIE}={value}" if cookie else f"{COOKIE}={value}"
        scope = {**scope, "headers": [*(h for h in headers if h[0] != b"cookie"), (b"cookie", merged.encode("latin-1"))]}
        set_cookie = f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1")

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", set_cookie)]}
            await send(message)

        return await self.app(scope, receive, send_with_cookie)
