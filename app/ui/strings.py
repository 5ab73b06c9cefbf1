"""Interface text in English and Chinese.

Labels and buttons go through `I18N` and follow the browser's language (Gradio picks the
locale). Text the handlers write while answering (stage, errors) is chosen by `language()`,
from the browser's Accept-Language header.
"""

from __future__ import annotations

import gradio as gr

EN = {
    "title": "Citewise",
    "chat_tab": "Chat",
    "documents_tab": "Documents",
    "chat_label": "Conversation",
    "question_label": "Your question",
    "send": "Ask",
    "stop": "Stop",
    "clear": "Clear chat",
    "export": "Export (.md)",
    "examples": "Examples",
    "sources": "Sources",
    "documents_table": "Indexed articles",
    "document_pick": "Article",
    "headers_title": "Title",
    "headers_date": "Date",
    "headers_file": "File",
    "headers_chunks": "Passages",
    "remove": "Remove this article",
    "add_articles": "Add articles",
    "add_files": "Files: .txt, .md, .pdf, .docx, .html",
    "paste_title": "Title of a pasted article",
    "paste_text": "Or paste an article's text",
    "add_text": "Add the pasted text",
    "add_hint": "Each change rebuilds the index (a page of text takes a few seconds); questions keep being "
                "answered from the articles as they were until the new index is ready.",
}

ZH = {
    "title": "Citewise 引证问答",
    "chat_tab": "对话",
    "documents_tab": "文章",
    "chat_label": "对话",
    "question_label": "你的问题",
    "send": "提问",
    "stop": "停止",
    "clear": "清空对话",
    "export": "导出 (.md)",
    "examples": "示例问题",
    "sources": "来源",
    "documents_table": "已索引的文章",
    "document_pick": "文章",
    "headers_title": "标题",
    "headers_date": "日期",
    "headers_file": "文件",
    "headers_chunks": "段落数",
    "remove": "删除这篇文章",
    "add_articles": "添加文章",
    "add_files": "文件：.txt、.md、.pdf、.docx、.html",
    "paste_title": "粘贴文章的标题",
    "paste_text": "或粘贴文章正文",
    "add_text": "添加粘贴的文本",
    "add_hint": "每次更改都会重建索引（一页文字需要几秒）；在新索引就绪前，提问仍按原有文章回答。",
}

I18N = gr.I18n(en=EN, zh=ZH, **{"zh-CN": ZH, "zh-TW": ZH})

