"""The Documents tab: the indexed articles, one shown with its passages, and (when allowed) adding
and removing articles in the page (app.library), with a progress bar while the index is rebuilt.

    with gr.Tab("Documents"):
        documents_tab(live, library)     # library=None: the list only (uploads not allowed here)
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from app.library import Changed, Library, Live, Refused
from app.render import escape
from app.ui.documents import document_html, document_rows
from app.ui.strings import I18N, message, request_language

ACCEPTED = [".txt", ".md", ".pdf", ".docx", ".html", ".htm"]
HEADERS = ["Title / 标题", "Date / 日期", "File / 文件", "Passages / 段落数"]
REFUSAL_VALUES = ("error", "max_bytes", "size", "suffix", "detected", "offset", "pages", "source", "title")


def said(outcome: Changed | Refused, name: str, lang: str) -> str:
    """One line of the tab's report for one file or paste, in the reader's language.

    >>> said(Refused("corrupt", {"error": "PdfiumError"}), "a.pdf", "en")
    '✗ a.pdf: the file is damaged or not what its name says (PdfiumError). Nothing was changed.'
    >>> said(Changed("a.txt", "A", 1, 1.25), "a.txt", "en")
    '✓ a.txt: added as “A”, searchable now (1 passage, indexed in 1.2 s).'
    >>> said(Changed("a.txt", "A", 3, 1.25), "a.txt", "zh")
    '✓ a.txt：已加入「A」，现在可以检索（3 个段落，索引用时 1.2 秒）。'
    """
    name = escape(name)  # a file name and a title are the uploader's text, shown as Markdown
    if isinstance(outcome, Changed):
        key = "library_added" if outcome.passages else "library_removed"
        return message(lang, key, name=name, title=escape(outcome.title), n=outcome.passages, s=outcome.seconds)
    values = {key: "" for key in REFUSAL_VALUES} | {k: escape(v) for k, v in outcome.args.items()}
    if values["max_bytes"]:
        values["max_bytes"] = f"{int(values['max_bytes']) / 1e6:g} MB"
    why = message(lang, f"refused_{outcome.code}", **values)
    return message(lang, "library_refused", name=name, why=why)


def _views(live: Live, library: Library | None, source: str | None = None):
    """The tab's table, picker, shown article and Remove button for the articles now indexed."""
    index = live.engine.index
    documents = sorted(index.documents.values(), key=lambda d: d.source)
    if source not in index.documents:
        source = documents[0].source if documents else None
    shown = document_html(index.documents[source], index.chunks) if source else ""
    can_remove = library is not None and source is not None and library.removable(source)
    return (gr.update(value=document_rows(documents, index.chunks)),
            gr.update(choices=[(d.title, d.source) for d in documents], value=source),
            shown, gr.update(interactive=can_remove))


