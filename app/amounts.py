"""Amounts in Chinese and English text: find them, compare them, and write them the English way.

Two jobs for answers about Chinese news articles:

* verification: every number in a model's answer must appear, after unit conversion, in the cited
  passages. ``find_quantities`` reads "US$10 billion" and "100亿美元" as the same amount and
  ``supported`` checks an answer's quantity against a passage's.
* context: ``to_english_amounts`` rewrites "100亿美元" as "US$10 billion" inside a Chinese passage,
  because a small model copies an English figure more reliably than it converts 亿 itself.

Deliberately left alone by the figure readers: vague amounts (数百亿, 几十亿, 上万亿, 100多亿;
only ``to_english_vague`` writes the first two kinds in words), numbers glued to letters (H100,
GPT-5, Qwen2.5, FY2026, 4x4), citation marks ([1][2]), the month and day of a date (2025年9月22日,
"September 22, 2025" and 2025-09-22 give the year only), negative numbers, and bare number words
("one of the", "一家"), which are far more often grammar than amounts: a word number
counts only with a unit or multiplier ("five years", "两倍", "a trillion").
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Quantity:
    """One amount in base units (dollars, percent points, GW, years...) and where it was found."""

    value: float
    kind: str  # usd, cny, percent, gw, mw, shares, count, year, duration
    text: str  # text == input[start:end]
    start: int
    end: int


_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "百": 100, "千": 1000, "万": 10_000}
_ONES = "one two three four five six seven eight nine".split()
_EN_WORDS = {w: i for i, w in enumerate(_ONES + "ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
                                        "eighteen nineteen".split(), start=1)}
_EN_WORDS |= {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_EN_WORDS |= {"a": 1, "an": 1}
_MULTIPLIERS = {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "十亿": 1e9, "亿": 1e8, "千万": 1e7, "百万": 1e6,
                "十万": 1e5, "万": 1e4, "千": 1e3, "hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6,
                "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12, "t": 1e12}
# (kind, factor, pattern): the first that matches wins, so 美元 is tried before 元.
# "year" is provisional: 2026年 is a calendar year, 5年 a duration (decided in _resolve).
_UNITS = (
    ("usd", 1.0, r"美元|美金|(?:US[ \t]*)?dollars?|USD"),
    ("usd", 0.01, r"美分|cents?"),
    ("cny", 1.0, r"元(?:人民币)?|人民币|yuan|RMB|CNY"),
    ("percent", 1.0, r"%|percent|per[ \t]cent|pct|个?百分点|percentage[ \t]points?"),
    ("gw", 1.0, r"GW|吉瓦|千兆瓦|gigawatts?"),
    ("mw", 1.0, r"MW|兆瓦|megawatts?"),
    ("shares", 1.0, r"股(?![票价东份权市息本])|shares?"),  # 股票/股价/股东 are not share counts
    ("year", 1.0, r"年(?!代)|years?"),
    ("duration", 1 / 12, r"个月|months?"),
    ("count", 1.0, r"倍|times|(?<=\d)x"),
)

_SP = r"[ \t]*"
_MONTH = (r"(?<![A-Za-z])(?-i:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)(?![a-z])")
_DAY = r"(?<![A-Za-z0-9.])\d{1,2}(?:st|nd|rd|th)?"
# Consumed and dropped: month and day, so "9月22日" is not the counts 9 and 22, and citation marks [1][2].
_SKIP = (rf"{_DAY}{_SP}月(?:{_SP}\d{{1,2}}{_SP}[日号])?|{_DAY}{_SP}[日号]|\d+{_SP}年代"
         rf"|[\[【]\d{{1,3}}(?:[,、 ]+\d{{1,3}})*[\]】]"
         rf"|{_MONTH}\.?{_SP}\d{{1,2}}(?:st|nd|rd|th)?(?![0-9])|{_DAY}{_SP}{_MONTH}")
# Digits must not follow a letter, a digit or a dot: H100, MI450, Qwen2.5 and GPT-5 are names.
_DIGITS = r"(?<![A-Za-z0-9.])(?<![A-Za-z]-)(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\.?\d)"
# 数百亿, 几十亿, 上万亿 and 第一 are not amounts, hence the look-behind.
_ZH = r"(?<![数几上多第])(?:[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九百千万])"
_EN = (rf"(?<![A-Za-z])(?:{'|'.join(sorted(_EN_WORDS, key=len, reverse=True))})"
       rf"(?:-(?:{'|'.join(_ONES)}))?(?![A-Za-z])")
_NUM = rf"(?:{_DIGITS}|{_ZH}|{_EN})"
# Single-letter k/m/b/t mean a multiplier only after a currency sign ("$10B"); "10 m" may be metres.
_MULT = (r"(?:万亿|千亿|百亿|十亿|亿|千万|百万|十万|万|千|(?:(?:hundred[ \t]+)?(?:thousand|million|billion|trillion)"
         r"|hundred|bn|mn|tn|(?(pre)[kmbt]|(?!)))(?![A-Za-z]))")
_UNIT = "|".join(f"(?P<u{i}>{pattern})" for i, (_, _, pattern) in enumerate(_UNITS))
_SEP = r"-|–|—|~|至|到|(?<![A-Za-z])to(?![A-Za-z])"
_PATTERN = re.compile(
    rf"(?P<skip>{_SKIP})|(?<![A-Za-z0-9.])(?P<iso>\d{{4}})-\d{{1,2}}-\d{{1,2}}(?!\d)|百分之(?P<pct>{_NUM})"
    rf"|(?:(?<![A-Za-z])(?P<pre>US[ \t]?\$|\$|USD|RMB|CNY|¥){_SP})?(?P<n1>{_NUM})(?:{_SP}(?P<m1>{_MULT}))?"
    rf"(?:{_SP}(?:{_SEP}){_SP}(?P<pre2>US\$|\$)?(?P<n2>{_NUM})(?:{_SP}(?P<m2>{_MULT}))?)?"
    rf"(?:(?:{_SP}-{_SP}|{_SP})(?:{_UNIT}))?"
    r"(?:(?<![A-Za-z0-9])|(?![A-Za-z0-9]))"  # "4o" and "5G" are not amounts; "1.6亿股AMD" is
    r"(?![多余])",  # 100多亿 and 100余家 are vague
    re.IGNORECASE)


def _normalise(text: str) -> str:
    """Full-width digits, %, $ and spaces as ASCII, one character for one, so offsets stay valid.

    The full-width comma is kept: in Chinese it separates clauses, not thousands.

    >>> _normalise("１０％，mid-2026")
    '10%，mid 2026'
    """
    text = "".join(unicodedata.normalize("NFKC", ch) if ("\uff01" <= ch <= "\uff5e" and ch != "，")
                   or ch in "\u3000\u00a0\uffe5" else ch for ch in text)
    # "mid-2026" is a year, not a model name like "GPT-5"
    return re.sub(r"(?i)(?<![A-Za-z])(mid|early|late|end|pre|post)-(?=\d)", r"\1 ", text)


def _number(s: str) -> float:
    """'1,000' -> 1000.0, '二十五' -> 25.0, 'twenty-five' -> 25.0, 'a' -> 1.0."""
    if s[0].isdigit():
        return float(s.replace(",", ""))
    if s[0] in _ZH_DIGITS or s[0] == "十":
        tens, ten, ones = s.partition("十")
        return float(_ZH_DIGITS[s] if not ten else _ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(ones, 0))
    return float(sum(_EN_WORDS[w] for w in s.lower().split("-")))


def _multiplier(s: str | None) -> float:
    if not s:
        return 1.0
    return math.prod(_MULTIPLIERS[w] for w in s.lower().split())  # "hundred billion" -> 1e2 * 1e9


def _resolve(number: str, mult: str | None, unit: tuple[str, float, str] | None,
             pre: str | None) -> tuple[float, str, bool] | None:
    """(value, kind, rewritable) for one number; None for a word number that is not an amount.

    rewritable: a Chinese 万/亿 amount or 美元/美分/股 figure that to_english_amounts rewrites.
    """
    if not number[0].isdigit() and not mult and (number.lower() in ("a", "an") or unit is None
                                                 or unit[0] in ("shares", "cny")):
        return None  # "one of", "一家", "一股热潮", "三元": grammar, not amounts
    kind, factor, unit_text = unit or ("count", 1.0, "")
    if pre and kind not in ("usd", "cny"):
        kind, factor = ("cny" if pre.upper() in ("RMB", "CNY", "¥") else "usd"), 1.0
    year_like = not mult and re.fullmatch(r"\d{4}", number) is not None and 1900 <= int(number) <= 2100
    if kind == "year" or (kind == "count" and not unit_text and year_like):
        kind = "year" if year_like else "duration"
    value = float(f"{_number(number) * _multiplier(mult) * factor:.12g}")  # 4.46 * 1e12 -> 4.46e12 exactly
    rewritable = kind in ("usd", "cny", "shares", "count") and (
        bool(mult and re.search("[万亿]", mult)) or unit_text in ("美元", "美金", "美分", "股"))
    return value, kind, rewritable


def _unit(m: re.Match) -> tuple[str, float, str] | None:
    for i, (kind, factor, _) in enumerate(_UNITS):
        if m[f"u{i}"]:
            return kind, factor, m[f"u{i}"]
    return None


def _scan(text: str) -> Iterator[tuple[Quantity, bool]]:
    """Each quantity with whether to_english_amounts should rewrite it."""
    for m in _PATTERN.finditer(_normalise(text)):
        if m["skip"]:
            continue
        if m["iso"] or m["pct"]:  # 2025-10-13 gives its year only, like 2025年10月13日
            kind, group, span = ("year", "iso", "iso") if m["iso"] else ("percent", "pct", 0)
            start, end = m.span(span)
            yield Quantity(_number(m[group]), kind, text[start:end], start, end), False
            continue
        if m["n2"]:  # a range: "400 - 500 万" and "4 to 5 million" share the trailing multiplier and unit
            end1 = m.end("m1") if m["m1"] else m.end("n1")
            start2 = m.start("pre2") if m["pre2"] else m.start("n2")
            ends = [(m["n1"], m["m1"] or m["m2"], m.start(), end1), (m["n2"], m["m2"], start2, m.end())]
        else:
            ends = [(m["n1"], m["m1"], m.start(), m.end())]
        # "from 5% in 2023 to 25%": a year before "to" is not the low end of a range
        year_start = m["n2"] and not m["m1"] and re.fullmatch(r"(19|20)\d\d", m["n1"]) and not (
            re.fullmatch(r"(19|20)\d\d", m["n2"]))
        for i, (number, mult, start, end) in enumerate(ends):
            alone = year_start and i == 0
            resolved = _resolve(number, None if alone else mult, None if alone else _unit(m),
                                None if alone else m["pre"])
            if resolved:
                value, kind, rewritable = resolved
                yield Quantity(value, kind, text[start:end], start, end), rewritable


def find_quantities(text: str) -> list[Quantity]:
    """All quantities in Chinese or English text, in order of appearance.

    >>> [(q.value, q.kind, q.text) for q in find_quantities("英伟达将投资1000亿美元，部署10GW")]
    [(100000000000.0, 'usd', '1000亿美元'), (10.0, 'gw', '10GW')]
    >>> [(q.value, q.kind) for q in find_quantities("4 to 5 million GPUs in H2 2026 over five years")]
    [(4000000.0, 'count'), (5000000.0, 'count'), (2026.0, 'year'), (5.0, 'duration')]
    >>> [(q.text, q.kind) for q in find_quantities("from 5% in 2023 to 25% by 2028")]
    [('5%', 'percent'), ('2023', 'year'), ('25%', 'percent'), ('2028', 'year')]
    """
    return [q for q, _ in _scan(text)]


def _canonical(q: Quantity) -> tuple[str, float]:
    return ("gw", q.value / 1000) if q.kind == "mw" else (q.kind, q.value)


def _compatible(a: str, b: str) -> bool:
    # A model may drop a unit ("10 billion" for 100亿美元), so "count" matches any kind except percent:
    # 10% is never the number 10 or 0.1. A count of 2026 may be the year 2026; a duration never is.
    return a == b or ("count" in (a, b) and "percent" not in (a, b))


def matches(a: Quantity, b: Quantity, rel: float = 0.005) -> bool:
    """Same amount: kinds compatible and values within `rel` relative tolerance; MW and GW convert.

    Kinds are compatible when equal, or when one is "count" and the other is not "percent".
    Years must be equal: 0.5% of 2026 is 10 years.

    >>> ten_bn, = find_quantities("US$10 billion")
    >>> [matches(ten_bn, q) for q in find_quantities("100亿美元, 100亿, 100亿元, 10%")]
    [True, True, False, False]
    """
    (kind_a, value_a), (kind_b, value_b) = _canonical(a), _canonical(b)
    if "year" in (kind_a, kind_b):
        rel = 0.0
    return _compatible(kind_a, kind_b) and math.isclose(value_a, value_b, rel_tol=rel)


def supported(answer_q: Quantity, passage_qs: list[Quantity]) -> bool:
    """True when some passage quantity matches.

    >>> supported(find_quantities("160 million shares")[0], find_quantities("最多可购买1.6亿股AMD股票"))
    True
    """
    return any(matches(answer_q, q) for q in passage_qs)


def _fmt(x: float) -> str:
    """1e1 -> '10', 4.46 -> '4.46', 6e4 -> '60,000'."""
    return f"{x:,.6f}".rstrip("0").rstrip(".")


def _scaled(value: float) -> str:
    for size, name in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{_fmt(value / size)} {name}"
    return _fmt(value)


def _plural(n: float, word: str) -> str:
    return f"{_fmt(n)} {word}" + ("" if n == 1 else "s")


def english_amount(q: Quantity) -> str:
    """How an English reader writes the amount.

    >>> [english_amount(q) for q in find_quantities("4.46万亿美元 1.6亿股 400万 427% 10吉瓦 2026年 3个月")]
    ['US$4.46 trillion', '160 million shares', '4 million', '427%', '10 GW', '2026', '3 months']
    """
    if q.kind == "usd":
        return f"US${_scaled(q.value)}"
    if q.kind == "cny":
        return f"{_scaled(q.value)} yuan"
    if q.kind == "shares":
        return f"{_scaled(q.value)} shares"
    if q.kind == "percent":
        return f"{_fmt(q.value)}%"
    if q.kind in ("gw", "mw"):
        return f"{_fmt(q.value)} {q.kind.upper()}"
    if q.kind == "year":
        return str(int(q.value))
    if q.kind == "duration":
        months = round(q.value * 12, 6)
        return _plural(q.value, "year") if months % 12 == 0 else _plural(months, "month")
    return _scaled(q.value)


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def to_english_amounts(text: str) -> str:
    """Rewrite Chinese 万/亿 amounts and 美元/美分/股 figures as English; leave all other text alone.

    A range is rewritten end by end, so "400万至500万" becomes "4 million至5 million".

    >>> to_english_amounts("英伟达将投资1000亿美元，部署10GW，最多可购买1.6亿股AMD股票")
    '英伟达将投资US$100 billion，部署10GW，最多可购买160 million shares AMD股票'
    """
    parts, last = [], 0
    for q, rewritable in _scan(text):
        if not rewritable:
            continue
        english = english_amount(q)
        # keep "160 million shares" from running into a following "AMD"
        if q.start > 0 and _is_ascii_alnum(text[q.start - 1]):
            english = " " + english
        if q.end < len(text) and _is_ascii_alnum(text[q.end]):
            english += " "
        parts += [text[last:q.start], english]
        last = q.end
    return "".join(parts) + text[last:]


_MONTHS = "January February March April May June July August September October November December".split()
_ZH_PERIODS = {"上半年": "the first half of {y}", "下半年": "the second half of {y}", "第一季度": "the first quarter of {y}",
               "一季度": "the first quarter of {y}", "第二季度": "the second quarter of {y}",
               "二季度": "the second quarter of {y}", "第三季度": "the third quarter of {y}",
               "三季度": "the third quarter of {y}", "第四季度": "the fourth quarter of {y}",
               "四季度": "the fourth quarter of {y}", "年底": "the end of {y}", "年末": "the end of {y}",
               "年初": "early {y}", "年中": "mid-{y}",
               # the articles' list style: "2026 年 H2", "2025 年 Q4"
               "H1": "the first half of {y}", "H2": "the second half of {y}", "Q1": "the first quarter of {y}",
               "Q2": "the second quarter of {y}", "Q3": "the third quarter of {y}", "Q4": "the fourth quarter of {y}"}
_ZH_DATE = re.compile(r"(\d{4})\s*年\s*(?:(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?|("
                      + "|".join(sorted(_ZH_PERIODS, key=len, reverse=True)) + r")(?![A-Za-z0-9]))?")


def to_english_dates(text: str) -> str:
    """Chinese dates and periods the English way.

    >>> to_english_dates("预计2026年下半年落地；2025年9月22日宣布；2027年")
    '预计the second half of 2026落地；September 22, 2025宣布；2027'
    >>> to_english_dates("- 2026 年 H2:首个 1 GW 系统上线")
    '- the second half of 2026:首个 1 GW 系统上线'
    """
    def english(m: re.Match) -> str:
        year, month, day, period = m.groups()
        if period:
            return _ZH_PERIODS[period].format(y=year)
        if month and 1 <= int(month) <= 12:
            return f"{_MONTHS[int(month) - 1]} {int(day)}, {year}" if day else f"{_MONTHS[int(month) - 1]} {year}"
        return year
    return _ZH_DATE.sub(english, text)


# A vague amount is its order of magnitude in words: 数百亿 is several 百亿 (10^10), "tens of
# billions". A small model writes "hundreds of billions" for it (a tenfold error, seen in the
# audit of D31), so it is converted before the model reads it, like the exact amounts.
_ORDERS = {"万": "tens of thousands", "十万": "hundreds of thousands", "百万": "millions", "千万": "tens of millions",
           "亿": "hundreds of millions", "十亿": "billions", "百亿": "tens of billions", "千亿": "hundreds of billions",
           "万亿": "trillions"}
_VAGUE_UNITS = {"美元": " of US dollars", "美金": " of US dollars", "元": " of yuan", "人民币": " of yuan"}
_ORDER_WORDS = re.compile("|".join(sorted(map(re.escape, _ORDERS.values()), key=len, reverse=True)))
_VAGUE = re.compile(r"[数几]\s*(" + "|".join(sorted(_ORDERS, key=len, reverse=True)) + r")\s*("
                    + "|".join(_VAGUE_UNITS) + ")?")


def to_english_vague(text: str) -> str:
    """Vague Chinese amounts as their order of magnitude in English.

    >>> to_english_vague("微软此前向OpenAI投资了数百亿美元，几千亿元，数万人")
    '微软此前向OpenAI投资了tens of billions of US dollars，hundreds of billions of yuan，tens of thousands人'
    """
    return _VAGUE.sub(lambda m: _ORDERS[m.group(1)] + _VAGUE_UNITS.get(m.group(2) or "", ""), text)


# Units of measure after a figure, the English way: a small model converts 380万亩 to "3.8 million
# hectares" (a mu is a fifteenth of one; audit of D31), so it reads the unit's English name.
_MEASURES = {"平方公里": "square kilometres", "平方千米": "square kilometres", "平方米": "square metres",
             "公顷": "hectares", "亩": "mu", "公里": "km", "千米": "km", "厘米": "cm", "毫米": "mm", "米": "metres",
             "万吨": "ten thousand tonnes", "吨": "tonnes", "公斤": "kg", "千克": "kg", "立方米": "cubic metres",
             "千瓦时": "kWh", "度电": "kWh", "摄氏度": "°C"}
_MEASURE = re.compile(r"(\d(?:[\d,]*\d)?(?:\.\d+)?(?:[ \t]*(?:thousand|million|billion|trillion))?)[ \t]*("
                      + "|".join(sorted(_MEASURES, key=len, reverse=True)) + ")")


def vague_orders(text: str) -> list[str]:
    """The orders of magnitude `to_english_vague` wrote into a text ("tens of billions").

    >>> vague_orders("invested tens of billions of US dollars and millions of yuan")
    ['tens of billions', 'millions']
    """
    return _ORDER_WORDS.findall(text)


def to_english_units(text: str) -> str:
    """Units of measure after a figure written in English.

    >>> to_english_units("盐碱地约3.8 million亩，全长32.6公里，面积3000平方米")
    '盐碱地约3.8 million mu，全长32.6 km，面积3000 square metres'
    """
    return _MEASURE.sub(lambda m: f"{m.group(1)} {_MEASURES[m.group(2)]}", text)


def to_english_text(text: str) -> str:
    """Amounts, dates and periods of a sentence written the English way; everything else left alone.

    >>> to_english_text("It goes live in 2026年下半年 with 100亿美元.")
    'It goes live in the second half of 2026 with US$10 billion.'
    """
    return to_english_units(to_english_amounts(to_english_dates(to_english_vague(text))))
