"""The Gradio Blocks app: chat with a sources panel, and a documents tab.

    demo = build_ui(engine)              # engine=None + problem: the page explains what to run
    serve(demo, settings)                # queue and safe launch defaults, the session cookie, /export/<token>
"""

from __future__ import annotations

import contextlib
import html
import tempfile
from datetime import datetime
from pathlib import Path

import gradio as gr
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from app.engine import Engine
from app.library import Library, Live
from app.pipeline import PULSE_S
from app.render import escape
from app.translate import pending
from app.ui import saved
from app.ui.chat import Progress, Ticket, View, answer_markdown, model_views, prepare_views, translation_views, turn_views
from app.ui.documents import DOCUMENTS_CSS
from app.ui.downloads import ROUTE, Downloads, SessionCookie, session_of
from app.ui.export import conversation_markdown
from app.ui.guard import NoRelay
from app.ui.library_tab import documents_tab
from app.ui.line import Line
from app.ui.sources import CLICK_JS, CSS, sources_html
from app.ui.strings import I18N, language, message, request_language
from app.ui.ticker import ticking
from app.validate import InvalidQuestion
from core.records import Answer
from core.settings import Settings
from index.documents import strip_surrogates

MAX_QUEUE = 32  # waiting requests; more get "queue full" at once instead of waiting minutes
EXPORT_TTL_S = 600  # an export nobody fetches is removed after this long



def _messages(chat: list, question: str, reply: str) -> list[dict]:
    return [*chat, {"role": "user", "content": escape(question)}, {"role": "assistant", "content": reply}]


def make_ask(live: Live | None, problem: str | None = None):
    """The whole turn in one handler, for API clients (`/ask`): a generator, so each view streams."""

    def ask(question: str, chat: list, turns: list[Answer], request: gr.Request):
        lang, engine = request_language(request), live.engine if live else None
        # translation is a chained event of its own (`make_translate`): once the answer is shown the
        # Ask button is free again, and a new question queues behind the translation for the model
        views = turn_views(engine, question, turns, lang, problem, translate=False)
        try:
            view: View = next(views)
        except InvalidQuestion as exc:  # the typed text stays in the box; nothing reaches the model
            yield chat, turns, gr.skip(), f"⚠ {escape(str(exc))}", _kept(question)
            return
        yield _messages(chat, question, view.reply), turns, view.sources, view.status, ""
        for view in views:
            done = [*turns, view.answer] if view.answer else turns
            yield _messages(chat, question, view.reply), done, view.sources, view.status, ""

    return ask


def _kept(question) -> str:
    # a lone surrogate (JSON "\ud800" from a raw HTTP client) cannot be sent back to the page
    return strip_surrogates(question) if isinstance(question, str) else ""


def make_look(live: Live | None, line: Line[Ticket], problem: str | None = None):
    """The page's send handler, outside the model's slot: the passages and the quick answer at once,
    then the turn's ticket for `make_write`, with how many questions wait for the model before it.

    Outputs: chat, turns, sources, status, question box, ticket."""

    def look(question: str, chat: list, turns: list[Answer], request: gr.Request):
        lang, session = request_language(request), request.session_hash or ""
        if line.busy(session):  # the answer in flight would land in this question's place
            gr.Warning(message(lang, "one_at_a_time"))
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        # the engine of this moment answers the whole turn, even if the articles change meanwhile
        engine = live.engine if live else None
        views = ticking(prepare_views(engine, question, turns, lang, problem), PULSE_S)
        # the local model answering someone else waits while this page's passages are found (D29)
        with getattr(engine.chat if engine else None, "paused", contextlib.nullcontext)():
            yield from _looked(views, chat, question, turns, lang, line, session)

    return look


def _drawn(items, lang: str):
    """What a ticking handler sends: each view, and on the ticker's None the last view again with the
    time now; a view equal to the one just sent (the model's pulse and a tick can coincide) is not
    sent twice. Returns the handler's own return value."""
    last: View | None = None
    while True:
        try:
            item = next(items)
        except StopIteration as done:
            return done.value
        now = last.ticked(lang) if item is None and last else item
        if now is not None and now != last:
            last = now
            yield now


