"""Quoted lines in the reader's language: one model call for the whole answer, each line checked.

The lines of an answer are sentences of the articles, in the articles' language. A reader of the
other language gets each one translated, as a separate step after the answer is decided (D30):

- before: a Chinese line reaches the model with its amounts, dates and periods already written
  the English way (app.amounts: 1000亿美元 is US$100 billion whatever the model would write) and
  its names in the form the library gives them (app.answering.names);
- after: the translation's figures must equal the original's after unit conversion, and an
  English one may keep Chinese only in brackets after a name's English form.

A line whose translation fails a check is shown as the quote, with a note; nothing is dropped.
Translations are cached per sentence (app.translate.TranslationCache): a line rendered once is
shown at once the next time, and only the rest are sent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator, Sequence
from dataclasses import dataclass

from langchain_core.messages import HumanMessage, SystemMessage

from app.amounts import vague_orders
from app.answering.names import english_reading, romanised
from app.llm import Pulse, stream_until
from app.prompts import fence, render, version
from app.translate import LANGUAGE_NAMES, TranslationCache, figure_check
from core.records import Rendering

PROMPT_FILES = ("render_system.txt", "render_user.txt")
_NUMBERED = re.compile(r"^\s*(\d{1,2})\s*[.)、:：]\s*(.*)$")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
# a word in Latin letters with its inner digits and marks (xAI, GPT-4, CoreWeave), not a unit or figure
_LATIN = re.compile(r"(?<![A-Za-z0-9$])[A-Za-z][A-Za-z0-9\-&.]*[A-Za-z0-9]")
# Chinese kept after a Latin name, in brackets: "Wang Chuqin (王楚钦)"
_NAME_ORIGINAL = re.compile(r"(?<=[A-Za-z.])\s?[（(][\u3400-\u9fff\uf900-\ufaff·]+[)）]")
_QUOTES = "\"'“”‘’「」"
_LOWER_WORD = re.compile(r"(?<![A-Za-z])[a-z]{3,}(?![A-Za-z])")
LEFTOVER_CHARS = 6  # Chinese left in an English rendering up to this long is a name, romanised (D31)


def prompt_version() -> str:
    return version(*PROMPT_FILES)


def prepared(original: str, source: str, target: str, pairs: Sequence[tuple[str, str]]) -> str:
    """What the model reads for one line: a Chinese one with amounts, dates and names the English
    way, so it copies them instead of converting them.

    >>> prepared("博通在2026年下半年获得100亿美元。", "zh", "en", [("博通", "Broadcom")])
    'Broadcom在the second half of 2026获得US$10 billion。'
    """
    if source == "zh" and target == "en":
        return english_reading(original, pairs)
    return original


def left_in_source_script(text: str, target: str) -> tuple[str, ...]:
    """Chinese words an English rendering keeps, other than a name's original in brackets; in a
    Chinese rendering, lower-case English words (a name is capitalised, GPU and kWh are not words
    of three lower-case letters or more: "lava", "sisters" are words left untranslated).

    >>> left_in_source_script("Wang Chuqin (王楚钦) won, 热血沸腾.", "en")
    ('热血沸腾',)
    >>> left_in_source_script("英伟达GPU的Vera Rubin平台，240 kWh", "zh"), left_in_source_script("老渔夫记得lava", "zh")
    ((), ('lava',))
    """
    if target == "zh":
        return tuple(_LOWER_WORD.findall(text))
    return tuple(_HAN.findall(_NAME_ORIGINAL.sub("", text)))


def latin_names_dropped(original: str, read: str, text: str) -> tuple[str, ...]:
    """What a rendering of a Chinese line lost that it cannot lose:

    - the Latin-script names the line itself writes (xAI, CoreWeave, GPT-4): a name in Latin
      letters has no reason to change in any translation, so a missing one means the model
      changed the subject ("xAI" -> "AI"); a plural (GPUs) or a part of a hyphenated name
      (NVIDIA-OpenAI as "NVIDIA and OpenAI") keeps it;
    - a vague amount's order of magnitude as the model read it ("tens of billions"; the model
      wrote "hundreds of billions" for 数百亿 in the D31 audit).

    Words the preparation added (US$, pinyin, the library's English forms) are not required:
    "Elon Musk" for the pinyin "Ailong Masike" is right.

    >>> latin_names_dropped("英伟达参与了xAI最新一轮融资", "", "Nvidia took part in AI's latest round.")
    ('xAI',)
    >>> latin_names_dropped("xAI募得200亿美元的GPU", "xAI募得US$20 billion的GPU", "xAI raised $20 billion of GPUs.")
    ()
    >>> latin_names_dropped("微软投资了数百亿美元", "微软投资了tens of billions of US dollars", "Microsoft invested hundreds of billions.")
    ('tens of billions',)
    """
    have = text.lower()
    names = [part for w in _LATIN.findall(original) for part in w.split("-") if len(part) > 1 and not part.isdigit()]
    lost = [n for n in names if n.lower() not in have]
    lost += [v for v in vague_orders(read) if v.lower() not in have]
    return tuple(dict.fromkeys(lost))


def with_leftovers_romanised(text: str, target: str) -> str:
    """An English rendering with each short run of Chinese the model left in it (a name it copied,
    at most LEFTOVER_CHARS characters) romanised (names.romanised); a longer run is an untranslated
    clause and stays, for `left_in_source_script` to fail the line.

    >>> with_leftovers_romanised("The岚江 line opened; Wang Chuqin (王楚钦) won.", "en")
    'The Lanjiang (岚江) line opened; Wang Chuqin (王楚钦) won.'
    """
    if target != "en":
        return text
    kept = [m.span() for m in _NAME_ORIGINAL.finditer(text)]

    def swap(m: re.Match) -> str:
        if len(m.group()) > LEFTOVER_CHARS or any(a <= m.start() < b for a, b in kept):
            return m.group()
        before = " " if m.start() > 0 and text[m.start() - 1].isalnum() else ""
        after = " " if m.end() < len(text) and text[m.end()].isalnum() else ""
        return before + romanised(m.group()) + after

    return _HAN.sub(swap, text)


# An English name a Chinese rendering must keep: two or more capitalised words in a row (Golden
# Gull, Leila Farahani, Iceland Volcano Monitoring Centre). A single capitalised word may be a
# sentence's first word, a weekday or an adjective, and an acronym a currency (NOK is 挪威克朗):
# neither is required.
_ENGLISH_NAME = re.compile(r"(?<![\w’'])[A-Z][a-z’'\-]*[a-z](?:\s+[A-Z][a-z’'\-]*[a-z])+(?![\w’'])")


def english_names_dropped(original: str, text: str) -> tuple[str, ...]:
    """Names of an English line that its Chinese rendering does not keep in their own spelling.
    A 1.5B model translates a name it does not know into something else (Golden Gull became
    金鱼奖, "Goldfish award", The Salt Orchard became 《三姐妹》 in the audit of D31); kept as
    written, a name cannot be changed.

    >>> english_names_dropped("The Golden Gull went to The Salt Orchard by Leila Farahani on Sunday.",
    ...                       "金海鸥奖（Golden Gull）于周日授予Leila Farahani的《The Salt Orchard》。")
    ()
    >>> english_names_dropped("The Golden Gull went to The Salt Orchard.", "金鱼奖授予《三姐妹》。")
    ('The Golden Gull', 'The Salt Orchard')
    """
    have = text.lower()
    return tuple(dict.fromkeys(n for n in _ENGLISH_NAME.findall(original) if n.lower() not in have
                               and n.lower().removeprefix("the ") not in have))


def checked(original: str, text: str, source: str, target: str, read: str | None = None) -> Rendering:
    """A rendering with its checks: figures against the original's; the names the original
    writes (`english_names_dropped` for an English line, `latin_names_dropped` for a Chinese one,
    with the vague amounts of `read`, the original as prepared); script left untranslated
    (short runs of Chinese romanised first)."""
    if not text:
        return Rendering("", source, target, failure="the model gave no translation of this line")
    text = with_leftovers_romanised(text, target)
    missing, added = figure_check(original, text)
    if source == "en":
        names = english_names_dropped(original, text)
    else:
        names = latin_names_dropped(original, read or original, text)
    return Rendering(text, source, target, missing, added, untranslated=left_in_source_script(text, target),
                     names_missing=names)


def passes(rendering: Rendering) -> bool:
    return (rendering.failure is None and rendering.figures_match and not rendering.untranslated
            and not rendering.names_missing)


def parse(reply: str, count: int) -> dict[int, str]:
    """Line number -> text, from a reply numbered like its input.

    >>> parse('1. "Nvidia invests."\\n2) Oracle rose.\\n9. extra', 2)
    {1: 'Nvidia invests.', 2: 'Oracle rose.'}
    """
    out: dict[int, str] = {}
    for raw in reply.splitlines():
        m = _NUMBERED.match(raw)
        if m and 1 <= int(m.group(1)) <= count and int(m.group(1)) not in out:
            text = m.group(2).strip()
            if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
                text = text[1:-1].strip()
            out[int(m.group(1))] = text
    return out


@dataclass
class Renderer:
    """Renders an answer's lines with one chat model, through the cache."""

    chat: object | None  # a LangChain chat model
    cache: TranslationCache
    model: str
    pairs: Sequence[tuple[str, str]] = ()  # (Chinese, English) names the library gives
    timeout_s: float = 45.0
    max_tokens: int = 600

    def key(self, original: str, target: str) -> str:
        version = f"{prompt_version()}:{hashlib.sha256(repr(tuple(self.pairs)).encode()).hexdigest()[:8]}"
        return hashlib.sha256("\0".join((self.model, target, version, original)).encode(
            "utf-8", "surrogatepass")).hexdigest()

    def messages(self, reads: Sequence[str], source: str, target: str) -> list:
        """The prompt for lines already prepared for the model (`prepared`)."""
        sentences = [{"n": n, "text": fence(read)} for n, read in enumerate(reads, start=1)]
        values = {"source": LANGUAGE_NAMES[source], "target": LANGUAGE_NAMES[target]}
        return [SystemMessage(render("render_system.txt", **values)),
                HumanMessage(render("render_user.txt", sentences=sentences, target=values["target"]))]

    def render(self, originals: Sequence[str], source: str, target: str) -> Generator[str | Pulse, None, list[Rendering]]:
        """Each line's rendering, in order; yields the model's text as it comes (and Pulses while
        it reads). A model failure is a Rendering with `failure`, never an exception."""
        # each line as the model reads it, prepared once: the prompt and the name check both use it
        reads = [prepared(o, source, target, self.pairs) for o in originals]
        renderings: dict[int, Rendering] = {}
        todo = []
        for i, original in enumerate(originals):
            hit = self.cache.get(self.key(original, target))
            if hit is not None:
                renderings[i] = checked(original, hit, source, target, reads[i])
            else:
                todo.append(i)
        failure = None
        if todo and self.chat is None:
            failure = "no model is configured"
        elif todo:
            limit = min(self.max_tokens, 16 + sum(24 + len(originals[i]) * (2 if source == "zh" else 1) for i in todo))
            pieces: list[str] = []
            try:
                for piece in stream_until(self.chat, self.messages([reads[i] for i in todo], source, target),
                                          self.timeout_s, max_tokens=limit, tick_s=0.4):
                    if not isinstance(piece, Pulse):
                        pieces.append(piece)
                    yield piece
            except Exception as exc:  # the model boundary: a dead server, a timeout
                failure = f"{type(exc).__name__}: {exc}"[:200]
            for j, text in parse("".join(pieces), len(todo)).items():
                i = todo[j - 1]
                renderings[i] = checked(originals[i], text, source, target, reads[i])
                if passes(renderings[i]):
                    self.cache.put(self.key(originals[i], target), text, self.model, target)
        missing = failure or "the model gave no translation of this line"
        return [renderings.get(i, Rendering("", source, target, failure=missing)) for i in range(len(originals))]
