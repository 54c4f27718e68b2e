"""Dense retrieval through langchain-chroma, with the same ``Embeddings`` object ingestion uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_chroma import Chroma

from assistant.config import Settings
from assistant.embeddings import TextEmbeddings
from assistant.store import make_client


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its score (higher is better) and metadata."""

    id: str
    text: str
    metadata: dict[str, Any]
    score: float


def vector_store(settings: Settings, embeddings: TextEmbeddings) -> Chroma:
    """A LangChain ``Chroma`` vector store over the configured collection."""
    return Chroma(
        client=make_client(settings),
        collection_name=settings.collection,
        embedding_function=embeddings,
        collection_metadata={"hnsw:space": "cosine"},
    )


def dense_search(store: Chroma, query: str, k: int = 5, where: dict | None = None) -> list[Hit]:
    """The ``k`` chunks nearest to ``query`` (cosine similarity as score)."""
    results = store.similarity_search_with_score(query, k=k, filter=where)
    return [
        Hit(id=doc.id or "", text=doc.page_content, metadata=dict(doc.metadata), score=1.0 - float(distance))
        for doc, distance in results
    ]