def _looked(views, chat: list, question: str, turns: list[Answer], lang: str, line: Line[Ticket], session: str):
    """`look`'s views as page updates, then its ticket (outputs as in `make_look`)."""
    last: View | None = None
    drawn = _drawn(views, lang)
    try:
        while True:
            try:
                last = next(drawn)
            except StopIteration as done:
                ticket = done.value
                break
            answered = [*turns, last.answer] if last.answer else turns
            yield _messages(chat, question, last.reply), answered, last.sources, last.status, "", gr.skip()
    except InvalidQuestion as exc:  # the typed text stays in the box; nothing reaches the model
        yield gr.skip(), gr.skip(), gr.skip(), f"⚠ {escape(str(exc))}", _kept(question), gr.skip()
        return
    if ticket is None or last is None:
        return
    ticket_id, ahead = line.put(session, ticket)
    waiting = Progress("waiting", ticket.started, {"n": ahead})
    yield (_messages(chat, question, last.reply), turns, last.sources, waiting.line(lang), "", ticket_id)


def make_write(line: Line[Ticket]):
    """The model's part of the page's turn, in the model's slot: started by the ticket `make_look` hands
    the page, it replaces the quick answer's message with the model's, then the verified answer.

    Outputs: chat, turns, sources, status."""

    def write(ticket_id: str, chat: list, turns: list[Answer], request: gr.Request):
        lang, session = request_language(request), request.session_hash or ""
        ticket = line.take(session, ticket_id)
        if ticket is None:  # stopped or cleared while it waited, or not this session's
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        views = ticking(model_views(ticket, turns, lang), PULSE_S)
        try:
            shown = chat
            for view in _drawn(views, lang):
                if line.stopped(session):  # the model is abandoned (closing `views` aborts it)
                    yield stopped_chat(shown, lang), gr.skip(), gr.skip(), message(lang, "stopped_status")
                    return
                answered = [*turns, view.answer] if view.answer else turns
                shown = [*chat[:-1], {"role": "assistant", "content": view.reply}]
                yield shown, answered, view.sources, view.status
        finally:
            views.close()
            line.finish(session)

    return write


def make_translate(live: Live | None):
    """After an answer: its cited sentences in the reader's language (the sources panel and the
    turns update; the chat and the status line are left as they are: a pending event's timer
    would otherwise stand in the status line)."""

    def translate(turns: list[Answer], status: str, request: gr.Request):
        engine = live.engine if live else None
        if engine is None or not turns or not pending(turns[-1]):
            yield gr.skip(), gr.skip()  # nothing to translate: the page stays as it is
            return
        lang = request_language(request)
        answered = View("", status, sources_html(turns, lang), turns[-1])
        for view in translation_views(engine, answered, turns[:-1], lang):
            yield [*turns[:-1], view.answer], view.sources

    return translate


def make_described(live: Live | None, problem: str | None):
    """The intro, the question box's hint and the example questions for the library answering now."""

    def described(request: gr.Request):
        lang = request_language(request)
        if live is None:
            return message(lang, "engine_error", why=escape(problem or "")), gr.skip(), gr.Dataset(visible=False)
        about = live.engine.about
        return (escape(about.intro(lang)), gr.Textbox(placeholder=about.placeholder(lang)),
                gr.Dataset(samples=[[q] for q in about.examples], visible=bool(about.examples)))

    return described


def restore(kept: object, request: gr.Request):
    """A reloaded page: the conversation this browser kept, drawn again."""
    turns = saved.load(kept)
    chat = [m for n, a in enumerate(turns) for m in _messages([], a.question, answer_markdown(a, n))]
    return chat, turns, sources_html(turns, request_language(request))


def make_clear(line: Line[Ticket]):
    def clear(request: gr.Request):
        line.finish(request.session_hash or "")
        return [], [], sources_html([], request_language(request)), "", ""

    return clear


def make_stop(line: Line[Ticket]):
    """Stop. A question waiting for the model is dropped here, its quick answer marked as stopped; one
    the model is answering is ended by its own handler (`make_write`), which marks what was written:
    marking it here would race with the answer's last pieces on their way to the page."""

    def stop(chat: list, turns: list[Answer], request: gr.Request):
        lang = request_language(request)
        state = line.stop(request.session_hash or "")
        asked = sum(m.get("role") == "user" for m in chat)
        if state == "answering" or not chat or chat[-1].get("role") != "assistant" or asked <= len(turns):
            return gr.skip(), gr.skip()  # nothing in flight, or its handler marks it
        return stopped_chat(chat, lang), message(lang, "stopped_status")

    return stop


