from concurrent.futures import ThreadPoolExecutor

from index.keywords import KeywordIndex, Tokenizer, query_language, tokenize


def test_tokens_mix_jieba_words_and_lowercased_latin_names():
    assert tokenize("澜舟航运与Hamarvik签署63亿元协议, 10GW") == [
        "澜舟", "航运", "hamarvik", "签署", "63", "亿元", "协议", "10", "gw"]


def test_question_words_are_dropped():
    assert tokenize("What is the fare of the ferry?") == ["fare", "ferry"]
    assert tokenize("渡轮的票价是多少？") == ["渡轮", "票价"]


def test_query_language():
    assert [query_language(q) for q in ("澜舟航运的票价多少？", "How much is the ferry fare?",
                                        "Hamarvik的电池", "Hamarvik battery 63亿")] == ["zh", "en", "zh", "en"]


def test_a_library_tokenizer_keeps_its_words_whole_and_leaves_others_alone():
    library = Tokenizer(words=["岚和平"], names=["凯文化"])
    assert library("岚和平与凯文化签约") == ["和平", "岚和平", "凯文", "文化", "凯文化", "签约"]
    assert Tokenizer()("岚和平与凯文化签约") == ["岚", "和平", "与凯", "文化", "签约"]
    assert tokenize("岚和平") == ["岚", "和平"]  # jieba's global dictionary is not changed
    assert library.pos_cut("凯文化签约") == [("凯文化", "nz"), ("签约", "v")]
    assert Tokenizer().pos_cut("凯文化签约") == [("凯", "nr"), ("文化", "n"), ("签约", "v")]


def test_a_library_tokenizer_gives_the_same_tokens_from_many_threads():
    library = Tokenizer(words=["岚和平", "凯文化"])
    texts = ["岚和平宣布扩建码头", "凯文化集团的票价", "岚和平与凯文化签约"] * 20
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(library, texts)) == [library(t) for t in texts]


def test_bm25_ranks_and_survives_a_round_trip(tmp_path):
    words = Tokenizer(words=["岚和平"])
    index = KeywordIndex.build(["和平广场的渡轮停航。", "岚和平大桥通车。", "岚和平渡轮票价上涨。", ""], words)
    scores = index.scores(index.tokenize("岚和平的票价"))
    assert [int(i) for i in (-scores).argsort()[:2]] == [2, 1]
    index.save(tmp_path)
    again = KeywordIndex.load(tmp_path, words)
    assert again.size == 4
    assert again.scores(again.tokenize("岚和平的票价")).tolist() == scores.tolist()


def test_unknown_words_score_zero():
    index = KeywordIndex.build(["渡轮停航。"])
    assert index.known(index.tokenize("Ferry 渡轮 码头")) == ["渡轮"]
    assert index.scores(index.tokenize("Ferry")).tolist() == [0.0]
