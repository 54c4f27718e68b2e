"""``assistant ingest`` SIGKILLed at chosen points, then run again, ends exactly as a clean run: the same chunk ids,
texts and metadata, no duplicates, and no orphans (the manifest and the collection name the same chunks).

tests/ingest/test_kill_rerun.py kills a run when the manifest shows a pending or a done row (timing-dependent
points). Here the point is exact: the real ``assistant ingest`` runs in a subprocess whose Python first wraps one
library method so that the process SIGKILLs itself right after the n-th call (the wrapper is the only instrument;
the kill is a real SIGKILL, nothing is cleaned up). Points: after a Chroma upsert, before the manifest records it;
in the middle of an update run's deletions (the removed document gone from Chroma, stale chunks of changed ones
partly deleted). Two points only, to keep the suite quick: each costs a subprocess loading the model.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ingest.manifest import Manifest
from assistant.ingest.pipeline import manifest_path, run_ingest
from assistant.sentences import SENTENCE_VECTORS, unpack_vectors
from assistant.store import get_collection, make_client

pytestmark = pytest.mark.slow

KILLER = """
import os, signal, sys
from chromadb.api.models.Collection import Collection
from assistant.embeddings import SentenceTransformerEmbeddings
owner = {"encode_passages": SentenceTransformerEmbeddings, "upsert": Collection, "delete": Collection}[sys.argv[1]]
name, count, calls = sys.argv[1], int(sys.argv[2]), [0]
real = getattr(owner, name)
def wrapped(self, *args, **kwargs):
    result = real(self, *args, **kwargs)
    calls[0] += 1
    if calls[0] == count:
        os.kill(os.getpid(), signal.SIGKILL)
    return result
setattr(owner, name, wrapped)
from assistant.cli import app
app(["ingest"], prog_name="assistant")
"""


def _corpus(root: Path, docs: int = 12, sections: int = 6, version: int = 1) -> Path:
    """12 documents of 6 sections; ``version`` 2 changes every third document (new and fewer sections) and drops
    the first one."""
    root.mkdir(exist_ok=True)
    for d in range(docs):
        path = root / f"call-{d:02d}.md"
        if version == 2 and d == 0:
            path.unlink(missing_ok=True)
            continue
        changed = version == 2 and d % 3 == 1
        parts = [f"---\ntitle: Synthetic call {d}\nyear: {2021 + d % 6}\n---\n"]
        parts += [
            f"## Rule {s}\nCall {d} rule {s}: towns from {s + (5 if changed else 2)} countries meet.\n"
            for s in range(sections - (3 if changed else 0))
        ]
        path.write_text("\n".join(parts))
    return root


def _state(settings: Settings) -> list[tuple[str, str, dict]]:
    """Ids, texts and metadata of every chunk. Sentence vectors count as their shape: like the chunk vectors (not
    compared either), their last digits depend on the batch the int8 encoder met them in."""
    got = get_collection(make_client(settings), settings.collection).get(include=["documents", "metadatas"])
    metas = [
        {**meta, SENTENCE_VECTORS: unpack_vectors(meta[SENTENCE_VECTORS]).shape} if SENTENCE_VECTORS in meta else meta
        for meta in got["metadatas"]
    ]
    return sorted(zip(got["ids"], got["documents"], metas, strict=True), key=lambda row: row[0])


def _assert_no_orphans(settings: Settings) -> None:
    state = _state(settings)
    ids = [row[0] for row in state]
    assert len(ids) == len(set(ids))
    with Manifest(manifest_path(settings)) as manifest:
        records = manifest.records()
    assert all(r.done for r in records.values()), "a pending row survived the re-run"
    by_doc: dict[str, set[str]] = {}
    for cid, _, meta in state:
        by_doc.setdefault(meta["doc_id"], set()).add(cid)
    assert {d: set(r.chunk_ids) for d, r in records.items()} == by_doc


def _ingest_killed(settings: Settings, method: str, nth: int) -> None:
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
    }
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, method, str(nth)], env=env, capture_output=True, timeout=180, check=False
    )
    assert proc.returncode == -signal.SIGKILL, f"the run was not killed at {method} #{nth}: {proc.stderr[-1500:]!r}"


@pytest.fixture(scope="module")
def clean_states(tmp_path_factory: pytest.TempPathFactory, embeddings) -> dict[bool, list]:  # noqa: ANN001
    """The index a clean run makes of the corpus, before (False) and after (True) the change."""
    states = {}
    for change in (False, True):
        root = tmp_path_factory.mktemp("clean")
        corpus = _corpus(root / "corpus", version=2 if change else 1)
        clean = Settings(_env_file=None, corpus_dir=corpus, data_dir=root / "data")
        run_ingest(clean, embeddings=embeddings, progress=False)
        states[change] = _state(clean)
    return states


@pytest.mark.parametrize(
    "method, nth, change",
    [
        ("upsert", 1, False),  # chunks in Chroma, their manifest rows still pending
        ("delete", 3, True),  # in the middle of deleting the stale chunks of changed documents
    ],
)
def test_ingest_killed_at_a_point_then_rerun_equals_clean_run(
    tmp_path: Path, embeddings, clean_states: dict[bool, list], method: str, nth: int, change: bool
) -> None:  # noqa: ANN001
    corpus = _corpus(tmp_path / "corpus")
    killed = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "killed")
    if change:  # a complete first run, then the corpus changes and the update run is the one killed
        run_ingest(killed, embeddings=embeddings, progress=False)
        _corpus(corpus, version=2)
    _ingest_killed(killed, method, nth)

    report = run_ingest(killed, embeddings=embeddings, progress=False)

    assert report.docs_failed == 0
    assert _state(killed) == clean_states[change]
    _assert_no_orphans(killed)
    assert len({meta["doc_id"] for _, _, meta in clean_states[change]}) == (11 if change else 12)
