"""Notes to the user: typed codes from the core, put into English or Chinese words here only.

    >>> say(Note("off_question", {"sentence": "It is 5%."}), "zh")
    '已略去“It is 5%.”：说的不是所问的内容。'
"""

from __future__ import annotations

from core.records import Note

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "nothing_relevant": "No passage is relevant enough (best {best} < {floor}).",
        "out_of_scope": "This chat answers questions about the articles only; it does not follow other requests.",
        "model_no_answer": "The model found no answer in the passages.",
        "model_failed": "The model could not answer ({why}); this is the quick answer taken verbatim from the passages.",
        "model_timeout": "The model gave no complete answer within {s} s; this is the quick answer taken verbatim "
                         "from the passages.",
        "no_model": "No model is configured; this is the quick answer taken verbatim from the passages.",
        "sources_differ": "The sources differ on this point; both are cited.",
        "not_a_quote": "Left out “{sentence}”: it is not what its passage says.",
        "off_question": "Left out “{sentence}”: it is about something other than the question.",
        "nothing_relevant_picked": "None of the sentences the model chose is about the question.",
        "rendering_failed": "Shown as the article writes it: the translation of “{sentence}” did not keep its "
                            "figures or names, or left words untranslated.",
    },
    "zh": {
        "nothing_relevant": "没有足够相关的段落（最高 {best} < {floor}）。",
        "out_of_scope": "本问答只回答与这几篇文章有关的问题，不执行其他请求。",
        "model_no_answer": "模型在段落中没有找到答案。",
        "model_failed": "模型未能作答（{why}），以下为直接摘自段落的快速回答。",
        "model_timeout": "模型在 {s} 秒内没有给出完整回答，以下为直接摘自段落的快速回答。",
        "no_model": "未配置模型，以下为直接摘自段落的快速回答。",
        "sources_differ": "不同来源在这一点上说法不一，两者都已引用。",
        "not_a_quote": "已略去“{sentence}”：与其段落原文不符。",
        "off_question": "已略去“{sentence}”：说的不是所问的内容。",
        "nothing_relevant_picked": "模型选出的句子都与问题无关。",
        "rendering_failed": "按原文显示：“{sentence}”的译文没有保留原数字或名称，或有未译出的词。",
    },
}
def say(note: Note, language: str) -> str:
    """The note in words, in `language` ("en" or "zh"; anything else reads English)."""
    return TEXT.get(language, TEXT["en"])[note.code].format(**note.args)