# Written by the handlers, in the browser's language.
MESSAGES = {
    "en": {
        "searching": "Searching the articles…",
        "reading": "The model is reading the sentences found ({n})…",
        "writing": "Writing the answer in English…",
        "checking": "Checking each quoted sentence against its passage…",
        "done": "Answered in {s:.1f} s.",
        "waiting": {"one": "Waiting for the model: {n} question ahead of yours…",
                    "other": "Waiting for the model: {n} questions ahead of yours…"},
        "read_share": "{p:.0f}% read",
        "one_at_a_time": "One question at a time: wait for this answer, or press Stop. Your question is still in the box.",
        "stopped": "Stopped: this partial answer was not checked against the passages.",
        "stopped_status": "Stopped.",
        "quick_note": "Quick answer from the passages; the model is choosing the sentences that answer…",
        "read_as": "read as a follow-up to “{previous}”",
        "elapsed": "{s:.1f} s",
        "no_sources": "Sources of the answer appear here.",
        "found": "Passages found ({n})",
        "cited": "Cited passages",
        "also": "Also retrieved ({n})",
        "related": "Related passages (they do not answer the question)",
        "earlier": "Earlier question: {q}",
        "notes": "Notes",
        "export_empty": "Nothing to export yet: ask a question first.",
        "export_no_cookie": "Export needs the browser to keep this site's session cookie; allow cookies and try again.",
        "export_link": "Download the conversation (Markdown)",
        "export_once": {"one": "This link works once, in this browser, for {n} minute; press Export again for "
                               "another copy.",
                        "other": "This link works once, in this browser, for {n} minutes; press Export again for "
                                 "another copy."},
        "export_gone": "No such export for this browser: it was downloaded already, it expired, or it belongs "
                       "to another browser. Press Export again in the chat.",
        "engine_error": "The chat cannot answer yet: {why}",
        "failed": "Something went wrong while answering ({why}). The question was not lost: try again, "
                  "and if it keeps failing, check the app's console.",
        "machine_translation": "Machine translation",
        "translating": "Translating cited sentences ({done}/{n})…",
        "translated": "cited sentences translated in {s:.1f} s",
        "translation_failed": "No machine translation ({why}).",
        "figures_differ": "Figures differ from the original: {figures}.",
        "figure_missing": "{f} is not in the translation",
        "figure_added": "{f} is not in the original",
        "untranslated": "Left untranslated: {words}.",
        "library_added": {"one": "✓ {name}: added as “{title}”, searchable now ({n} passage, indexed in {s:.1f} s).",
                          "other": "✓ {name}: added as “{title}”, searchable now ({n} passages, indexed in {s:.1f} s)."},
        "library_removed": "✓ {name}: removed, no longer searchable (index rebuilt in {s:.1f} s).",
        "library_adding": "Indexing {name}: not searchable yet…",
        "library_removing": "Removing {name}: still searchable until the new index is ready…",
        "library_refused": "✗ {name}: {why}. Nothing was changed.",
        "pasted": "pasted text",
        "embedding_chunk": "Indexing {name}, not searchable yet: passages embedded",
        "embedding_sentence": "Indexing {name}, not searchable yet: sentences embedded",
        "unit_chunk": {"one": "passage", "other": "passages"},  # after "done/total" on the progress bar
        "unit_sentence": {"one": "sentence", "other": "sentences"},
        "refused_empty": "the file is empty",
        "refused_too_big": "it is larger than the {max_bytes} limit",
        "refused_unsupported_type": "files of this type ({suffix}) cannot be read; use .txt, .md, .pdf, .docx or .html",
        "refused_corrupt": "the file is damaged or not what its name says ({error})",
        "refused_encrypted": "the file is password-protected",
        "refused_no_text": "it holds no text to index (a scanned PDF has only pictures of text)",
        "refused_not_utf8": "the text is not UTF-8",
        "refused_binary": "it is not a text file",
        "refused_duplicate": "the same text is already indexed as “{title}” ({source})",
        "refused_name_taken": "an article named {source} is already indexed; rename the file",
        "refused_not_found": "no article {source} is indexed",
        "refused_not_removable": "{source} is one of the app's configured articles; only articles added here can be removed",
        "refused_no_chunks": "nothing in it was left to index ({error})",
        "refused_index_failed": "the index could not be rebuilt ({error})",
        "refused_busy": "another change is being indexed; try again in a moment",
    },
    "zh": {
        "searching": "正在检索文章…",
        "reading": "模型正在阅读找到的句子（{n}）…",
        "writing": "正在把答案写成中文…",
        "checking": "正在逐句核对引文与其段落…",
        "done": "用时 {s:.1f} 秒。",
        "waiting": "正在排队等待模型：前面还有 {n} 个问题…",
        "read_share": "已读 {p:.0f}%",
        "one_at_a_time": "一次只能问一个问题：请等待当前回答完成，或点击停止。你的问题仍保留在输入框中。",
        "stopped": "已停止：这段不完整的回答未经与来源段落核对。",
        "stopped_status": "已停止。",
        "quick_note": "以上是摘自段落的快速回答；模型正在挑选能回答问题的句子…",
        "read_as": "按追问理解，接上一问“{previous}”",
        "elapsed": "{s:.1f} 秒",
        "no_sources": "回答引用的来源会显示在这里。",
        "found": "检索到的段落（{n}）",
        "cited": "引用的段落",
        "also": "其他检索到的段落（{n}）",
        "related": "相关段落（并未回答该问题）",
        "earlier": "之前的问题：{q}",
        "notes": "提示",
        "export_empty": "还没有可导出的内容：请先提问。",
        "export_no_cookie": "导出需要浏览器保存本站的会话 Cookie：请允许 Cookie 后重试。",
        "export_link": "下载对话记录（Markdown）",
        "export_once": "此链接只能在本浏览器中使用一次，{n} 分钟内有效；如需再次下载，请重新点击导出。",
        "export_gone": "本浏览器没有这个导出文件：它已被下载、已过期，或属于其他浏览器。请在聊天页面重新点击导出。",
        "engine_error": "暂时无法回答：{why}",
        "failed": "回答时出错（{why}）。问题没有丢失：请重试；如果一直失败，请查看应用的控制台。",
        "machine_translation": "机器翻译",
        "translating": "正在翻译引文（{done}/{n}）…",
        "translated": "引文翻译用时 {s:.1f} 秒",
        "translation_failed": "暂无机器翻译（{why}）。",
        "figures_differ": "数字与原文不符：{figures}。",
        "figure_missing": "译文缺少 {f}",
        "figure_added": "原文没有 {f}",
        "untranslated": "未译出：{words}。",
        "library_added": "✓ {name}：已加入「{title}」，现在可以检索（{n} 个段落，索引用时 {s:.1f} 秒）。",
        "library_removed": "✓ {name}：已删除，不再被检索（重建索引用时 {s:.1f} 秒）。",
        "library_adding": "正在索引 {name}：暂时还不能检索…",
        "library_removing": "正在删除 {name}：新索引就绪前仍会被检索…",
        "library_refused": "✗ {name}：{why}。没有做任何更改。",
        "pasted": "粘贴的文本",
        "embedding_chunk": "正在索引 {name}，暂时还不能检索：已嵌入的段落",
        "embedding_sentence": "正在索引 {name}，暂时还不能检索：已嵌入的句子",
        "unit_chunk": "个段落",
        "unit_sentence": "个句子",
        "refused_empty": "文件是空的",
        "refused_too_big": "文件超过 {max_bytes} 的上限",
        "refused_unsupported_type": "无法读取这种类型的文件（{suffix}）；请使用 .txt、.md、.pdf、.docx 或 .html",
        "refused_corrupt": "文件已损坏，或与扩展名不符（{error}）",
        "refused_encrypted": "文件受密码保护",
        "refused_no_text": "文件中没有可索引的文字（扫描版 PDF 只有文字的图片）",
        "refused_not_utf8": "文本不是 UTF-8 编码",
        "refused_binary": "这不是文本文件",
        "refused_duplicate": "相同的文本已作为「{title}」（{source}）被索引",
        "refused_name_taken": "已有名为 {source} 的文章；请给文件改名",
        "refused_not_found": "没有已索引的文章 {source}",
        "refused_not_removable": "{source} 是应用配置的文章；只能删除在此添加的文章",
        "refused_no_chunks": "其中没有可索引的内容（{error}）",
        "refused_index_failed": "索引无法重建（{error}）",
        "refused_busy": "另一项更改正在索引；请稍后再试",
    },
}


