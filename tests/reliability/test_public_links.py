"""Issue 13, finding 6: a document dropped into the corpus with Markdown images, javascript:/data: links and HTML
never reaches a Markdown-rendering chat front end as a live image, an unsafe link or HTML through the
OpenAI-compatible route, streamed or not, and no channel shows a source link that is not http(s).

A real ``uvicorn`` server on loopback over a tmp corpus ingested by the real pipeline; what a front end would make of
the reply is judged by a real CommonMark renderer told to trust every link (tests/test_links.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import httpx
import pytest

from assistant.answer.answer import Source
from assistant.api.app import create_app
from assistant.api.openai_compat import _openai_chunks
from assistant.config import Settings
from assistant.ingest.pipeline import run_ingest
from assistant.links import safe_url
from assistant.service import Assistant, StreamEvent
from tests.api.conftest import LiveServer
from tests.test_links import careless_markdown, live_parts

QUESTION = "When is the harbour twinning note deadline?"
HOSTILE_NOTE = (
    "---\ntitle: Harbour twinning note ![t](https://evil.example/title.png)\n"
    "source_url: javascript:alert(document.cookie)\n---\n"
    "# Harbour twinning note\n\n## Deadline\n"
    "The harbour twinning note deadline is 5 May 2025 ![pixel](https://evil.example/p.png?c=1) "
    "[apply here](javascript:alert(1)) [form](data:text/html,<script>alert(2)</script>) "
    '<img src=x onerror="alert(3)"> for every harbour town.\n'
)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[LiveServer]:  # noqa: ANN001
    root = tmp_path_factory.mktemp("hostile-links")
    (root / "corpus").mkdir()
    (root / "corpus" / "harbour-note.md").write_text(HOSTILE_NOTE)
    settings = Settings(_env_file=None, corpus_dir=root / "corpus", data_dir=root / "data", rate_limit="0")
    run_ingest(settings, embeddings=embeddings, progress=False)
    with LiveServer(create_app(settings, Assistant(settings, embeddings))) as server:
        yield server


def assert_nothing_live(content: str) -> None:
    images, hrefs, tags = live_parts(careless_markdown(content))
    assert images == [] and tags == [], content
    assert all(safe_url(h) for h in hrefs), (hrefs, content)


def test_openai_route_never_returns_live_images_unsafe_links_or_html(hostile_server: LiveServer) -> None:
    # The document's markup does reach the answer (the JSON API returns text; the widget shows it as text) ...
    plain = httpx.post(f"{hostile_server.url}/api/ask", json={"question": QUESTION}, timeout=30).json()
    assert "5 May 2025" in plain["answer"] and "![pixel](https://evil.example" in plain["answer"]
    assert all(s["url"] is None for s in plain["sources"])  # the javascript: source URL was dropped at ingestion
    # ... but a front end rendering the OpenAI route's Markdown gets no image, no unsafe link and no HTML.
    body = {"messages": [{"role": "user", "content": QUESTION}]}
    reply = httpx.post(f"{hostile_server.url}/v1/chat/completions", json=body, timeout=30).json()
    content = reply["choices"][0]["message"]["content"]
    assert "5 May 2025" in content and "Harbour twinning note" in content
    assert_nothing_live(content)
    with httpx.stream(
        "POST", f"{hostile_server.url}/v1/chat/completions", json={**body, "stream": True}, timeout=30
    ) as response:
        lines = [line for line in response.iter_lines() if line.startswith("data: {")]
    streamed = "".join(json.loads(line[6:])["choices"][0]["delta"].get("content", "") for line in lines)
    assert streamed == content  # the stream is neutralised exactly like the whole reply
    assert_nothing_live(streamed)


def test_source_urls_already_in_an_index_are_checked_when_rendered() -> None:
    """An index ingested before the check may still hold a javascript: URL: the OpenAI route does not show it."""
    sources = [
        Source(title="Old page", url="javascript:alert(1)", snippet="s").model_dump(),
        Source(title="Call page", url="https://ec.europa.eu/cerv", snippet="s").model_dump(),
    ]
    events = iter([StreamEvent("sources", sources), StreamEvent("done", {})])
    chunks = _openai_chunks(StreamEvent("delta", {"text": "Apply by 5 May [1] [2]."}), events, "m", "c", 0)
    content = "".join(
        json.loads(c[6:])["choices"][0]["delta"].get("content", "") for c in chunks if c.startswith("data: {")
    )
    assert "javascript:" not in content and "[2] Call page - https://ec.europa.eu/cerv" in content
    assert re.search(r"\[1\] Old page\s*\n", content)
