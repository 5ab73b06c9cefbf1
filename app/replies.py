"""The chat's own replies (not notes): when the articles don't say (the scope reply describes the
library, so it is made from the index: app.about)."""

from __future__ import annotations

from app.cite import Line

REFUSAL_TEXT = {
    "en": "The articles don't say. They do not cover this question; the closest passages are listed as related.",
    "zh": "文章没有提到这一点。下面列出的是最接近的段落，仅供参考。",
}
RELATED = {
    "en": "The closest the articles come: “{quote}”",
    "zh": "文章中最接近的内容：“{quote}”",
}


def related(line: Line, language: str) -> Line:
    """The closest evidence sentence, quoted as related reading after a refusal (not as an answer)."""
    return Line(RELATED[language].format(quote=line.text.strip()), line.sources)
