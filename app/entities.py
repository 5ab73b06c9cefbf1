"""The names a question is about, so a question that asks one thing of several names
("What did Oracle and AMD each sign?") is read as one part per name (app.parts)."""

from __future__ import annotations

import re

from index.keywords import Tokenizer, general_tokenizer

_NAME = re.compile(r"(?<![A-Za-z])[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
# Acronyms and units that are not names of things the passage must mention.
NOT_NAMES = frozenset("gw mw gpu gpus cpu tpu ai agi ceo cfo asic asics us usd loi ipo pe ttm llm h1 h2 q1 q2 q3 q4 "
                      "i it the a an this that these those in on of for and or but so as by to at from".split())


def names(text: str) -> list[str]:
    """Names a sentence relies on: runs of capitalised words ("Huatai Securities"), except an English
    sentence's first word standing alone ("How much", "The deal").

    >>> names("CoreWeave与OpenAI的合同价值超过220亿美元。"), names("The deal gives Oracle 10 GW of AI compute.")
    (['CoreWeave', 'OpenAI'], ['Oracle'])
    >>> names("Huatai Securities expects 25%, after Jensen Huang's GTC keynote.")
    ['Huatai Securities', 'Jensen Huang', 'GTC']
    """
    out: list[str] = []
    run: list[str] = []
    run_end = -1

    def flush() -> None:
        if run and " ".join(run) not in out:
            out.append(" ".join(run))
        run.clear()

    for m in _NAME.finditer(text):
        word = m.group()
        first = not text[:m.start()].strip()
        capitals = sum(ch.isupper() for ch in word)
        if not (run and text[run_end:m.start()] == " "):
            flush()
        english_start = first and capitals < 2 and text[m.end():m.end() + 1] == " "  # "How much", "The deal"
        next_capital = re.match(r" [A-Z]", text[m.end():m.end() + 2])
        if word.lower() in NOT_NAMES or capitals == 0 or (english_start and not next_capital):
            flush()
            continue
        run.append(word)
        run_end = m.end()
    flush()
    return out


# jieba's tags of the names a question's parts are read by: person, organisation, other proper noun
PART_TAGS = frozenset({"nr", "nt", "nz"})


def question_names(question: str, tokenizer: Tokenizer | None = None, tags: frozenset[str] = PART_TAGS) -> list[str]:
    """The companies, people and products a question is about.

    Latin names as in `names`; Chinese ones from jieba's part-of-speech `tags` (by default person,
    organisation, other proper noun), with the library's own names (`tokenizer`, the index's:
    index.corpus_words) tagged as proper nouns.

    >>> question_names("岚港集团为OpenAI和博通代工的合同金额是多少？", Tokenizer(names=["岚港集团", "博通"]))
    ['OpenAI', '岚港集团', '博通']
    """
    found = names(question)
    if not question.isascii():
        tagged = (tokenizer or general_tokenizer()).pos_cut(question)
        found += [w for w, flag in tagged if flag in tags and w not in found]
    return found


