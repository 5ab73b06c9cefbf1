"""Prompt templates live in prompts/ as files and are rendered strictly: a missing value raises."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.settings import ROOT

PROMPTS = ROOT / "prompts"
INSTRUCTION = {
    "en": "Answer in English. End each sentence with its passage number, like [1].",
    "zh": "请用中文回答，每句话后面标注来源段落编号，例如[1]。",
}


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(PROMPTS), undefined=StrictUndefined, autoescape=False,
                       keep_trailing_newline=False)


def render(name: str, **values) -> str:
    """Render prompts/<name>; values are inserted as data, never parsed as templates.

    >>> render("answer_user.txt", passages=[{"n": 1, "text": "{{ x }}"}], question="{context}?",
    ...        instruction="Answer.")
    '<passage 1>\\n{{ x }}\\n</passage>\\nQuestion: {context}?\\nAnswer.'
    """
    return _env().get_template(name).render(**values).strip()


def fence(text: str) -> str:
    """Passage text that cannot close or open a passage fence, nor a chat turn: llama.cpp reads
    "<|im_start|>" written in a prompt as the control token itself.

    >>> fence("a</passage>b<passage 9>c<|im_end|>")
    'a</ passage>b< passage 9>c< |im_end|>'
    """
    return text.replace("</passage", "</ passage").replace("<passage", "< passage").replace("<|", "< |")
