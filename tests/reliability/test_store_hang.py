"""A Chroma server that hangs (SIGSTOP: the connection stays open, nothing answers) under ``assistant serve``.

Before the fix the whole service froze: chromadb's HTTP client has no timeout and the lexical refresh held a lock,
so every request, ``/api/health`` and ``/widget.js`` included, waited forever. Now answering routes and health get
a 503 within a few seconds, static routes keep working, and after SIGCONT the same process answers again.
Real processes only: ``chroma run`` stopped with SIGSTOP, ``assistant serve`` on loopback."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import ANSWER, QUESTION, served_over_chroma_server, wait_until

TIMEOUT = 2.0  # ASSISTANT_CHROMA_TIMEOUT for the served process
ANSWERING = [
    ("/api/ask", {"question": QUESTION}),
    ("/api/ask/stream", {"question": QUESTION}),
    ("/v1/chat/completions", {"messages": [{"role": "user", "content": QUESTION}]}),
]


def _timed(call) -> tuple[int, float]:  # noqa: ANN001
    started = time.monotonic()
    try:
        status = call().status_code
    except httpx.TimeoutException:
        status = 0  # no answer at all within the client's own limit
    return status, time.monotonic() - started


@pytest.mark.server
@pytest.mark.slow
def test_hung_chroma_server_gives_fast_503_and_static_routes_keep_working(tmp_path: Path, embeddings) -> None:  # noqa: ANN001
    env = {"ASSISTANT_CHROMA_TIMEOUT": str(TIMEOUT)}
    with served_over_chroma_server(tmp_path, embeddings, "hang", **env) as (chroma, server):
        assert ANSWER in server.ask().json()["answer"]
        time.sleep(2.5)  # past the lexical refresh interval: the next request asks the store again

        os.kill(chroma.proc.pid, signal.SIGSTOP)
        try:
            url = server.url
            with ThreadPoolExecutor(50) as pool:
                # 45 questions at once, more than the server's 40 worker threads, then health and the static routes.
                asks = [
                    pool.submit(_timed, lambda r=route, b=body: httpx.post(f"{url}{r}", json=b, timeout=30))
                    for route, body in ANSWERING * 15
                ]
                time.sleep(0.5)
                widget = _timed(lambda: httpx.get(f"{url}/widget.js", timeout=30))
                demo = _timed(lambda: httpx.get(f"{url}/", timeout=30))
                health = pool.submit(_timed, lambda: httpx.get(f"{url}/api/health", timeout=30))
                results = [f.result() for f in asks]
                health_result = health.result()
            assert widget[0] == 200 and widget[1] < 2, widget
            assert demo[0] == 200 and demo[1] < 2, demo
            assert health_result[0] == 503 and health_result[1] < 4 * TIMEOUT, health_result
            for status, seconds in results:
                assert status == 503 and seconds < 4 * TIMEOUT, results
            assert server.alive(), server.log_tail()
        finally:
            os.kill(chroma.proc.pid, signal.SIGCONT)

        assert wait_until(lambda: server.ask().status_code == 200, timeout=30), server.log_tail()
        assert ANSWER in server.ask().json()["answer"]
        health = httpx.get(f"{server.url}/api/health", timeout=30)
        assert health.status_code == 200 and health.json()["status"] == "ok"
