"""Scale-out against real servers that these tests start: a Chroma server and a llama.cpp server.

Each server is started once per module on a free loopback port and stopped in teardown (the
test of a wiped Chroma server starts its own two). The only fake is the stalling model server
at the end: a stand-in at the model boundary for a server that accepts a request and never
answers.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import chromadb
import pytest
from conftest import fake_index
from fakes import fake_embedder
from langchain_openai import ChatOpenAI

from app.engine import Engine, load_chat, load_engine
from app.notes import say
from app.pipeline import POINT_TOKENS, Final, Quick, Stage, answer, answer_events
from bench.serving import free_port
from core.errors import IndexMissing
from core.settings import Settings
from index.build import build_index, current_build
from index.reader import open_index
from index.store import open_client

pytestmark = pytest.mark.real

HOST = "127.0.0.1"
BIN = Path(sys.executable).parent
MODEL_ALIAS = "citewise-test"
API_KEY = "test-key"
QUESTIONS = [
    "What is Oracle's total debt-to-equity ratio compared with Microsoft's?",
    "How much data center capacity will OpenAI's Stargate project with Oracle deploy in the US?",
    "How much did Apple invest in OpenAI?",
    "英伟达在xAI最新一轮融资中投资了多少？",
    "甲骨文与OpenAI那份3000亿美元的算力采购协议从哪一年开始执行？",
    "2025财年英伟达的毛利率是多少？AMD和英特尔呢？",
]
ARTICLES = {
    "a.txt": "英伟达宣布向OpenAI投资1000亿美元。首期资金在第一个吉瓦部署后支付。双方签署了意向书。",
    "b.txt": "甲骨文的总债务股本比为427%。微软的总债务股本比为32.7%。分析师担心甲骨文的债务。",
}


class Server:
    """A server process on loopback, ready once `ready_path` answers 200; restartable on its port."""

    def __init__(self, argv: list[str], port: int, ready_path: str, log: Path, ready_s: float):
        self.argv, self.port, self.ready_path, self.log, self.ready_s = argv, port, ready_path, log, ready_s
        self.proc: subprocess.Popen | None = None
        self.started_s = 0.0  # how long the last start took until ready

    def start(self) -> Server:
        started = time.perf_counter()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        url = f"http://{HOST}:{self.port}{self.ready_path}"
        while time.perf_counter() - started < self.ready_s:
            if self.proc.poll() is not None:
                self._fail(f"exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        self.started_s = time.perf_counter() - started
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self._fail(f"was not ready within {self.ready_s} s")

    def _fail(self, what: str) -> None:
        self.stop()
        tail = self.log.read_text(errors="replace")[-3000:]
        pytest.fail(f"{' '.join(self.argv)} {what}; its log ends:\n{tail}")

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to close its connections politely."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.kill()


def chroma_server(path: Path, port: int) -> Server:
    chroma = BIN / "chroma" if (BIN / "chroma").exists() else Path(shutil.which("chroma") or "chroma")
    argv = [str(chroma), "run", "--path", str(path), "--host", HOST, "--port", str(port)]
    return Server(argv, port, "/api/v2/heartbeat", path.with_suffix(".log"), ready_s=60).start()


def model_server(folder: Path, port: int) -> Server:
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(Settings().llm_path),
            "--model_alias", MODEL_ALIAS, "--api_key", API_KEY, "--host", HOST, "--port", str(port),
            "--n_ctx", "4096", "--n_threads", "2"]
    # /v1/models answers only when the key is sent; /docs is public and up once the model is loaded
    return Server(argv, port, "/docs", folder / "llama-server.log", ready_s=180).start()


@pytest.fixture(scope="module")
def embedded_engine(real_built) -> Engine:
    """The seeds in the embedded store, without a chat model; the model tests add one."""
    settings, embedder, _ = real_built
    return load_engine(settings, embedder=embedder, with_chat=False)


def with_model(engine: Engine, **changes) -> Engine:
    settings = engine.settings.with_(**changes)
    return replace(engine, settings=settings, chat=load_chat(settings))


# --- a. the vector store on a Chroma server -------------------------------------------------------


@pytest.fixture(scope="module")
def chroma(tmp_path_factory):
    server = chroma_server(tmp_path_factory.mktemp("chroma") / "data", free_port())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served_index(real_built, chroma, tmp_path_factory):
    """The seeds indexed into the Chroma server; the vector cache of `real_built` is reused,
    so this build computes no embedding and only writes to the server."""
    embedded_settings, embedder, _ = real_built
    settings = embedded_settings.with_(index_dir=tmp_path_factory.mktemp("served") / "index",
                                       chroma_host=HOST, chroma_port=chroma.port)
    settings.index_dir.mkdir(parents=True)
    shutil.copy(embedded_settings.index_dir / "vectors.sqlite", settings.index_dir / "vectors.sqlite")
    return settings, build_index(settings, lambda: embedder)


def test_the_chroma_server_retrieves_what_the_embedded_store_retrieves(embedded_engine, served_index, chroma):
    embedded = embedded_engine
    settings, result = served_index
    assert result.embedded == 0  # every vector came from the cache: the two indexes hold the same vectors
    served = load_engine(settings, embedder=embedded.embedder, with_chat=False)
    manifest = served.index.manifest
    assert manifest["store"] == {"mode": "server", "host": HOST, "port": chroma.port}
    assert not (served.index.build / "chroma").exists()  # nothing written to an embedded store
    client = chromadb.HttpClient(host=HOST, port=chroma.port)
    assert client.get_collection(manifest["collection"]).count() == manifest["counts"]["chunks"]
    for question in QUESTIONS:
        want = embedded.retriever.search(question, k=embedded.settings.retrieve_k).passages
        got = served.retriever.search(question, k=settings.retrieve_k).passages
        assert [p.chunk_id for p in got] == [p.chunk_id for p in want], question
        assert [p.score for p in got] == pytest.approx([p.score for p in want], abs=1e-6), question


def test_a_fresh_empty_chroma_server_is_noticed_and_the_advice_works(settings, docs, tmp_path):
    """The server at the configured address lost the collection (a fresh, empty server)."""
    port = free_port()
    first = chroma_server(tmp_path / "first", port)
    try:
        settings, embedder = fake_index(settings, docs, ARTICLES, chroma_host=HOST, chroma_port=port)
        assert open_index(settings, embedder).chunks
    finally:
        first.stop()
    fresh = chroma_server(tmp_path / "fresh", port)
    try:
        with pytest.raises(IndexMissing) as err:
            open_index(settings, embedder)
        build = current_build(settings.index_dir)
        collection = json.loads((build / "manifest.json").read_text())["collection"]
        assert str(err.value) == (
            f"The Chroma server at {HOST}:{port} does not hold this index's vectors (collection {collection}; "
            f"a new or wiped server?). Run `python -m index` to index the articles into it.")
        # what the message says to run: `python -m index`, i.e. build_index without force
        result = build_index(settings, lambda: fake_embedder(settings))
        assert result.build_id is not None, result.summary()
        rebuilt = open_index(settings, embedder)
        assert (rebuilt.build_id, rebuilt.manifest["counts"]["chunks"]) == (result.build_id, result.chunks)
    finally:
        fresh.stop()


def test_an_unreachable_chroma_server_says_how_to_start_it():
    port = free_port()  # nothing listens there
    settings = Settings(chroma_host=HOST, chroma_port=port)
    with pytest.raises(IndexMissing) as err:
        open_client(settings, Path("unused"))
    assert re.fullmatch(
        rf"Cannot reach the Chroma server at {HOST}:{port} \(.+\)\. Start it \(`chroma run --host 127\.0\.0\.1 "
        rf"--port {port} --path DIR`\) or unset CITEWISE_CHROMA_HOST to use the embedded store\.",
        str(err.value))


# --- b. the chat model on a llama.cpp server ------------------------------------------------------


@pytest.fixture(scope="module")
def llama(tmp_path_factory):
    server = model_server(tmp_path_factory.mktemp("llama"), free_port())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def model_engine(embedded_engine, llama) -> Engine:
    """The embedded real index and the model on the server. The timeout is generous because
    2 CPU cores read a 1,500-token prompt in 20-40 s, and in over 100 s when shared with other work."""
    return with_model(embedded_engine, llm_base_url=f"http://{HOST}:{llama.port}/v1", llm_model=MODEL_ALIAS,
                      llm_api_key=API_KEY, llm_timeout_s=300)


def assert_model_answer(result, *passages: str) -> None:
    """An answer from the model, cited, each line a sentence of a passage that holds `passages`.
    (Which sentence the 1.5B model points at is the answer quality's business: test_real_answers.)"""
    assert (result.source, result.refused) == ("model", False), (result.text, [say(n, "en") for n in result.notes])
    for fact in passages:
        assert any(fact in c.passage.text for c in result.citations)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", result.text)}
    assert markers and markers == {c.n for c in result.citations}
    assert {c.passage.chunk_id for c in result.citations} <= {p.chunk_id for p in result.retrieved}


def test_the_chat_model_carries_the_timeout_and_token_limit(model_engine):
    chat, settings = model_engine.chat, model_engine.settings
    assert isinstance(chat, ChatOpenAI)
    assert (chat.openai_api_base, chat.model_name, chat.openai_api_key.get_secret_value()) == (
        settings.llm_base_url, MODEL_ALIAS, API_KEY)
    assert (chat.request_timeout, chat.max_tokens) == (settings.llm_timeout_s, settings.llm_max_tokens) == (300, 200)
    assert chat.max_retries == 0


def test_the_model_server_stops_at_the_token_limit(model_engine):
    chat = load_chat(model_engine.settings.with_(llm_max_tokens=5))
    reply = chat.invoke("Count from one to one hundred in English words, separated by commas.")
    assert reply.response_metadata["finish_reason"] == "length"
    assert 0 < len(reply.content.split(",")) <= 5, reply.content


def test_an_english_answer_from_the_model_server(model_engine):
    result = answer(model_engine, "What is Oracle's total debt-to-equity ratio compared with Microsoft's?")
    assert_model_answer(result, "427%", "32.7%")
    assert result.language == "en"


def test_a_chinese_answer_from_the_model_server(model_engine):
    result = answer(model_engine, "英伟达在xAI最新一轮融资中投资了多少？")
    assert_model_answer(result, "20亿美元")
    assert result.language == "zh"


# --- c. faults: a dead server, a restarted one, a server that never answers -----------------------


def timed_answer(engine: Engine, question: str) -> tuple[Quick, Final, float]:
    """The quick answer, the final one, and the seconds from handing the question to the model
    (Stage "reading") to the final answer."""
    quick = final = reading = None
    for event in answer_events(engine, question):
        if isinstance(event, Quick):
            quick = event
        elif isinstance(event, Stage) and event.name == "reading":
            reading = time.perf_counter()
        elif isinstance(event, Final):
            final = event
    return quick, final, time.perf_counter() - reading


def assert_quick_fallback(quick: Quick, final: Final, *notes: tuple[str, dict]) -> None:
    """The quick answer, with one of `notes` (code, args)."""
    result = final.answer
    assert (result.source, result.refused, result.text) == ("quick", False, quick.text)
    assert result.citations == quick.citations
    assert [(n.code, n.args) for n in result.notes] in [[note] for note in notes]


def test_a_killed_model_server_gives_the_quick_answer_and_a_restarted_one_answers(model_engine, llama):
    engine = with_model(model_engine, llm_timeout_s=10)
    question = "英伟达在xAI最新一轮融资中投资了多少？"
    llama.kill()
    try:
        quick, final, waited = timed_answer(engine, question)
        assert_quick_fallback(quick, final, ("model_failed", {"why": "OpenAIConnectionError: Connection error."}))
        assert waited < engine.settings.llm_timeout_s + 3
    finally:
        llama.start()  # same port: the module's other tests keep their server
    result = answer(model_engine, question)
    assert_model_answer(result, "20亿美元")


class Stalling(BaseHTTPRequestHandler):
    """Accepts a chat completion and never finishes it: silent, or after streaming headers."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.server.requests.append((self.path, self.headers.get("Authorization"),
                                     json.loads(self.rfile.read(length))))
        if self.server.send_headers:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.flush()
        self.server.release.wait(60)

    def log_message(self, *args):
        pass


@pytest.fixture
def stalling_server():
    servers = []

    def start(send_headers: bool) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer((HOST, 0), Stalling)
        server.daemon_threads = True
        server.requests, server.release, server.send_headers = [], threading.Event(), send_headers
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.release.set()
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("send_headers", [False, True], ids=["silent", "headers-then-stall"])
def test_a_hanging_model_server_gives_the_quick_answer_within_the_timeout(embedded_engine, stalling_server,
                                                                          send_headers):
    server = stalling_server(send_headers)
    engine = with_model(embedded_engine, llm_base_url=f"http://{HOST}:{server.server_port}/v1",
                        llm_model=MODEL_ALIAS, llm_api_key=API_KEY, llm_timeout_s=3)
    settings = engine.settings
    quick, final, waited = timed_answer(engine, "英伟达在xAI最新一轮融资中投资了多少？")
    # the client's read timeout and the answer's deadline are both 3 s from the request: either ends it
    assert_quick_fallback(quick, final, ("model_timeout", {"s": "3"}),
                          ("model_failed", {"why": "OpenAITimeoutError: Request timed out."}))
    assert waited < settings.llm_timeout_s + 2, f"waited {waited:.1f} s for {len(server.requests)} requests"
    assert len(server.requests) == 1  # no retry: a retry waits the whole timeout again
    path, authorization, body = server.requests[0]
    assert (path, authorization) == ("/v1/chat/completions", f"Bearer {API_KEY}")
    # the limit goes as `max_tokens`, the field every OpenAI-compatible server reads
    # the pointing call's own limit (a few numbers) goes as `max_tokens`, the field every
    # OpenAI-compatible server reads
    assert (body["model"], body["max_tokens"], body["stream"]) == (MODEL_ALIAS, POINT_TOKENS, True)
    assert "max_completion_tokens" not in body