def stopped_chat(chat: list, lang: str) -> list:
    """The chat with its last (unfinished) answer marked as stopped and unchecked."""
    note = f"_■ {message(lang, 'stopped')}_"
    return [*chat[:-1], {"role": "assistant", "content": f"{_text(chat[-1]['content'])}\n\n{note}"}]


def _text(content) -> str:
    """A chat message's text (Gradio hands it back as a string or a list of text parts)."""
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return content if isinstance(content, str) else ""


def make_export(downloads: Downloads):
    """The Export handler: the conversation as Markdown, stored for this browser's session only;
    the page gets a one-time link to it (`export_route`)."""

    def export(turns: list[Answer], request: gr.Request) -> str:
        lang = request_language(request)
        if not turns:
            gr.Warning(message(lang, "export_empty"))
            return ""
        session = session_of(request.headers.get("cookie"))
        if session is None:  # a client that keeps no cookies could never fetch the file
            gr.Warning(message(lang, "export_no_cookie"))
            return ""
        token = downloads.put(session, conversation_markdown(turns))
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        # relative link: it works behind a proxy that serves the app under a path prefix
        return (f'<a class="cw-download" href="export/{token}" download="citewise-conversation-{stamp}.md">'
                f'⬇ {html.escape(message(lang, "export_link"))}</a> <span class="cw-download-note">'
                f'{html.escape(message(lang, "export_once", n=EXPORT_TTL_S // 60))}</span>')

    return export


