"""The bench command end to end in seconds: fake embedder, scripted model, small synthetic corpora."""

from __future__ import annotations

import json

from conftest import fake_index
from fakes import ScriptedChat

from app.engine import load_engine
from bench.__main__ import main
from bench.report import table
from bench.scaling import Shape

ARTICLES = {
    "deal.txt": "英伟达每落地1GW对应约100亿美元投资。首笔资金在首个吉瓦级数据中心建成后支付。",
    "oracle.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。",
}
GOLD = [
    {"id": "a", "lang": "zh", "kind": "fact", "question": "英伟达每落地1GW投资多少？", "history": [], "answerable": True},
    {"id": "b", "lang": "en", "kind": "fact", "question": "What is Oracle's debt-to-equity ratio?", "history": [],
     "answerable": True},
    {"id": "c", "lang": "zh", "kind": "fact", "question": "甲骨文的总债务股本比是多少？", "history": [], "answerable": True},
    {"id": "d", "lang": "zh", "kind": "negative", "question": "苹果投资了多少？", "history": [], "answerable": False},
]
# ours: a pick, then a pick and its English rendering; then the peer x2
REPLIES = ["1", "1", "1. Oracle's total debt-to-equity ratio is 427%.",
           "Nvidia invests about US$10 billion per GW.", "Oracle's ratio is 427%."]


def test_the_bench_prints_a_table_and_writes_json_and_a_plot(settings, docs, tmp_path, capsys):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=64, chunk_chars=200, relevance_floor=0.2)
    chat = ScriptedChat(replies=list(REPLIES), prompts=[])
    engine = load_engine(settings, embedder=embedder, chat=chat)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in GOLD), encoding="utf-8")
    out = tmp_path / "out"

    code = main(["--gold", str(gold), "--answers", "2", "--repeat", "2", "--sizes", "300,1000",
                 "--scale-questions", "3", "--no-app", "--articles", "", "--out", str(out)], engine=engine)

    assert code == 0
    results = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert (results["index"]["documents"], results["index"]["chunks"]) == (2, 2)
    assert results["index"]["sentences"] == 4
    assert results["query"]["questions"] == 4 and results["query"]["repeat"] == 2
    assert set(results["query"]["stages"]) == {"embed", "dense", "bm25", "sentences", "fusion", "retrieval",
                                               "rendering"}
    assert all(v["p50"] <= v["p95"] for v in results["query"]["stages"].values())
    # the two answered questions alternate Chinese and English; the peer got the same two
    assert [r["question"] for r in results["answer_rows"]] == [GOLD[0]["question"], GOLD[1]["question"]]
    assert [r["source"] for r in results["answer_rows"]] == ["model", "model"]
    assert [r["answer"] for r in results["peer_rows"]] == REPLIES[3:]
    assert "Question: 英伟达每落地1GW投资多少？\nContext: " in results["peer_rows"][0]["prompt"]
    assert chat.replies == [] and len(chat.prompts) == 5
    assert results["raw_llama"] is None  # a scripted model has no llama.cpp underneath
    assert [(r["chunks"], r["fits"]) for r in results["scaling"]] == [(300, True), (1000, True)]
    assert {t["target"] for t in results["targets"]} == {
        "retrieval p95 on the seeds ≤ 150 ms", "first token p50 ≤ 6 s", "full answer p50 ≤ 15 s",
        "full answer ≥ 2x faster than the peer"}
    assert (out / "retrieval.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    for heading in ("## Index", "## Query path per stage", "## Answer path", "## Retrieval against corpus size",
                    "## Targets"):
        assert heading in printed
    assert "| 1,000 |" in printed


def test_a_synthetic_corpus_copies_the_shape_of_the_real_index(settings, docs):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=64, chunk_chars=200)
    index = load_engine(settings, embedder=embedder, with_chat=False).index
    shape = Shape.of(index)
    assert shape.chunk_vectors.shape == (2, 64) and shape.sentences_per_chunk == 2
    assert shape.bytes_per_chunk() == 4 * 64 * 3
    assert abs(shape.weights.sum() - 1) < 1e-9 and "中心" in shape.vocabulary


def test_the_smoke_run_needs_no_chat_model(settings, docs, tmp_path, capsys):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=64, chunk_chars=200)
    engine = load_engine(settings, embedder=embedder, with_chat=False)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(json.dumps(g, ensure_ascii=False) for g in GOLD), encoding="utf-8")
    assert main(["--smoke", "--gold", str(gold), "--out", str(tmp_path)], engine=engine) == 0
    results = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert [r["chunks"] for r in results["scaling"]] == [1000]
    assert "answer" not in results and "index" not in results and "app" not in results
    assert [t["target"] for t in results["targets"]] == ["retrieval p95 on the seeds ≤ 150 ms"]


def test_library_sizes_above_the_measured_one_are_extrapolated_and_say_so(monkeypatch):
    import bench.articles as articles

    monkeypatch.setattr(articles, "measure", lambda n, pool: {"build_s": 12.5, "chunks": 3 * n, "sentences": 20 * n})
    monkeypatch.setattr(articles.os, "getloadavg", lambda: (1.5, 1.0, 1.0))
    rows = articles.run_articles([1000, 100], measured_max=100, log=lambda line: None)
    assert rows == [{"articles": 100, "how": "measured", "load_before": 1.5, "build_s": 12.5, "chunks": 300, "sentences": 2000},
                    {"articles": 1000, "how": "extrapolated from 100", "build_s": 125.0}]
    assert "| 1,000 | 125.0 | — | — | extrapolated from 100 |" in table({"articles": rows})


def test_synthetic_articles_are_the_same_on_every_run_and_never_repeat_a_text(tmp_path):
    from bench.articles import write_articles

    pool = ["英伟达股价上涨。", "The budget grew.", "Line 7 opens in 2027."]
    write_articles(tmp_path / "a", 3, pool)
    write_articles(tmp_path / "b", 3, pool)
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted((tmp_path / "a").iterdir())}
    assert texts == {p.name: p.read_text(encoding="utf-8") for p in sorted((tmp_path / "b").iterdir())}
    assert list(texts) == ["synthetic-00000.txt", "synthetic-00001.txt", "synthetic-00002.txt"]
    lines = [line for text in texts.values() for line in text.splitlines()[3:]]
    assert len(lines) == 60 and all(line.startswith(("[0] ", "[1] ", "[2] ")) for line in lines)
