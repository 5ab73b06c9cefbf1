"""Names in the reader's script, from the articles themselves, never from a list of known names.

An article often gives a name in both scripts once: 博通(Broadcom), 杰伊·戈德堡 (Jay Goldberg).
Those pairs are read from the documents when the engine loads, so every other mention of 博通,
in any article of the library, reaches an English reader as Broadcom. A Chinese personal name
no article gives in Latin letters is transliterated (pypinyin) with the original kept in
brackets: 王楚钦 -> "Wang Chuqin (王楚钦)". Nothing here knows which articles are indexed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from app.english import to_english

_HAN = r"[\u3400-\u9fff\uf900-\ufaff]"
# a run of Chinese (with the middle dot of transliterated names) right before a Latin name in brackets
_PAIR = re.compile(rf"((?:{_HAN}|·){{2,16}})\s?[（(]\s*([A-Za-z][A-Za-z0-9.&'’\- ]{{1,40}}?)\s*[)）]")
# "甲骨文(Oracle)" once its name is written in English: "Oracle (Oracle)" would be copied as such
_NAME_TWICE = re.compile(r"(?<![A-Za-z])([A-Z][\w.&\- ]*?)\s*[（(]\1[)）]")
WHOLE_RUN = 6
_LATIN_FIRST = re.compile(rf"([A-Z][A-Za-z0-9.&'’\-]*(?: [A-Z][A-Za-z0-9.&'’\-]*){{0,4}})\s?[（(]\s*((?:{_HAN}|·){{2,16}})\s*[)）]")


def name_pairs(texts: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(Chinese form, Latin form) pairs the texts give, longest Chinese form first.

    The Chinese run before a bracket may carry words that are not the name ("分析师杰伊·戈德堡"):
    the name is taken as the longest ending of that run that the texts also use elsewhere, or the
    part after the last word break that holds the middle dot, else the whole run.

    >>> name_pairs(["博通(Broadcom)签约。博通股价上涨。", "分析师杰伊·戈德堡 (Jay Goldberg)说。戈德堡认为"])
    (('杰伊·戈德堡', 'Jay Goldberg'), ('博通', 'Broadcom'))
    >>> name_pairs(["Stargate（星际之门）项目。星际之门将部署"])
    (('星际之门', 'Stargate'),)
    """
    texts = list(texts)
    everything = "\n".join(texts)
    found: dict[str, Counter] = {}
    for pattern, han_first in ((_PAIR, True), (_LATIN_FIRST, False)):
        for m in pattern.finditer(everything):
            han, latin = (m.group(1), m.group(2)) if han_first else (m.group(2), m.group(1))
            latin = latin.strip()
            if latin.isupper() and len(latin) <= 3 and not han_first:
                continue
            name = _name_in(han, everything, m.start(1) if han_first else m.start(2))
            if name:
                found.setdefault(name, Counter())[latin] += 1
    pairs = [(han, counts.most_common(1)[0][0]) for han, counts in found.items()]
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))


def _name_in(run: str, everything: str, at: int) -> str:
    """The name at the end of a Chinese run (see name_pairs). A run of up to WHOLE_RUN characters
    is taken whole ("通用人工智能(AGI)" is not "人工智能"); a longer one is cut to an ending that
    starts at a word break (jieba) with a word of two or more characters ("与博通" starts with a
    conjunction), the longest one the texts also use elsewhere, else it is kept whole. A wrong
    pair would put a wrong name in every translation; a missing one only leaves the model to
    translate the name itself."""
    import jieba

    if "·" in run:  # a transliterated foreign name: its given name is the word before the dot
        head, dot, tail = run.partition("·")
        words = jieba.lcut(head)
        return f"{words[-1]}{dot}{tail}" if words else run
    if len(run) <= WHOLE_RUN:
        return run
    words = jieba.lcut(run)
    elsewhere = everything[:at] + everything[at + len(run):]
    for i, word in enumerate(words):
        ending = "".join(words[i:])
        if len(word) >= 2 and len(ending) >= 2 and ending in elsewhere:
            return ending
    return run


def person_names(text: str) -> list[str]:
    """Chinese personal names in a text, by jieba's part-of-speech tagger (nr: a person's name).

    >>> person_names("王楚钦发挥出色，孙颖莎也获胜。")
    ['王楚钦', '孙颖莎']
    """
    import jieba.posseg

    return list(dict.fromkeys(w.word for w in jieba.posseg.cut(text)
                              if w.flag == "nr" and len(w.word) >= 2 and re.fullmatch(f"(?:{_HAN}|·)+", w.word)))


def transliterated(name: str) -> str:
    """A Chinese personal name in pinyin, family name first, with the original in brackets.

    >>> transliterated("王楚钦"), transliterated("黄仁勋")
    ('Wang Chuqin (王楚钦)', 'Huang Renxun (黄仁勋)')
    """
    from pypinyin import lazy_pinyin

    parts = [p for p in name.split("·") if p]
    if len(parts) > 1:  # a foreign name written in Chinese: each part as a word
        latin = " ".join("".join(lazy_pinyin(p)).capitalize() for p in parts)
    else:
        syllables = lazy_pinyin(name)
        latin = f"{syllables[0].capitalize()} {''.join(syllables[1:]).capitalize()}".strip()
    return f"{latin} ({name})"


def english_forms(text: str, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (Chinese, English) forms a sentence needs: the library's pairs, then a transliteration
    of each personal name it has no pair for."""
    known = [(han, latin) for han, latin in pairs if han in text]
    covered = "".join(han for han, _ in known)
    extra = [(n, transliterated(n)) for n in person_names(text) if n not in covered]
    return known + extra


def english_reading(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    """A Chinese sentence as the model reads it before writing it in English: amounts, dates and
    periods the English way (app.amounts: 1000亿美元 is US$100 billion whatever the model would
    write), names in the form the library gives them, or transliterated.

    >>> english_reading("博通(Broadcom)在2026年下半年获得100亿美元。", [("博通", "Broadcom")])
    'Broadcom在the second half of 2026获得US$10 billion。'
    """
    return _NAME_TWICE.sub(r"\1", to_english(text, english_forms(text, pairs)))
