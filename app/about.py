"""The library told to a reader: the page intro, the scope reply and example questions.

All of it comes from the index's profile (index.profile: titles, dates, the names most articles
mention) and the name pairs the articles write, so it describes whatever articles are indexed
now. The wording is language knowledge and lives here; nothing names any article.

An example question is shown only when the library answers it: its best evidence sentence must
mention the name it asks about and reach `Policy.relevance_floor`, the same floor below which
the chat says the articles don't say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.answering.names import romanised
from index.keywords import query_language
from index.profile import Profile

MOST_EXAMPLES = 6
SHOWN_TITLES = 3
SHOWN_NAMES = 5

_HAN = re.compile(r"[\u3400-\u9fff]")
QUESTIONS = {
    "en": "What do the articles say about {name}?",
    "zh": "文章中关于{name}说了什么？",
}
INTRO = {
    "en": "Ask about the {count} in the library, in English or Chinese{span}: {titles}.{names} Every sentence "
          "of an answer cites its passage; click [n] to see it highlighted.",
    "zh": "就文库中的{count}提问，中英文皆可{span}：{titles}。{names}回答的每一句都标注来源段落；点击 [n] 可查看原文中高亮的句子。",
}
COUNT = {"en": ("{n} article", "{n} articles"), "zh": ("{n} 篇文章", "{n} 篇文章")}
SPAN = {"en": " (dated {first} to {last})", "zh": "（{first} 至 {last}）"}
MORE_TITLES = {"en": " and {n} more", "zh": "等 {n} 篇"}
NAMES = {"en": " They mention {names} most.", "zh": "提到最多的是{names}。"}
SCOPE = {
    "en": "I can only answer questions about the {count} in the library ({about}), each answer cited.{examples}",
    "zh": "我只能回答关于文库中{count}（{about}）的问题，并为每个回答标注出处。{examples}",
}
FOR_EXAMPLE = {"en": " For example: {questions}", "zh": "例如：{questions}"}
EMPTY = {
    "en": "The library holds no articles yet: add some in the Documents tab, then ask about them.",
    "zh": "文库中还没有文章：请先在“文章”标签页添加，然后就其提问。",
}


@dataclass(frozen=True)
class About:
    profile: Profile
    names: tuple[tuple[str, str], ...]  # (Chinese, Latin) pairs the articles write
    examples: tuple[str, ...]  # checked questions, English and Chinese alternating

    def intro(self, language: str) -> str:
        p = self.profile
        if not p.articles:
            return EMPTY[language]
        shown = [f"“{t}”" for t in p.titles[:SHOWN_TITLES]]
        titles = ("、" if language == "zh" else ", ").join(shown)
        if p.articles > SHOWN_TITLES:
            titles += MORE_TITLES[language].format(n=p.articles - SHOWN_TITLES)
        span = SPAN[language].format(first=p.first_date, last=p.last_date) if p.first_date else ""
        names = self.shown_names(language)
        return INTRO[language].format(count=_count(p.articles, language), span=span, titles=titles,
                                      names=NAMES[language].format(names=names) if names else "")

    def scope_reply(self, language: str) -> str:
        if not self.profile.articles:
            return EMPTY[language]
        about = self.shown_names(language) or self.profile.titles[0]
        mine = self.examples_in(language)[:2]
        quoted = ("或" if language == "zh" else " or ").join(f"“{q}”" for q in mine)
        return SCOPE[language].format(count=_count(self.profile.articles, language), about=about,
                                      examples=FOR_EXAMPLE[language].format(questions=quoted) if mine else "")

    def examples_in(self, language: str) -> list[str]:
        return [q for q in self.examples if query_language(q) == language]

    def placeholder(self, language: str) -> str:
        mine = self.examples_in(language)
        return ("e.g. " if language == "en" else "例如：") + mine[0] if mine else ""

    def shown_names(self, language: str) -> str:
        forms = list(dict.fromkeys(reader_form(n, self.names, language) for n in self.profile.names))
        return _listed(forms[:SHOWN_NAMES], language)


def reader_form(name: str, pairs: Sequence[tuple[str, str]], language: str) -> str:
    """A name as a reader of `language` reads it: the articles' own other-script form when they
    give one, else (for English readers of a Chinese name) pinyin with the original in brackets.

    >>> reader_form("博通", [("博通", "Broadcom")], "en"), reader_form("Broadcom", [("博通", "Broadcom")], "zh")
    ('Broadcom', '博通')
    >>> reader_form("岚江", [], "en"), reader_form("Hamarvik", [], "zh")
    ('Lanjiang (岚江)', 'Hamarvik')
    """
    chinese = bool(_HAN.search(name))
    if chinese == (language == "zh"):
        return name
    for han, latin in pairs:
        if chinese and han == name:
            return latin
        if not chinese and latin.lower() == name.lower():
            return han
    return romanised(name) if chinese else name


def examples(profile: Profile, pairs: Sequence[tuple[str, str]], answers: Callable[[str, str], bool],
             most: int = MOST_EXAMPLES) -> tuple[str, ...]:
    """Questions about the library's main names, one in each language per name, each kept only
    when `answers(question, name as the articles write it)` says the library answers it."""
    out: list[str] = []
    for name in profile.names:
        for language in ("en", "zh"):
            question = QUESTIONS[language].format(name=reader_form(name, pairs, language))
            if len(out) < most and question not in out and answers(question, name):
                out.append(question)
    return tuple(out)


def _listed(items: list[str], language: str) -> str:
    """Items as a list in running text.

    >>> _listed(["A", "B", "C"], "en"), _listed(["A", "B"], "zh"), _listed(["A"], "en")
    ('A, B and C', 'A和B', 'A')
    """
    if len(items) < 2:
        return "".join(items)
    comma, last = ("、", "和") if language == "zh" else (", ", " and ")
    return comma.join(items[:-1]) + last + items[-1]


def _count(n: int, language: str) -> str:
    one, many = COUNT[language]
    return (one if n == 1 else many).format(n=n)
