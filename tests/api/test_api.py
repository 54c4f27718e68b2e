"""The HTTP API as the contract describes it, over the real Assistant and fixture index."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.cli import app as cli

QUESTION = "When did the 2024 town twinning call close?"


def test_ask_returns_the_contract_object(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"answer", "answered", "sources", "language", "refused_by"}
    assert body["answered"] and "19 September 2024" in body["answer"]
    assert body["sources"][0] == {
        "title": "euro-access.eu: Town Twinning 2024",
        "url": "https://www.euro-access.eu/en/calls/1237/Town-Twinning",
        "snippet": "The 2024 Town Twinning call (CERV-2024-CITIZENS-TOWN-TT) closed on 19 September 2024 at 17:00 "
        "Brussels time.",
        "kind": "secondary",
        "confidence": "medium",
    }
    assert response.headers["x-request-id"]


def test_follow_up_with_history(client: TestClient) -> None:
    history = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "19 September 2024 [1]"}]
    body = client.post("/api/ask", json={"question": "And networks of towns in 2025?", "history": history}).json()
    assert "27 March 2025" in body["answer"]


def test_language_can_be_requested(client: TestClient) -> None:
    body = client.post("/api/ask", json={"question": "What's the weather tomorrow?", "language": "it"}).json()
    assert body["language"] == "it" and not body["answered"]
    assert "Non ho trovato" in body["answer"]


def test_stream_sends_pieces_then_sources_then_done(client: TestClient) -> None:
    with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        # a proxy (nginx, as the README sets it up) or a cache must pass each event on at once
        assert response.headers["x-accel-buffering"] == "no" and response.headers["cache-control"] == "no-cache"
        raw = "".join(response.iter_text())
    events = [
        (block.split("\n")[0].removeprefix("event: "), json.loads(block.split("\n")[1].removeprefix("data: ")))
        for block in raw.strip().split("\n\n")
    ]
    kinds = [kind for kind, _ in events]
    assert kinds[-2:] == ["sources", "done"] and kinds.count("delta") >= 2
    text = "".join(data["text"] for kind, data in events if kind == "delta")
    assert text == events[-1][1]["answer"] and "19 September 2024" in text
    assert events[-2][1][0]["url"].startswith("https://")


def test_health(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok" and body["chunks"] > 5 and body["model"] == "all-MiniLM-L6-v2"


def test_feedback_is_stored_and_exported(client: TestClient, make_app, monkeypatch, tmp_path) -> None:  # noqa: ANN001
    sources = [{"title": "T", "url": "https://e.org", "snippet": "s"}]
    payload = {"rating": "down", "question": "q?", "answer": "a", "sources": sources, "comment": "wrong year"}
    response = client.post("/api/feedback", json=payload, headers={"X-Assistant-Site": "aiccre"})
    assert response.status_code == 200 and response.json()["id"] >= 1
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "api-data"))
    result = CliRunner().invoke(cli, ["feedback", "export"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[-1]["rating"] == "down" and rows[-1]["comment"] == "wrong year" and rows[-1]["site"] == "aiccre"
    assert json.loads(rows[-1]["sources"]) == sources


@pytest.mark.parametrize(
    "payload, status, code",
    [
        ({"question": ""}, 422, "invalid_request"),
        ({"question": "   "}, 422, "invalid_request"),
        ({"question": "x" * 2001}, 422, "invalid_request"),
        ({"question": "ok?", "history": [{"role": "user", "content": "q"}] * 21}, 422, "invalid_request"),
        ({"question": 42}, 422, "invalid_request"),
        ({"question": "ok?", "history": "not a list"}, 422, "invalid_request"),
        ({"question": "ok?", "history": [{"role": "system", "content": "x"}]}, 422, "invalid_request"),
        ({"question": "bad \x00 control"}, 422, "invalid_request"),
        ({"question": "ok?", "language": "xx"}, 422, "invalid_request"),
        ({"question": "ok?", "unknown": 1}, 422, "invalid_request"),
    ],
)
def test_bad_requests_get_a_json_reason(client: TestClient, payload: dict, status: int, code: str) -> None:
    response = client.post("/api/ask", json=payload)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200


@pytest.mark.parametrize(
    "body, status, code",
    [
        (b"{not json", 400, "invalid_json"),
        (b'{"question": "caf\xe9?"}', 400, "invalid_json"),
        (b"x" * (1024 * 1024), 413, "payload_too_large"),
    ],
)
def test_broken_bodies_get_a_json_reason(client: TestClient, body: bytes, status: int, code: str) -> None:
    response = client.post("/api/ask", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200


def test_unknown_route_is_json(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_rate_limit_gives_429_with_retry_after(make_app) -> None:  # noqa: ANN001
    with TestClient(make_app(rate_limit="2/minute")) as limited:
        codes = [limited.post("/api/ask", json={"question": "hello"}).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        response = limited.post("/api/ask", json={"question": "hello"})
        assert int(response.headers["retry-after"]) >= 1 and response.json()["error"]["code"] == "rate_limited"


def test_cors_allows_configured_origins_only(client: TestClient) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    good = client.options("/api/ask", headers={"Origin": "https://www.aiccre.it", **preflight})
    assert good.headers.get("access-control-allow-origin") == "https://www.aiccre.it"
    bad = client.options("/api/ask", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in bad.headers
    refused = client.post("/api/ask", json={"question": QUESTION}, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def test_api_keys_for_non_widget_clients(make_app, caplog: pytest.LogCaptureFixture) -> None:  # noqa: ANN001
    caplog.set_level("INFO")
    with TestClient(make_app(api_keys="k-secret-1,k-secret-2")) as keyed:
        assert keyed.post("/api/ask", json={"question": "hello"}).status_code == 401
        wrong = keyed.post("/api/ask", json={"question": "hello"}, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = keyed.post("/api/ask", json={"question": "hello"}, headers={"X-API-Key": "k-secret-2"})
        assert ok.status_code == 200
        widget = keyed.post(
            "/api/ask",
            json={"question": "hello"},
            headers={"Origin": "https://www.aiccre.it", "X-Assistant-Site": "aiccre"},
        )
        assert widget.status_code == 200
    assert "k-secret" not in caplog.text


def test_openapi_describes_every_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/ask", "/api/ask/stream", "/api/health", "/api/feedback", "/v1/chat/completions"):
        operation = next(iter(spec["paths"][path].values()))
        assert operation.get("description") or operation.get("summary")
    assert "422" in spec["paths"]["/api/ask"]["post"]["responses"]
    assert client.get("/docs").status_code == 200


def test_widget_and_demo_page_are_served(client: TestClient) -> None:
    js = client.get("/widget.js")
    assert js.status_code == 200 and "attachShadow" in js.text
    assert js.headers["content-type"].startswith("text/javascript")
    page = client.get("/")
    assert '<script src="/widget.js" data-site="demo"' in page.text


def test_api_docs_are_served_by_the_app_itself(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert client.get("/redoc").headers["content-security-policy"] == page.headers["content-security-policy"]
    script = client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    missing = client.get("/docs-assets/other.js")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