def export_route(downloads: Downloads) -> Route:
    """GET /export/<token>: the export, once, to the browser session that made it; 404 to anyone else."""

    def fetch(request: Request) -> Response:
        data = downloads.take(session_of(request.headers.get("cookie")), request.path_params["token"])
        if data is None:
            return PlainTextResponse(message(language(request.headers.get("accept-language")), "export_gone"),
                                     status_code=404, headers={"Cache-Control": "no-store"})
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return Response(data, media_type="text/markdown; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="citewise-conversation-{stamp}.md"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    return Route(ROUTE, fetch, methods=["GET"])


def build_ui(engine: Engine | None, problem: str | None = None, downloads: Downloads | None = None) -> gr.Blocks:
    """The page. Exports go to `downloads` (default: a private temporary folder of this process);
    `serve` mounts the route that hands them out, so it reads them from `demo.downloads`. Articles
    can be added and removed in the page when `engine.settings.uploads_allowed`."""
    downloads = downloads or Downloads(Path(tempfile.mkdtemp(prefix="citewise-exports-")), EXPORT_TTL_S)
    live = Live(engine) if engine else None
    library = Library(live) if live and engine.settings.uploads_allowed else None
    with gr.Blocks(title="Citewise") as demo:
        turns = gr.State([])
        # a fixed key: Gradio sends it to the page anyway, and a random one per start would make every
        # kept conversation unreadable after a restart (app.ui.saved)
        kept = gr.BrowserState(None, storage_key=saved.STORAGE_KEY, secret=saved.STORAGE_KEY)
        gr.Markdown("## Citewise")
        # the library of this moment, worded for the browser's language: filled at load, and again
        # whenever the chat tab is shown (articles may have been added or removed meanwhile)
        intro = gr.Markdown(elem_id="cw-intro")
        with gr.Tabs():
            with gr.Tab(I18N("chat_tab"), id="chat") as chat_tab, gr.Row(equal_height=False):
                with gr.Column(scale=3):
                    chatbot = gr.Chatbot(label=I18N("chat_label"), height="min(520px, 58vh)", elem_id="cw-chat",
                                         sanitize_html=True, render_markdown=True, latex_delimiters=[],
                                         allow_tags=False, feedback_options=None, buttons=["copy"])
                    status = gr.Markdown(elem_id="cw-status", elem_classes=["cw-status"])
                    question = gr.Textbox(label=I18N("question_label"), lines=1, max_lines=6, elem_id="cw-question")
                    with gr.Row():
                        send = gr.Button(I18N("send"), variant="primary", elem_id="cw-send")
                        stop = gr.Button(I18N("stop"), variant="stop", elem_id="cw-stop")
                        clear_button = gr.Button(I18N("clear"), elem_id="cw-clear")
                        export_button = gr.Button(I18N("export"), elem_id="cw-export")
                    download = gr.HTML("", elem_id="cw-download")
                    # hidden until `described` fills it: an empty visible Dataset sometimes never
                    # registers in Gradio 6's page, whose "Loading..." overlay then stays over everything
                    examples = gr.Dataset(components=[question], samples=[], label=I18N("examples"), visible=False,
                                          elem_id="cw-examples")
                    examples.click(lambda picked: picked[0], examples, question, queue=False, show_progress="hidden")
                with gr.Column(scale=2):
                    sources = gr.HTML(sources_html([], "en"), elem_id="cw-sources")
            with gr.Tab(I18N("documents_tab"), id="documents"):
                changes = documents_tab(live, library)

        ticket = gr.Textbox(visible="hidden", elem_id="cw-ticket")  # hands a turn from `look` to `write`
        api_ask = gr.Button(visible=False)
        line: Line[Ticket] = Line()
        outputs = [chatbot, turns, sources, status, question]
        # The page's turn: retrieval and the quick answer outside the model's slot (4 pages at once,
        # ~0.1 s each: D29), then the model's part in its one slot, started by the ticket.
        look = make_look(live, line, problem)
        looked = [trigger(look, [question, chatbot, turns], [*outputs, ticket], api_visibility="private",
                          concurrency_id="search", concurrency_limit=4, show_progress="hidden")
                  for trigger in (question.submit, send.click)]
        write = ticket.change(make_write(line), [ticket, chatbot, turns], [chatbot, turns, sources, status],
                              api_visibility="private", concurrency_id="model", concurrency_limit=1,
                              show_progress="hidden")
        # API clients (`/ask`, the load bench) get the whole turn from one call
        asked = api_ask.click(make_ask(live, problem), [question, chatbot, turns], outputs, api_name="ask",
                              concurrency_id="model", concurrency_limit=1, show_progress="hidden")
        translate = make_translate(live)
        translated = [a.success(translate, [turns, status], [turns, sources], api_visibility="private",
                                concurrency_id="model", concurrency_limit=1, show_progress="hidden")
                      for a in (write, asked)]
        events = [*looked, write, asked, *translated]
        # the model's handler is not cancelled by Stop: it ends itself, marking its partial answer
        stop.click(make_stop(line), [chatbot, turns], [chatbot, status], cancels=[*looked, asked, *translated],
                   queue=False)
        cleared = clear_button.click(make_clear(line), None, [chatbot, turns, sources, status, download],
                                     cancels=events, queue=False)
        export_button.click(make_export(downloads), [turns], [download], queue=False)
        # the conversation survives a reload: kept in the browser each time its answers change
        for changed in (*looked, write, *translated, cleared):
            changed.then(saved.dump, [turns], [kept], queue=False, show_progress="hidden")
        restored = demo.load(restore, [kept], [chatbot, turns, sources], queue=False)
        described = make_described(live, problem)
        # after the conversation is restored, not beside it (two load events at once left a page's
        # loading overlay over the chat); hidden progress: an overlay would cover the Ask button
        for shown in (restored.then, chat_tab.select, *(change.then for change in changes)):
            shown(described, None, [intro, question, examples], queue=False, show_progress="hidden")
    demo.downloads = downloads
    return demo


def serve(demo: gr.Blocks, settings: Settings, max_size: int = MAX_QUEUE, block: bool = True) -> gr.Blocks:
    """Queue and launch with safe defaults: loopback unless configured, no share link, no public API
    outside the queue, no tracebacks in the page, no fetching of other URLs for a caller. Every
    browser gets a session cookie, and its exports are served at /export/<token> to that browser only."""
    demo.queue(max_size=max_size, default_concurrency_limit=1, api_open=False)
    demo.launch(app_kwargs={"routes": [export_route(demo.downloads)], "middleware": [Middleware(NoRelay), Middleware(SessionCookie)]},
                server_name=settings.host, server_port=settings.port, share=False, show_error=False,
                max_file_size=settings.max_upload_bytes,
                max_threads=8, footer_links=[], i18n=I18N, css=CSS + DOCUMENTS_CSS, head=CLICK_JS,
                prevent_thread_lock=not block, quiet=not block)
    return demo
