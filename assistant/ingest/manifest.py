"""What has been ingested: one SQLite row per document (content hash, chunk ids, state).

The manifest is a write-ahead record: before chunks of a document are written to Chroma, its row is marked
``pending`` with every chunk id that may be written; only after Chroma holds the new chunks (and the stale
ones are deleted) does the row become ``done`` with the new hash. A run killed anywhere therefore leaves
nothing Chroma holds untracked, and the next run finishes the job. (LangChain's indexing API would need a SQL
record manager that langchain-core 1.x no longer ships, and counts chunks rather than documents.)

A file that is not a readable manifest raises ``ManifestCorrupt``; opened ``fresh`` (``--rebuild``), the manifest
starts over whatever the file holds.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.ingest.errors import ManifestCorrupt

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    doc_id TEXT PRIMARY KEY,
    hash TEXT,
    chunk_ids TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done'))
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class DocRecord:
    doc_id: str
    hash: str | None
    chunk_ids: list[str]
    done: bool


class Manifest:
    """SQLite-backed record of ingested documents; every method commits before it returns."""

    def __init__(self, path: Path, *, fresh: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        if fresh:
            for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
                stale.unlink(missing_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        with self._corruption():
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            self.records()
            self.get_meta("fingerprint")

    @contextlib.contextmanager
    def _corruption(self) -> Iterator[None]:
        """A database that is not a manifest (garbage, a foreign schema, bad rows) raises ``ManifestCorrupt``;
        a write that fails (disk full, read-only) stays ``sqlite3.OperationalError``."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "no such" not in str(exc) and "no column" not in str(exc):
                raise
            self._db.close()
            raise ManifestCorrupt(self._corrupt_message(exc)) from exc
        except (sqlite3.DatabaseError, ValueError, TypeError) as exc:
            self._db.close()
            raise ManifestCorrupt(self._corrupt_message(exc)) from exc

    def _corrupt_message(self, exc: Exception) -> str:
        return (
            f"the ingestion manifest {self.path} is unreadable ({exc}); run `assistant ingest --rebuild` to rebuild "
            "the index from the corpus"
        )

    def close(self) -> None:
        self._db.close()

    def records(self) -> dict[str, DocRecord]:
        rows = self._db.execute("SELECT doc_id, hash, chunk_ids, state FROM docs").fetchall()
        records = {r[0]: DocRecord(r[0], r[1], json.loads(r[2]), r[3] == "done") for r in rows}
        if not all(isinstance(r.chunk_ids, list) for r in records.values()):
            raise ValueError("a row's chunk ids are not a list")
        return records

    def mark_pending(self, doc_id: str, chunk_ids: list[str]) -> None:
        """Record ids that are about to be written (keep the old hash: it no longer counts as done)."""
        self._db.execute(
            "INSERT INTO docs (doc_id, hash, chunk_ids, state) VALUES (?, NULL, ?, 'pending') "
            "ON CONFLICT(doc_id) DO UPDATE SET chunk_ids = excluded.chunk_ids, state = 'pending'",
            (doc_id, json.dumps(sorted(set(chunk_ids)))),
        )

    def mark_done(self, doc_id: str, content_hash: str, chunk_ids: list[str]) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO docs (doc_id, hash, chunk_ids, state) VALUES (?, ?, ?, 'done')",
            (doc_id, content_hash, json.dumps(chunk_ids)),
        )

    def forget(self, doc_id: str) -> None:
        self._db.execute("DELETE FROM docs WHERE doc_id = ?", (doc_id,))

    def clear(self) -> None:
        self._db.execute("DELETE FROM docs")
        self._db.execute("DELETE FROM meta")

    def get_meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
