"""Hybrid retrieval: dense search in Chroma and BM25 over the same chunks, fused by reciprocal rank.

Years, calls and call ids named in the question steer the result twice: a second dense list restricted to
the matching documents joins the fusion, and matching (or clashing) metadata raises (or lowers) a chunk's
fused score. The lexical index is rebuilt from Chroma whenever ingestion stamps a new generation on the
collection, so it stays in step with incremental ingestion, also across processes and with a Chroma server.

The lexical index is also the process' snapshot of the chunks: Chroma is asked only for ids and distances
(fetching texts and metadata again cost more than the nearest-neighbour search itself), and the restricted
list is ranked exactly over the snapshot's vectors instead of by Chroma's slower filtered query.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.embeddings import TextEmbeddings
from assistant.ingest.splitting import Chunk
from assistant.question.query import Query, analyse
from assistant.retrieval.lexical import LexicalIndex, is_translation
from assistant.retrieval.vectors import EXACT_SEARCH_MAX, passes
from assistant.sentences import SENTENCE_VECTORS, unpack_vectors
from assistant.store import StoreUnavailable, is_embedded, reopen, store_errors

Mode = Literal["dense", "lexical", "hybrid"]
CALL_TOPICS = {"town-twinning", "networks-of-towns", "remembrance"}
# Seconds a request waits for another request's first load of the index before it gets a 503.
FIRST_LOAD_WAIT = 60.0


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its fused score and the cosine similarity of its dense match (if any)."""

    chunk: Chunk
    score: float
    similarity: float | None = None
    # Cosine of the question with each sentence of the chunk body (``split_sentences`` order), when the index holds
    # sentence vectors and the search was dense; on the model's own scale, like ``similarity``.
    sentence_similarities: np.ndarray | None = None

    @property
    def metadata(self) -> dict[str, Any]:
        return self.chunk.metadata


