"""The real widget in headless Chromium: a thumb on an answer says "thank you" only when the server stored it; when the
store cannot be written (503) the reader sees the failure text and can try again (issue 13, part of 13)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from tests.api.conftest import LiveServer
from tests.api.test_widget_browser import browser, pytestmark  # noqa: F401 - the module's browser and its skip rule

THANKS = "Thank you for the feedback."
FAILED = "Sorry, something went wrong. Please try again."


def test_feedback_failure_is_shown_not_thanked(browser, make_app: Callable[..., FastAPI], tmp_path: Path) -> None:  # noqa: ANN001, F811
    blocker = tmp_path / "api-data" / "feedback.sqlite"
    blocker.mkdir(parents=True)  # the feedback store cannot be opened: /api/feedback answers 503
    with LiveServer(make_app()) as server:
        page = browser.new_page()
        statuses: list[int] = []
        page.on("response", lambda r: statuses.append(r.status) if r.url.endswith("/api/feedback") else None)
        page.goto(server.url + "/")
        page.locator(".launcher").click()
        page.locator("#ta-input").fill("When did the 2024 town twinning call close?")
        page.keyboard.press("Enter")
        page.locator(".msg.bot .text", has_text="19 September 2024").last.wait_for(timeout=20000)
        rating = page.locator(".msg.bot .rate").last
        rating.locator("button[data-rating=down]").click()
        send = page.locator(".msg.bot .comment button").last
        send.click()
        rating.locator(".rate-error", has_text=FAILED).wait_for(timeout=10000)
        assert statuses == [503]
        assert THANKS not in rating.inner_text()
        assert rating.locator("button:disabled").count() == 0  # both thumbs can be pressed again
        # The store is back: the same thumb is stored, and now the reader is thanked.
        blocker.rmdir()
        send.click()
        rating.locator("[role=status]", has_text=THANKS).wait_for(state="attached", timeout=10000)
        assert statuses == [503, 200] and rating.locator(".rate-error").count() == 0
        page.close()
