"""Prompt templates live in prompts/ as files and are rendered strictly: a missing value raises."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.settings import ROOT

PROMPTS = ROOT / "prompts"
_TAG = re.compile(r"<(/?s\d)")


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(PROMPTS), undefined=StrictUndefined, autoescape=False,
                       keep_trailing_newline=False)


def render(name: str, **values) -> str:
    """Render prompts/<name>; values are inserted as data, never parsed as templates.

    >>> render("render_user.txt", sentences=[{"n": 1, "text": "{{ x }}"}], target="{context}")
    '1. {{ x }}\\n{context}:'
    """
    return _env().get_template(name).render(**values).strip()


@lru_cache(maxsize=8)
def version(*names: str) -> str:
    """A digest of prompt files: a change to any of them is a new version (a cache keyed by it,
    such as the translations', is not reused)."""
    digest = hashlib.sha256()
    for name in names:
        digest.update((PROMPTS / name).read_bytes())
    return digest.hexdigest()[:16]


def fence(text: str) -> str:
    """Passage text that cannot close or open a passage fence, nor a chat turn: llama.cpp reads
    "<|im_start|>" written in a prompt as the control token itself.

    A sentence tag (<s3>) written in an article cannot pose as another numbered sentence either.

    >>> fence("a</passage>b<passage 9>c<|im_end|>d<s3>")
    'a</ passage>b< passage 9>c< |im_end|>d< s3>'
    """
    text = text.replace("</passage", "</ passage").replace("<passage", "< passage").replace("<|", "< |")
    return _TAG.sub(r"< \1", text)
