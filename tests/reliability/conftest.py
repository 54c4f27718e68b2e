"""Real processes for the reliability suite: ``assistant serve`` and ``chroma run`` on loopback, started and stopped
by the tests, over a tmp copy of the fixture corpus. Nothing is faked here."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from assistant.config import Settings
from assistant.ingest.pipeline import run_ingest
from tests.conftest import FIXTURES, free_port, wait_for_http

QUESTION = "When did the 2024 town twinning call close?"
ANSWER = "19 September 2024"  # what the fixture corpus says about QUESTION


def assistant_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of an ``assistant`` subprocess working on ``settings``' corpus, data and store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        ASSISTANT_CORPUS_DIR=str(settings.corpus_dir),
        ASSISTANT_DATA_DIR=str(settings.data_dir),
        ASSISTANT_COLLECTION=settings.collection,
        ASSISTANT_EMBEDDING_MODEL=settings.embedding_model,
        ASSISTANT_RATE_LIMIT="0",
        **({"ASSISTANT_CHROMA_URL": settings.chroma_url} if settings.chroma_url else {}),
    )
    env.update(extra)  # may override the defaults above (a rate limit, for instance)
    return env


class ServeProcess:
    """``python -m assistant serve`` on a free loopback port; its log (one line per request) goes to a file."""

    def __init__(
        self, settings: Settings, log_dir: Path, preexec_fn: Callable[[], None] | None = None, **env: str
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"serve-{self.port}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=assistant_env(settings, **env),
            cwd=log_dir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec_fn,  # e.g. resource limits of the server process
        )
        try:
            wait_for_http(f"{self.url}/api/health", timeout=120)
        except OSError:
            self.stop()
            raise AssertionError(f"assistant serve did not come up:\n{self.log_tail()}") from None

    @property
    def rss(self) -> int:
        """Resident memory of the server process, in bytes."""
        return psutil.Process(self.proc.pid).memory_info().rss

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def ask(self, question: str = QUESTION, timeout: float = 30) -> httpx.Response:
        return httpx.post(f"{self.url}/api/ask", json={"question": question}, timeout=timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


class ChromaProcess:
    """``chroma run`` on a fixed loopback port and data folder, so it can be killed and started again as itself."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path, self.port = path, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> ChromaProcess:
        chroma = Path(sys.executable).with_name("chroma")
        self.proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_http(f"{self.url}/api/v2/heartbeat", timeout=60)
        return self

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to close connections or flush anything."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def fixture_index(root: Path, embeddings, **overrides: object) -> Settings:  # noqa: ANN001
    """A tmp copy of tests/fixtures/corpus ingested (in this process, with the session's model) under ``root``."""
    shutil.copytree(FIXTURES / "corpus", root / "corpus")
    settings = Settings(_env_file=None, corpus_dir=root / "corpus", data_dir=root / "data", **overrides)
    run_ingest(settings, embeddings=embeddings, progress=False)
    return settings


@contextlib.contextmanager
def served_over_chroma_server(
    tmp_path: Path,
    embeddings,
    collection: str,
    **env: str,  # noqa: ANN001
) -> Iterator[tuple[ChromaProcess, ServeProcess]]:
    """A ``chroma run`` holding the fixture index, and an ``assistant serve`` over it; both stopped afterwards."""
    chroma = ChromaProcess(tmp_path / "chroma").start()
    server = None
    try:
        settings = fixture_index(tmp_path, embeddings, chroma_url=chroma.url, collection=collection)
        server = ServeProcess(settings, tmp_path, **env)
        yield chroma, server
    finally:
        if server is not None:
            server.stop()
        chroma.stop()


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[ServeProcess]:  # noqa: ANN001
    """One ``assistant serve`` over the fixture index (embedded Chroma, rate limit off), shared by the hostile-input
    and load tests so the model is loaded once for them."""
    root = tmp_path_factory.mktemp("served")
    server = ServeProcess(fixture_index(root, embeddings), root)
    try:
        yield server
    finally:
        server.stop()


def wait_until(check, timeout: float, interval: float = 0.2) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()
