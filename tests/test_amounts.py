"""Amounts in the articles' Chinese and in English answers: parsing, matching, rewriting."""

from __future__ import annotations

import pytest

from app.amounts import Quantity, english_amount, find_quantities, matches, supported, to_english_amounts


def found(text: str) -> list[tuple[float, str, str]]:
    return [(q.value, q.kind, q.text) for q in find_quantities(text)]


def one(text: str) -> Quantity:
    (q,) = find_quantities(text)
    return q


def q(value: float, kind: str) -> Quantity:
    return Quantity(value, kind, "", 0, 0)


FIND_CASES = [
    # Chinese multipliers, with the spaces and thousands commas the articles use
    ("1,000 亿美元", [(1e11, "usd", "1,000 亿美元")]),
    ("63 亿美元", [(6.3e9, "usd", "63 亿美元")]),
    ("2.5 亿美元", [(2.5e8, "usd", "2.5 亿美元")]),
    ("4.46 万亿美元", [(4.46e12, "usd", "4.46 万亿美元")]),
    ("3,300 亿美元", [(3.3e11, "usd", "3,300 亿美元")]),
    ("5 万亿美元", [(5e12, "usd", "5 万亿美元")]),
    ("100亿美元", [(1e10, "usd", "100亿美元")]),
    ("1.4 万亿美元", [(1.4e12, "usd", "1.4 万亿美元")]),
    ("超过1万亿美元的算力合同", [(1e12, "usd", "1万亿美元")]),
    ("估值千亿美元的AI公司", [(1e11, "usd", "千亿美元")]),
    ("价值百亿美元的芯片", [(1e10, "usd", "百亿美元")]),
    ("十亿美元", [(1e9, "usd", "十亿美元")]),
    ("两千亿美金", [(2e11, "usd", "两千亿美金")]),
    ("6万美元", [(6e4, "usd", "6万美元")]),
    # currencies
    ("每股1美分", [(0.01, "usd", "1美分")]),
    ("行权价低至0.01美元", [(0.01, "usd", "0.01美元")]),
    ("100亿元", [(1e10, "cny", "100亿元")]),
    ("10亿元人民币", [(1e9, "cny", "10亿元人民币")]),
    ("RMB 10 billion", [(1e10, "cny", "RMB 10 billion")]),
    ("$10B and $10bn", [(1e10, "usd", "$10B"), (1e10, "usd", "$10bn")]),
    ("US$22.4 billion", [(2.24e10, "usd", "US$22.4 billion")]),
    ("$300 billion", [(3e11, "usd", "$300 billion")]),
    ("10 billion dollars", [(1e10, "usd", "10 billion dollars")]),
    ("USD 10 billion", [(1e10, "usd", "USD 10 billion")]),
    ("$60k, $5 mn, $4.46tn", [(6e4, "usd", "$60k"), (5e6, "usd", "$5 mn"), (4.46e12, "usd", "$4.46tn")]),
    ("US$0.01 (one cent, 1 cent)", [(0.01, "usd", "US$0.01"), (0.01, "usd", "one cent"), (0.01, "usd", "1 cent")]),
    ("a trillion dollars", [(1e12, "usd", "a trillion dollars")]),
    ("a hundred billion dollars", [(1e11, "usd", "a hundred billion dollars")]),
    ("$4 billion to $5 billion", [(4e9, "usd", "$4 billion"), (5e9, "usd", "$5 billion")]),
    ("$1 per share", [(1.0, "usd", "$1")]),
    # percent
    ("427%", [(427.0, "percent", "427%")]),
    ("32.7%", [(32.7, "percent", "32.7%")]),
    ("市值１０％", [(10.0, "percent", "１０％")]),
    ("10 percent, 10 per cent", [(10.0, "percent", "10 percent"), (10.0, "percent", "10 per cent")]),
    ("twenty-five percent", [(25.0, "percent", "twenty-five percent")]),
    ("百分之五十二", [(52.0, "percent", "百分之五十二")]),
    ("上升5个百分点", [(5.0, "percent", "5个百分点")]),
    ("5%-10%", [(5.0, "percent", "5%"), (10.0, "percent", "10%")]),
    # power
    ("10GW, 10 GW, 10吉瓦", [(10.0, "gw", "10GW"), (10.0, "gw", "10 GW"), (10.0, "gw", "10吉瓦")]),
    ("1 gigawatt, 2 gigawatts", [(1.0, "gw", "1 gigawatt"), (2.0, "gw", "2 gigawatts")]),
    ("4.5 GW与6GW", [(4.5, "gw", "4.5 GW"), (6.0, "gw", "6GW")]),
    ("预计在1-2GW之间", [(1.0, "gw", "1"), (2.0, "gw", "2GW")]),
    ("300 MW, 500兆瓦", [(300.0, "mw", "300 MW"), (500.0, "mw", "500兆瓦")]),
    # shares; 股票, 股价 and 股东 are not share counts
    ("最多可购买1.6亿股AMD股票", [(1.6e8, "shares", "1.6亿股")]),
    ("160 million shares", [(1.6e8, "shares", "160 million shares")]),
    ("AMD股价大涨24%", [(24.0, "percent", "24%")]),
    # counts; a trailing multiplier covers both ends of a range
    ("400万至500万颗GPU", [(4e6, "count", "400万"), (5e6, "count", "500万")]),
    ("400 - 500 万颗 GPU", [(4e6, "count", "400"), (5e6, "count", "500 万")]),
    ("4-5 million", [(4e6, "count", "4"), (5e6, "count", "5 million")]),
    ("4 to 5 million GPUs", [(4e6, "count", "4"), (5e6, "count", "5 million")]),
    ("4–5 million", [(4e6, "count", "4"), (5e6, "count", "5 million")]),
    ("计划投资1000亿至5000亿美元", [(1e11, "usd", "1000亿"), (5e11, "usd", "5000亿美元")]),
    ("800 million users", [(8e8, "count", "800 million")]),
    ("月活用户已达8亿", [(8e8, "count", "8亿")]),
    ("付费用户约为2000万", [(2e7, "count", "2000万")]),
    ("约 5.3 万个 NVL144 机柜", [(5.3e4, "count", "5.3 万")]),
    ("ten billion", [(1e10, "count", "ten billion")]),
    ("出货量的两倍, 2x, 3 times", [(2.0, "count", "两倍"), (2.0, "count", "2x"), (3.0, "count", "3 times")]),
    ("标普 500 指数", [(500.0, "count", "500")]),
    # years: a full date gives its year only
    ("2026年下半年", [(2026.0, "year", "2026年")]),
    ("2025年9月22日", [(2025.0, "year", "2025年")]),
    ("2025 年 10 月 8 日", [(2025.0, "year", "2025 年")]),
    ("10月8日", []),
    ("in 2029", [(2029.0, "year", "2029")]),
    ("H2 2026", [(2026.0, "year", "2026")]),
    ("second half of 2026", [(2026.0, "year", "2026")]),
    ("by mid-2026", [(2026.0, "year", "2026")]),
    ("on September 22, 2025", [(2025.0, "year", "2025")]),
    ("on 22 Sept 2025", [(2025.0, "year", "2025")]),
    ("date: '2025-10-13'", [(2025.0, "year", "2025")]),
    ("2024-2025年", [(2024.0, "year", "2024"), (2025.0, "year", "2025年")]),
    ("上世纪 90 年代末", []),
    # durations
    ("五年", [(5.0, "duration", "五年")]),
    ("在5年内", [(5.0, "duration", "5年")]),
    ("five years", [(5.0, "duration", "five years")]),
    ("a 5-year deal", [(5.0, "duration", "5-year")]),
    ("10年与十年", [(10.0, "duration", "10年"), (10.0, "duration", "十年")]),
    ("成立 32 年", [(32.0, "duration", "32 年")]),
    ("三个月, 18 months", [(0.25, "duration", "三个月"), (1.5, "duration", "18 months")]),
    ("三至五年", [(3.0, "duration", "三"), (5.0, "duration", "五年")]),
    # not amounts: model names, vague amounts, grammar, citation marks
    ("H100 MI450 GPT-5 GPT-4o Qwen2.5 NVL144 5G", []),
    ("数百亿美元, 几十亿美元, 数千亿甚至上万亿美元, 100多亿美元", []),
    ("one of the biggest deals, 一家公司, 第一年, 一股热潮", []),
    ("its ratio is 427% [2][3], see [1, 2] and 【4】", [(427.0, "percent", "427%")]),
]


