"""BM25 over the same chunks that Chroma holds (bm25s), rebuilt from the collection when it changes."""

from __future__ import annotations

import logging
import re
from functools import cached_property
from typing import Any

import bm25s
import numpy as np

from assistant.calls import CallRegistry
from assistant.calls.registry import ProgrammeFacts
from assistant.dates import Deadline, deadlines
from assistant.ingest.splitting import Chunk
from assistant.question.text import content_tokens, stem, words
from assistant.retrieval.translations import SentenceTranslations
from assistant.retrieval.vectors import ChunkVectors

_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{2,}\b")


def _deletions(vocabulary: dict[str, int]) -> dict[str, str]:
    """One-letter deletions of the corpus' longer words -> the most frequent word they come from."""
    out: dict[str, str] = {}
    for w, _ in sorted(vocabulary.items(), key=lambda item: item[1]):
        if len(w) >= 5 and not w.isdigit():
            for i in range(len(w)):
                out[w[:i] + w[i + 1 :]] = w
    return out


def is_translation(chunk: Chunk) -> bool:
    """Whether a chunk belongs to an aligned translation of another document."""
    return bool(chunk.metadata.get("translation_of"))


class LexicalIndex:
    """A BM25 index over stored chunks, with document frequencies for term weighting.

    It is the process' snapshot of the collection: every chunk by id (so a dense query needs only ids and
    distances from Chroma) and, when read from a collection, their vectors (``vectors``) for filtered search.
    """

    def __init__(
        self, chunks: list[Chunk], vectors: ChunkVectors | None = None, translations: list[Chunk] | None = None
    ) -> None:
        """``chunks``: the documents answers are composed from (their originals); ``translations``: the chunks of
        aligned translations (``translation_of``), kept apart: answers quote the originals."""
        self.chunks = chunks
        self.translations = translations or []
        self.translation_ids = frozenset(c.id for c in self.translations)
        self.by_id = {c.id: c for c in chunks}
        self._phrases: dict[str, bool] = {}
        self.vectors = vectors
        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
        self._bm25 = bm25s.BM25()
        # Each chunk is folded once; its words give the BM25 tokens (stemmed), the vocabulary used to read
        # typing slips (unstemmed) and the document frequencies, all computed here, before any question.
        corpus: list[list[str]] = []
        self.vocabulary: dict[str, int] = {}
        for chunk in chunks:
            chunk_words = words(chunk.text)
            corpus.append([stem(w) for w in chunk_words])
            for w in set(chunk_words):
                self.vocabulary[w] = self.vocabulary.get(w, 0) + 1
        if chunks:
            self._bm25.index(corpus, show_progress=False)
        self.doc_freq: dict[str, int] = {}
        for toks in corpus:
            for t in set(toks):
                self.doc_freq[t] = self.doc_freq.get(t, 0) + 1
        # Folded words written in capitals somewhere in the chunks ("CERV", "CEMR", "REALISE").
        self.acronyms = frozenset(w.lower() for c in chunks for w in _ACRONYM.findall(c.text))
        self._deletions = _deletions(self.vocabulary)
        self.median_idf = self._median_idf()
        self._translated_terms: dict[str, frozenset[str]] = {}

    @classmethod
    def from_collection(cls, collection: Any, page: int = 5000) -> LexicalIndex:
        """Read every chunk and vector of a Chroma collection (paged, so large collections don't hit limits)."""
        chunks: list[Chunk] = []
        pages: list[np.ndarray] = []  # float32 at once: Chroma returns float64, twice the memory
        offset = 0
        while True:
            got = collection.get(include=["documents", "metadatas", "embeddings"], limit=page, offset=offset)
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                chunks.append(Chunk(cid, text or "", dict(meta or {})))
            if len(got["ids"]):
                pages.append(np.asarray(got["embeddings"], dtype=np.float32))
            if len(got["ids"]) < page:
                break
            offset += page
        order = sorted(
            (i for i in range(len(chunks)) if not is_translation(chunks[i])),
            key=lambda i: (chunks[i].metadata.get("doc_id", ""), chunks[i].metadata.get("chunk_index", 0)),
        )
        translations = [c for c in chunks if is_translation(c)]
        chunks = [chunks[i] for i in order]
        vectors = ChunkVectors(np.concatenate(pages)[order], [c.metadata for c in chunks]) if chunks else None
        return cls(chunks, vectors, translations)

    def __len__(self) -> int:
        return len(self.chunks)

    def starts_a_word(self, stem: str) -> bool:
        """Whether some word of the documents starts with ``stem`` (5 letters or more): a place named in another
        form ("Gorizia" in "Il Goriziano") or a name's inflection is not unknown to them."""
        return len(stem) >= 5 and any(w.startswith(stem) for w in self.vocabulary)

    def names(self, phrase: str) -> bool:
        """Whether some document writes ``phrase`` (folded words, in order: "creative europe"), not only its words
        apart ("creativity" and "Europe")."""
        if phrase not in self._phrases:
            needle = f" {' '.join(words(phrase))} "
            self._phrases[phrase] = any(needle in f" {' '.join(words(c.text))} " for c in self.chunks)
        return self._phrases[phrase]

    def translated_terms(self, lang: str) -> frozenset[str]:
        """The content tokens of the aligned translations in ``lang``: the words the documents use in that language
        ("Memoria Europea", "Estrellas de Oro"), so that a question's capitalised term of its own language is not
        taken for a name no document holds."""
        if lang not in self._translated_terms:
            self._translated_terms[lang] = frozenset(
                t for c in self.translations if c.metadata.get("language") == lang for t in content_tokens(c.text)
            )
        return self._translated_terms[lang]

    @cached_property
    def calls(self) -> CallRegistry:
        """The calls the indexed documents describe, with their typed facts (``assistant/calls``)."""
        return CallRegistry.from_metadatas(c.metadata for c in self.chunks)

    @cached_property
    def programme(self) -> ProgrammeFacts:
        """The programme-level facts of the indexed documents: countries by year, contact points, REALISE rounds."""
        return ProgrammeFacts.from_metadatas(c.metadata for c in self.chunks)

    @cached_property
    def deadlines(self) -> list[Deadline]:
        """Every call deadline in the indexed documents (their ``deadline`` metadata), oldest first."""
        return deadlines(c.metadata for c in self.chunks)

    @cached_property
    def sentence_translations(self) -> SentenceTranslations:
        """The aligned translation of each sentence of the originals, per language (built on first use)."""
        return SentenceTranslations.from_chunks(self.chunks, self.translations)

    def correct(self, word: str) -> str | None:
        """The corpus word one typing slip away from an unknown folded ``word`` of 5+ letters (a letter missing,
        added, replaced or two swapped: "deadine", "twining", "prioritites"), or None."""
        vocab = self.vocabulary
        if len(word) < 5 or word in vocab or word.isdigit():
            return None
        deletions = self._deletions
        found = [deletions[word]] if word in deletions else []
        for i in range(len(word)):
            shorter = word[:i] + word[i + 1 :]
            if shorter in vocab:
                found.append(shorter)
            elif shorter in deletions:
                found.append(deletions[shorter])
        return max(found, key=lambda w: vocab[w]) if found else None

    def _median_idf(self) -> float:
        """IDF of a typical term of the corpus."""
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