class HybridSearcher:
    """Search one Chroma collection densely, lexically or both; thread-safe."""

    def __init__(
        self,
        client: Any,
        collection_name: str,
        embeddings: TextEmbeddings,
        mode: Mode = "hybrid",
        candidates: int = 20,
        rrf_k: int = 60,
        refresh_seconds: float = 2.0,
    ) -> None:
        self.client = client
        self.collection_name = collection_name
        self.collection = client.get_collection(collection_name, embedding_function=None)
        self.embeddings = embeddings
        self.mode = mode
        self.candidates = candidates
        self.rrf_k = rrf_k
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._lexical: LexicalIndex | None = None
        self._generation: object = None
        self._checked = 0.0

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index, rebuilt when the collection's generation changed (checked every few seconds)."""
        now = time.monotonic()
        if self._lexical is not None and now - self._checked < self.refresh_seconds:
            return self._lexical
        # One caller refreshes; the others answer from the current snapshot rather than queue behind a store that
        # may be slow or hung (each of them would then wait out the store's timeout in turn).
        current = self._lexical
        if current is not None and not self._lock.acquire(blocking=False):
            return current
        if current is None and not self._lock.acquire(timeout=FIRST_LOAD_WAIT):
            raise StoreUnavailable("the index is still being loaded from the store; try again shortly")
        try:
            generation = self._current_generation()
            if self._lexical is None or generation != self._generation:
                with store_errors():
                    self._lexical = LexicalIndex.from_collection(self.collection)
                self._generation = generation
            self._checked = now
            return self._lexical
        finally:
            self._lock.release()

    def _current_generation(self) -> object:
        with store_errors():
            fresh = self.client.get_collection(self.collection_name, embedding_function=None)
            generation = ((fresh.metadata or {}).get("generation"), fresh.count())
            self.collection = fresh
            if self._generation is not None and generation != self._generation:
                # Another process changed the index: an embedded store must be reopened to see its vectors.
                self._reopen()
            return generation

    def _reopen(self) -> None:
        """Open the store again (embedded: see what other processes wrote) and take the collection from it."""
        self.client = reopen(self.client)
        self.collection = self.client.get_collection(self.collection_name, embedding_function=None)

    def search(self, query: Query, k: int = 8) -> list[Passage]:
        """The ``k`` best passages for an analysed question."""
        lexical = self.lexical
        lists: list[list[tuple[Chunk, float]]] = []
        similarity: dict[str, float] = {}
        vector: list[float] | None = None
        if self.mode in ("dense", "hybrid"):
            vector = self.embeddings.encode_queries([query.search_text])[0].tolist()
            hits = self._dense(vector, None, lexical)
            lists.append(hits)
            steered = _where(query)
            if steered:
                # A second list of the chunks of the year or call asked about. When the candidates already hold
                # k of them, that list is exactly their order among the candidates; otherwise it is ranked anew.
                matching = [h for h in hits if passes(h[0].metadata, steered)]
                if len(matching) < k:
                    matching = self._dense(vector, steered, lexical)
                lists.append(matching)
            for chunk, sim in (h for found in lists for h in found):
                similarity[chunk.id] = max(sim, similarity.get(chunk.id, -1.0))
        if self.mode in ("lexical", "hybrid"):
            lists.append(lexical.search(query.search_tokens, self.candidates))
        # A chunk both searches rank at the very top, unsteered: the question's own words and meaning agree on it.
        agreed = _agreed(lists[0], lists[-1]) if self.mode == "hybrid" else []
        fused: dict[str, float] = {}
        chunks: dict[str, Chunk] = {}
        for hits in lists:
            for rank, (chunk, _) in enumerate(hits):
                fused[chunk.id] = fused.get(chunk.id, 0.0) + 1.0 / (self.rrf_k + rank + 1)
                chunks[chunk.id] = chunk
        passages = [
            Passage(chunks[cid], score * _steer(chunks[cid].metadata, query), similarity.get(cid))
            for cid, score in fused.items()
        ]
        passages.sort(key=lambda p: p.score, reverse=True)
        passages = passages[:k]
        if self.mode in ("lexical", "hybrid") and (asked := query.asked_tokens):
            # A long question's asking sentences, searched apart from its context: their best chunks join the
            # passages, after them, when the whole question's search missed them.
            found = {p.chunk.id for p in passages}
            extra = [c for c, _ in lexical.search(asked, ASKED_EXTRA + len(found)) if c.id not in found]
            passages += [Passage(c, fused.get(c.id, 0.0), similarity.get(c.id)) for c in extra[:ASKED_EXTRA]]
        found = {p.chunk.id for p in passages}
        # It joins the passages even when the year or call asked steers others ahead ("which countries did DG JUST
        # name in December 2023?": the programme's page, not the 2023 calls'), unless steering sets it back itself
        # (a call of another year than the one asked).
        passages += [
            Passage(c, fused[c.id], similarity.get(c.id))
            for c in agreed
            if c.id not in found and _steer(c.metadata, query) >= 1.0
        ]
        if vector is not None:
            question = np.asarray(vector, dtype=np.float32)
            passages = [
                replace(p, sentence_similarities=unpack_vectors(packed) @ question)
                if (packed := p.metadata.get(SENTENCE_VECTORS))
                else p
                for p in passages
            ]
        return passages

    def _dense(self, vector: list[float], where: dict | None, lexical: LexicalIndex) -> list[tuple[Chunk, float]]:
        """The nearest chunks (within ``where``, if given) with their cosine similarity, best first."""
        vectors = lexical.vectors
        if where is not None and vectors is not None:
            return [(lexical.chunks[row], sim) for row, sim in vectors.nearest(vector, where, self.candidates)]

        # Translations are in the store but not in the snapshot (answers quote the originals): ask for enough
        # nearest chunks that the originals among them still number ``candidates``.
        wanted = self.candidates * (1 + len(lexical.translations) // max(len(lexical.chunks), 1))

        def query() -> dict:
            return self.collection.query(
                query_embeddings=[vector], n_results=wanted, where=where, include=["distances"]
            )

        with store_errors():
            try:
                got = query()
            except Exception:
                # An embedded store written by another process mid-ingestion fails on chunks it deleted: reopen
                # it and try once more (a Chroma server is not reopened; its error stands).
                if not is_embedded(self.client):
                    raise
                with self._lock:
                    self._reopen()
                got = query()
            ids, distances = got["ids"][0], got["distances"][0]
            fetched: dict[str, Chunk] = {}
            missing = [cid for cid in ids if cid not in lexical.by_id and cid not in lexical.translation_ids]
            if missing:  # written since the snapshot was read (it is refreshed every few seconds)
                extra = self.collection.get(ids=missing, include=["documents", "metadatas"])
                fetched = {
                    cid: Chunk(cid, doc or "", dict(meta or {}))
                    for cid, doc, meta in zip(extra["ids"], extra["documents"], extra["metadatas"], strict=True)
                }
        found = ((lexical.by_id.get(cid) or fetched.get(cid), dist) for cid, dist in zip(ids, distances, strict=True))
        hits = [(chunk, 1.0 - float(dist)) for chunk, dist in found if chunk is not None and not is_translation(chunk)]
        if vectors is not None and len(lexical.chunks) <= EXACT_SEARCH_MAX:
            # The snapshot's chunks ranked exactly (Chroma's approximate neighbours differed between processes for
            # one question, and so did its answer); Chroma still finds the chunks written since the snapshot.
            exact = [(lexical.chunks[row], sim) for row, sim in vectors.nearest(vector, None, self.candidates)]
            late = [(chunk, sim) for chunk, sim in hits if chunk.id not in lexical.by_id]
            hits = sorted([*exact, *late], key=lambda hit: -hit[1])
        return hits[: self.candidates]


# How many chunks the search of a long question's asking sentences alone may add to its passages.
ASKED_EXTRA = 2
# The top ranks of both the dense and the lexical search at which a chunk joins the passages whatever the steering.
AGREED_TOP = 2


def _agreed(dense: list[tuple[Chunk, float]], lexical: list[tuple[Chunk, float]]) -> list[Chunk]:
    """The chunks among the first ``AGREED_TOP`` of both searches, in the dense order."""
    top = {c.id for c, _ in lexical[:AGREED_TOP]}
    return [c for c, _ in dense[:AGREED_TOP] if c.id in top]


def _where(query: Query) -> dict | None:
    clauses: list[dict] = []
    if query.call_ids:
        clauses.append({"call_id": {"$in": query.call_ids}})
    else:
        if query.years:
            clauses.append({"year": {"$in": query.years}})
        if query.topics:
            clauses.append({"topic": {"$in": query.topics}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _steer(meta: dict[str, Any], query: Query) -> float:
    """Multiply a fused score by how well a chunk's metadata fits the question's years, calls and ids. (Not by the
    authority of its sources: demoting chunks that cite only secondary pages lowered fact recall on dev, dev-extra
    and dev-check, dev 0.946 -> 0.916 at x0.85, and raising those citing an official page (x1.05, x1.15) lowered
    it on dev-extra, since most call facts are known only from secondary pages; authority acts where the composer
    orders sentences, docs/corpus.md.)"""
    factor = 1.0
    if query.call_ids and meta.get("call_id") in query.call_ids:
        factor *= 2.0
    year = meta.get("year")
    if query.years and year is not None:
        factor *= 1.6 if year in query.years else (0.5 if meta.get("call_id") else 0.8)
    topic = meta.get("topic")
    if query.topics and topic and (query.years or query.call_ids):
        if topic in query.topics:
            factor *= 1.6
        elif topic in CALL_TOPICS:
            factor *= 0.5
    return factor


class HybridRetriever(BaseRetriever):
    """The searcher as a LangChain retriever: a question in, ``Document``s (with scores in metadata) out."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: HybridSearcher
    k: int = 8

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(id=p.chunk.id, page_content=p.chunk.text, metadata={**_public(p.metadata), "score": p.score})
            for p in self.searcher.search(analyse(query), self.k)
        ]


def _public(meta: dict[str, Any]) -> dict[str, Any]:
    """Chunk metadata without the packed sentence vectors."""
    return {k: v for k, v in meta.items() if k != SENTENCE_VECTORS}
