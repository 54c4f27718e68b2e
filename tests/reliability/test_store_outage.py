"""A Chroma server SIGKILLed while ``assistant serve`` runs: every answering route says 503 with a clear JSON reason,
and answers again once the same server (same port, same data) is back, without restarting the API.

tests/api/test_resilience.py covers the in-process app with a terminated server on /api/ask and the SSE route;
this one is the deployment shape: a real ``assistant serve`` subprocess, a real ``chroma run`` killed with SIGKILL,
all four answering routes (plain and streamed, native and OpenAI-compatible) and health. No fakes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import ANSWER, QUESTION, served_over_chroma_server

ROUTES = [
    ("/api/ask", {"question": QUESTION}),
    ("/api/ask/stream", {"question": QUESTION}),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": QUESTION}]}),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": QUESTION}], "stream": True}),
]


def _answer_text(route: str, response: httpx.Response) -> str:
    if route == "/api/ask":
        return response.json()["answer"]
    return response.text  # the streams (SSE) and the chat completion carry the answer text inside


@pytest.mark.server
@pytest.mark.slow
def test_killed_chroma_server_gives_503_then_answers_after_restart(tmp_path: Path, embeddings) -> None:  # noqa: ANN001
    with served_over_chroma_server(tmp_path, embeddings, "outage") as (chroma, server):
        chunks = httpx.get(f"{server.url}/api/health").json()["chunks"]
        for route, body in ROUTES:
            response = httpx.post(f"{server.url}{route}", json=body, timeout=30)
            assert response.status_code == 200 and ANSWER in _answer_text(route, response), response.text

        chroma.kill()
        for route, body in ROUTES:
            response = httpx.post(f"{server.url}{route}", json=body, timeout=30)
            assert response.status_code == 503, (route, response.text)
            assert response.headers["content-type"].startswith("application/json")
            assert response.headers["retry-after"] == "5"
            assert response.json() == {
                "error": {
                    "code": "store_unavailable",
                    "message": "The document store is unavailable right now; please try again shortly.",
                }
            }
        health = httpx.get(f"{server.url}/api/health", timeout=30)
        assert health.status_code == 503 and health.json()["status"] == "unavailable"
        assert server.alive(), server.log_tail()

        chroma.start()  # the same port and data folder
        pid = server.proc.pid
        for route, body in ROUTES:
            response = httpx.post(f"{server.url}{route}", json=body, timeout=30)
            assert response.status_code == 200 and ANSWER in _answer_text(route, response), response.text
        health = httpx.get(f"{server.url}/api/health", timeout=30).json()
        assert health["status"] == "ok" and health["chunks"] == chunks
        assert server.proc.pid == pid and server.alive()
