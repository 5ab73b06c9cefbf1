from index.keywords import KeywordIndex, query_language, tokenize


def test_tokens_mix_jieba_words_and_lowercased_latin_names():
    assert tokenize("CoreWeave与英伟达签署63亿美元协议, 10GW") == [
        "coreweave", "伟达", "英伟达", "签署", "63", "美元", "亿美元", "协议", "10", "gw"]


def test_question_words_are_dropped():
    assert tokenize("What is the deal of Nvidia?") == ["deal", "nvidia"]
    assert tokenize("甲骨文的债务是多少？") == ["甲骨", "甲骨文", "债务"]


def test_query_language():
    assert [query_language(q) for q in ("英伟达投资OpenAI多少？", "How much did Nvidia invest?",
                                        "AMD的认股权证", "CoreWeave backstop 63亿")] == ["zh", "en", "zh", "en"]


def test_bm25_ranks_and_survives_a_round_trip(tmp_path):
    index = KeywordIndex.build(["英伟达投资OpenAI。", "甲骨文债务高企。", "AMD向OpenAI发行认股权证。", ""])
    scores = index.scores(tokenize("OpenAI认股权证"))
    assert [int(i) for i in (-scores).argsort()[:2]] == [2, 0]
    index.save(tmp_path)
    again = KeywordIndex.load(tmp_path)
    assert again.size == 4
    assert again.scores(tokenize("OpenAI认股权证")).tolist() == scores.tolist()


def test_unknown_words_score_zero():
    index = KeywordIndex.build(["英伟达投资。"])
    assert index.known(tokenize("Apple invest 英伟达")) == ["伟达", "英伟达"]
    assert index.scores(tokenize("Apple")).tolist() == [0.0]
