"""The service survives a store outage and any request body: no 5xx but 503 while the store is down."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.ingest.pipeline import run_ingest
from tests.conftest import FIXTURES, free_port, wait_for_http

QUESTION = "When did the 2024 town twinning call close?"


def _start_chroma(path: Path, port: int) -> subprocess.Popen:
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat")
    return proc


@pytest.mark.server
def test_store_outage_gives_503_and_the_service_recovers(tmp_path: Path, embeddings) -> None:  # noqa: ANN001
    port = free_port()
    server = _start_chroma(tmp_path / "chroma", port)
    try:
        settings = Settings(
            _env_file=None,
            corpus_dir=FIXTURES / "corpus",
            data_dir=tmp_path / "data",
            chroma_url=f"http://127.0.0.1:{port}",
            collection="outage_test",
            rate_limit="0",
        )
        run_ingest(settings, embeddings=embeddings, progress=False)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
            server.terminate()
            server.wait(10)
            down = client.post("/api/ask", json={"question": QUESTION})
            assert down.status_code == 503
            assert (
                down.json()["error"]["code"] == "store_unavailable" and "unavailable" in down.json()["error"]["message"]
            )
            assert client.get("/api/health").status_code == 503
            streamed = client.post("/api/ask/stream", json={"question": QUESTION})
            assert streamed.status_code == 503
            server = _start_chroma(tmp_path / "chroma", port)
            back = client.post("/api/ask", json={"question": QUESTION})
            assert back.status_code == 200 and "19 September 2024" in back.json()["answer"]
            assert client.get("/api/health").json()["status"] == "ok"
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.server
def test_service_starts_while_the_store_is_down(tmp_path: Path, embeddings) -> None:  # noqa: ANN001
    port = free_port()
    settings = Settings(
        _env_file=None,
        corpus_dir=FIXTURES / "corpus",
        data_dir=tmp_path / "data",
        chroma_url=f"http://127.0.0.1:{port}",
        collection="late_store",
        rate_limit="0",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.post("/api/ask", json={"question": QUESTION}).status_code == 503
        server = _start_chroma(tmp_path / "chroma", port)
        try:
            run_ingest(settings, embeddings=embeddings, progress=False)
            assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
        finally:
            server.terminate()
            server.wait(10)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
turn = st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "x"]), "content": st.text(max_size=80)})
ask_body = st.fixed_dictionaries(
    {"question": st.text(max_size=300)},
    optional={"history": st.lists(turn, max_size=25), "language": st.sampled_from(["en", "fr", "zz", None])},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.one_of(ask_body, json_values),
    raw=st.binary(max_size=200),
    path=st.sampled_from(["/api/ask", "/api/ask/stream", "/api/feedback", "/v1/chat/completions"]),
)
def test_no_request_body_causes_a_server_error(client: TestClient, body: object, raw: bytes, path: str) -> None:
    for response in (
        client.post(path, json=body),
        client.post(path, content=raw, headers={"Content-Type": "application/json"}),
    ):
        assert response.status_code < 500, response.text
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message"}
