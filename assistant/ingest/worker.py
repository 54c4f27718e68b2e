"""PDF, DOCX and HTML parsed in a child process that is killed when a file takes too long.

A parser fed a hostile file can run for hours (300 MB of XML inside a 1 MB DOCX) and no Python thread can be
stopped from outside; a process can. One long-lived child (spawned, so it shares no threads or locks with the
embedding model) parses the files one at a time. When a parse overruns ``timeout`` seconds, or the child dies
(out of memory, a crash in a C library), the file fails with the reason, and the next file gets a fresh child.
Markdown and text never come here: they cost no more than reading them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from assistant.ingest.loaders import LoadError, describe_error, parse_rich

# Seconds a new child may take to import its parsers before the file it was started for fails.
STARTUP_SECONDS = 120.0


class ParserProcess:
    """Parses rich documents in a child process, ``timeout`` seconds per file; the child starts on first use."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def parse(self, suffix: str, data: bytes) -> tuple[dict[str, Any], str]:
        """``parse_rich(suffix, data)``, in the child; raises ``LoadError`` on failure, overrun or crash."""
        conn = self._start()
        try:
            conn.send((suffix, data))
            if not conn.poll(self.timeout):
                self._stop(kill=True)
                raise LoadError(
                    f"parsing took longer than {self.timeout:g} s (ASSISTANT_INGEST_PARSE_SECONDS); stopped"
                )
            status, *result = conn.recv()
        except (EOFError, OSError) as exc:
            code = self._process.exitcode if self._process is not None else None
            self._stop(kill=True)
            raise LoadError(f"the parser process died (exit code {code})") from exc
        if status == "error":
            raise LoadError(result[0])
        meta, text = result
        return meta, text

    def close(self) -> None:
        self._stop(kill=False)

    def __enter__(self) -> ParserProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> Connection:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self._stop(kill=True)
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, os.getpid()), name="assistant-parser", daemon=True)
        process.start()
        child.close()
        self._process, self._conn = process, parent
        try:
            if not parent.poll(STARTUP_SECONDS) or parent.recv() != ("ready",):
                raise EOFError
        except (EOFError, OSError) as exc:
            self._stop(kill=True)
            raise LoadError("the parser process could not start") from exc
        return parent

    def _stop(self, kill: bool) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            if not kill:
                try:
                    conn.send(None)
                except OSError:
                    kill = True
            conn.close()
        if process is not None:
            if kill:
                process.kill()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()


def _serve(conn: Connection, parent: int) -> None:
    """The child: answer ("ok", meta, text) or ("error", reason) to each (suffix, data) until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops this child
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    import docx  # noqa: F401 - imported before "ready", so no file's time limit pays for it
    import pypdf  # noqa: F401
    import trafilatura  # noqa: F401

    conn.send(("ready",))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        suffix, data = request
        try:
            meta, text = parse_rich(suffix, data)
            conn.send(("ok", meta, text))
        except LoadError as exc:
            conn.send(("error", str(exc)))
        except Exception as exc:  # noqa: BLE001 - MemoryError and the like: report, then carry on
            conn.send(("error", describe_error(exc)))


def _exit_with(parent: int) -> None:
    """End the child when its parent is gone (a SIGKILLed ``assistant ingest``), even in the middle of a parse."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
