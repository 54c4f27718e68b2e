"""One ingestion at a time per data folder: two at once corrupt the embedded store and the manifest.

The lock is an OS file lock (``filelock``), so it goes with its process, even one that is killed. ``assistant
serve`` never takes it: answering beside one ingestion is safe (tests/reliability/test_ingest_while_serving.py).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from filelock import FileLock, Timeout

from assistant.config import Settings
from assistant.ingest.errors import IngestLocked

log = logging.getLogger(__name__)

LOCK_FILE = "ingest.lock"


@contextlib.contextmanager
def ingest_lock(settings: Settings) -> Iterator[None]:
    """Hold the data folder's ingestion lock; wait ``settings.ingest_lock_seconds`` for another run, then give up
    with ``IngestLocked``."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / LOCK_FILE
    lock = FileLock(path, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        wait = settings.ingest_lock_seconds
        log.warning("another `assistant ingest` is running on %s; waiting up to %g s for it", settings.data_dir, wait)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise IngestLocked(
                f"another `assistant ingest` is still running on {settings.data_dir} (lock {path}); run again "
                f"when it has finished (ASSISTANT_INGEST_LOCK_SECONDS: how long to wait, now {wait:g} s)"
            ) from None
    try:
        yield
    finally:
        lock.release()
