"""An app over the shared fixture index: in-process (TestClient) and as a real uvicorn server on loopback."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.config import Settings
from tests.conftest import free_port, wait_for_http

SITES = {"aiccre": ["https://www.aiccre.it"]}


@pytest.fixture
def make_app(indexed_settings: Settings, service, tmp_path: Path) -> Callable[..., FastAPI]:  # noqa: ANN001
    def make(**overrides: object) -> FastAPI:
        values = {"data_dir": tmp_path / "api-data", "rate_limit": "0", "sites": SITES, **overrides}
        settings = indexed_settings.model_copy(update=values)
        return create_app(Settings(_env_file=None, **{k: getattr(settings, k) for k in Settings.model_fields}), service)

    return make


@pytest.fixture
def client(make_app: Callable[..., FastAPI]) -> Iterator[TestClient]:
    with TestClient(make_app(), raise_server_exceptions=False) as test_client:
        yield test_client


class LiveServer:
    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        wait_for_http(f"{self.url}/api/health")
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        deadline = time.monotonic() + 10
        while self.thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def live_server(make_app: Callable[..., FastAPI]) -> Iterator[LiveServer]:
    with LiveServer(make_app()) as server:
        yield server
