"""Attacks on the connections of a real ``assistant serve`` (issue 13, findings 3, 4 and 5): forged
X-Forwarded-For, non-ASCII keys, megabytes of headers, idle and trickling sockets, and file-descriptor exhaustion.

The server runs with short timeouts (set by settings) and, for the descriptor test, an open-file limit of 256 set in
the child before it starts. Every socket is on loopback and closed by the test.
"""

from __future__ import annotations

import contextlib
import json
import resource
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.reliability.conftest import QUESTION, ServeProcess, fixture_index, wait_until

MB = 1024 * 1024
FD_LIMIT = 256
REQUEST_TIMEOUT = 2.0
SITES = {"aiccre": ["https://www.aiccre.it"]}
WIDGET = {"Origin": "https://www.aiccre.it", "X-Assistant-Site": "aiccre"}


def _low_fd_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[ServeProcess]:  # noqa: ANN001
    """Default proxy trust, API keys, 3 requests a minute, 2 s to send a request, 256 open files at most."""
    root = tmp_path_factory.mktemp("guarded")
    server = ServeProcess(
        fixture_index(root, embeddings),
        root,
        preexec_fn=_low_fd_limit,
        ASSISTANT_RATE_LIMIT="3/minute",
        ASSISTANT_API_KEYS="k-live-one",
        ASSISTANT_SITES=json.dumps(SITES),
        ASSISTANT_REQUEST_TIMEOUT=str(REQUEST_TIMEOUT),
        ASSISTANT_KEEP_ALIVE_TIMEOUT="1",
    )
    try:
        yield server
    finally:
        server.stop()


def _connect(server: ServeProcess, timeout: float = 5) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=timeout)


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """True when the server closes ``sock`` (EOF or reset) within ``within`` seconds; any reply is read past."""
    sock.settimeout(within)
    deadline = time.monotonic() + within
    try:
        while time.monotonic() < deadline:
            if not sock.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False
    return False


def _ask(server: ServeProcess, **headers: str | bytes) -> httpx.Response:
    return httpx.post(f"{server.url}/api/ask", json={"question": QUESTION}, headers=headers, timeout=30)


def test_forwarded_for_from_loopback_is_not_believed_by_default(guarded: ServeProcess) -> None:
    codes = [_ask(guarded, **WIDGET, **{"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]


def test_forwarded_for_is_believed_from_a_configured_proxy(tmp_path, embeddings) -> None:  # noqa: ANN001
    server = ServeProcess(
        fixture_index(tmp_path, embeddings),
        tmp_path,
        ASSISTANT_RATE_LIMIT="2/minute",
        ASSISTANT_TRUSTED_PROXIES="127.0.0.1",
    )
    try:
        # Each visitor behind the proxy has a bucket of their own ...
        assert [_ask(server, **{"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(4)] == [200] * 4
        # ... and one visitor is still limited.
        assert [_ask(server, **{"X-Forwarded-For": "198.51.100.7"}).status_code for _ in range(3)] == [200, 200, 429]
    finally:
        server.stop()


def test_non_ascii_key_is_401_and_logs_no_traceback(guarded: ServeProcess) -> None:
    for headers in ({"X-API-Key": "clé-ключ".encode()}, {"Authorization": "Bearer clé-ключ".encode()}):
        response = _ask(guarded, **headers)
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"
    assert wait_until(lambda: guarded.log_tail(5).count(" 401 ") >= 2, timeout=5)
    assert "Traceback" not in guarded.log_path.read_text(errors="replace")


def _send_headers(sock: socket.socket, total: int) -> int:
    """Send a request line and ``total`` bytes of header lines that never end; return how much was sent."""
    sock.settimeout(10)
    sent = 0
    line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
    try:
        sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while sent < total:
            sock.sendall(line * 64)
            sent += len(line) * 64
    except (ConnectionResetError, BrokenPipeError):
        pass
    return sent


def test_megabytes_of_headers_are_refused_and_memory_stays_bounded(guarded: ServeProcess) -> None:
    rss_before = guarded.rss
    sockets = [_connect(guarded) for _ in range(3)]
    try:
        for sock in sockets:
            sent = _send_headers(sock, 16 * MB)
            assert sent < 16 * MB or _closed_by_server(sock, within=5), "16 MB of headers were taken in"
        growth = guarded.rss - rss_before
        assert growth < 16 * MB, f"RSS grew by {growth / MB:.1f} MB"
    finally:
        for sock in sockets:
            sock.close()
    assert httpx.get(f"{guarded.url}/api/health", timeout=10).status_code == 200


def test_idle_and_trickling_connections_are_closed(guarded: ServeProcess) -> None:
    idle = [_connect(guarded) for _ in range(5)]
    trickling = _connect(guarded)
    kept_alive = _connect(guarded)
    try:
        kept_alive.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert kept_alive.recv(65536).startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        trickling.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        closed = False
        while not closed and time.monotonic() - started < REQUEST_TIMEOUT + 5:
            with contextlib.suppress(OSError):
                trickling.sendall(b"X-Slow: 1\r\n")  # a header line every 0.2 s never completes the request
            closed = _closed_by_server(trickling, within=0.2)
        assert closed, "a connection trickling its headers was kept open"
        assert time.monotonic() - started < REQUEST_TIMEOUT + 3
        assert _closed_by_server(kept_alive, within=1)
        assert all(
            _closed_by_server(sock, within=max(0.1, started + REQUEST_TIMEOUT + 3 - time.monotonic())) for sock in idle
        )
    finally:
        for sock in [*idle, trickling, kept_alive]:
            sock.close()


def test_health_answers_while_hundreds_of_idle_sockets_are_open(guarded: ServeProcess) -> None:
    """The server may hold 256 files; 240 idle sockets must neither starve it of descriptors nor stay for long."""
    idle = []
    try:
        for _ in range(240):
            idle.append(_connect(guarded))
        started = time.monotonic()
        status = None
        while time.monotonic() - started < REQUEST_TIMEOUT + 8:
            try:
                status = httpx.get(f"{guarded.url}/api/health", timeout=2).status_code
            except httpx.HTTPError:
                status = None
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200, "/api/health did not answer while idle sockets were open"
        assert time.monotonic() - started < REQUEST_TIMEOUT + 5
        assert guarded.alive()
    finally:
        for sock in idle:
            sock.close()
    assert "out of system resource" not in guarded.log_path.read_text(errors="replace")
