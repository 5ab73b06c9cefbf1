"""The answer path with the local model, and the raw llama.cpp rates of the same model.

For each question, from the moment it is asked: passages shown, quick answer shown, first model
token, verified answer. Tokens read (the prompt) and written, and the rates the answer path got
from llama.cpp against what llama.cpp does on this machine with nothing around it.
"""

from __future__ import annotations

import time

from app.engine import Engine
from app.pipeline import Final, Found, Quick, Token, answer_events
from bench.injection import Recorder


def count_tokens(chat, text: str) -> int | None:
    counter = getattr(chat, "count_tokens", None)
    return counter(text) if counter else None


def timed_answer(engine: Engine, recorder: Recorder, question: str) -> dict:
    row: dict = {"question": question}
    pieces = []
    recorder.messages = []
    for event in answer_events(engine, question):
        if isinstance(event, Found):
            row["passages_s"] = event.elapsed
        elif isinstance(event, Quick):
            row["quick_s"] = event.elapsed
        elif isinstance(event, Token):
            pieces.append(event.text)
        elif isinstance(event, Final):
            a = event.answer
            row.update(source=a.source, refused=a.refused, total_s=a.timings["total_s"],
                       first_token_s=a.timings.get("first_token_s"), generate_s=a.timings.get("generate_s"),
                       reading_s=a.timings.get("reading_s"),
                       render_s=_took(a.timings, "render_started_s", "render_s"),
                       **{f"{k}_ms": round(v * 1000, 1) for k, v in a.timings.items()
                          if k in ("embed_s", "dense_s", "keyword_s", "sentence_s", "fuse_s")})
    chat = recorder.chat
    if recorder.messages:
        # chat-template tokens around each message are not counted (about 5 per message)
        row["prompt_tokens"] = sum(count_tokens(chat, m.content) or 0 for m in recorder.messages) or None
        row["system_tokens"] = count_tokens(chat, recorder.messages[0].content)
    row["generated_tokens"] = count_tokens(chat, "".join(pieces)) if pieces else 0
    return row


def _took(timings: dict, start: str, end: str) -> float | None:
    """Seconds between two marks of an answer's clock, when both were made."""
    return round(timings[end] - timings[start], 3) if start in timings and end in timings else None


def rates(row: dict) -> tuple[float | None, float | None]:
    """(tokens read per second, tokens written per second) of one answer.

    Read: the prompt minus the system prompt (a cached prefix) over the time from sending the
    prompt to the first token. Written: tokens after the first over the time after it.
    """
    read = write = None
    if row.get("first_token_s") and row.get("reading_s") is not None and row.get("prompt_tokens"):
        read = (row["prompt_tokens"] - (row.get("system_tokens") or 0)) / (row["first_token_s"] - row["reading_s"])
    if row.get("generate_s") and row.get("first_token_s") and (row.get("generated_tokens") or 0) > 1:
        write = (row["generated_tokens"] - 1) / (row["generate_s"] - row["first_token_s"])
    return read, write


def raw_rates(chat, text: str, prompt_tokens: int = 512, generate: int = 128) -> dict | None:
    """llama.cpp alone on this machine: evaluate a prompt of `prompt_tokens`, then greedily generate
    `generate` tokens; tokens per second for each. None when the chat model is not a local GGUF."""
    llama = getattr(chat, "_llama", None)
    if llama is None:
        return None
    tokens = llama.tokenize(text.encode("utf-8"), add_bos=False)[:prompt_tokens]
    with chat._lock:
        try:
            llama.reset()
            started = time.perf_counter()
            llama.eval(tokens)
            read_s = time.perf_counter() - started
            started = time.perf_counter()
            made = 0
            for _ in llama.generate(tokens, temp=0.0):  # the prompt is a cached prefix: only generation
                made += 1
                if made >= generate:
                    break
            write_s = time.perf_counter() - started
        finally:
            llama.reset()  # the next answer reads the system prompt again, once
    return {"prompt_tokens": len(tokens), "read_tok_s": round(len(tokens) / read_s, 1),
            "generated_tokens": made, "write_tok_s": round(made / write_s, 2)}
