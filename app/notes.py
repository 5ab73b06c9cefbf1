"""Notes to the user: typed codes from the core, put into English or Chinese words here only.

    >>> say(Note("figure_missing", {"sentence": "It is 5%.", "figures": "5%"}), "zh")
    '已删除“It is 5%.”：段落中没有数字 5%。'
"""

from __future__ import annotations

from core.records import Note

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "nothing_relevant": "No passage is relevant enough (best {best} < {floor}).",
        "out_of_scope": "This chat answers questions about the articles only; it does not follow other requests.",
        "model_no_answer": "The model found no answer in the passages.",
        "nothing_verified": "No sentence of the model's answer survived verification.",
        "not_answered": "The verified sentences do not answer what was asked ({wants}).",
        "not_confident": "The verified sentences are too weakly supported to be shown as the answer.",
        "model_failed": "The model could not answer ({why}); this is the quick answer taken verbatim from the passages.",
        "model_timeout": "The model gave no complete answer within {s} s; this is the quick answer taken verbatim "
                         "from the passages.",
        "no_model": "No model is configured; this is the quick answer taken verbatim from the passages.",
        "quick_instead": "The model's answer did not hold up; this is the quick answer taken verbatim from the passages.",
        "figure_missing": "Removed “{sentence}”: the figure {figures} is not in the passages.",
        "figure_context": "Removed “{sentence}”: in the passages {figures} measures something else.",
        "period_mismatch": "Removed “{sentence}”: the passage gives {figures} for another period.",
        "name_missing": "Removed “{sentence}”: no passage with its figures names {names}.",
        "unsupported": "Removed “{sentence}”: no passage says it.",
        "words_missing": "Removed “{sentence}”: the passages do not say {words}.",
        "claimless": "Left out “{sentence}”: it states nothing to cite.",
        "wrong_language": "Left out a sentence written in another language than the question.",
        "marker_dropped": "Dropped marker [{n}]: there is no passage {n}.",
        "citation_moved": "Moved the citation of “{sentence}” to the passage that supports it.",
        "names_uncited": "The passages cited do not mention {names}.",
        "names_unrelated": "The closest passages do not mention {names}.",
        "sources_differ": "The sources differ on this point; both are cited.",
        "part_added": "The model's answer left out “{part}”; the passage that says it is quoted verbatim.",
        "part_missing": "The answer does not cover “{part}”; the closest passage is among the sources.",
        "part_not_found": "The articles do not say “{part}”.",
        "not_a_quote": "Left out “{sentence}”: it is not what its passage says.",
        "off_question": "Left out “{sentence}”: it is about something other than the question.",
        "nothing_relevant_picked": "None of the sentences the model chose is about the question.",
        "model_doubts": "The model found no sentence that answers; this is the closest one, quoted as the article "
                        "writes it.",
        "rendering_failed": "Shown as the article writes it: the translation of “{sentence}” did not keep its "
                            "figures or left words untranslated.",
    },
    "zh": {
        "nothing_relevant": "没有足够相关的段落（最高 {best} < {floor}）。",
        "out_of_scope": "本问答只回答与这几篇文章有关的问题，不执行其他请求。",
        "model_no_answer": "模型在段落中没有找到答案。",
        "nothing_verified": "模型回答的句子都未通过核验。",
        "not_answered": "通过核验的句子没有回答所问的内容（{wants}）。",
        "not_confident": "通过核验的句子支持不足，不作为回答显示。",
        "model_failed": "模型未能作答（{why}），以下为直接摘自段落的快速回答。",
        "model_timeout": "模型在 {s} 秒内没有给出完整回答，以下为直接摘自段落的快速回答。",
        "no_model": "未配置模型，以下为直接摘自段落的快速回答。",
        "quick_instead": "模型的回答未通过核验，以下为直接摘自段落的快速回答。",
        "figure_missing": "已删除“{sentence}”：段落中没有数字 {figures}。",
        "figure_context": "已删除“{sentence}”：段落中的 {figures} 指的是别的事物。",
        "period_mismatch": "已删除“{sentence}”：段落中的 {figures} 属于另一时期。",
        "name_missing": "已删除“{sentence}”：含有这些数字的段落没有提到 {names}。",
        "unsupported": "已删除“{sentence}”：没有段落这样说。",
        "words_missing": "已删除“{sentence}”：段落没有提到 {words}。",
        "claimless": "已略去“{sentence}”：这句话没有可引证的内容。",
        "wrong_language": "已略去一句与问题语言不同的句子。",
        "marker_dropped": "已去掉标注 [{n}]：没有第 {n} 段。",
        "citation_moved": "“{sentence}”的引用已改为真正支持它的段落。",
        "names_uncited": "所引段落没有提到 {names}。",
        "names_unrelated": "最接近的段落没有提到 {names}。",
        "sources_differ": "不同来源在这一点上说法不一，两者都已引用。",
        "part_added": "模型的回答遗漏了“{part}”，已直接引用说明这一点的原文。",
        "part_missing": "回答没有涵盖“{part}”，最接近的段落见来源。",
        "part_not_found": "文章没有提到“{part}”。",
        "not_a_quote": "已略去“{sentence}”：与其段落原文不符。",
        "off_question": "已略去“{sentence}”：说的不是所问的内容。",
        "nothing_relevant_picked": "模型选出的句子都与问题无关。",
        "model_doubts": "模型没有找到能回答的句子；以下是最接近的一句，按原文引用。",
        "rendering_failed": "按原文显示：“{sentence}”的译文没有保留原数字，或有未译出的词。",
    },
}
WANTS = {
    "en": {"amount": "an amount", "count": "a number", "percent": "a percentage", "date": "a date or period",
           "capacity": "a capacity in GW", "person": "a person"},
    "zh": {"amount": "金额", "count": "数量", "percent": "比例", "date": "时间", "capacity": "算力规模（GW）",
           "person": "人物"},
}


def say(note: Note, language: str) -> str:
    """The note in words, in `language` ("en" or "zh"; anything else reads English)."""
    words = TEXT.get(language, TEXT["en"])
    args = dict(note.args)
    if "wants" in args:
        args["wants"] = ", ".join(WANTS.get(language, WANTS["en"]).get(w, w) for w in args["wants"].split(","))
    return words[note.code].format(**args)
