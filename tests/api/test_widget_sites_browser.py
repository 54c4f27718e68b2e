"""A misconfigured site says so (issue 17, item 1): the widget on a page whose origin is not one of its site's
origins does not invite questions; it writes one console message naming the page origin, the site id and the
setting, and the server logs the refused origin and site id once. Real Chromium, a page server on its own origin."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI

from tests.api.conftest import LiveServer
from tests.api.test_widget_browser import HostPage, browser, pytestmark  # noqa: F401


def _widget_said(message) -> bool:  # noqa: ANN001
    return message.type == "error" and message.text.startswith("twinning-assistant:")


def test_page_of_an_origin_not_listed_gets_no_widget_and_is_told_why(
    browser,  # noqa: ANN001, F811
    make_app: Callable[..., FastAPI],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("WARNING", logger="assistant.api")
    host = HostPage("assoc")
    # The site owner listed the page by another name of the same host: origins match exactly, so it is refused.
    with LiveServer(make_app(sites={"assoc": [f"http://localhost:{host.port}"]})) as server:
        host.serve(server.url)
        try:
            page = browser.new_page()
            said: list[str] = []
            called: list[str] = []
            page.on("console", lambda m: said.append(m.text) if _widget_said(m) else None)
            page.on("request", lambda r: called.append(r.url.removeprefix(server.url)) if "/api/" in r.url else None)
            for _ in range(2):  # a second visit: the server does not log it again
                with page.expect_console_message(_widget_said, timeout=10000):
                    page.goto(host.origin + "/")
                assert page.locator("#twinning-assistant").count() == 0  # no launcher: nothing invites a question
            page.close()
        finally:
            host.close()
    assert len(said) == 2  # one message a visit
    assert host.origin in said[0] and '"assoc"' in said[0] and "ASSISTANT_SITES" in said[0]
    assert [url.partition("?")[0] for url in called] == ["/api/widget/check"] * 2  # never a question
    logged = [r.getMessage() for r in caplog.records if "widget refused" in r.getMessage()]
    assert len(logged) == 1
    assert repr(host.origin) in logged[0] and "'assoc'" in logged[0] and "ASSISTANT_SITES" in logged[0]


def test_page_of_a_listed_origin_gets_the_widget_and_answers(browser, make_app: Callable[..., FastAPI]) -> None:  # noqa: ANN001, F811
    host = HostPage("assoc")
    with LiveServer(make_app(sites={"assoc": [host.origin + "/"]})) as server:  # a trailing slash is forgiven
        host.serve(server.url)
        try:
            page = browser.new_page()
            page.goto(host.origin + "/")
            page.locator(".launcher").click()
            page.locator("#ta-input").fill("When did the 2024 town twinning call close?")
            page.keyboard.press("Enter")
            page.locator(".msg.bot .text", has_text="19 September 2024").last.wait_for(timeout=20000)
            page.close()
        finally:
            host.close()
