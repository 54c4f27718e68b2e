"""ONNX Runtime inference of an exported sentence-transformers model, without torch or transformers.

``OrtEncoder`` does what sentence-transformers' ``encode_query``/``encode_document`` do for a Transformer →
Pooling (→ Normalize) model: the prompt before each text, texts sorted by length (longest first) and cut into
batches, the ``tokenizers`` tokenizer of the model folder (padded to the batch's longest text, truncated to
``max_seq_length``), the transformer's forward pass (here ONNX Runtime), the pooling of the folder's config and L2
normalisation. Same inputs in the same batches, so the vectors are those of sentence-transformers running the same
export (the int8 export quantises activations per batch, which makes the batches matter).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from assistant.embeddings.base import Kind, warn_cut
from assistant.embeddings.folder import ModelFolder

if TYPE_CHECKING:
    import onnxruntime as ort
    from tokenizers import Tokenizer


def session(path: Path) -> ort.InferenceSession:
    """An ONNX Runtime CPU session of ``path``, quiet about graph warnings."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OrtEncoder:
    """Embeds texts with an ONNX export and the tokenizer, pooling and prompts of its model folder. Thread-safe."""

    def __init__(self, onnx_path: Path, folder: ModelFolder) -> None:
        if not folder.runs_without_torch:
            raise ValueError(f"{folder.path} is not a Transformer + Pooling model this encoder reproduces")
        self.path = onnx_path
        self.folder = folder
        self.session = session(onnx_path)
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.max_length = int(folder.max_seq_length or 0)
        self.pooling = folder.pooling
        tokenizer = folder.tokenizer()
        tokenizer.enable_truncation(self.max_length)
        pad_id, pad_token = _pad_token(folder, tokenizer)
        tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)  # to the longest text of each batch
        self.tokenizer = tokenizer

    def encode(self, texts: list[str], kind: Kind, batch_size: int) -> np.ndarray:
        """One normalised float32 row per text; texts longer than the window are cut to it, with a warning."""
        prompt = self.folder.prompt(kind)
        order = np.argsort([-len(t) for t in texts])  # as sentence-transformers sorts (by characters, no prompt)
        rows: list[np.ndarray] = []
        cut = 0
        for start in range(0, len(texts), batch_size):
            batch = [prompt + texts[i] for i in order[start : start + batch_size]]
            vectors, overflowed = self._forward([t.lower() for t in batch] if self.folder.lower_case else batch)
            rows.append(vectors)
            cut += overflowed
        warn_cut(cut, len(texts), self.max_length)
        pooled = np.concatenate(rows) if rows else np.zeros((0, self.folder.dimension or 0), np.float32)
        out = np.empty_like(pooled)
        out[order] = pooled
        return out

    def _forward(self, texts: list[str]) -> tuple[np.ndarray, int]:
        """The batch's vectors, and how many of its texts the tokenizer cut to the window."""
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        available = {
            "input_ids": ids,
            "attention_mask": mask,
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (hidden,) = self.session.run(None, {name: available[name] for name in self.inputs})
        return _normalise(_pool(hidden, mask, self.pooling)), sum(bool(e.overflowing) for e in encodings)


def _pad_token(folder: ModelFolder, tokenizer: Tokenizer) -> tuple[int, str]:
    """The padding token of the folder's tokenizer: from tokenizer.json's padding, else tokenizer_config.json."""
    for name in ("tokenizer.json", "tokenizer_config.json"):
        try:
            data = json.loads((folder.path / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        token = (data.get("padding") or {}).get("pad_token") if name == "tokenizer.json" else data.get("pad_token")
        if isinstance(token, dict):  # an AddedToken written out
            token = token.get("content")
        if isinstance(token, str) and tokenizer.token_to_id(token) is not None:
            return int(tokenizer.token_to_id(token)), token
    return 0, "[PAD]"  # pads are masked out of the pooling: their id does not change the vectors


def _pool(hidden: np.ndarray, mask: np.ndarray, mode: str | None) -> np.ndarray:
    """sentence-transformers' Pooling over the tokens the attention mask keeps."""
    weights = mask[..., None].astype(hidden.dtype)
    if mode == "cls":
        return hidden[:, 0]
    if mode == "max":
        return np.where(weights > 0, hidden, np.finfo(hidden.dtype).min).max(axis=1)
    summed = (hidden * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    return summed / (np.sqrt(counts) if mode == "mean_sqrt_len" else counts)


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)
