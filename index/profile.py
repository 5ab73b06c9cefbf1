"""What a library is about, read from its own documents when the index is built.

The page intro, the scope reply and the example questions describe the library as it is now:
its titles, its dates and the names most of its articles mention. Nothing here is a model's
summary and nothing names any particular library; a new set of articles gets its own profile
at its next build.

    profile = describe(documents)       # in index.build; saved as profile.json in the build
    Profile.load(build / "profile.json")
"""

from __future__ import annotations

import calendar
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from core.records import Document

MOST_NAMES = 8
# Chinese word classes jieba tags as names: people, places, organisations, other proper nouns
_NAME_FLAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt", "nz"})
# word classes that never begin or end a name: verbs, prepositions, conjunctions, particles,
# adverbs, pronouns, numerals, measure words, locatives, time words, modal words (not adjectives:
# jieba tags pieces of unknown names as such, 英伟达 -> 英/伟达 "a")
_NEVER_EDGE = frozenset({"v", "vd", "vn", "vg", "vi", "vq", "p", "c", "u", "uj", "ul", "uz", "ud", "ug", "uv",
                         "d", "dg", "r", "rr", "rz", "m", "mq", "q", "f", "y", "e", "t",
                         "tg", "o", "h", "k", "b", "s", "z", "zg", "x"})
# A run of capitalised words ("Hamarvik Energy"), or a word with a capital inside ("xAI", "CoreWeave")
_LATIN_NAME = re.compile(r"(?<![\w-])(?:[A-Z][\w&.'’-]*[\w&]|[a-z]+[A-Z][\w-]*|[A-Z])"
                         r"(?:[ \t]+(?:[A-Z][\w&.'’-]*[\w&]|[A-Z]))*(?![\w-])")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_HAN_ONLY = re.compile(r"[\u4e00-\u9fff]+")
_SENTENCE_START = re.compile(r"(?:^|\n|[.!?][\"'”’)]?\s+|[。！？][”’」』]?)\s*[\"'“‘(]?$")
# capitalised by the calendar, not by being a name
_CALENDAR = frozenset(w.lower() for w in (*calendar.month_name, *calendar.month_abbr, *calendar.day_name,
                                          *calendar.day_abbr) if w)


@dataclass(frozen=True)
class Profile:
    titles: tuple[str, ...]  # every article's title, newest first (undated ones last)
    first_date: str | None
    last_date: str | None
    names: tuple[str, ...]  # the names the most articles mention, as the articles write them

    @property
    def articles(self) -> int:
        return len(self.titles)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Profile:
        row = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(row["titles"]), row["first_date"], row["last_date"], tuple(row["names"]))


NO_ARTICLES = Profile((), None, None, ())


def describe(documents: list[Document], most: int = MOST_NAMES) -> Profile:
    """Titles newest first, the date range, and the names most documents mention.

    >>> docs = [Document("a.txt", "Hamarvik Energy opened the park in March. The park cost NOK 2 billion.", "", "Park opens", "2025-03-02"),
    ...         Document("b.txt", "The budget names Hamarvik Energy and Brekkestad.", "", "Budget", "2025-01-10"),
    ...         Document("c.txt", "No date, no names.", "", "Notes")]
    >>> p = describe(docs)
    >>> p.titles, p.first_date, p.last_date, p.names
    (('Park opens', 'Budget', 'Notes'), '2025-01-10', '2025-03-02', ('Hamarvik Energy', 'Brekkestad'))
    """
    ordered = sorted(documents, key=lambda d: (d.date is not None, d.date or ""), reverse=True)
    dates = sorted(d.date for d in documents if d.date)
    return Profile(tuple(d.title for d in ordered), dates[0] if dates else None, dates[-1] if dates else None,
                   main_names([d.text[d.body_start:] for d in documents], [d.title for d in documents], most))


