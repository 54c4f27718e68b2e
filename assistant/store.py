"""The Chroma store: an embedded persistent folder by default, a Chroma server when a URL is configured.

We always pass our own vectors (``embeddings=`` / ``query_embeddings=``): Chroma's default embedding function
would try to download a model the first time it saw text without vectors.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from urllib.parse import urlparse

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings

from assistant.config import Settings


class StoreUnavailable(RuntimeError):
    """The Chroma store cannot be reached (a server down, a folder that cannot be opened)."""


@contextlib.contextmanager
def store_errors() -> Iterator[None]:
    """Turn any failure of a Chroma call into ``StoreUnavailable`` (a server down, a connection reset, ...)."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as exc:
        raise StoreUnavailable(f"the document store (Chroma) is unavailable: {type(exc).__name__}: {exc}") from exc


def make_client(settings: Settings) -> ClientAPI:
    """A Chroma client for the configured store, telemetry off.

    A server's requests time out after ``settings.chroma_timeout`` seconds of silence. chromadb builds its httpx
    session with ``timeout=None``, so a server that stops answering without closing the connection (hung, or
    SIGSTOPped) would block every caller, and with them the service's worker threads, forever. The client's own
    first request (it checks the tenant) would too, so a heartbeat with the timeout goes first.
    """
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        ssl = url.scheme == "https"
        try:
            httpx.get(f"{settings.chroma_url}/api/v2/heartbeat", timeout=settings.chroma_timeout).raise_for_status()
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if ssl else 8000),
                ssl=ssl,
                settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True),
            )
        except Exception as exc:  # chromadb raises plain exceptions for connection errors
            raise StoreUnavailable(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from exc
        client._server._session.timeout = httpx.Timeout(settings.chroma_timeout)  # type: ignore[attr-defined]
        return client
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    )


def get_collection(
    client: ClientAPI, name: str, model_name: str | None = None, backend: str | None = None
) -> Collection:
    """Open (or create) the collection, with cosine distance and no embedding function of Chroma's own.

    The model and backend are recorded on creation, for information (the ingest manifest decides rebuilds).
    """
    metadata = {"hnsw:space": "cosine"}
    if model_name:
        metadata["embedding_model"] = model_name
    if backend:
        metadata["embedding_backend"] = backend
    return client.get_or_create_collection(name=name, metadata=metadata, embedding_function=None)


def drop_collection(client: ClientAPI, name: str) -> None:
    """Delete the collection if it exists."""
    # Not found means nothing to drop; the error types differ between the local and the HTTP client.
    with contextlib.suppress(Exception):
        client.delete_collection(name)


_reopen_lock = threading.Lock()
# Seconds an outdated embedded store stays open after it is replaced, for queries already running on it.
RETIRE_AFTER = 60.0


def is_embedded(client: ClientAPI) -> bool:
    """True for a PersistentClient (an in-process store on a folder), False for a Chroma server's HttpClient."""
    chroma = client.get_settings()
    return bool(chroma.is_persistent) and not chroma.chroma_server_host


def reopen(client: ClientAPI) -> ClientAPI:
    """A client that sees the store as it is on disk now; a server's client is returned as it is.

    An embedded Chroma keeps the vector index of a collection in the memory of the process that opened it and
    never learns what another process (``assistant ingest`` next to ``assistant serve``) wrote or deleted: its
    queries miss new chunks and fail with "Error finding id" on deleted ones until the folder is opened again.
    The outdated instance is stopped a minute later, once the queries already running on it are done.
    """
    if not is_embedded(client):
        return client
    chroma = client.get_settings()
    with _reopen_lock:
        identifier = SharedSystemClient._get_identifier_from_settings(chroma)
        old = SharedSystemClient._identifier_to_system.pop(identifier, None)
        SharedSystemClient._identifier_to_refcount.pop(identifier, None)
        fresh = chromadb.PersistentClient(path=chroma.persist_directory, settings=chroma)
    if old is not None:
        timer = threading.Timer(RETIRE_AFTER, _stop_quietly, (old,))
        timer.daemon = True
        timer.start()
    return fresh


def _stop_quietly(system: object) -> None:
    with contextlib.suppress(Exception):
        system.stop()  # type: ignore[attr-defined]
