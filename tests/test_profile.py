"""What the page says about the library comes from its documents (index.profile, app.about).

The texts here are made up and share nothing with the default articles: the point is that any
library gets its own intro, examples and scope reply.
"""

from __future__ import annotations

from app.about import About, examples, reader_form
from core.records import Document
from index.profile import Profile, describe, main_names

HARBOUR = Document("harbour.txt", "Skarvik Harbour opened a ferry berth in May. The berth cost NOK 310 million. "
                   "Skarvik Harbour said the ferry runs twice a day.", "", "New ferry berth", "2025-05-04")
CHOIR = Document("choir.txt", "The Skarvik Harbour choir sang at the berth. Its leader, Ingrid Holm, "
                 "said the choir had 40 singers.", "", "Choir at the harbour", "2025-06-01")
BUDGET = Document("budget.txt", "岚江市今年的防洪预算为3亿元。", "", "岚江市公布预算", "2025-01-02")
RIVER = Document("river.md", "---\ntitle: 岚江防洪\n---\n岚江市在岚江两岸修建了新堤坝。岚江市水务局说，工程耗资12亿元。",
                 "", "岚江防洪", None, body_start=len("---\ntitle: 岚江防洪\n---\n"))


def test_a_library_is_described_by_its_titles_dates_and_names():
    profile = describe([HARBOUR, CHOIR, RIVER, BUDGET])
    # newest first, undated last
    assert profile.titles == ("Choir at the harbour", "New ferry berth", "岚江市公布预算", "岚江防洪")
    assert (profile.first_date, profile.last_date, profile.articles) == ("2025-01-02", "2025-06-01", 4)
    # in two articles each: 岚江 (a word of two titles, 4 mentions), Skarvik Harbour (3); then one article
    assert profile.names == ("岚江", "Skarvik Harbour", "Ingrid Holm")


def test_capitals_that_are_not_names_are_left_out():
    texts = ["The council met in May. the rest followed.", "Costs rose to 40 NOK and 12 GW in Hamarvik. Costs fell."]
    assert main_names(texts) == ("Hamarvik",)  # "The" is written in lower case too; months; units beside figures


def test_a_profile_survives_its_file(tmp_path):
    profile = describe([HARBOUR, RIVER])
    profile.save(tmp_path / "profile.json")
    assert Profile.load(tmp_path / "profile.json") == profile


def _about(answered=lambda question, name: True) -> About:
    profile = Profile(("New ferry berth", "Choir at the harbour", "岚江防洪", "Budget"), "2025-05-04", "2025-06-01",
                      ("Skarvik Harbour", "岚江市", "Ingrid Holm"))
    pairs = (("斯卡维克港", "Skarvik Harbour"),)
    return About(profile, pairs, examples(profile, pairs, answered))


def test_the_intro_says_what_is_indexed_in_the_readers_language():
    about = _about()
    assert about.intro("en") == (
        "Ask about the 4 articles in the library, in English or Chinese (dated 2025-05-04 to 2025-06-01): "
        "“New ferry berth”, “Choir at the harbour”, “岚江防洪” and 1 more. They mention Skarvik Harbour, "
        "Lanjiangshi (岚江市) and Ingrid Holm most. Every sentence of an answer cites its passage; click [n] to see "
        "it highlighted.")
    assert about.intro("zh").startswith("就文库中的4 篇文章提问，中英文皆可（2025-05-04 至 2025-06-01）：“New ferry berth”、")
    assert "提到最多的是斯卡维克港、岚江市和Ingrid Holm。" in about.intro("zh")


def test_examples_are_only_the_questions_the_library_answers():
    about = _about(answered=lambda question, name: name != "岚江市")
    assert about.examples == ("What do the articles say about Skarvik Harbour?", "文章中关于斯卡维克港说了什么？",
                              "What do the articles say about Ingrid Holm?", "文章中关于Ingrid Holm说了什么？")
    assert about.placeholder("zh") == "例如：文章中关于斯卡维克港说了什么？"
    assert about.scope_reply("en") == (
        "I can only answer questions about the 4 articles in the library (Skarvik Harbour, Lanjiangshi (岚江市) "
        "and Ingrid Holm), each answer cited. For example: “What do the articles say about Skarvik Harbour?” or "
        "“What do the articles say about Ingrid Holm?”")


