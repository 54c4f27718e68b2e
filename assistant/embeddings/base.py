"""The interface every embedding backend implements, on top of LangChain's ``Embeddings``.

Retrieval models such as e5 embed a question differently from the passages it should find ("query: " and
"passage: " prefixes, or prompts declared by a sentence-transformers model), so the interface has two entry points:
``encode_passages`` for what is indexed (chunks) and ``encode_queries`` for what is searched with (questions).
For a model without such a distinction (all-MiniLM-L6-v2) both give the same vectors.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Literal

import numpy as np
from langchain_core.embeddings import Embeddings

Kind = Literal["query", "document"]
log = logging.getLogger("assistant.embeddings")


class EmbeddingUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded; the message says which setting to change.

    The CLI prints it as one ``error: ...`` line (no traceback); ingestion reports it as an ``IngestError``.
    """


class TextEmbeddings(Embeddings, ABC):
    """Normalised text embeddings (float32 rows of unit length; cosine similarity is a dot product)."""

    batch_size: int

    @abstractmethod
    def load(self) -> None:
        """Load the model now rather than on first use; raises ``EmbeddingUnavailable`` when it cannot be."""

    @abstractmethod
    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Embed texts to be found (chunks of documents) as a float32 matrix, one normalised row per text."""

    @abstractmethod
    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed texts to search with (questions) as a float32 matrix, one normalised row per text."""

    @abstractmethod
    def count_tokens(self, texts: list[str]) -> list[int]:
        """Number of model tokens of each text as a passage, special tokens excluded (for the splitter)."""

    @property
    @abstractmethod
    def max_tokens(self) -> int:
        """Longest input (in tokens, special tokens included) the model reads in one window."""

    @property
    @abstractmethod
    def dimension(self) -> int:
        """Length of the vectors."""

    @property
    @abstractmethod
    def dictionary(self) -> frozenset[str]:
        """Whole English words of a word-piece vocabulary ("close", "hotel"), for telling typing slips from real
        words the corpus happens to lack."""

    @abstractmethod
    def frequent_words(self, count: int) -> frozenset[str]:
        """The ``count`` most frequent whole English words ("think", "just", "place")."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_queries([text])[0].tolist()


def warn_cut(cut: int, total: int, window: int) -> None:
    """Log that ``cut`` of ``total`` texts were longer than the model's ``window`` (tokens) and were cut to it."""
    if cut:
        log.warning(
            "%d of %d texts are longer than the embedding model's window of %d tokens: each is embedded from its "
            "first %d tokens",
            cut,
            total,
            window,
            window,
        )


def whole_words(vocab: Mapping[str, int]) -> frozenset[str]:
    """The whole lowercase words of a word-piece vocabulary."""
    return frozenset(w for w in vocab if w.isalpha() and w.islower())


def frequent_whole_words(vocab: Mapping[str, int], count: int) -> frozenset[str]:
    """The first ``count`` whole words of a word-piece vocabulary (BERT's, MiniLM's): after the special tokens and
    single characters, such vocabularies list whole words roughly by frequency. Meaningless for SentencePiece
    vocabularies, whose ids follow another order."""
    ordered = sorted(vocab, key=vocab.__getitem__)
    return frozenset([w for w in ordered if len(w) > 1 and w.isalpha() and w.islower()][:count])
