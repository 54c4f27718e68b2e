"""/docs and /redoc in headless Chromium with every request to anything but the app aborted: no CDN is needed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.api.conftest import LiveServer
from tests.api.test_widget_browser import browser, pytestmark  # noqa: F401 - the browser and its skip rule

ROUTES = [
    ("post", "/api/ask"),
    ("post", "/api/ask/stream"),
    ("get", "/api/health"),
    ("post", "/api/feedback"),
    ("post", "/v1/chat/completions"),
    ("get", "/v1/models"),
    ("get", "/v1/models/{model_id}"),
]


@pytest.fixture
def offline_page(browser, live_server: LiveServer) -> Iterator[tuple[object, list[str]]]:  # noqa: ANN001, F811
    """A page that can reach only the live server; the outside requests it tried are listed."""
    page = browser.new_page()
    outside: list[str] = []

    def route(request_route) -> None:  # noqa: ANN001
        url = request_route.request.url
        if url.startswith(live_server.url + "/"):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    page.route("**/*", route)
    yield page, outside
    page.close()


def test_swagger_ui_renders_and_runs_operations_offline(offline_page, live_server: LiveServer) -> None:  # noqa: ANN001
    page, outside = offline_page
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(live_server.url + "/docs")
    page.locator(".opblock").first.wait_for(timeout=20000)
    shown = {
        (
            block.locator(".opblock-summary-method").inner_text().lower(),
            block.locator(".opblock-summary-path").inner_text(),
        )
        for block in page.locator(".opblock").all()
    }
    assert shown >= set(ROUTES)
    assert "twinning-assistant" in page.locator(".info .title").inner_text()
    # The page works, not just draws: try GET /api/health from it.
    health = page.locator("#operations-service-health_api_health_get")
    health.locator(".opblock-summary").click()
    health.get_by_role("button", name="Try it out").click()
    health.get_by_role("button", name="Execute").click()
    health.locator(".live-responses-table .response-col_status", has_text="200").wait_for(timeout=20000)
    assert '"status": "ok"' in health.locator(".live-responses-table .microlight").first.inner_text()
    assert outside == [] and failed == []


def test_redoc_renders_offline(offline_page, live_server: LiveServer) -> None:  # noqa: ANN001
    page, outside = offline_page
    page.goto(live_server.url + "/redoc")
    page.get_by_role("heading", name="twinning-assistant").first.wait_for(timeout=20000)
    for _, path in ROUTES:
        assert page.get_by_text(path, exact=True).count() >= 1, path
    assert page.locator("img[alt='redocly logo']").count() == 0  # its CDN logo is not even requested
    assert outside == []
