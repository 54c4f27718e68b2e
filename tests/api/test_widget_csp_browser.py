"""The widget on an association's page that sends a Content-Security-Policy (issue 17, item 3): under the common
policy `style-src 'self'` with the assistant's origin in `script-src` and `connect-src` only, it keeps its look and
answers. Real Chromium, a real page server on its own origin, the real API on another."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI

from tests.api.conftest import LiveServer
from tests.api.test_widget_browser import HostPage, browser, in_widget, pytestmark  # noqa: F401

# The directives the README asks a site to allow: the assistant's origin in script-src and connect-src, nothing in
# style-src. Trusted Types are required too: the widget never writes HTML.
POLICY = (
    "default-src 'self'; style-src 'self'; script-src 'self' {api}; connect-src 'self' {api}; "
    "img-src 'self'; require-trusted-types-for 'script'"
)
LOOK = "b => { const s = getComputedStyle(b); return [s.position, s.backgroundColor, s.borderTopLeftRadius]; }"
WATCH_VIOLATIONS = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective), true);"
)


def test_widget_keeps_its_look_and_answers_under_a_strict_policy(browser, make_app: Callable[..., FastAPI]) -> None:  # noqa: ANN001, F811
    host = HostPage("assoc")
    with LiveServer(make_app(sites={"assoc": [host.origin]})) as server:
        host.headers = {"Content-Security-Policy": POLICY.format(api=server.url)}
        host.serve(server.url)
        try:
            page = browser.new_page()
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text))
            page.add_init_script(WATCH_VIOLATIONS)
            page.goto(host.origin + "/")
            # The page's own stylesheet ('self') applies; the widget is styled: fixed at the corner, in its colours.
            assert page.locator("h1").evaluate("h => getComputedStyle(h).color") == "rgb(0, 100, 0)"
            launcher = page.locator(".launcher")
            assert launcher.evaluate(LOOK) == ["fixed", "rgb(0, 51, 153)", "28px"]
            launcher.click()
            box = page.locator(".panel").bounding_box()
            assert box["width"] == 380 and box["height"] == 560
            page.locator("#ta-input").fill("When did the 2024 town twinning call close?")
            page.keyboard.press("Enter")
            page.locator(".msg.bot .text", has_text="19 September 2024").last.wait_for(timeout=20000)
            page.locator(".msg.bot .rate").last.wait_for(timeout=20000)
            thumb = page.locator(".rate button[data-rating=up]").last.bounding_box()
            assert thumb["width"] == 44 and thumb["height"] == 44
            assert page.locator(".sources a").count() >= 1
            assert page.evaluate("window.__violations") == []
            assert not [text for text in console if "Content Security Policy" in text]
            # The policy is in force: an inline style the page itself adds is refused.
            inline = page.evaluate(
                "() => { const s = document.createElement('style');"
                " s.textContent = 'body { background: rgb(1, 2, 3) }'; document.head.append(s);"
                " return getComputedStyle(document.body).backgroundColor; }"
            )
            assert inline != "rgb(1, 2, 3)" and page.evaluate("window.__violations") == ["style-src-elem"]
            assert in_widget(page, "root.adoptedStyleSheets.length") == 1
            page.close()
        finally:
            host.close()
