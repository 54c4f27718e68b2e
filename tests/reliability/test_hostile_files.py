"""Hostile and broken files dropped among good ones (issue 13, findings 7-10), through the real pipeline with the
session's model: every good document is ingested, each bad file is skipped once with its reason (in the report
and in the log), nothing from outside the corpus reaches the index, and a second run is clean.

The limits are set small here (the defaults are generous: ``Settings``), so each limit is met by a file of a
few kilobytes; the bombs are real (a 200 KB PDF inflating to 200 MB, a 100 KB DOCX unpacking to 20 MB, a
400-byte YAML standing for 387 million strings).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.ingest.manifest import Manifest
from assistant.ingest.pipeline import manifest_path, run_ingest
from assistant.store import get_collection, make_client
from tests.conftest import FIXTURES
from tests.reliability import hostile_files

SECRET = "sk-test-NOT-A-REAL-KEY-31337"
GOOD = {"tt-2024.md", "nt-2025.md", "cemr/realise-2024.md", "programme.txt", "history.html"}
NOT_UTF8 = os.fsdecode(b"jumelage-\xff.md")  # a name from a zip made on Windows


def _hostile_corpus(corpus: Path, outside: Path) -> dict[str, str]:
    """Write the bad files into ``corpus``; return each one's name as reported -> a word its reason must hold."""
    outside.mkdir()
    (outside / "secret.env").write_text(f"ASSISTANT_LLM_API_KEY={SECRET}\n")
    (corpus / ".env").write_text(f"TOKEN={SECRET}\n")
    (corpus / "notes.md").symlink_to(outside / "secret.env")  # a link out of the corpus
    (corpus / "settings.md").symlink_to(".env")  # a link to a hidden file inside it
    files: dict[str, bytes] = {
        "minutes.docx": hostile_files.truncated_docx(),
        "guide.pdf": hostile_files.pdf_bomb(),
        "bomb.docx": hostile_files.docx_bomb(),
        "laughs.md": hostile_files.yaml_alias_bomb().encode(),
        "huge.txt": b"Twinning towns meet. " * 50_000,  # 1.05 MB, over the byte limit
        "long.txt": b"Twinning towns meet. " * 3_000,  # 63,000 characters, over the character limit
        "sections.md": ("# Many\n\n" + "".join(f"## Part {i}\nTowns meet {i}.\n\n" for i in range(60))).encode(),
        "call-9999.md": b"---\ntitle: Far call\ndeadline: 9999-12-31T23:59:59-12:00\n---\n# Far call\n\nApply.\n",
        "call-0001.md": b"---\ntitle: Old call\ndeadline: '0001-01-01T00:00:00+14:00'\n---\n# Old call\n\nApply.\n",
        NOT_UTF8: b"# Jumelage\n\nLes comites de jumelage.\n",
    }
    for name, data in files.items():
        (corpus / name).write_bytes(data)
    return {
        "minutes.docx": "XMLSyntaxError",
        "guide.pdf": "LimitReached",
        "bomb.docx": "unpacks to",
        "laughs.md": "aliases",
        "huge.txt": "ASSISTANT_INGEST_MAX_FILE_BYTES",
        "long.txt": "ASSISTANT_INGEST_MAX_CHARS",
        "sections.md": "ASSISTANT_INGEST_MAX_CHUNKS",
        "call-9999.md": "year 9999",
        "call-0001.md": "year 1 ",
        "jumelage-\\xff.md": "UTF-8",
        "notes.md": "outside the corpus",
        "settings.md": "hidden",
    }


def _index(settings: Settings) -> tuple[list[str], list[str], list[dict]]:
    got = get_collection(make_client(settings), settings.collection).get(include=["documents", "metadatas"])
    return got["ids"], got["documents"], got["metadatas"]


@pytest.mark.slow
def test_hostile_files_are_skipped_with_reasons_and_the_rest_ingested(
    tmp_path: Path, embeddings, caplog: pytest.LogCaptureFixture
) -> None:  # noqa: ANN001
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", corpus)
    expected = _hostile_corpus(corpus, tmp_path / "outside")
    settings = Settings(
        _env_file=None,
        corpus_dir=corpus,
        data_dir=tmp_path / "data",
        ingest_max_file_bytes=1_000_000,
        ingest_max_chars=40_000,
        ingest_max_chunks=40,
    )

    with caplog.at_level(logging.WARNING, logger="assistant.ingest"):
        report = run_ingest(settings, embeddings=embeddings, progress=False)

    assert (report.docs_added, report.docs_failed) == (len(GOOD), len(expected)), report.failures
    reasons = {Path(f["path"]).name: f["reason"] for f in report.failures}
    assert set(reasons) == set(expected), reasons
    for name, word in expected.items():
        assert word in reasons[name], (name, reasons[name])
        assert sum(f"/{name}: " in message for message in caplog.messages) == 1, (name, caplog.messages)
    ids, documents, metadatas = _index(settings)
    assert {m["doc_id"] for m in metadatas} == GOOD
    assert not any(SECRET in text for text in documents)

    again = run_ingest(settings, embeddings=embeddings, progress=False)
    assert (again.docs_unchanged, again.docs_added, again.docs_updated, again.chunks) == (len(GOOD), 0, 0, 0)
    assert {Path(f["path"]).name for f in again.failures} == set(expected)
    with Manifest(manifest_path(settings)) as manifest:
        assert all(record.done for record in manifest.records().values())
    assert _index(settings)[0] == ids

    # A path named on the command line is held to the same rule.
    (tmp_path / "outside" / "leak.md").write_text(f"# Leak\n\n{SECRET}\n")
    named = run_ingest(settings, [tmp_path / "outside" / "leak.md"], embeddings=embeddings, progress=False)
    assert [f["reason"] for f in named.failures] == ["it is outside the corpus folder; refused"]
    assert not any(SECRET in text for text in _index(settings)[1])
