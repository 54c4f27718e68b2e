"""Incremental ingestion into a real Chroma store: embedded folder and a Chroma server on loopback."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import Settings
from assistant.embeddings import SentenceTransformerEmbeddings
from assistant.ingest.pipeline import NothingToIngest, run_ingest
from assistant.retrieval.dense import dense_search, vector_store
from assistant.store import get_collection, make_client

SettingsFactory = Callable[..., Settings]


def ingest(settings: Settings, emb: SentenceTransformerEmbeddings, paths=None, **kw):
    return run_ingest(settings, paths, embeddings=emb, progress=False, **kw)


def index_state(settings: Settings) -> dict[str, tuple[str, str]]:
    """Every stored chunk: id -> (doc id, text)."""
    got = get_collection(make_client(settings), settings.collection).get(include=["documents", "metadatas"])
    return {i: (m["doc_id"], d) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}


class NoModel(SentenceTransformerEmbeddings):
    """Fails if anything asks for the model: proves a run with nothing to do never loads it."""

    def load(self) -> None:
        raise AssertionError("the model was loaded although nothing changed")

    @property
    def encoder(self):
        raise AssertionError("the model was loaded although nothing changed")

    @property
    def model(self):
        raise AssertionError("the model was loaded although nothing changed")


def test_first_run_ingests_every_document(make_settings: SettingsFactory, embeddings) -> None:
    report = ingest(make_settings(), embeddings)
    assert (report.docs_added, report.docs_failed) == (5, 0)
    assert report.chunks == report.chunks_total > 5
    docs = {doc for doc, _ in index_state(make_settings()).values()}
    assert docs == {"tt-2024.md", "nt-2025.md", "cemr/realise-2024.md", "programme.txt", "history.html"}


@pytest.mark.parametrize(
    "question, doc_id, section",
    [
        ("When did the 2024 town twinning call close?", "tt-2024.md", "Deadline"),
        ("Which national associations received REALISE grants?", "cemr/realise-2024.md", "2024 recipients"),
        ("How many countries must a networks of towns project involve?", "nt-2025.md", "Partnership"),
    ],
)
def test_similarity_query_finds_the_expected_chunk_first(
    make_settings: SettingsFactory,
    embeddings,
    question: str,
    doc_id: str,
    section: str,
) -> None:
    settings = make_settings()
    ingest(settings, embeddings)
    top = dense_search(vector_store(settings, embeddings), question, k=3)[0]
    assert (top.metadata["doc_id"], top.metadata["section"]) == (doc_id, section)


def test_unchanged_corpus_is_skipped_without_loading_the_model(make_settings: SettingsFactory, embeddings) -> None:
    settings = make_settings()
    ingest(settings, embeddings)
    before = index_state(settings)
    report = ingest(settings, NoModel())
    assert (report.docs_unchanged, report.docs_added, report.docs_updated, report.chunks) == (5, 0, 0, 0)
    assert index_state(settings) == before


def test_changed_document_is_replaced(make_settings: SettingsFactory, embeddings, corpus: Path) -> None:
    settings = make_settings()
    ingest(settings, embeddings)
    path = corpus / "nt-2025.md"
    path.write_text(path.read_text().replace("EUR 10,000,000", "EUR 12,000,000"))
    report = ingest(settings, embeddings)
    assert (report.docs_updated, report.docs_unchanged) == (1, 4)
    texts = [t for doc, t in index_state(settings).values() if doc == "nt-2025.md"]
    assert any("EUR 12,000,000" in t for t in texts)
    assert not any("EUR 10,000,000" in t for t in texts)


def test_removed_document_leaves_the_index(make_settings: SettingsFactory, embeddings, corpus: Path) -> None:
    settings = make_settings()
    ingest(settings, embeddings)
    (corpus / "cemr" / "realise-2024.md").unlink()
    report = ingest(settings, embeddings)
    assert report.docs_removed == 1
    assert all(doc != "cemr/realise-2024.md" for doc, _ in index_state(settings).values())


def test_new_document_is_added(make_settings: SettingsFactory, embeddings, corpus: Path) -> None:
    settings = make_settings()
    ingest(settings, embeddings)
    (corpus / "faq.md").write_text("# FAQ\n\n## Must towns be twinned?\nNo, other partnerships count too.\n")
    report = ingest(settings, embeddings)
    assert (report.docs_added, report.docs_unchanged) == (1, 5)


def test_paths_limit_the_run_to_those_files(make_settings: SettingsFactory, embeddings, corpus: Path) -> None:
    settings = make_settings()
    ingest(settings, embeddings)
    (corpus / "tt-2024.md").write_text((corpus / "tt-2024.md").read_text() + "\n## Note\nA 2024 note.\n")
    (corpus / "programme.txt").unlink()
    report = ingest(settings, embeddings, [corpus / "tt-2024.md"])
    # Only the named file is looked at: the deleted programme.txt is outside this run's scope.
    assert (report.docs_updated, report.docs_removed, report.docs_unchanged) == (1, 0, 0)
    assert "programme.txt" in {doc for doc, _ in index_state(settings).values()}


def test_rebuild_gives_the_same_index(make_settings: SettingsFactory, embeddings) -> None:
    settings = make_settings()
    ingest(settings, embeddings)
    before = index_state(settings)
    report = ingest(settings, embeddings, rebuild=True)
    assert report.docs_added == 5
    assert index_state(settings) == before


def test_changing_chunk_settings_rebuilds(make_settings: SettingsFactory, embeddings) -> None:
    ingest(make_settings(), embeddings)
    report = ingest(make_settings(chunk_size=64, chunk_overlap=8), embeddings)
    assert report.docs_added == 5 and report.docs_unchanged == 0


def test_broken_files_are_skipped_and_the_rest_ingested(
    make_settings: SettingsFactory, embeddings, corpus: Path
) -> None:
    (corpus / "empty.md").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "latin1.md").write_bytes("# Jumelage\n\nÉté à Besançon".encode("latin-1"))
    (corpus / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    (corpus / "notes.xyz").write_text("not a document type")
    report = ingest(make_settings(), embeddings)
    assert (report.docs_added, report.docs_failed) == (5, 4)
    reasons = {Path(f["path"]).name: f["reason"] for f in report.failures}
    assert set(reasons) == {"empty.md", "binary.txt", "latin1.md", "truncated.pdf"}
    assert "UTF-8" in reasons["latin1.md"] and "PDF" in reasons["truncated.pdf"]


def test_document_that_breaks_later_keeps_its_indexed_version(
    make_settings: SettingsFactory,
    embeddings,
    corpus: Path,
) -> None:
    settings = make_settings()
    ingest(settings, embeddings)
    (corpus / "tt-2024.md").write_bytes(b"\x00\x01 corrupted")
    report = ingest(settings, embeddings)
    assert report.docs_failed == 1
    assert any(doc == "tt-2024.md" for doc, _ in index_state(settings).values())


def test_empty_corpus_is_an_error_and_removes_nothing(
    make_settings: SettingsFactory, embeddings, tmp_path: Path
) -> None:
    settings = make_settings()
    ingest(settings, embeddings)
    empty = tmp_path / "empty-corpus"
    empty.mkdir()
    with pytest.raises(NothingToIngest):
        ingest(make_settings(corpus_dir=empty), embeddings)
    assert len(index_state(settings)) > 0


@pytest.mark.server
def test_chroma_server_mode(make_settings: SettingsFactory, embeddings, chroma_server: str) -> None:
    settings = make_settings(chroma_url=chroma_server, collection="server_mode_test")
    report = ingest(settings, embeddings)
    assert report.docs_added == 5 and report.chunks_total == report.chunks
    top = dense_search(vector_store(settings, embeddings), "REALISE grant recipients 2024", k=1)[0]
    assert top.metadata["doc_id"] == "cemr/realise-2024.md"
    assert ingest(settings, NoModel()).docs_unchanged == 5
    # The server holds the data: nothing was written to the embedded folder.
    assert not settings.chroma_dir.exists()


class TestCli:
    """The ``assistant ingest`` command: JSON report and exit status."""

    def run(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, corpus: Path, *args: str):
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(corpus))
        monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "cli-data"))
        return CliRunner().invoke(app, ["ingest", *args])

    def test_json_report(self, monkeypatch, tmp_path, corpus, embeddings) -> None:
        result = self.run(monkeypatch, tmp_path, corpus, "--json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout.strip().splitlines()[-1])
        keys = {
            "docs_added",
            "docs_updated",
            "docs_unchanged",
            "docs_removed",
            "docs_failed",
            "chunks",
            "seconds",
        }
        assert keys <= report.keys()
        assert report["docs_added"] == 5

    def test_warnings_exit_zero_but_strict_fails(self, monkeypatch, tmp_path, corpus, embeddings) -> None:
        (corpus / "empty.md").write_bytes(b"")
        assert self.run(monkeypatch, tmp_path, corpus).exit_code == 0
        assert self.run(monkeypatch, tmp_path, corpus, "--strict").exit_code == 1

    def test_nothing_ingestible_fails(self, monkeypatch, tmp_path, embeddings) -> None:
        bad = tmp_path / "bad"
        bad.mkdir()
        (bad / "empty.md").write_bytes(b"")
        result = self.run(monkeypatch, tmp_path, bad)
        assert result.exit_code == 1

    @pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
    def test_unreadable_file_is_skipped(self, monkeypatch, tmp_path, corpus, embeddings) -> None:
        locked = corpus / "locked.md"
        locked.write_text("# Locked\n\nSecret.\n")
        locked.chmod(0)
        result = self.run(monkeypatch, tmp_path, corpus, "--json")
        assert json.loads(result.stdout.strip().splitlines()[-1])["docs_failed"] == 1


def test_a_corrected_source_url_re_ingests_only_the_documents_citing_it(
    make_settings: SettingsFactory, embeddings, corpus: Path
) -> None:
    settings = make_settings()
    ingest(settings, embeddings)
    registry = corpus / "sources.yaml"
    old, new = "https://europapact.frl/calloverzicht/town-twinning/", "https://europapact.frl/calls/town-twinning"
    registry.write_text(registry.read_text().replace(old, new))
    report = ingest(settings, embeddings)
    assert (report.docs_updated, report.docs_unchanged) == (1, 4)
    got = get_collection(make_client(settings), settings.collection).get(where={"doc_id": "tt-2024.md"})
    stored = " ".join(m["sources"] for m in got["metadatas"])
    assert new in stored and old not in stored


def test_a_marker_naming_no_source_skips_its_document_with_the_line(
    make_settings: SettingsFactory, embeddings, corpus: Path
) -> None:
    (corpus / "note.md").write_text(
        "---\ntitle: Note\n---\n# Note\n\n## A\n\nA fact.[^euroaccess-tt-2024]\nAnother.[^nope]\n"
    )
    report = ingest(make_settings(), embeddings)
    assert (report.docs_added, report.docs_failed) == (5, 1)
    assert report.failures == [
        {"path": str(corpus / "note.md"), "reason": f"line 9: [^nope] names no source of {corpus / 'sources.yaml'}"}
    ]