def main_names(texts: list[str], titles: list[str] = (), most: int = MOST_NAMES) -> tuple[str, ...]:
    """The names found in the most texts (ties: the most mentions), at most `most`.

    Latin names are capitalised runs whose words the texts never write in lower case
    ("The" is written "the" elsewhere; "Hamarvik" is not), a single word counting only where it
    does not start a sentence. Chinese has no capitals, and a tagger's guesses at unknown names
    are poor (D34), so a Chinese name is a word that stands in two or more titles (see
    `title_names`).

    >>> main_names(["岚江市修建了堤坝。岚江的水务局说。", "岚江的预算。The dam in Skarvik.", "Skarvik grew."],
    ...            ["岚江新堤坝完工", "岚江市发布年度预算"])
    ('岚江', 'Skarvik')
    """
    lower = {w for t in texts for w in _LATIN_WORD.findall(t) if w.islower()}
    found = [_latin_names(t, lower) for t in texts]
    for name in title_names(titles):
        for text, names in zip(texts, found):
            names.extend([name] * text.count(name))
    spread = Counter(n for names in found for n in set(names))
    mentions = Counter(n for names in found for n in names)
    ranked = sorted(spread, key=lambda n: (-spread[n], -mentions[n], n))
    return tuple(ranked[:most])


def _latin_names(text: str, lower: set[str]) -> list[str]:
    names = []
    for match in _LATIN_NAME.finditer(text):
        if _unit(text, match):
            continue
        words = match.group().split()
        if len(words) == 1 and _SENTENCE_START.search(text[:match.start()]):
            continue  # capitalised for starting a sentence, as any word is; its other mentions count
        # a run that starts a sentence starts with a common word ("The Hamarvik park"): drop those
        while words and (words[0].lower() in lower or words[0].lower() in _CALENDAR):
            words.pop(0)
        if words and len(" ".join(words)) > 1 and not all(w.lower() in _CALENDAR for w in words):
            names.append(" ".join(words))
    return names


def title_names(titles: list[str], longest: int = 6) -> list[str]:
    """Chinese words that stand in two or more titles: the longest such runs that start where jieba
    cuts a word, whose first word (and last, when the run ends where a word does) is not a verb, a
    particle or another word class that never bounds a name (jieba's dictionary tags), and that the
    dictionary does not know as anything but a name.

    >>> title_names(["岚江地铁7号线今日开通", "岚江市博物馆新馆开幕", "全国锦标赛在岚江落幕"])
    ['岚江']
    """
    from index.keywords import general_tokenizer

    dictionary = general_tokenizer()
    counts: Counter = Counter()
    for title in titles:
        words = _spans(dictionary.cut(title))
        ends = {end: word for word, _, end in words}
        runs = set()
        for word, start, _ in words:
            if dictionary.tag(word) in _NEVER_EDGE:
                continue
            for end in range(start + 2, min(start + longest, len(title)) + 1):
                run = title[start:end]
                if not _HAN_ONLY.fullmatch(run):
                    break
                if (dictionary.tag(ends.get(end, "")) not in _NEVER_EDGE
                        and (dictionary.tag(run) or "nz") in _NAME_FLAGS | {"j"}):
                    runs.add(run)
        counts.update(runs)
    shared = [run for run, n in counts.items() if n > 1]
    # "岚江" and "岚江地" in the same titles: the longest run is the name
    return sorted(r for r in shared if not any(r != o and r in o and counts[o] == counts[r] for o in shared))


def _spans(words: list[str]) -> list[tuple[str, int, int]]:
    """(word, start, end) of words that cut a text into consecutive pieces."""
    spans, start = [], 0
    for word in words:
        spans.append((word, start, start + len(word)))
        start += len(word)
    return spans


def _unit(text: str, match: re.Match) -> bool:
    """A short all-capital word right beside a figure is a unit or a currency (NOK 2, 10 GW, US$5)."""
    word = match.group()
    if not (word.isupper() and len(word) <= 4):
        return False
    before, after = text[:match.start()].rstrip()[-1:], text[match.end():].lstrip()[:2]
    return before.isdigit() or after[:1].isdigit() or (after[:1] in "$€£¥" and after[1:2].isdigit())
