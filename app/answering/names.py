"""Names in the reader's script, from the articles themselves, never from a list of known names.

An article often gives a name in both scripts once: 博通(Broadcom), 杰伊·戈德堡 (Jay Goldberg).
Those pairs are read from the documents when they are indexed (index.corpus_words), so every
other mention of 博通, in any article of the library, reaches an English reader as Broadcom. A Chinese personal name
no article gives in Latin letters is transliterated (pypinyin) with the original kept in
brackets: 王楚钦 -> "Wang Chuqin (王楚钦)". Nothing here knows which articles are indexed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.english import to_english
from index.corpus_words import name_pairs  # noqa: F401  (read when the articles are indexed; kept here for callers)

_HAN = r"[\u3400-\u9fff\uf900-\ufaff]"
# "甲骨文(Oracle)" once its name is written in English: "Oracle (Oracle)" would be copied as such
_NAME_TWICE = re.compile(r"(?<![A-Za-z])([A-Z][\w.&\- ]*?)\s*[（(]\1[)）]")


def person_names(text: str) -> list[str]:
    """Chinese personal names in a text, by jieba's part-of-speech tagger (nr: a person's name).

    >>> person_names("王楚钦发挥出色，孙颖莎也获胜。")
    ['王楚钦', '孙颖莎']
    >>> person_names("英伟达将与 Uber 共同打造 10 万辆无人驾驶汽车")
    []
    """
    import jieba.posseg

    return list(dict.fromkeys(w.word for w in jieba.posseg.cut(text)
                              if w.flag == "nr" and _name_length(w.word) and re.fullmatch(f"(?:{_HAN}|·)+", w.word)))


def _name_length(word: str) -> bool:
    """A Chinese personal name is two to three characters (a family name and one or two given ones);
    a longer word jieba tags nr is mostly not a name (无人驾驶, "driverless", became "Wu Renjiashi"
    in the audit of D31). A foreign name written with the middle dot has no such limit."""
    return "·" in word or 2 <= len(word) <= 3


def transliterated(name: str) -> str:
    """A Chinese personal name in pinyin, family name first, with the original in brackets.

    >>> transliterated("王楚钦"), transliterated("黄仁勋")
    ('Wang Chuqin (王楚钦)', 'Huang Renxun (黄仁勋)')
    """
    from pypinyin import lazy_pinyin

    parts = [p.strip() for p in name.split("·") if p.strip()]
    if len(parts) > 1:  # a foreign name written in Chinese: each part as a word
        latin = " ".join("".join(lazy_pinyin(p)).capitalize() for p in parts)
    else:
        syllables = lazy_pinyin(name)
        latin = f"{syllables[0].capitalize()} {''.join(syllables[1:]).capitalize()}".strip()
    return f"{latin} ({name})"


def romanised(word: str) -> str:
    """Chinese left in an English rendering, in pinyin word by word with the original in brackets:
    the model copies a name it does not know (岚江, 岚稻18号) rather than translate it, and the
    reader gets a readable form and the original instead of a Chinese line (D31).

    >>> romanised("岚江地铁"), romanised("民生"), romanised("张丰毅")
    ('Lanjiang Ditie (岚江地铁)', 'Minsheng (民生)', 'Zhang Fengyi (张丰毅)')
    """
    import jieba
    from pypinyin import lazy_pinyin

    if person_names(word) == [word]:
        return transliterated(word)
    words = [w for w in jieba.cut(word) if w.strip()]
    return " ".join("".join(lazy_pinyin(w)).capitalize() for w in words) + f" ({word})"


# a foreign name in Chinese characters: its parts joined by a middle dot, spaced or not
_DOTTED = re.compile(rf"({_HAN}{{1,8}})(\s?·\s?)({_HAN}{{1,8}})")


def dotted_names(text: str) -> list[str]:
    """Foreign names written with the middle dot: the word before it and the word after it (jieba).

    >>> dotted_names("首席执行官安迪 · 贾西说，杰伊·戈德堡认为")
    ['安迪 · 贾西', '杰伊·戈德堡']
    """
    out = []
    for m in _DOTTED.finditer(text):
        before = "".join(reversed(_name_words(reversed(list(_tagged(m.group(1)))))))
        after = "".join(_name_words(_tagged(m.group(3))))
        if before and after:
            out.append(f"{before}{m.group(2)}{after}")
    return out


def _tagged(text: str) -> list:
    import jieba.posseg

    return list(jieba.posseg.cut(text))


def _name_words(words, most: int = 4) -> list[str]:
    """Words of one part of a transliterated name, from the dot outwards, until a verb, a function
    word or `most` characters ("戈德堡认为" -> ["戈", "德堡"])."""
    out: list[str] = []
    for w in words:
        if w.flag[:1] in ("v", "c", "p", "u", "d") or sum(map(len, out)) + len(w.word) > most:
            break
        out.append(w.word)
    return out


def english_forms(text: str, pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (Chinese, English) forms a sentence needs: the library's pairs, then a transliteration
    of each name it has no pair for: a foreign name written with the middle dot (安迪 · 贾西),
    then each personal name jieba tags.

    >>> english_forms("首席执行官安迪 · 贾西说，王楚钦获胜。", [])
    [('安迪 · 贾西', 'Andi Jiaxi (安迪 · 贾西)'), ('王楚钦', 'Wang Chuqin (王楚钦)')]
    """
    known = [(han, latin) for han, latin in pairs if han in text]
    covered = "".join(han for han, _ in known)
    dotted = [n for n in dotted_names(text) if n not in covered]
    covered += "".join(dotted)
    extra = [(n, transliterated(n)) for n in dotted]
    extra += [(n, transliterated(n)) for n in person_names(text) if n not in covered]
    return known + extra


def english_reading(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    """A Chinese sentence as the model reads it before writing it in English: amounts, dates and
    periods the English way (app.amounts: 1000亿美元 is US$100 billion whatever the model would
    write), names in the form the library gives them, or transliterated.

    >>> english_reading("博通(Broadcom)在2026年下半年获得100亿美元。", [("博通", "Broadcom")])
    'Broadcom在the second half of 2026获得US$10 billion。'
    """
    return _NAME_TWICE.sub(r"\1", to_english(text, english_forms(text, pairs)))
