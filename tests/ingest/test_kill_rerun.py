"""A run killed with SIGKILL at any point, then run again, ends exactly as a clean run does."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ingest.pipeline import manifest_path, run_ingest
from assistant.store import get_collection, make_client

pytestmark = pytest.mark.slow


def _synthetic_corpus(root: Path, docs: int = 30, sections: int = 20) -> Path:
    root.mkdir()
    for d in range(docs):
        parts = [f"---\ntitle: Synthetic call {d}\nyear: {2021 + d % 6}\ntopic: town-twinning\n---\n"]
        parts += [
            f"## Rule {s}\nSynthetic call {d} rule {s}: towns from {s + 2} countries meet.\n" for s in range(sections)
        ]
        (root / f"call-{d:03d}.md").write_text("\n".join(parts))
    return root


def _state(settings: Settings) -> list[tuple[str, str, str]]:
    got = get_collection(make_client(settings), settings.collection).get(include=["documents", "metadatas"])
    return sorted(zip(got["ids"], got["documents"], [m["doc_id"] for m in got["metadatas"]], strict=True))


def _manifest_rows(path: Path, state: str) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1) as db:
            return db.execute("SELECT count(*) FROM docs WHERE state = ?", (state,)).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _run_and_kill(settings: Settings, when: str, timeout: float = 120) -> None:
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ingest"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    manifest = manifest_path(settings)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if _manifest_rows(manifest, when) > 0:
                break
            time.sleep(0.005)
        assert proc.poll() is None, "ingestion finished before it could be killed; make the corpus larger"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()


@pytest.mark.parametrize("when", ["pending", "done"])
def test_killed_run_then_rerun_equals_clean_run(tmp_path: Path, embeddings, when: str) -> None:
    corpus = _synthetic_corpus(tmp_path / "corpus")
    clean = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "clean")
    run_ingest(clean, embeddings=embeddings, progress=False)

    killed = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "killed")
    _run_and_kill(killed, when)
    # Between the two runs a document disappears: its chunks, even half-written ones, must not survive.
    (corpus / "call-000.md").unlink()
    report = run_ingest(killed, embeddings=embeddings, progress=False)
    run_ingest(clean, embeddings=embeddings, progress=False)

    assert report.docs_failed == 0
    state = _state(killed)
    assert state == _state(clean)
    assert len({doc for _, _, doc in state}) == 29
    assert all(doc != "call-000.md" for _, _, doc in state)
