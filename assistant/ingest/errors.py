"""Why a whole ingestion run stops (one broken file only fails itself): each message says what to do."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import httpx
from chromadb.errors import ChromaError

from assistant.config import Settings
from assistant.ingest.loaders import describe_error
from assistant.store import StoreUnavailable


class IngestError(RuntimeError):
    """A run that cannot go on; ``assistant ingest`` prints the message as ``error: ...`` and exits 1."""


class NothingToIngest(IngestError):
    """No document was found where ingestion was asked to look."""


class IngestLocked(IngestError):
    """Another ingestion holds the data folder."""


class ManifestCorrupt(IngestError):
    """The manifest is not a readable manifest; ``--rebuild`` starts over."""


class WriteFailed(IngestError):
    """The data folder or the store could not be written (disk full, read-only, file size limit)."""


@contextlib.contextmanager
def write_errors(settings: Settings) -> Iterator[None]:
    """Turn a failed write of the data folder or the store into ``WriteFailed`` (a server that cannot be reached
    into ``StoreUnavailable``), so the user reads the reason, not a traceback."""
    try:
        yield
    except (IngestError, StoreUnavailable):
        raise
    except (OSError, sqlite3.OperationalError) as exc:
        raise WriteFailed(f"cannot write in {settings.data_dir} (disk full or read-only?): {exc}") from exc
    except httpx.TransportError as exc:
        raise StoreUnavailable(f"the Chroma server at {settings.chroma_url} is unavailable: {exc}") from exc
    except ChromaError as exc:
        if settings.chroma_url:
            raise WriteFailed(f"the Chroma server at {settings.chroma_url} failed: {describe_error(exc)}") from exc
        raise WriteFailed(
            f"the Chroma store in {settings.chroma_dir} failed (disk full or read-only?): {describe_error(exc)}"
        ) from exc
