"""Text to Markdown that renders inert: no HTML, no images, no links from passage or model text."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def escape(text: str) -> str:
    """Escape HTML and Markdown syntax so text shows as written.

    >>> escape('<img src=x onerror=alert(1)> ![x](http://127.0.0.2/p.png)')
    '&lt;img src=x onerror=alert\\\\(1\\\\)&gt; \\\\!\\\\[x\\\\]\\\\(http://127.0.0.2/p.png\\\\)'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)
