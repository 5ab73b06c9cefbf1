"""What the server will not do for anyone: fetch other URLs for a caller.

Gradio's `/gradio_api/proxy=<url>` (for Hugging Face Spaces) and `/gradio_api/file=<http url>` (it
fetches any public URL and streams it back) make the app a relay; the page never uses either, so
they answer 404 before Gradio sees them. Gradio's own checks still guard every other file path
(tested in tests/test_exports.py).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from starlette.responses import PlainTextResponse

# after percent-decoding (repeatedly: %253A is %3A is ":"), case-insensitive
_RELAY = re.compile(r"^/(gradio_api/)?(proxy=|file=[a-z][a-z0-9+.-]*:|file/[a-z][a-z0-9+.-]*:)", re.IGNORECASE)


def decoded(path: str, rounds: int = 3) -> str:
    """`path` percent-decoded until it stops changing (at most `rounds` times).

    >>> decoded("/gradio_api/file=http%253A//x")
    '/gradio_api/file=http://x'
    """
    for _ in range(rounds):
        plain = unquote(path)
        if plain == path:
            break
        path = plain
    return path


def relayed(path: str) -> bool:
    """Whether a request path asks the server to fetch another URL.

    >>> relayed("/gradio_api/proxy=https://x.test/a"), relayed("/gradio_api/file=HTTP://10.0.0.1/")
    (True, True)
    >>> relayed("/gradio_api/file=/tmp/gradio/abc/a.png"), relayed("/assets/index.js")
    (False, False)
    """
    return bool(_RELAY.match(decoded(path)))


class NoRelay:
    """ASGI middleware: 404 for the relay routes, before Gradio handles them."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and relayed(scope.get("raw_path", b"").decode("latin-1") or scope["path"]):
            return await PlainTextResponse("Not found.", status_code=404)(scope, receive, send)
        return await self.app(scope, receive, send)
