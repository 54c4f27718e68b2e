"""The naive baseline every comparison includes: dense only, top 4, fixed 1,000-character chunks, and the top
chunk as the answer. It reads the same corpus with the same loaders and model, into a throw-away collection."""

from __future__ import annotations

import chromadb
from chromadb.config import Settings as ChromaSettings

from assistant.answer.answer import Answer, Source
from assistant.config import Settings
from assistant.embeddings import TextEmbeddings
from assistant.ingest.loaders import LoadError, load_document
from assistant.ingest.pipeline import discover


class NaiveBaseline:
    def __init__(self, settings: Settings, embeddings: TextEmbeddings, chunk_chars: int = 1000) -> None:
        self.embeddings = embeddings
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.collection = client.get_or_create_collection("naive_baseline", metadata={"hnsw:space": "cosine"})
        ids, texts, metas = [], [], []
        for path, doc_id in discover(settings.corpus_dir, None)[0]:
            try:
                doc = load_document(path, doc_id)
            except LoadError:
                continue
            text = doc.plain_text  # without citation markers, as readers see it
            for i in range(0, len(text), chunk_chars):
                ids.append(f"{doc_id}#{i}")
                texts.append(text[i : i + chunk_chars])
                metas.append({"doc_id": doc_id, "title": doc.title, "source_url": doc.metadata.get("source_url", "")})
        for start in range(0, len(ids), 256):
            batch = slice(start, start + 256)
            self.collection.add(
                ids=ids[batch],
                documents=texts[batch],
                metadatas=metas[batch],
                embeddings=embeddings.encode_passages(texts[batch]),
            )

    def ask(self, question: str, history: list[dict[str, str]] | None = None) -> Answer:
        got = self.collection.query(
            query_embeddings=[self.embeddings.embed_query(question)], n_results=4, include=["documents", "metadatas"]
        )
        docs, metas = got["documents"][0], got["metadatas"][0]
        top = metas[0]
        return Answer(
            answer=docs[0],
            answered=True,
            sources=[Source(title=top["title"], url=top["source_url"] or None, snippet=docs[0][:300])],
            retrieved=[m["doc_id"] for m in metas],
            cited=[top["doc_id"]],
        )
