"""The peer: a plain LangChain-tutorial RAG pipeline over the same articles with the same models.

RecursiveCharacterTextSplitter (1000 characters, 200 overlap), vector-only top-4 from Chroma,
the chunks stuffed into the tutorial's prompt as one human message, the answer streamed. No
keyword search, no evidence selection, no verification: what most first versions look like.
"""

from __future__ import annotations

import time
import uuid

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.messages import HumanMessage
from langchain_text_splitters import RecursiveCharacterTextSplitter

from app.prompts import render
from core.records import Document


class Peer:
    def __init__(self, documents: list[Document], embedder, chat, chunk_size: int = 1000, overlap: int = 200,
                 k: int = 4):
        started = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=overlap)
        texts, metas = [], []
        for doc in documents:
            for piece in splitter.split_text(doc.text[doc.body_start:]):
                texts.append(piece)
                metas.append({"source": doc.source})
        client = chromadb.EphemeralClient(ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(client=client, collection_name=f"peer-{uuid.uuid4().hex[:8]}",
                            embedding_function=embedder, collection_metadata={"hnsw:space": "cosine"})
        self.store.add_texts(texts, metadatas=metas)
        self.chunks = len(texts)
        self.build_s = time.perf_counter() - started
        self.chat, self.k = chat, k

    def prompt(self, question: str) -> tuple[str, float]:
        started = time.perf_counter()
        docs = self.store.similarity_search(question, k=self.k)
        context = "\n\n".join(d.page_content for d in docs)
        return render("peer_tutorial.txt", question=question, context=context), time.perf_counter() - started

    def answer(self, question: str) -> dict:
        """Time to passages, first token and full answer; the prompt and the answer."""
        started = time.perf_counter()
        prompt, retrieve_s = self.prompt(question)
        first, pieces = None, []
        for chunk in self.chat.stream([HumanMessage(prompt)]):
            if chunk.content:
                first = first if first is not None else time.perf_counter() - started
                pieces.append(chunk.content)
        return {"question": question, "retrieve_s": retrieve_s, "first_token_s": first,
                "total_s": time.perf_counter() - started, "prompt": prompt, "answer": "".join(pieces)}