def language(accept_language: str | None) -> str:
    """'zh' when the browser prefers Chinese, else 'en'.

    >>> language("zh-CN,zh;q=0.9,en;q=0.8"), language("en-US,en;q=0.9,zh;q=0.8"), language(None)
    ('zh', 'en', 'en')
    """
    first = (accept_language or "").split(",")[0].strip().lower()
    return "zh" if first.startswith("zh") else "en"


def request_language(request) -> str:
    """The language of a Gradio request's browser ('zh' or 'en'; 'en' without a request)."""
    return language(request.headers.get("accept-language") if request is not None else None)


def message(lang: str, key: str, **values) -> str:
    """A handler's message in `lang`. A message with a count names it `n`; where the language
    inflects for it (English), the message is {"one": …, "other": …} and agrees with `n`.

    >>> message("en", "waiting", n=1), message("en", "waiting", n=2)
    ('Waiting for the model: 1 question ahead of yours…', 'Waiting for the model: 2 questions ahead of yours…')
    >>> message("zh", "waiting", n=1)
    '正在排队等待模型：前面还有 1 个问题…'
    """
    text = MESSAGES[lang][key]
    if isinstance(text, dict):
        text = text["one" if values["n"] == 1 else "other"]
    return text.format(**values)


def figures_differ(lang: str, missing: tuple[str, ...], added: tuple[str, ...]) -> str:
    """What a machine translation got wrong in its figures, for the warning next to it.

    >>> figures_differ("en", ("1570亿美元",), ("US$157 million",))
    'Figures differ from the original: 1570亿美元 is not in the translation; US$157 million is not in the original.'
    >>> figures_differ("zh", ("US$10 billion",), ())
    '数字与原文不符：译文缺少 US$10 billion。'
    """
    parts = [message(lang, "figure_missing", f=f) for f in missing] + [message(lang, "figure_added", f=f) for f in added]
    return message(lang, "figures_differ", figures=("；" if lang == "zh" else "; ").join(parts))
