"""The real widget in headless Chromium (Debian's chromium driven by Playwright), against a live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.ingest.pipeline import run_ingest
from assistant.service import Assistant
from tests.api.conftest import LiveServer

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


def _open_with_keyboard(page) -> None:  # noqa: ANN001
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
