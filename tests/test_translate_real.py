"""With the local GGUF: one cited Chinese sentence translated for an English reader.

Temperature 0, so the rendering repeats on one machine; the assertions hold its names and
figures (checked by hand), not its wording. The model comes from `make models`; without it this
fails (not skips), like the other real-model tests.
"""

from __future__ import annotations

import pytest

from app.answering.names import name_pairs
from app.engine import load_chat
from app.translate import TranslationCache, Translator, model_id
from core.settings import Settings
from index.documents import load_documents

pytestmark = pytest.mark.real


def test_a_chinese_quote_in_english_with_its_names_and_figures(tmp_path):
    settings = Settings()
    chat = load_chat(settings)
    documents, _ = load_documents(settings.corpus_dirs, settings.max_file_bytes)
    names = name_pairs(d.text[d.body_start:] for d in documents)  # what the engine derives from the articles
    translator = Translator(chat, TranslationCache(tmp_path / "t.sqlite"), model_id(settings), names)
    quote = "2025年9月，双方合作消息公布后，**甲骨文**（Oracle: 全球最大的企业级软件公司）的市值一夜之间飙升了2440亿美元。"
    rendering = translator.translate(quote, "en")
    assert (rendering.source_language, rendering.target_language, rendering.failure) == ("zh", "en", None)
    assert (rendering.missing, rendering.added) == ((), ())
    assert "Oracle" in rendering.text and "US$244 billion" in rendering.text and "2025" in rendering.text
    assert translator.calls == 1
    assert translator.translate(quote, "en") == rendering and translator.calls == 1  # from the cache
