"""Incremental ingestion: new and changed documents are embedded and written, removed ones deleted.

Unchanged documents are recognised by the SHA-256 of their bytes before anything is parsed, so a run with
nothing to do never loads the model. See ``manifest.py`` for why a killed run can simply be run again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tqdm import tqdm

from assistant.config import Settings
from assistant.embeddings import SentenceTransformerEmbeddings
from assistant.ingest.loaders import SUPPORTED_SUFFIXES, LoadError, load_document, read_bytes
from assistant.ingest.manifest import DocRecord, Manifest
from assistant.ingest.splitting import Chunk, split_document
from assistant.store import drop_collection, get_collection, make_client

log = logging.getLogger(__name__)

# Bump when loaders or splitting change what a document turns into: every document is then re-ingested.
PIPELINE_VERSION = "1"
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

    @property
    def docs_ingested(self) -> int:
        return self.docs_added + self.docs_updated + self.docs_unchanged

    def summary(self) -> str:
        return (
            f"{self.docs_added} added, {self.docs_updated} updated, {self.docs_unchanged} unchanged, "
            f"{self.docs_removed} removed, {self.docs_failed} failed; {self.chunks} chunks embedded in "
            f"{self.seconds:.1f} s; the index holds {self.chunks_total} chunks"
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


class NothingToIngest(RuntimeError):
    """No document was found where ingestion was asked to look."""


def manifest_path(settings: Settings) -> Path:
    return settings.data_dir / f"manifest-{settings.collection}-{settings.store_key}.sqlite"


def index_fingerprint(settings: Settings) -> str:
    """What the index's vectors and chunks depend on; a change rebuilds the whole index.

    The backend's vectors differ slightly from torch's, so a non-torch backend is part of it; torch is left out
    so that indexes built before backends existed stay valid.
    """
    parts: list[object] = [settings.embedding_model, settings.chunk_size, settings.chunk_overlap, PIPELINE_VERSION]
    if settings.embedding_backend != "torch":
        parts.append(settings.embedding_backend)
    return json.dumps(parts)


def run_ingest(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    *,
    rebuild: bool = False,
    embeddings: SentenceTransformerEmbeddings | None = None,
    progress: bool = True,
) -> IngestReport:
    """Bring the index in step with the corpus (or with ``paths`` inside it) and report what changed."""
    started = time.perf_counter()
    report = IngestReport()
    embeddings = embeddings or SentenceTransformerEmbeddings.from_settings(settings)
    found, scopes = discover(settings.corpus_dir, paths)
    if not found and not paths:
        raise NothingToIngest(f"no supported documents in {settings.corpus_dir}")

    client = make_client(settings)
    with Manifest(manifest_path(settings)) as manifest:
        fingerprint = index_fingerprint(settings)
        collection = get_collection(client, settings.collection, settings.embedding_model, settings.embedding_backend)
        stored = manifest.get_meta("fingerprint")
        if rebuild or stored != fingerprint or (not manifest.records() and collection.count()):
            if not rebuild and stored is not None:
                log.warning("model or chunking settings changed: rebuilding the whole index")
            drop_collection(client, settings.collection)
            manifest.clear()
            collection = get_collection(
                client, settings.collection, settings.embedding_model, settings.embedding_backend
            )
        elif manifest.records() and collection.count() == 0:
            log.warning("the collection is empty but the manifest is not (store reset?): re-ingesting all")
            manifest.clear()
        manifest.set_meta("fingerprint", fingerprint)
        records = manifest.records()

        pending: list[_Pending] = []
        for path, doc_id in found:
            try:
                data = read_bytes(path)
                content_hash = hashlib.sha256(data).hexdigest()
                previous = records.get(doc_id)
                if previous and previous.done and previous.hash == content_hash:
                    report.docs_unchanged += 1
                    continue
                doc = load_document(path, doc_id, data)
                chunks = split_document(
                    doc,
                    embeddings.count_tokens,
                    chunk_size=settings.chunk_size,
                    chunk_overlap=settings.chunk_overlap,
                    max_tokens=embeddings.max_tokens,
                )
                if not chunks:
                    raise LoadError("no text left to index after splitting")
            except LoadError as exc:
                _fail(report, path, str(exc))
                continue
            pending.append(_Pending(doc_id, content_hash, chunks, previous))

        seen = {doc_id for _, doc_id in found}
        for doc_id in sorted(records):
            if doc_id not in seen and _in_scope(doc_id, scopes):
                collection.delete(where={"doc_id": doc_id})
                manifest.forget(doc_id)
                report.docs_removed += 1

        _write(collection, manifest, embeddings, pending, report, progress)
        if report.chunks or report.docs_removed:
            # Readers (the lexical index of a running assistant) poll this to know the index changed.
            meta = {k: v for k, v in (collection.metadata or {}).items() if not k.startswith("hnsw:")}
            collection.modify(metadata={**meta, "generation": uuid.uuid4().hex})
        report.chunks_total = collection.count()
    report.seconds = time.perf_counter() - started
    return report


def _write(collection, manifest, embeddings, pending, report, progress) -> None:  # noqa: ANN001
    total = sum(len(p.chunks) for p in pending)
    with tqdm(total=total, unit="chunk", desc="embedding", disable=not progress or not total) as bar:
        for group in _groups(pending, WRITE_GROUP):
            chunks = [c for p in group for c in p.chunks]
            vectors = embeddings.encode([c.text for c in chunks])
            for p in group:
                old = p.previous.chunk_ids if p.previous else []
                manifest.mark_pending(p.doc_id, old + [c.id for c in p.chunks])
            collection.upsert(
                ids=[c.id for c in chunks],
                embeddings=vectors,
                documents=[c.text for c in chunks],
                metadatas=[c.metadata for c in chunks],
            )
            for p in group:
                new_ids = [c.id for c in p.chunks]
                stale = sorted(set(p.previous.chunk_ids if p.previous else []) - set(new_ids))
                if stale:
                    collection.delete(ids=stale)
                manifest.mark_done(p.doc_id, p.content_hash, new_ids)
                if p.previous is None:
                    report.docs_added += 1
                else:
                    report.docs_updated += 1
            report.chunks += len(chunks)
            bar.update(len(chunks))


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
    log.warning("skipped %s: %s", path, reason)
    report.docs_failed += 1
    report.failures.append({"path": str(path), "reason": reason})


def doc_id_for(path: Path, corpus_dir: Path) -> str:
    """Documents are named by their path relative to the corpus folder (else to the working folder)."""
    resolved = path.resolve()
    for base in (corpus_dir.resolve(), Path.cwd().resolve()):
        if resolved.is_relative_to(base):
            return resolved.relative_to(base).as_posix()
    return resolved.as_posix()


def discover(corpus_dir: Path, paths: Sequence[Path] | None) -> tuple[list[tuple[Path, str]], list[str] | None]:
    """Files to ingest as (path, doc id), and the doc-id scopes a run may remove from (None: everything)."""
    roots = list(paths) if paths else [corpus_dir]
    found: dict[str, Path] = {}
    scopes: list[str] = []
    for root in roots:
        root_id = doc_id_for(root, corpus_dir)
        if root.is_dir():
            scopes.append("" if root_id == "." else root_id.rstrip("/") + "/")
            for path in sorted(root.rglob("*")):
                if path.is_file() and not _hidden(path.relative_to(root)):
                    if path.suffix.lower() in SUPPORTED_SUFFIXES:
                        found.setdefault(doc_id_for(path, corpus_dir), path)
                    else:
                        log.info("ignored %s: not a supported document type", path)
        else:
            scopes.append(root_id)
            if root.is_file():
                found.setdefault(root_id, root)
            else:
                log.warning("%s does not exist; if it was ingested before, it is removed", root)
    return sorted(((p, d) for d, p in found.items()), key=lambda x: x[1]), (None if not paths else scopes)


def _hidden(relative: Path) -> bool:
    return any(part.startswith((".", "~$")) for part in relative.parts)


def _in_scope(doc_id: str, scopes: list[str] | None) -> bool:
    if scopes is None or "" in scopes:
        return True
    return any(doc_id == s or (s.endswith("/") and doc_id.startswith(s)) for s in scopes)
