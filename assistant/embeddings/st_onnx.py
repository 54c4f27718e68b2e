"""A sentence-transformers model whose transformer runs in ONNX Runtime: the ONNX backends' path for models that
``ort.OrtEncoder`` cannot run alone (extra modules such as Dense, pooling it does not reproduce, no
``tokenizer.json``). sentence-transformers keeps the tokenizer, pooling and ``encode``; only the transformer's
forward pass changes. Imports torch.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from assistant.embeddings.export import ONNX_BACKENDS, ensure_export, export_dir

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class OrtTransformer(torch.nn.Module):
    """Stands in for the Hugging Face model inside sentence-transformers' Transformer module."""

    def __init__(self, path: Path, config: Any) -> None:
        super().__init__()
        from assistant.embeddings.ort import session

        self.session = session(path)
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.config = config
        self.path = path

    @property
    def device(self) -> torch.device:
        return torch.device("cpu")

    def forward(self, **features: Any) -> dict[str, torch.Tensor]:
        feeds = {name: features[name].cpu().numpy().astype(np.int64) for name in self.inputs}
        (hidden,) = self.session.run(None, feeds)
        return {"last_hidden_state": torch.from_numpy(hidden)}


def use_onnx(model: SentenceTransformer, source: str, cache_dir: Path, model_name: str, backend: str) -> Path:
    """Switch ``model``'s transformer to ONNX Runtime (exporting on first use); returns the ONNX file used."""
    if backend not in ONNX_BACKENDS:
        raise ValueError(f"unknown ONNX backend {backend!r}")
    path = ensure_export(model, source, export_dir(cache_dir, model_name, backend), backend == "onnx-int8")
    transformer = model[0]
    transformer.model = OrtTransformer(path, transformer.model.config)
    return path
