"""With the real embedding model: the seeds index and two questions checked by hand.

The model comes from `make models`; these tests fail (not skip) without it, so CI runs them.
"""

from __future__ import annotations

import numpy as np
import pytest

from app.retrieve import Retriever
from index.reader import open_index

pytestmark = pytest.mark.real


@pytest.fixture(scope="session")
def real(real_built):
    settings, embedder, result = real_built
    return result, Retriever(open_index(settings, embedder), embedder)


def test_seed_index_counts(real):
    result, retriever = real
    assert (result.documents, result.chunks, result.embedded, result.skipped) == (5, 72, 72, ())
    assert result.build_id is not None and retriever.index.manifest["counts"]["sentences"] == 472
    assert retriever.index.manifest["embedding"] == {
        "id": "google/embeddinggemma-300m",
        "sha256": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2", "dim": 768,
        "backend": "openvino"}


def test_openvino_vectors_agree_with_torch(real_built):
    """The export (run in bf16) against the model itself: passages with paragraph breaks batched with
    short sentences, and questions. Embedding the line breaks that LangChain's torch path turns into
    spaces put passages at cosine 0.991 (D35)."""
    from index.chunking import chunk_document, document_sentences
    from index.documents import load_documents
    from index.embedder import load_embedder

    settings, embedder, _ = real_built
    docs, _ = load_documents(settings.docs_dirs, settings.max_file_bytes)
    texts = [c.text for c in chunk_document(docs[0], settings.chunk_chars, settings.chunk_overlap)[:4]]
    texts += [s.text for s in document_sentences(docs[1])[:12]]
    assert any("\n" in t for t in texts)  # a paragraph break inside a passage
    questions = ["英伟达对OpenAI投资多少？", "How much does Nvidia invest in OpenAI?"]
    on_torch = load_embedder(settings.with_(embed_backend="torch"))
    assert (embedder.backend, on_torch.backend) == ("openvino", "torch")
    documents = np.sum(np.asarray(embedder.embed_documents(texts)) * np.asarray(on_torch.embed_documents(texts)), axis=1)
    asked = [float(np.dot(embedder.embed_query(q), on_torch.embed_query(q))) for q in questions]
    assert min(documents.min(), *asked) >= 0.9995


def test_chinese_question_finds_its_passage_first(real):
    found = real[1].search("CoreWeave与OpenAI的合同价值多少？")
    assert found.language == "zh"
    # Two articles give the value; checked by hand, both passages answer the question.
    assert "CoreWeave 需要在五年的时间里提供价值 224 亿美元" in found.passages[0].text
    assert found.passages[0].source == "001_5e66be595dc92cc5.txt"
    assert any("它与OpenAI的合作协议价值超过220亿美元" in p.text for p in found.passages[:3])


def test_english_question_finds_the_chinese_passage_first(real):
    found = real[1].search("How many GPUs does the 10 GW Nvidia–OpenAI deployment correspond to?")
    assert found.language == "en"
    assert "10 GW 算力对应 400 - 500 万颗 GPU" in found.passages[0].text
    assert found.passages[0].source == "002_154491c56ade4e87.txt"


def test_offsets_point_into_the_original_text(real):
    index = real[1].index
    for passage in real[1].search("甲骨文的债务股本比", k=5).passages:
        assert index.documents[passage.source].text[passage.start:passage.end] == passage.text
