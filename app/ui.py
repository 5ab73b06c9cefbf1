"""The Gradio chat: an adapter that validates input, calls the engine, formats the result."""

from __future__ import annotations

import gradio as gr

from app.engine import Engine
from app.render import escape
from app.pipeline import Final, Quick, Token, answer_events
from app.validate import InvalidQuestion, clean_question
from core.records import Answer

EXAMPLES = [
    "What are the Nvidia–OpenAI tranche terms?",
    "英伟达对OpenAI的分阶段投资条款是什么？",
    "What is Oracle's total debt-to-equity ratio?",
    "CoreWeave与OpenAI的合同价值多少？",
]


def history_pairs(history: list[dict]) -> list[tuple[str, str]]:
    """Gradio 'messages' history -> [(user, assistant), ...]."""
    pairs, user = [], None
    for message in history:
        content = message.get("content")
        text = content if isinstance(content, str) else ""
        if message.get("role") == "user":
            user = text
        elif message.get("role") == "assistant" and user is not None:
            pairs.append((user, text))
            user = None
    return pairs


def format_answer(answer: Answer) -> str:
    lines = [escape(answer.text)]
    if answer.citations:
        lines.append("\n**Sources**")
        for c in answer.citations:
            date = f", {escape(c.passage.date)}" if c.passage.date else ""
            lines.append(f"[{c.n}] {escape(c.passage.title)} ({escape(c.passage.source)}{date}): “{escape(c.quote)}”")
    elif answer.refused and answer.retrieved:
        lines.append("\n**Related passages**")
        lines += [f"- {escape(p.title)} ({escape(p.source)})" for p in answer.retrieved[:3]]
    lines += [f"\n_{escape(w)}_" for w in answer.warnings]
    return "\n".join(lines)


def respond(engine: Engine, message: str, history: list[dict]):
    """Stream what the pipeline produces: quick answer, the model's words, the verified answer."""
    try:
        question = clean_question(message)
    except InvalidQuestion as exc:
        yield str(exc)
        return
    quick, written = "", ""
    for event in answer_events(engine, question, history_pairs(history)):
        if isinstance(event, Quick):
            quick = f"{escape(event.text)}\n\n_Quick answer from the passages; the model is writing…_"
            yield quick
        elif isinstance(event, Token):
            written += event.text
            yield f"{quick}\n\n---\n{escape(written)}"
        elif isinstance(event, Final):
            yield format_answer(event.answer)


def make_chat(engine: Engine):
    """The ChatInterface callback: a generator function, which Gradio streams (a lambda returning
    a generator is taken for a finished message)."""

    def chat(message: str, history: list[dict]):
        yield from respond(engine, message, history)

    return chat


def build_ui(engine: Engine) -> gr.Blocks:
    with gr.Blocks(title="Citewise: questions about the AI-compute articles") as demo:
        gr.Markdown("## Citewise\nAsk about the articles on the Nvidia–OpenAI deal and AI-compute financing, "
                    "in English or Chinese.")
        gr.ChatInterface(
            fn=make_chat(engine),
            examples=EXAMPLES,
            chatbot=gr.Chatbot(height=560, sanitize_html=True, render_markdown=True),
        )
    return demo