def test_an_empty_library_says_so():
    about = About(Profile((), None, None, ()), (), ())
    assert about.intro("en") == about.scope_reply("en") == (
        "The library holds no articles yet: add some in the Documents tab, then ask about them.")
    assert about.placeholder("en") == ""


def test_names_reach_a_reader_in_their_script():
    assert reader_form("Skarvik Harbour", (("斯卡维克港", "Skarvik Harbour"),), "zh") == "斯卡维克港"
    assert reader_form("王楚钦", (), "en") == "Wang Chuqin (王楚钦)"


def test_with_the_seeds_removed_nothing_the_page_says_names_them(settings, docs):
    """The seeds' own names (read from the seeds, as their profile and name pairs) appear in no page
    text, scope reply, example or prompt when the library is another one."""
    import shutil

    from conftest import ROOT, SEEDS, fake_index

    from app.answering.names import name_pairs
    from app.engine import load_engine
    from app.ui.strings import EN, MESSAGES, ZH
    from index.documents import load_documents

    seeds, _ = load_documents([SEEDS], 10**7)
    pairs = name_pairs(d.text[d.body_start:] for d in seeds)
    seed_names = {*describe(seeds).names, *(form for pair in pairs for form in pair)}
    assert len(seed_names) > 10  # the seeds do have names to leak

    for path in (ROOT / "eval" / "corpora" / "en_local" / "docs").iterdir():
        shutil.copy(path, docs / path.name)
    settings, embedder = fake_index(settings, docs, {})
    engine = load_engine(settings, embedder=embedder, with_chat=False)
    about = engine.about
    said = [about.intro(lang) + about.scope_reply(lang) + about.placeholder(lang) for lang in ("en", "zh")]
    said += [*about.examples, *EN.values(), *ZH.values()]
    for table in (MESSAGES["en"], MESSAGES["zh"]):  # a message with a count has a form per number
        said += [form for value in table.values() for form in (value.values() if isinstance(value, dict) else [value])]
    said += [p.read_text(encoding="utf-8") for p in (ROOT / "prompts").glob("*.txt")]
    assert about.examples and about.profile.articles == 5
    leaks = sorted({name for name in seed_names for text in said if name.lower() in text.lower()})
    assert leaks == []


def test_an_article_added_to_an_empty_library_is_described_at_once(settings, docs):
    """The page's whole path on an empty library: it starts, says it is empty, answers nothing,
    and after one article is added its intro, examples and scope reply are that article's."""
    from fakes import fake_embedder

    from app.engine import load_engine
    from app.library import Changed, Library, Live
    from app.pipeline import answer
    from index.build import build_index

    embedder = fake_embedder(settings)
    build_index(settings, lambda: embedder)
    live = Live(load_engine(settings, embedder=embedder, with_chat=False))
    assert live.engine.about.intro("en").startswith("The library holds no articles yet")
    empty = answer(live.engine, "Who won the race?")
    assert (empty.refused, empty.text) == (True, live.engine.about.scope_reply("en"))

    text = ("---\ntitle: Skarvik Harbour opens a ferry berth\ndate: 2025-05-04\n---\n"
            "Skarvik Harbour opened a ferry berth in May. The berth cost NOK 310 million. "
            "The ferry from Skarvik Harbour runs twice a day.\n")
    outcome = Library(live).add("berth.txt", text.encode())
    assert isinstance(outcome, Changed) and outcome.passages > 0
    about = live.engine.about
    assert about.intro("en").startswith("Ask about the 1 article in the library, in English or Chinese "
                                        "(dated 2025-05-04 to 2025-05-04): “Skarvik Harbour opens a ferry berth”.")
    assert about.profile.names == ("Skarvik Harbour",)
    assert "Skarvik Harbour" in about.scope_reply("en")
