"""The chat handlers with a scripted fake model: what a person sees, exactly."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import time
from types import SimpleNamespace

import gradio as gr
import pytest
from conftest import fake_index
from fakes import Blocked, ScriptedChat

from app.engine import load_engine
from app.library import Live
from app.ui import build_ui, saved
from app.ui.chat import answer_markdown, turn_views
from app.ui.downloads import COOKIE, Downloads
from app.ui.layout import make_ask, make_clear, make_export, make_look, make_stop, make_write, restore
from app.ui.line import Line
from app.ui.sources import sources_html
from app.ui.strings import MESSAGES, message
from app.ui.ticker import ticking
from app.validate import InvalidQuestion

ARTICLES = {"oracle.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。"}
QUESTION = "甲骨文的总债务股本比是多少？"
REPLY = "1"  # the model points at the first sentence


@pytest.fixture
def engine(settings, docs):
    settings, embedder = fake_index(settings, docs, ARTICLES, dim=512, chunk_chars=200, relevance_floor=0.2)
    return load_engine(settings, embedder=embedder, chat=ScriptedChat(replies=[], prompts=[]))


def request(lang: str = "en-US,en;q=0.9", session: str = "page-1"):
    return SimpleNamespace(headers={"accept-language": lang}, session_hash=session)


def without_time(text: str) -> str:
    return re.sub(r"\d+\.\d s|\d+\.\d 秒", "T", text)


def test_a_turn_shows_passages_then_quick_answer_then_the_pointed_answer(engine):
    engine.chat.replies.append(REPLY)
    views = list(turn_views(engine, QUESTION, [], "en"))
    statuses = [without_time(v.status) for v in views]
    assert statuses == ["Searching the articles… · T", "Searching the articles… · T",
                        "Searching the articles… · T", "The model is reading the sentences found (2)… · T",
                        "Checking each quoted sentence against its passage… · T", "Answered in T."]
    assert "Passages found (1)" in views[1].sources and views[1].reply == ""
    assert views[2].reply == ("甲骨文的总债务股本比为427%。[\\[1\\]](#src-0-1)\n\n"
                              "_Quick answer from the passages; the model is choosing the sentences that answer…_")
    assert '<mark>甲骨文的总债务股本比为427%。</mark>' in views[2].sources
    final = views[-1]
    assert final.answer.text == "甲骨文的总债务股本比为427%。[1]"
    assert final.reply == "甲骨文的总债务股本比为427%。[\\[1\\]](#src-0-1)"
    assert final.sources == (
        '<div class="cw-sources"><h3>Cited passages</h3><section class="cw-source" id="src-0-1">'
        '<h4><span class="cw-n">[1]</span>甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。</h4>'
        '<div class="cw-meta">oracle.txt</div><div class="cw-text"><mark>甲骨文的总债务股本比为427%。</mark>'
        '微软的总债务股本比为32.7%。</div></section></div>')


def test_the_second_turn_links_to_its_own_sources_and_folds_the_first(engine):
    engine.chat.replies += [REPLY, REPLY]
    first = list(turn_views(engine, QUESTION, [], "en"))[-1].answer
    second = list(turn_views(engine, "那微软呢？", [first], "en"))[-1]
    assert "(#src-1-1)" in second.reply
    assert 'id="src-1-1"' in second.sources
    assert '<details class="cw-turn"><summary>Earlier question: 甲骨文的总债务股本比是多少？</summary>' in second.sources


def test_warnings_are_shown_as_notes_and_model_text_is_inert(engine):
    engine.chat.replies.append(RuntimeError("server down"))
    answer = list(turn_views(engine, QUESTION, [], "en"))
    final = answer[-1].answer
    assert final.source == "quick"
    payload = "<img src=x onerror=alert(1)> ![x](http://127.0.0.2/p.png) [1]"
    shown = answer_markdown(dataclasses.replace(final, text=payload), 0)
    assert shown.split("\n\n")[0] == ("&lt;img src=x onerror=alert\\(1\\)&gt; \\!\\[x\\]\\(http://127.0.0.2/p.png\\) "
                                      "[\\[1\\]](#src-0-1)")
    assert shown.split("\n\n")[1] == "_⚠ 模型未能作答（RuntimeError: server down），以下为直接摘自段落的快速回答。_"


def test_a_follow_up_says_in_small_type_how_it_was_read_and_keeps_saying_it_after_a_reload(engine):
    engine.chat.replies.append(RuntimeError("server down"))
    final = list(turn_views(engine, QUESTION, [], "en"))[-1].answer
    followed = dataclasses.replace(final, read_with="What is <Oracle>'s ratio?")
    assert answer_markdown(followed, 0).endswith("<sub>按追问理解，接上一问“What is &lt;Oracle&gt;'s ratio?”</sub>")
    assert "<sub>" not in answer_markdown(final, 0)
    assert saved.load(saved.dump([followed]))[0].read_with == "What is <Oracle>'s ratio?"


def test_a_bad_question_keeps_the_typed_text_and_calls_no_model(engine):
    ask = make_ask(Live(engine))
    shown = list(ask("\u202egpt", [], [], request()))
    assert len(shown) == 1
    chat, turns, _, status, box = shown[0]
    assert (chat, turns, box) == ([], [], "\u202egpt")
    assert status == ("⚠ The question contains invisible control characters \\(U\\+202E\\). "
                      "Please retype it as plain text.")
    assert engine.chat.prompts == []
    with pytest.raises(InvalidQuestion):
        next(turn_views(engine, "x" * 2001, [], "en"))


def test_the_ask_handler_streams_the_conversation_and_keeps_the_answer(engine):
    engine.chat.replies.append(REPLY)
    shown = list(make_ask(Live(engine))(QUESTION, [], [], request("zh-CN,zh;q=0.9")))
    chat, turns, sources, status, box = shown[-1]
    assert chat == [{"role": "user", "content": QUESTION},
                    {"role": "assistant", "content": "甲骨文的总债务股本比为427%。[\\[1\\]](#src-0-1)"}]
    assert [t.text for t in turns] == ["甲骨文的总债务股本比为427%。[1]"]
    assert without_time(status) == "用时 T。"
    assert box == ""
    assert "<h3>引用的段落</h3>" in sources
    assert all(s[1] == [] for s in shown[:-1])  # the turn is kept only once verified


def test_no_engine_means_a_plain_message_saying_what_to_run():
    ask = make_ask(None, "No index at data/index: run `python -m index`.")
    chat = list(ask("What did Nvidia invest?", [], [], request()))[-1][0]
    assert chat[-1] == {"role": "assistant",
                        "content": "The chat cannot answer yet: No index at data/index: run \\`python -m index\\`."}


def test_clear_and_export(engine, tmp_path):
    chat, turns, sources, status, download = make_clear(Line())(request())
    assert (chat, turns, status, download) == ([], [], "", "")
    assert sources == sources_html([], "en")
    engine.chat.replies.append(REPLY)
    answer = list(turn_views(engine, QUESTION, [], "en"))[-1].answer
    downloads = Downloads(tmp_path)
    export = make_export(downloads)
    browser = SimpleNamespace(headers={"accept-language": "en-US", "cookie": f"{COOKIE}={'s' * 32}"})
    link = export([answer], browser)
    token = re.fullmatch(r'<a class="cw-download" href="export/([\w-]{32})" download="citewise-conversation-'
                         r'\d{8}-\d{6}\.md">⬇ Download the conversation \(Markdown\)</a> <span class="cw-download-note">'
                         r"This link works once, in this browser, for 10 minutes; press Export again for another "
                         r"copy.</span>", link)[1]
    text = downloads.take("s" * 32, token).decode("utf-8")
    assert "甲骨文的总债务股本比为427%。[1]" in text and "oracle.txt" in text


def test_an_export_without_a_session_cookie_writes_nothing(engine, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(gr, "Warning", warnings.append)
    engine.chat.replies.append(REPLY)
    answer = list(turn_views(engine, QUESTION, [], "en"))[-1].answer
    export = make_export(Downloads(tmp_path / "exports"))
    assert export([answer], request()) == ""
    assert export([], request()) == ""
    assert warnings == ["Export needs the browser to keep this site's session cookie; allow cookies and try again.",
                        "Nothing to export yet: ask a question first."]
    assert not (tmp_path / "exports").exists()


def test_the_ui_is_built_with_streaming_generators(engine):
    assert inspect.isgeneratorfunction(make_ask(Live(engine)))
    demo = build_ui(engine)
    assert isinstance(demo, gr.Blocks)
    assert "ask" in [d.api_name for d in demo.fns.values()]


def test_the_page_shows_passages_and_the_quick_answer_before_the_model_then_the_model_replaces_it(engine):
    line = Line()
    engine.chat.replies.append(REPLY)
    shown = list(make_look(Live(engine), line)(QUESTION, [], [], request()))
    chat, turns, sources, status, box, ticket = shown[-1]
    assert engine.chat.prompts == []  # nothing of the model yet
    assert chat == [{"role": "user", "content": QUESTION},
                    {"role": "assistant", "content": "甲骨文的总债务股本比为427%。[\\[1\\]](#src-0-1)\n\n"
                                                     "_Quick answer from the passages; the model is choosing the sentences that answer…_"}]
    assert (turns, box) == ([], "")
    assert without_time(status) == "Waiting for the model: 0 questions ahead of yours… · T"
    assert '<mark>甲骨文的总债务股本比为427%。</mark>' in sources
    assert all(s[-1] is gr.skip() or isinstance(s[-1], dict) for s in shown[:-1])  # no ticket before the last
    assert line.busy("page-1")
    written = list(make_write(line)(ticket, chat, turns, request()))
    chat, turns, sources, status = written[-1]
    assert chat == [{"role": "user", "content": QUESTION},
                    {"role": "assistant", "content": "甲骨文的总债务股本比为427%。[\\[1\\]](#src-0-1)"}]
    assert [t.text for t in turns] == ["甲骨文的总债务股本比为427%。[1]"]
    assert without_time(status) == "Answered in T."
    assert not line.busy("page-1")
    assert list(make_write(line)(ticket, chat, turns, request())) == [(gr.skip(),) * 4]  # used once


def test_a_second_question_while_one_is_in_flight_is_refused_and_kept_in_the_box(engine, monkeypatch):
    warnings = []
    monkeypatch.setattr(gr, "Warning", warnings.append)
    line = Line()
    ticket = list(make_look(Live(engine), line)(QUESTION, [], [], request()))[-1][-1]
    assert list(make_look(Live(engine), line)("那微软呢？", [], [], request())) == [(gr.skip(),) * 6]
    assert warnings == ["One question at a time: wait for this answer, or press Stop. Your question is still in the box."]
    other = list(make_look(Live(engine), line)(QUESTION, [], [], request(session="page-2")))[-1]
    assert without_time(other[3]) == "Waiting for the model: 1 question ahead of yours… · T"
    assert line.take("page-2", ticket) is None  # a ticket belongs to the page it was handed to


def test_stop_marks_a_partial_answer_and_frees_the_page(engine):
    line = Line()
    chat, *_, ticket = list(make_look(Live(engine), line)(QUESTION, [], [], request()))[-1]
    chat, status = make_stop(line)(chat, [], request())
    assert chat[-1]["content"].endswith("_Quick answer from the passages; the model is choosing the sentences that answer…_\n\n"
                                        "_■ Stopped: this partial answer was not checked against the passages._")
    assert status == "Stopped."
    assert not line.busy("page-1")
    assert list(make_write(line)(ticket, chat, [], request())) == [(gr.skip(),) * 4]
    done = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    assert make_stop(line)(done, ["one answer"], request()) == (gr.skip(), gr.skip())  # nothing in flight


def test_a_silent_model_still_moves_the_status_line_at_least_every_half_second(engine):
    blocked = Blocked()
    engine.chat.replies.append(blocked)
    line = Line()
    *_, ticket = list(make_look(Live(engine), line)(QUESTION, [], [], request()))[-1]
    seen = []
    for _, _, _, status in make_write(line)(ticket, [{"role": "user", "content": QUESTION},
                                                             {"role": "assistant", "content": "quick"}], [], request()):
        seen.append((time.monotonic(), status))
        if len(seen) == 4:
            blocked.release()
    reading = [(t, s) for t, s in seen if s.startswith("The model is reading")]
    assert len(reading) >= 3
    assert all(b - a <= 0.6 for (a, _), (b, _) in zip(reading, reading[1:]))
    assert len({s for _, s in reading}) == len(reading)  # the time in it moved every time


def test_the_ticker_passes_items_values_and_errors_through_and_fills_silences():
    def slow():
        yield 1
        time.sleep(0.25)
        yield 2
        return "done"

    got = []
    result = yield_from_collect(ticking(slow(), 0.1), got)
    assert got[0] == 1 and got[-1] == 2 and None in got and result == "done"

    def broken():
        yield 1
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        list(ticking(broken(), 0.1))


def yield_from_collect(gen, into: list):
    while True:
        try:
            into.append(next(gen))
        except StopIteration as done:
            return done.value


def test_a_reload_draws_the_kept_conversation_again(engine):
    engine.chat.replies.append(REPLY)
    answer = list(turn_views(engine, QUESTION, [], "en"))[-1].answer
    kept = json.loads(json.dumps(saved.dump([answer])))  # what localStorage hands back
    chat, turns, sources = restore(kept, request())
    assert turns == [answer]
    assert chat == [{"role": "user", "content": QUESTION},
                    {"role": "assistant", "content": "甲骨文的总债务股本比为427%。[\\[1\\]](#src-0-1)"}]
    assert sources == sources_html([answer], "en")
    assert restore(None, request()) == ([], [], sources_html([], "en"))
    assert saved.load({"version": 1, "turns": [{"question": "q"}]}) == []  # damaged: start afresh
    assert saved.load({"version": 0, "turns": []}) == []


def test_every_count_agrees_with_its_number_in_english_and_chinese():
    added = {"name": "a.txt", "title": "A", "s": 1.25}
    assert [message("en", "library_added", n=n, **added) for n in (1, 2)] == [
        "✓ a.txt: added as “A”, searchable now (1 passage, indexed in 1.2 s).",
        "✓ a.txt: added as “A”, searchable now (2 passages, indexed in 1.2 s)."]
    assert [message("zh", "library_added", n=n, **added) for n in (1, 2)] == [
        "✓ a.txt：已加入「A」，现在可以检索（1 个段落，索引用时 1.2 秒）。",
        "✓ a.txt：已加入「A」，现在可以检索（2 个段落，索引用时 1.2 秒）。"]
    assert [message("en", "waiting", n=n) for n in (0, 1, 2)] == [
        "Waiting for the model: 0 questions ahead of yours…", "Waiting for the model: 1 question ahead of yours…",
        "Waiting for the model: 2 questions ahead of yours…"]
    assert [message("en", "export_once", n=n) for n in (1, 10)] == [
        "This link works once, in this browser, for 1 minute; press Export again for another copy.",
        "This link works once, in this browser, for 10 minutes; press Export again for another copy."]
    assert [message("en", "unit_chunk", n=n) for n in (1, 2)] + [message("zh", "unit_chunk", n=2)] == \
        ["passage", "passages", "个段落"]
    # an English message that puts a word after its count must have a form for one and a form for many
    assert [key for key, text in MESSAGES["en"].items()
            if isinstance(text, str) and (re.search(r"\{n\} [a-z]", text) or "(s)" in text)] == []
    assert [key for key, text in MESSAGES["en"].items() if isinstance(text, dict) and set(text) != {"one", "other"}] == []
    assert set(MESSAGES["en"]) == set(MESSAGES["zh"])
