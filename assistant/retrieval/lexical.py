"""BM25 over the same chunks that Chroma holds (bm25s), rebuilt from the collection when it changes."""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any

import bm25s
import numpy as np

from assistant.answer.dates import Deadline, deadlines
from assistant.ingest.splitting import Chunk
from assistant.retrieval.text import tokens


class LexicalIndex:
    """A BM25 index over stored chunks, with document frequencies for term weighting."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
        self._bm25 = bm25s.BM25()
        corpus = [tokens(c.text) for c in chunks]
        if chunks:
            self._bm25.index(corpus, show_progress=False)
        self.doc_freq: dict[str, int] = {}
        for toks in corpus:
            for t in set(toks):
                self.doc_freq[t] = self.doc_freq.get(t, 0) + 1

    @classmethod
    def from_collection(cls, collection: Any, page: int = 5000) -> LexicalIndex:
        """Read every chunk of a Chroma collection (paged, so large collections don't hit request limits)."""
        chunks: list[Chunk] = []
        offset = 0
        while True:
            got = collection.get(include=["documents", "metadatas"], limit=page, offset=offset)
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                chunks.append(Chunk(cid, text or "", dict(meta or {})))
            if len(got["ids"]) < page:
                break
            offset += page
        chunks.sort(key=lambda c: (c.metadata.get("doc_id", ""), c.metadata.get("chunk_index", 0)))
        return cls(chunks)

    def __len__(self) -> int:
        return len(self.chunks)

    @cached_property
    def deadlines(self) -> list[Deadline]:
        """Every call deadline in the indexed documents (their ``deadline`` metadata), oldest first."""
        return deadlines(c.metadata for c in self.chunks)

    @cached_property
    def median_idf(self) -> float:
        """IDF of a typical term of the corpus (computed once per index)."""
        idfs = sorted(self.idf(t) for t in self.doc_freq)
        return idfs[len(idfs) // 2] if idfs else 1.0

    def idf(self, term: str) -> float:
        """Inverse document frequency of a folded term (0 for terms absent from the corpus)."""
        df = self.doc_freq.get(term, 0)
        if not df:
            return 0.0
        return float(np.log(1 + (len(self.chunks) - df + 0.5) / (df + 0.5)))

    def search(self, query_tokens: list[str], k: int = 20) -> list[tuple[Chunk, float]]:
        """Top ``k`` chunks by BM25 score (only chunks sharing a term with the query)."""
        if not self.chunks or not query_tokens:
            return []
        scores = self._bm25.get_scores(query_tokens)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.chunks[i], float(scores[i])) for i in top if scores[i] > 0]
