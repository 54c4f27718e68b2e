"""The ONNX export cache: exports of a sentence-transformers model's transformer, made offline from its weights.

sentence-transformers' own ``backend="onnx"`` needs ``optimum-onnx``, whose releases all require
``transformers<4.58`` while sentence-transformers 6 requires ``transformers>=5``: the two cannot be installed
together. So the transformer is exported here with ``torch.onnx.export`` (only ``onnx`` is needed besides torch)
and, for ``onnx-int8``, quantised with ONNX Runtime's dynamic int8 quantisation.

Exports are cached in a folder per model and backend (``<cache>/<model>-onnx[-int8]/``), written to a temporary
folder first and renamed into place, so concurrent first loads are safe and a killed export leaves nothing used.
Checking an export (``current_export``) needs neither torch nor transformers; only making one does.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = logging.getLogger(__name__)

ONNX_BACKENDS = ("onnx", "onnx-int8")
# Bump when the export or quantisation below changes: cached exports with another version are redone.
EXPORT_VERSION = "1"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export_dir(cache_dir: Path, model_name: str, backend: str) -> Path:
    """Folder holding the exported model of ``model_name`` for ``backend`` ("onnx" or "onnx-int8")."""
    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(model_name).name) or "model"
    return cache_dir / f"{slug}-{backend}"


def _torch_version() -> str | None:
    """The installed torch's version, read from its metadata (no import: serving does not load torch)."""
    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return None


def source_stamp(source: str) -> dict[str, Any]:
    """What an export was made from: the model folder and the size and date of its weight files."""
    folder = Path(source)
    weights = sorted(p for p in folder.glob("*") if p.suffix in (".safetensors", ".bin")) if folder.is_dir() else []
    files = {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in weights}
    digest = hashlib.sha1(json.dumps([str(folder.resolve()), files], sort_keys=True).encode()).hexdigest()[:16]
    return {"source": str(folder), "weights": digest, "export_version": EXPORT_VERSION, "torch": _torch_version()}


def current_export(source: str, folder: Path) -> Path | None:
    """The export's ``model.onnx`` when ``folder`` holds one made from ``source`` as this code makes it."""
    target = folder / "model.onnx"
    return target if _stamp_of(folder) == source_stamp(source) and target.is_file() else None


def ensure_export(model: SentenceTransformer, source: str, folder: Path, quantize: bool) -> Path:
    """The exported ``model.onnx`` in ``folder``, exported now (torch) unless a matching export is already there."""
    stamp = source_stamp(source)
    target = current_export(source, folder)
    if target is not None:
        log.info("reusing the ONNX export in %s", folder)
        return target
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        log.info("exporting %s to ONNX%s in %s", source, " (int8)" if quantize else "", folder)
        if quantize:
            _export_fp32(model, work / "fp32.onnx")
            _quantize(work / "fp32.onnx", work / "model.onnx")
            (work / "fp32.onnx").unlink()
        else:
            _export_fp32(model, work / "model.onnx")
        (work / "export.json").write_text(json.dumps(stamp, indent=1))
        work.chmod(0o755)  # mkdtemp's folder is private; the export is not
        _publish(work, folder, stamp)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return folder / "model.onnx"


def _stamp_of(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / "export.json").read_text())
    except (OSError, ValueError):
        return None


def _publish(work: Path, folder: Path, stamp: dict[str, Any]) -> None:
    """Rename the finished export into place; a concurrent process that got there first wins."""
    if folder.exists():
        if _stamp_of(folder) == stamp:
            return  # another process exported the same thing meanwhile
        stale = folder.with_name(f".{folder.name}-stale-{os.getpid()}")
        with contextlib.suppress(OSError):
            folder.rename(stale)
            shutil.rmtree(stale, ignore_errors=True)
    try:
        work.rename(folder)
    except OSError:
        if _stamp_of(folder) != stamp:
            raise


def _export_fp32(model: SentenceTransformer, path: Path) -> None:
    import torch

    class LastHiddenState(torch.nn.Module):
        """The transformer with positional inputs and one output, as the exporter wants it."""

        def __init__(self, inner: torch.nn.Module, names: tuple[str, ...]) -> None:
            super().__init__()
            self.model = inner  # named as before, so exports stay byte for byte what they were
            self.names = names

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(self.names, inputs, strict=True))).last_hidden_state

    sample = model.tokenizer(["town twinning", "a longer sample sentence to export with"], padding=True)
    names = tuple(name for name in _INPUTS if name in sample)
    args = tuple(torch.tensor(sample[name]) for name in names)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*names, "last_hidden_state")}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent Python code in the mask helpers
        torch.onnx.export(
            LastHiddenState(model[0].model, names).eval(),
            args,
            str(path),
            dynamo=False,
            input_names=list(names),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
        )


def _quantize(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the weights, per channel (per tensor loses too much: cosine ~0.85-0.97)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # it logs a pre-processing hint on the root logger that does not apply here
    try:
        quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.disable(logging.NOTSET)
