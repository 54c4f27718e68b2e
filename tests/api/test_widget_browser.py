"""The real widget in headless Chromium (Debian's chromium driven by Playwright), against a live server."""

from __future__ import annotations

import html
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.ingest.pipeline import run_ingest
from assistant.service import Assistant
from tests.api.conftest import LiveServer
from tests.conftest import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Outside CI a developer without chromium skips these; in CI (`make test` installs it) a missing browser fails.
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="Debian chromium is not installed (make test)"
)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


class HostPage:
    """An association's page on an origin of its own (another loopback port), embedding the widget with its one tag,
    served with the given response headers (a Content-Security-Policy, say) and a stylesheet of its own."""

    def __init__(self, site: str, headers: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.site, self.headers, self.assistant = site, headers or {}, ""
        self.server: ThreadingHTTPServer | None = None

    def page(self) -> bytes:
        src, site = html.escape(self.assistant + "/widget.js"), html.escape(self.site)
        tag = f'<script src="{src}" data-site="{site}" async></script>'
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Town twinning</title>'
            '<link rel="stylesheet" href="/page.css"></head><body><h1>Town twinning in our region</h1>'
            f"<p>Ask our assistant.</p>{tag}</body></html>"
        ).encode()

    def serve(self, assistant: str) -> HostPage:
        """Start serving, the widget's tag pointing at the assistant at ``assistant``."""
        self.assistant = assistant
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                css = self.path == "/page.css"
                body, kind = (b"h1 { color: darkgreen; }", "text/css") if css else (host.page(), "text/html")
                self.send_response(200)
                self.send_header("Content-Type", kind + "; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in host.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def in_widget(page, script: str):  # noqa: ANN001, ANN201
    """Evaluate ``script`` (an expression of ``root``, the widget's shadow root) in the page."""
    root = "document.querySelector('#twinning-assistant').shadowRoot"
    return page.evaluate(f"(() => {{ const root = {root}; return {script}; }})()")


def _open_with_keyboard(page) -> None:  # noqa: ANN001
    page.locator(".launcher").wait_for()  # mounted once the server said this site is served here
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id === 'twinning-assistant'"):
            break
    assert page.evaluate(
        "document.querySelector('#twinning-assistant').shadowRoot.activeElement.className === 'launcher'"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('#twinning-assistant').shadowRoot.activeElement.id === 'ta-input'")


def _ask(page, question: str, expect: str) -> None:  # noqa: ANN001
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    page.locator(".msg.bot .text", has_text=expect).last.wait_for(timeout=20000)
    page.locator(".msg.bot .rate").last.wait_for(timeout=20000)


def test_keyboard_user_asks_sees_streamed_answer_sources_and_follow_up(
    browser,
    live_server: LiveServer,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    page = browser.new_page()
    streamed: list[str] = []
    page.on("request", lambda r: streamed.append(r.url) if r.url.endswith("/api/ask/stream") else None)
    page.goto(live_server.url + "/")
    _open_with_keyboard(page)
    _ask(page, "When did the 2024 town twinning call close?", "19 September 2024")
    link = page.locator(".sources a").last
    assert link.get_attribute("href") == "https://www.euro-access.eu/en/calls/1237/Town-Twinning"
    assert link.get_attribute("rel") == "noopener noreferrer"
    _ask(page, "And networks of towns in 2025?", "27 March 2025")
    assert len(streamed) == 2
    assert page.locator("[role=log][aria-live=polite]").count() == 1
    # The host page's `button { background: hotpink }` does not reach into the widget.
    color = page.locator(".launcher").evaluate("b => getComputedStyle(b).backgroundColor")
    assert color == "rgb(0, 51, 153)"
    page.screenshot(path=str(tmp_path / "widget-conversation.png"))
    # The conversation survives a reload (sessionStorage) and "new conversation" clears it.
    page.reload()
    page.locator(".launcher").click()
    assert page.locator(".msg.user").count() == 2
    page.locator("button.reset").click()
    assert page.locator(".msg.user").count() == 0
    page.keyboard.press("Escape")
    assert page.locator(".panel").is_hidden()
    page.close()


def test_widget_fills_a_phone_screen(browser, live_server: LiveServer) -> None:  # noqa: ANN001
    page = browser.new_page(viewport={"width": 375, "height": 667})
    page.goto(live_server.url + "/")
    page.locator(".launcher").click()
    box = page.locator(".panel").bounding_box()
    assert box["width"] == 375 and box["height"] == 667
    page.close()


@pytest.fixture
def hostile_server(tmp_path: Path, embeddings) -> Iterator[LiveServer]:  # noqa: ANN001
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.md").write_text(
        '---\ntitle: Twinning note <img src=x onerror="window.__pwned=1">\nsource_url: javascript:alert(1)\n---\n'
        '# Note\n\n## Deadline\nThe twinning note deadline is 5 May 2025 <img src=x onerror="window.__pwned=1">'
        " <script>window.__pwned=2</script> for every town.\n"
    )
    settings = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "data", rate_limit="0")
    run_ingest(settings, embeddings=embeddings, progress=False)
    with LiveServer(create_app(settings, Assistant(settings, embeddings))) as server:
        yield server


def test_markup_in_documents_and_questions_is_shown_as_text(browser, hostile_server: LiveServer) -> None:  # noqa: ANN001
    page = browser.new_page()
    page.goto(hostile_server.url + "/")
    page.locator(".launcher").click()
    page.locator("#ta-input").fill('When is the twinning note deadline? <img src=y onerror="window.__pwned=3">')
    page.keyboard.press("Enter")
    page.locator(".msg.bot .text", has_text="5 May 2025").last.wait_for(timeout=20000)
    page.locator(".msg.bot .rate").last.wait_for(timeout=20000)
    answer = page.locator(".msg.bot .text").last.inner_text()
    assert "<img src=x" in answer and "<script>" in answer
    assert "<img src=y" in page.locator(".msg.user .text").last.inner_text()
    assert page.evaluate("window.__pwned") is None
    assert (
        page.evaluate("document.querySelector('#twinning-assistant').shadowRoot.querySelectorAll('img,script').length")
        == 0
    )
    # A javascript: URL is never made a link.
    assert page.locator(".sources a").count() == 0
    page.close()
