"""The widget's layout for a reader (issue 17): on a phone the comment form of a thumbs down is on screen, its send
button included; a rating's thanks is visible; launcher and title fit in every language; focus rings are visible on
white. Real Chromium against the real app."""

from __future__ import annotations

import pytest

from tests.api.conftest import LiveServer
from tests.api.test_widget_browser import HostPage, browser, in_widget, pytestmark  # noqa: F401

PHONE = {"width": 390, "height": 844}


def _answered(page) -> None:  # noqa: ANN001
    page.locator(".launcher").click()
    page.locator("#ta-input").fill("When did the 2024 town twinning call close?")
    page.keyboard.press("Enter")
    page.locator(".msg.bot .rate").last.wait_for(timeout=20000)


def test_on_a_phone_the_whole_comment_form_is_on_screen(browser, live_server: LiveServer) -> None:  # noqa: ANN001, F811
    page = browser.new_page(viewport=PHONE)
    page.goto(live_server.url + "/")
    _answered(page)
    answer = page.locator(".msg.bot").last
    for toggle in answer.locator(".excerpt").all():  # excerpts open
        toggle.click()
    # A long answer, as a detailed one is: taller than the view (the fixture index's answers are short).
    in_widget(page, "[...root.querySelectorAll('.msg.bot .text')].pop().append('\\n'.repeat(30) + 'end')")
    assert answer.bounding_box()["height"] > page.locator(".log").bounding_box()["height"]
    answer.locator("button[data-rating=down]").click()
    send = page.locator(".msg.bot .comment button").last
    page.wait_for_timeout(200)
    box = send.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    log = page.locator(".log").bounding_box()
    assert log["y"] <= box["y"] and box["y"] + box["height"] <= log["y"] + log["height"]  # not under the input
    assert in_widget(page, "root.activeElement.tagName") == "TEXTAREA"  # typing goes into the comment
    page.close()


def test_a_stored_rating_shows_a_visible_thank_you_beside_the_thumb(browser, live_server: LiveServer) -> None:  # noqa: ANN001, F811
    page = browser.new_page()
    page.goto(live_server.url + "/")
    _answered(page)
    rating = page.locator(".msg.bot .rate").last
    rating.locator("button[data-rating=up]").click()
    thanked = rating.locator(".thanked")
    thanked.wait_for(state="visible", timeout=10000)
    assert thanked.inner_text() == "Thank you"
    up, shown = rating.locator("button[data-rating=up]").bounding_box(), thanked.bounding_box()
    assert abs(up["y"] - shown["y"]) < up["height"] and 0 < shown["x"] - (up["x"] + up["width"]) < 20
    rating.locator("[role=status]", has_text="Thank you for the feedback.").wait_for(state="attached")
    page.reload()  # restored from sessionStorage: still thanked
    page.locator(".launcher").click()
    page.locator(".msg.bot .rate .thanked").last.wait_for(state="visible", timeout=10000)
    page.close()


class LangPage(HostPage):
    def __init__(self, lang: str) -> None:
        super().__init__("demo")
        self.lang = lang

    def page(self) -> bytes:
        return super().page().replace(b'data-site="demo"', f'data-site="demo" data-lang="{self.lang}"'.encode())


@pytest.mark.parametrize("lang", ["it", "hu", "de", "fr"])
def test_launcher_is_one_line_on_a_phone_and_the_title_at_most_two(browser, make_app, lang: str) -> None:  # noqa: ANN001, F811
    host = LangPage(lang)
    with LiveServer(make_app(sites={"demo": [host.origin]})) as server:
        host.serve(server.url)
        try:
            page = browser.new_page(viewport=PHONE)
            page.goto(host.origin + "/")
            launcher = page.locator(".launcher")
            launcher.wait_for()
            box = launcher.bounding_box()
            assert box["height"] <= 50 and box["width"] <= PHONE["width"] - 24
            assert launcher.get_attribute("title")  # the whole label, should it end in an ellipsis
            page.set_viewport_size({"width": 1280, "height": 800})
            launcher.click()
            lines = in_widget(
                page,
                "(() => { const h = root.querySelector('h2'); "
                "return h.getBoundingClientRect().height / parseFloat(getComputedStyle(h).lineHeight); })()",
            )
            assert lines <= 2.05
            page.close()
        finally:
            host.close()


def _luminance(rgb: list[int]) -> float:
    c = [v / 255 for v in rgb]
    c = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def test_the_focus_ring_on_the_white_input_has_3_to_1_contrast(browser, live_server: LiveServer) -> None:  # noqa: ANN001, F811
    page = browser.new_page()
    page.goto(live_server.url + "/")
    page.locator(".launcher").click()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # keyboard focus: :focus-visible
    colour = in_widget(page, "getComputedStyle(root.activeElement).outlineColor")
    style = in_widget(page, "getComputedStyle(root.activeElement).outlineStyle")
    assert style == "solid"
    rgb = [int(v) for v in colour[colour.index("(") + 1 : colour.index(")")].split(",")[:3]]
    assert 1.05 / (_luminance(rgb) + 0.05) >= 3, colour
    page.close()
