"""Whether a question follows on from the conversation (issue 24).

A question is read with the user's previous one only when it refers back to it: a pronoun or a
demonstrative ("it", "those", 它, 这些), an elliptical opener or ending ("what about…", …呢), or no
subject of its own (no name at all: "Who lends the money?", 第一期什么时候落地？). A question that
names what it asks about is answered on its own, whatever was asked before, in either language.

This is language knowledge (English and Chinese pronouns, how names are written and tagged), not
knowledge of any library: the names are found by their form and by the library's own tokenizer.
"""

from __future__ import annotations

import re

from app.entities import question_names
from index.keywords import Tokenizer

# words that point back at something said before
BACK_EN = frozenset("it its they them their theirs he him his she her hers that those these this such".split())
OPENERS_EN = ("what about ", "how about ", "and what about ", "tell me more", "more on ")
BACK_ZH = ("它", "他", "她", "其", "该", "此", "这", "那")
OPENERS_ZH = ("再", "还有", "详细")
# jieba's tags of proper nouns: person, place, organisation, other proper noun, transliterated name, Latin word
NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz", "eng"})
_WORD = re.compile(r"[A-Za-z']+")
# a question's first word, capitalised but not a name, when nothing follows it ("Why?", "Really?")
QUESTION_WORDS_EN = frozenset("why what who whom whose how when where which really sure ok okay".split())


def own_names(question: str, tokenizer: Tokenizer | None = None) -> list[str]:
    """The names a question mentions, by their form (Latin capitals) and by jieba's proper-noun tags
    over the library's tokenizer (whose words include the library's own names).

    >>> own_names("When does the Skarvik ferry berth open?"), own_names("由谁运营？"), own_names("岚江去年GDP增长多少？")
    (['Skarvik'], [], ['GDP', '岚江'])
    """
    return [n for n in question_names(question, tokenizer, NAME_TAGS) if n.lower() not in QUESTION_WORDS_EN]


def refers_back(question: str, language: str, tokenizer: Tokenizer | None = None) -> bool:
    """Whether `question` needs the previous question to be understood.

    >>> refers_back("And what stake does it hold?", "en"), refers_back("And what stake does Nvidia hold?", "en")
    (True, False)
    >>> refers_back("What about AMD?", "en"), refers_back("Who lends the money?", "en"), refers_back("Why?", "en")
    (True, True, True)
    >>> refers_back("它持股多少？", "zh"), refers_back("观众奖呢？", "zh"), refers_back("甲骨文背负了多少债务？", "zh")
    (True, True, False)
    """
    text = question.strip()
    if language == "en":
        lowered = text.lower()
        if lowered.startswith(OPENERS_EN) or any(w in BACK_EN for w in _WORD.findall(lowered)):
            return True
    else:
        body = text.rstrip("？?。！! ")
        if body.endswith("呢") or body.startswith(OPENERS_ZH) or any(ch in body for ch in BACK_ZH):
            return True
    return not own_names(text, tokenizer)  # no subject of its own
