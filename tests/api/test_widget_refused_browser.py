"""The widget tells a site owner what is wrong, in one console message (issue 17): the site's origins changed while
a page was open, a tag without data-site, a data-site the server does not know, a file:// page. Real Chromium, a
page server on its own origin, the real app on a loopback server."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from tests.api.conftest import LiveServer
from tests.api.test_widget_browser import HostPage, browser, pytestmark  # noqa: F401

UNAVAILABLE = "The assistant is not available on this page."


def _widget_said(message) -> bool:  # noqa: ANN001
    return message.type == "error" and message.text.startswith("twinning-assistant:")


class TagPage(HostPage):
    """A host page whose widget tag is written out whole (``{src}`` stands for the widget's address)."""

    def __init__(self, tag: str) -> None:
        super().__init__("")
        self.tag = tag

    def page(self) -> bytes:
        return f"<!DOCTYPE html><html lang='en'><body><h1>Twinning</h1>{self.tag}</body></html>".replace(
            "{src}", self.assistant + "/widget.js"
        ).encode()


def _on_port(app: FastAPI, port: int) -> LiveServer:
    """A live server on a given port: the same assistant address, restarted with other settings."""
    server = LiveServer(app)
    server.port, server.url = port, f"http://127.0.0.1:{port}"
    server.server.config.port = port
    return server


def _console_of(chromium, url: str) -> list[str]:  # noqa: ANN001
    page = chromium.new_page()
    said: list[str] = []
    page.on("console", lambda m: said.append(m.text) if _widget_said(m) else None)
    with page.expect_console_message(_widget_said, timeout=10000):
        page.goto(url)
    assert page.locator("#twinning-assistant").count() == 0
    page.close()
    return said


def test_origins_changed_after_load_say_not_available_and_why(browser, make_app: Callable[..., FastAPI]) -> None:  # noqa: ANN001, F811
    """The refused CORS preflight makes fetch fail like a network error: the widget asks the check again."""
    host = HostPage("assoc")
    with LiveServer(make_app(sites={"assoc": [host.origin]})) as first:
        host.serve(first.url)
        page = browser.new_page()
        said: list[str] = []
        page.on("console", lambda m: said.append(m.text) if _widget_said(m) else None)
        page.goto(host.origin + "/")
        page.locator(".launcher").click()
    try:
        # Restarted on the same address with ASSISTANT_SITES no longer listing the page.
        with _on_port(make_app(sites={"assoc": ["https://www.example.org"]}), first.port):
            for _ in range(2):
                page.locator("#ta-input").fill("When did the 2024 town twinning call close?")
                page.keyboard.press("Enter")
                page.wait_for_function(
                    "() => document.querySelector('#twinning-assistant').shadowRoot"
                    ".querySelector('button[type=submit]').disabled === false"
                )
            bot = page.locator(".msg.bot .text")
            assert bot.nth(-1).inner_text() == UNAVAILABLE and bot.nth(-2).inner_text() == UNAVAILABLE
            page.close()
    finally:
        host.close()
    assert len(said) == 1  # one console message, however many questions
    assert host.origin in said[0] and '"assoc"' in said[0] and "ASSISTANT_SITES" in said[0]
    assert "ADD that origin" in said[0] and "keeping the others" in said[0]


def _console_of_tag(chromium, make_app: Callable[..., FastAPI], tag: str) -> list[str]:  # noqa: ANN001
    """The console messages of a page of another origin embedding the widget with ``tag``, against a server whose
    one site "assoc" lists only https://www.example.org."""
    host = TagPage(tag)
    with LiveServer(make_app(sites={"assoc": ["https://www.example.org"]})) as server:
        host.serve(server.url)
        try:
            return _console_of(chromium, host.origin + "/")
        finally:
            host.close()


def test_a_tag_without_data_site_is_told_so(browser, make_app: Callable[..., FastAPI]) -> None:  # noqa: ANN001, F811
    said = _console_of_tag(browser, make_app, '<script src="{src}" async></script>')
    assert len(said) == 1 and "no data-site attribute" in said[0]
    assert '"default"' not in said[0]


def test_an_unknown_site_id_is_not_configured_and_others_are_not_named(
    browser,  # noqa: ANN001, F811
    make_app: Callable[..., FastAPI],
) -> None:
    said = _console_of_tag(browser, make_app, '<script src="{src}" data-site="asoc" async></script>')
    assert len(said) == 1 and '"asoc"' in said[0] and "is not configured" in said[0] and "spelling" in said[0]
    assert "assoc" not in said[0].replace("asoc", "") and "example.org" not in said[0]


def test_a_file_page_is_told_to_serve_it_over_http(
    browser,  # noqa: ANN001, F811
    make_app: Callable[..., FastAPI],
    tmp_path: Path,
) -> None:
    with LiveServer(make_app(sites={"assoc": ["https://www.example.org"]})) as server:
        local = tmp_path / "page.html"
        local.write_text(f'<!DOCTYPE html><body><script src="{server.url}/widget.js" data-site="assoc"></script>')
        said = _console_of(browser, local.as_uri())
    assert len(said) == 1 and "served over http(s)" in said[0] and '["file://"]' not in said[0]