def documents_tab(live: Live | None, library: Library | None) -> list:
    """The tab; returns the events that change the library (the page describes it anew after each)."""
    documents = sorted(live.engine.index.documents.values(), key=lambda d: d.source) if live else []
    chunks = live.engine.index.chunks if live else []
    table = gr.Dataframe(document_rows(documents, chunks), label=I18N("documents_table"), interactive=False,
                         headers=HEADERS, elem_id="cw-doc-table")
    with gr.Row():
        pick = gr.Dropdown([(d.title, d.source) for d in documents], label=I18N("document_pick"),
                           value=documents[0].source if documents else None, elem_id="cw-doc-pick", scale=4)
        remove = gr.Button(I18N("remove"), variant="stop", elem_id="cw-remove", interactive=False, scale=1,
                           visible=library is not None)
    report = gr.Markdown(elem_id="cw-library-report")
    if library is not None:
        # open on an empty library: adding articles is the only thing to do there
        with gr.Accordion(I18N("add_articles"), open=not documents, elem_id="cw-add"):
            files = gr.File(label=I18N("add_files"), file_count="multiple", file_types=ACCEPTED, type="filepath",
                            elem_id="cw-upload")
            with gr.Row():
                paste_title = gr.Textbox(label=I18N("paste_title"), max_lines=1, elem_id="cw-paste-title", scale=1)
                paste_text = gr.Textbox(label=I18N("paste_text"), lines=4, max_lines=12, elem_id="cw-paste-text",
                                        scale=3)
            add_text = gr.Button(I18N("add_text"), elem_id="cw-add-text")
            gr.Markdown(I18N("add_hint"))
    shown = gr.HTML(document_html(documents[0], chunks) if documents else "", elem_id="cw-doc")
    if live is None:
        return []
    views = [table, pick, shown, remove]
    pick.change(lambda s: _views(live, library, s)[2:], pick, [shown, remove], queue=False)
    if library is None:
        return []

    add_files, add_pasted, remove_picked = make_library_handlers(live, library)

    # one change at a time, beside answering (its own slot: questions keep their answers meanwhile)
    return [
        files.upload(add_files, [files, pick], [report, files, *views], concurrency_id="library",
                     concurrency_limit=1, show_progress="full", show_progress_on=[report], api_visibility="private"),
        add_text.click(add_pasted, [paste_title, paste_text, pick], [report, paste_title, paste_text, *views],
                       concurrency_id="library", concurrency_limit=1, show_progress="full",
                       show_progress_on=[report], api_visibility="private"),
        remove.click(remove_picked, pick, [report, *views], concurrency_id="library", concurrency_limit=1,
                     show_progress="full", show_progress_on=[report], api_visibility="private"),
    ]


def make_library_handlers(live: Live, library: Library):
    """The tab's three handlers: add uploaded files, add the pasted text, remove the picked article.

    Each says on the progress bar, before the library starts, whether the article can be found
    meanwhile (an added one not yet, a removed one still), then reports the outcome with `said`.
    """

    def add_files(paths: list[str] | None, picked: str | None, request: gr.Request, progress=gr.Progress()):  # noqa: B008 (how Gradio finds a progress bar)
        lang = request_language(request)
        lines, last = [], None
        for path in paths or []:
            name = Path(path).name  # Gradio keeps the uploaded file's own name
            progress(None, desc=message(lang, "library_adding", name=name))
            outcome = library.add(name, Path(path).read_bytes(), counter(progress, lang, name))
            lines.append(said(outcome, name, lang))
            last = outcome.source if isinstance(outcome, Changed) else last
        return "\n\n".join(lines), None, *_views(live, library, last or picked)

    def add_pasted(title: str, text: str, picked: str | None, request: gr.Request, progress=gr.Progress()):  # noqa: B008 (how Gradio finds a progress bar)
        lang = request_language(request)
        name = title or message(lang, "pasted")
        progress(None, desc=message(lang, "library_adding", name=name))
        outcome = library.paste(title, text, counter(progress, lang, name))
        done = isinstance(outcome, Changed)
        return (said(outcome, name, lang), "" if done else gr.skip(),
                "" if done else gr.skip(), *_views(live, library, outcome.source if done else picked))

    def remove_picked(source: str, request: gr.Request, progress=gr.Progress()):  # noqa: B008 (how Gradio finds a progress bar)
        lang = request_language(request)
        progress(None, desc=message(lang, "library_removing", name=source))
        outcome = library.remove(source, counter(progress, lang, source))
        return said(outcome, source, lang), *_views(live, library, None if isinstance(outcome, Changed) else source)

    return add_files, add_pasted, remove_picked


def counter(progress: gr.Progress, lang: str, name: str):
    """Reports the build's embedding counts to the page's progress bar, in the reader's language."""

    def count(what: str, done: int, total: int) -> None:
        if total:
            progress((done, total), desc=message(lang, f"embedding_{what}", name=name),
                     unit=message(lang, f"unit_{what}", n=total))

    return count