@pytest.mark.parametrize("text, expected", FIND_CASES)
def test_find_quantities(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize("text", [text for text, _ in FIND_CASES])
def test_text_is_the_slice_of_the_input(text):
    quantities = find_quantities(text)
    assert [text[q.start:q.end] for q in quantities] == [q.text for q in quantities]


def test_offsets_point_into_the_original_text():
    assert find_quantities("市值１０％，营收100亿美元") == [
        Quantity(10.0, "percent", "１０％", 2, 5), Quantity(1e10, "usd", "100亿美元", 8, 14)]


def test_empty_text():
    assert find_quantities("") == []


MATCH_CASES = [
    ("US$10 billion", "100亿美元", True),
    ("160 million shares", "1.6亿股", True),
    ("US$4.46 trillion", "4.46 万亿美元", True),
    ("one cent", "0.01美元", True),
    ("1 cent", "1美分", True),
    ("US$0.01", "1美分", True),
    ("427%", "427%", True),
    ("10 GW", "10吉瓦", True),
    ("10 GW", "10000兆瓦", True),
    ("five years", "五年", True),
    ("5 years", "5年", True),
    ("10 billion", "100亿美元", True),  # the unit dropped
    ("160 million", "1.6亿股", True),
    ("2026", "2026年", True),
    ("US$4.46 trillion", "4.47万亿美元", True),  # 0.2% apart, within the default 0.5%
    ("10%", "10 billion", False),
    ("10%", "10", False),
    ("10%", "0.1", False),
    ("US$100 billion", "100亿美元", False),
    ("2026", "2025年", False),
    ("US$10 billion", "100亿元", False),  # dollars are not yuan
    ("160 million shares", "1.6亿美元", False),
    ("US$4.5 trillion", "4.46万亿美元", False),  # rounded by the model: 0.9% off
    ("5 years", "5 GW", False),
]


@pytest.mark.parametrize("answer, passage, expected", MATCH_CASES)
def test_matches(answer, passage, expected):
    assert matches(one(answer), one(passage)) is expected
    assert matches(one(passage), one(answer)) is expected


def test_matches_tolerance_is_a_parameter():
    assert matches(one("US$4.46 trillion"), one("4.47万亿美元"), rel=0.001) is False


@pytest.mark.parametrize("a, b, expected", [
    (q(2026, "year"), q(2026, "count"), True),
    (q(5, "duration"), q(5, "count"), True),
    (q(2026, "year"), q(2026, "duration"), False),
    (q(2026, "year"), q(2027, "count"), False),  # years are exact, whatever the tolerance
    (q(10, "percent"), q(10, "count"), False),
    (q(0, "count"), q(0, "count"), True),
])
def test_kind_compatibility(a, b, expected):
    assert matches(a, b) is expected


PASSAGES = ["英伟达将逐步投资最高1000亿美元，首批100亿美元在首个1吉瓦系统部署时投入。",
            "首个吉瓦系统目标于2026年下半年上线，AMD股价大涨24%。"]


def test_supported():
    passage_qs = [q for p in PASSAGES for q in find_quantities(p)]
    answer = "Nvidia will invest up to US$100 billion, the first US$10 billion at 1 GW, from H2 2026; AMD rose 20%."
    assert [(a.text, supported(a, passage_qs)) for a in find_quantities(answer)] == [
        ("US$100 billion", True), ("US$10 billion", True), ("1 GW", True), ("2026", True), ("20%", False)]


def test_nothing_is_supported_by_no_passages():
    assert supported(one("US$10 billion"), []) is False


@pytest.mark.parametrize("quantity, expected", [
    (q(1e10, "usd"), "US$10 billion"),
    (q(2.5e8, "usd"), "US$250 million"),
    (q(4.46e12, "usd"), "US$4.46 trillion"),
    (q(0.01, "usd"), "US$0.01"),
    (q(6e4, "usd"), "US$60,000"),
    (q(204, "usd"), "US$204"),
    (q(1e9, "cny"), "1 billion yuan"),
    (q(1.6e8, "shares"), "160 million shares"),
    (q(4e6, "count"), "4 million"),
    (q(500, "count"), "500"),
    (q(427, "percent"), "427%"),
    (q(32.7, "percent"), "32.7%"),
    (q(10, "gw"), "10 GW"),
    (q(4.5, "gw"), "4.5 GW"),
    (q(300, "mw"), "300 MW"),
    (q(2026, "year"), "2026"),
    (q(5, "duration"), "5 years"),
    (q(1, "duration"), "1 year"),
    (q(0.25, "duration"), "3 months"),
])
def test_english_amount(quantity, expected):
    assert english_amount(quantity) == expected


@pytest.mark.parametrize("chinese", ["1000亿美元", "4.46 万亿美元", "1.6亿股", "0.01美元", "1美分", "6万美元",
                                     "400万", "10亿元", "427%", "10吉瓦", "2026年", "五年", "三个月"])
def test_english_amount_reads_back_as_the_same_amount(chinese):
    original = one(chinese)
    english = one(english_amount(original))
    assert (english.value, english.kind) == (original.value, original.kind)


@pytest.mark.parametrize("text, expected", [
    ("英伟达将投资1000亿美元", "英伟达将投资US$100 billion"),
    ("最多可购买1.6亿股AMD股票", "最多可购买160 million shares AMD股票"),
    ("每股0.01美元", "每股US$0.01"),
    ("每股1美分", "每股US$0.01"),
    ("400万至500万颗GPU", "4 million至5 million颗GPU"),
    ("400 - 500 万颗 GPU", "4 million - 5 million颗 GPU"),
    ("市值突破 4.46 万亿美元", "市值突破 US$4.46 trillion"),
    ("2,500 亿美元", "US$250 billion"),
    ("计划投资1000亿至5000亿美元", "计划投资US$100 billion至US$500 billion"),
    ("约合7,100亿元人民币", "约合710 billion yuan"),
    ("需部署约 5.3 万个机柜", "需部署约 53,000个机柜"),
    ("OpenAI十亿美元", "OpenAI US$1 billion"),
    # plain numbers, percent, power, years, durations, vague amounts and English stay as written
    ("2025年9月22日，10GW，427%，五年，标普 500，两倍", "2025年9月22日，10GW，427%，五年，标普 500，两倍"),
    ("数百亿美元", "数百亿美元"),
    ("英伟达的$100 billion投资", "英伟达的$100 billion投资"),
    ("", ""),
])
def test_to_english_amounts(text, expected):
    assert to_english_amounts(text) == expected
