"""The chat's own replies (not notes): when the articles don't say, and when a request is out of scope."""

from __future__ import annotations

from app.cite import Line

REFUSAL_TEXT = {
    "en": "The articles don't say. They do not cover this question; the closest passages are listed as related.",
    "zh": "文章没有提到这一点。下面列出的是最接近的段落，仅供参考。",
}
SCOPE_TEXT = {
    "en": "I can only answer questions about the five articles on the Nvidia–OpenAI deal and AI-compute financing "
          "(Oracle, AMD, Broadcom, CoreWeave, xAI), each answer cited. For example: “What are the Nvidia–OpenAI "
          "tranche terms?” or “How much debt has Oracle taken on?”",
    "zh": "我只能回答关于英伟达–OpenAI 交易与 AI 算力融资（甲骨文、AMD、博通、CoreWeave、xAI）这几篇文章的问题，"
          "并为每个回答标注出处。例如：“英伟达对OpenAI的分阶段投资条款是什么？”或“甲骨文的债务有多少？”",
}
RELATED = {
    "en": "The closest the articles come: “{quote}”",
    "zh": "文章中最接近的内容：“{quote}”",
}


def related(line: Line, language: str) -> Line:
    """The closest evidence sentence, quoted as related reading after a refusal (not as an answer)."""
    return Line(RELATED[language].format(quote=line.text.strip()), line.sources)
