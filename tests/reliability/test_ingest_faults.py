"""Faults around ingestion (issue 13, findings 11 and 13): two ingestions at once, a store and a manifest that
disagree, a corrupt manifest, a data folder that cannot be written. ``assistant ingest`` runs as a real
subprocess where the behaviour is the process's (the lock, the exit status, the message); the rest runs in this
process with the session's model."""

from __future__ import annotations

import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ingest.lock import ingest_lock
from assistant.ingest.manifest import Manifest
from assistant.ingest.pipeline import manifest_path, run_ingest
from assistant.store import get_collection, make_client
from tests.conftest import FIXTURES
from tests.reliability.conftest import ANSWER, QUESTION, assistant_env, fixture_index

pytestmark = pytest.mark.slow


def _ingest(settings: Settings, *args: str, preexec_fn=None, **env: str) -> subprocess.Popen[str]:  # noqa: ANN001
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "ingest", *args],
        env=assistant_env(settings, **env),
        cwd=settings.corpus_dir.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )


def _assert_consistent(settings: Settings) -> set[str]:
    """The manifest's rows are all done and name exactly the chunks the store holds; return the documents."""
    got = get_collection(make_client(settings), settings.collection).get(include=["metadatas"])
    with Manifest(manifest_path(settings)) as manifest:
        records = manifest.records()
    assert all(r.done for r in records.values()), "pending rows left"
    assert sorted(got["ids"]) == sorted(cid for r in records.values() for cid in r.chunk_ids)
    return {m["doc_id"] for m in got["metadatas"]}


def _answer(settings: Settings, embeddings) -> str:  # noqa: ANN001
    from assistant.service import Assistant

    return Assistant(settings, embeddings).ask(QUESTION).answer


def _clean_exit_message(proc: subprocess.Popen[str], timeout: float = 180) -> str:
    """The run failed as a user should see it: exit 1, one ``error: ...`` line, no traceback."""
    _, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "╭" not in err, err
    return err.strip().splitlines()[-1]


def test_two_ingestions_at_once_leave_a_consistent_index(tmp_path: Path, embeddings) -> None:  # noqa: ANN001
    """Before: the second run's rebuild dropped the collection under the first (a traceback, or both exit 0 and a
    broken index). Now the second waits for the first's lock, then does its work."""
    shutil.copytree(FIXTURES / "corpus", tmp_path / "corpus")
    settings = Settings(_env_file=None, corpus_dir=tmp_path / "corpus", data_dir=tmp_path / "data")
    for d in range(40):  # enough that the first run is still writing when the second starts
        sections = "".join(f"## Rule {s}\nCall {d} rule {s}: towns from {s + 2} countries meet.\n\n" for s in range(20))
        (settings.corpus_dir / f"call-{d:02d}.md").write_text(f"# Synthetic call {d}\n\n{sections}")
    manifest = manifest_path(settings)

    first = _ingest(settings, "--rebuild", "--json", ASSISTANT_INGEST_LOCK_SECONDS="300")
    deadline = time.monotonic() + 120
    while first.poll() is None and time.monotonic() < deadline and not _rows(manifest):
        time.sleep(0.01)
    assert first.poll() is None, "the first run ended before the second could start"
    second = _ingest(settings, "--rebuild", "--json", ASSISTANT_INGEST_LOCK_SECONDS="300")
    out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)

    assert (first.returncode, second.returncode) == (0, 0), (err1[-2000:], err2[-2000:])
    assert '"docs_added": 45' in out1 and '"docs_added": 45' in out2
    assert "waiting" in err2  # the second run said why it paused
    assert len(_assert_consistent(settings)) == 45
    assert ANSWER in _answer(settings, embeddings)


def test_a_second_ingestion_that_cannot_wait_says_so(tmp_path: Path, embeddings) -> None:  # noqa: ANN001
    settings = fixture_index(tmp_path, embeddings)
    with ingest_lock(settings):
        message = _clean_exit_message(_ingest(settings, ASSISTANT_INGEST_LOCK_SECONDS="0"))
    assert message.startswith("error: another `assistant ingest` is still running"), message


def test_a_store_that_lost_chunks_or_holds_strays_is_repaired_by_the_next_run(tmp_path: Path, embeddings) -> None:  # noqa: ANN001
    """Before: the run said "5 unchanged" and the lost document stayed unanswerable."""
    settings = fixture_index(tmp_path, embeddings)
    collection = get_collection(make_client(settings), settings.collection)
    lost = collection.get(where={"doc_id": "tt-2024.md"})["ids"]
    collection.delete(ids=lost)
    collection.upsert(ids=["stray"], embeddings=[[0.1] * 384], documents=["stray"], metadatas=[{"doc_id": "x.md"}])
    assert ANSWER not in _answer(settings, embeddings)

    report = run_ingest(settings, embeddings=embeddings, progress=False)

    assert (report.docs_repaired, report.orphans_removed, report.docs_updated, report.docs_unchanged) == (1, 1, 1, 4)
    assert len(_assert_consistent(settings)) == 5
    assert ANSWER in _answer(settings, embeddings)
    again = run_ingest(settings, embeddings=embeddings, progress=False)
    assert (again.docs_unchanged, again.docs_repaired, again.orphans_removed) == (5, 0, 0)


def test_a_corrupt_manifest_asks_for_rebuild_and_rebuild_starts_over(tmp_path: Path, embeddings) -> None:  # noqa: ANN001
    settings = fixture_index(tmp_path, embeddings)
    manifest = manifest_path(settings)
    manifest.write_bytes(b"this is not an SQLite database, just garbage " * 100)

    message = _clean_exit_message(_ingest(settings))
    assert "manifest" in message and "--rebuild" in message, message

    report = run_ingest(settings, rebuild=True, embeddings=embeddings, progress=False)
    assert (report.docs_added, report.docs_failed) == (5, 0)
    assert len(_assert_consistent(settings)) == 5


def test_a_data_folder_that_cannot_be_written_gives_a_message_and_the_next_run_repairs(
    tmp_path: Path, embeddings
) -> None:  # noqa: ANN001
    """No file in the data folder may grow (RLIMIT_FSIZE, as a full disk: writes fail with EFBIG, even as root)."""
    settings = fixture_index(tmp_path, embeddings)
    (settings.corpus_dir / "helpdesk.md").write_text(
        "# Twinning helpdesk\n\n"
        + "".join(f"## Day {d}\nThe helpdesk answers on day {d} from 9:00 to 13:00.\n\n" for d in range(30))
    )
    limit = max(p.stat().st_size for p in settings.data_dir.rglob("*") if p.is_file())

    def no_growth() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    message = _clean_exit_message(_ingest(settings, preexec_fn=no_growth))
    assert message.startswith("error: ") and "disk full or read-only" in message, message

    report = run_ingest(settings, embeddings=embeddings, progress=False)
    assert report.docs_failed == 0
    assert _assert_consistent(settings) >= {"helpdesk.md", "tt-2024.md"}


def _rows(manifest: Path) -> int:
    if not manifest.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{manifest}?mode=ro", uri=True, timeout=0.1) as db:
            return db.execute("SELECT count(*) FROM docs").fetchone()[0]
    except sqlite3.Error:
        return 0
