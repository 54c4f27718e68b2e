"""The widget's details (issue 17, item 2), each in real Chromium against the live API: the answer's start and its
sources in view, citation markers as links, snippets on demand, a comment with thumbs down, a rating stored once and
remembered, failed questions kept out of the saved history, labelled icons, touch targets of 44 px."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI

from tests.api.conftest import LiveServer
from tests.api.test_widget_browser import browser, in_widget, pytestmark  # noqa: F401

DEADLINE_Q = "When did the 2024 town twinning call close?"
NT_Q = "And networks of towns in 2025?"
STORE_KEY = "twinning-assistant:demo"


def _ask(page, question: str, expect: str) -> None:  # noqa: ANN001
    page.locator("#ta-input").fill(question)
    page.keyboard.press("Enter")
    page.locator(".msg.bot .text", has_text=expect).last.wait_for(timeout=20000)
    page.locator(".msg.bot .rate").last.wait_for(timeout=20000)


def _open(page, url: str) -> None:  # noqa: ANN001
    page.goto(url + "/")
    page.locator(".launcher").click()


def _saved(page) -> list[dict]:  # noqa: ANN001
    return json.loads(page.evaluate(f"sessionStorage.getItem('{STORE_KEY}') || '[]'"))


def _in_view(page, selector: str) -> bool:  # noqa: ANN001
    """Whether the last element matching ``selector`` lies wholly inside the conversation's visible area."""
    return in_widget(
        page,
        f"(() => {{ const els = root.querySelectorAll('{selector}');"
        " const e = els[els.length - 1].getBoundingClientRect();"
        " const v = root.querySelector('.log').getBoundingClientRect();"
        " return e.top >= v.top - 1 && e.bottom <= v.bottom + 1; })()",
    )


def test_after_an_answer_its_start_and_its_sources_are_in_view(browser, live_server: LiveServer) -> None:  # noqa: ANN001, F811
    page = browser.new_page()
    _open(page, live_server.url)
    _ask(page, DEADLINE_Q, "19 September 2024")
    _ask(page, NT_Q, "27 March 2025")  # the second answer, below a first one: the log has scrolled
    assert in_widget(page, "root.querySelector('.log').scrollTop") > 0
    first_line = "(() => { const t = root.querySelectorAll('.msg.bot .text'); return t[t.length - 1]; })()"
    assert in_widget(page, f"{first_line}.getClientRects().length") > 0
    assert _in_view(page, ".msg.bot .text")  # the answer from its first line
    assert _in_view(page, ".msg.bot .sources")  # and the list of its sources
    page.close()


def test_citation_markers_link_to_their_sources_and_snippets_show_on_demand(browser, live_server: LiveServer) -> None:  # noqa: ANN001, F811
    page = browser.new_page()
    _open(page, live_server.url)
    _ask(page, DEADLINE_Q, "19 September 2024")
    answer = page.locator(".msg.bot").last
    text, sources = answer.locator(".text").inner_text(), _saved(page)[-1]["sources"]
    markers = answer.locator("a.cite")
    assert markers.count() == text.count("[1]") + text.count("[2]") + text.count("[3]") >= 1  # every marker a link
    for i in range(markers.count()):
        marker = markers.nth(i)
        n = int(marker.inner_text().strip("[]"))
        assert marker.get_attribute("href") == sources[n - 1]["url"]
        assert marker.get_attribute("rel") == "noopener noreferrer"
        assert sources[n - 1]["title"] in marker.get_attribute("aria-label")
    # A source's snippet: hidden until asked for, then shown as text, then hidden again.
    toggle, snippet = answer.locator(".sources .excerpt").first, answer.locator(".sources .snippet").first
    assert snippet.is_hidden() and toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert snippet.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert snippet.inner_text() == sources[0]["snippet"]
    toggle.click()
    assert snippet.is_hidden()
    page.close()


def test_thumbs_down_takes_a_comment_and_a_rating_is_sent_once_and_remembered(
    browser,  # noqa: ANN001, F811
    make_app: Callable[..., FastAPI],
    tmp_path: Path,
) -> None:
    with LiveServer(make_app()) as server:
        page = browser.new_page()
        posts: list[dict] = []
        page.on("request", lambda r: posts.append(r.post_data_json) if r.url.endswith("/api/feedback") else None)
        _open(page, server.url)
        _ask(page, DEADLINE_Q, "19 September 2024")
        rating = page.locator(".msg.bot .rate").last
        rating.locator("button[data-rating=down]").click()
        comment = page.locator(".msg.bot .comment textarea").last
        assert in_widget(page, "root.activeElement.tagName") == "TEXTAREA"  # the comment box has the focus
        comment.fill("It should give the time zone <b>first</b>.")
        page.locator(".msg.bot .comment button").last.click()
        rating.locator("[role=status]", has_text="Thank you for the feedback.").wait_for(state="attached")
        assert in_widget(page, "root.activeElement.id") == "ta-input"  # the comment box closed: focus moves on
        assert rating.locator("button:disabled").count() == 2  # neither thumb can be pressed again
        assert rating.locator("button[data-rating=down]").get_attribute("aria-pressed") == "true"
        rating.locator("button[data-rating=up]").click(force=True)  # a click on a disabled thumb sends nothing
        # After a reload the rating is still shown, and still cannot be sent again.
        page.reload()
        page.locator(".launcher").click()
        rating = page.locator(".msg.bot .rate").last
        assert rating.locator("button:disabled").count() == 2
        assert rating.locator("button[data-rating=down]").get_attribute("aria-pressed") == "true"
        page.close()
        stored = sqlite3.connect(tmp_path / "api-data" / "feedback.sqlite").execute(
            "SELECT rating, comment, site FROM feedback"
        )
        assert stored.fetchall() == [("down", "It should give the time zone <b>first</b>.", "demo")]
    assert len(posts) == 1 and posts[0]["comment"] == "It should give the time zone <b>first</b>."


def test_a_failed_question_is_not_saved_without_an_answer(browser, make_app: Callable[..., FastAPI]) -> None:  # noqa: ANN001, F811
    with LiveServer(make_app(rate_limit="1/minute")) as server:
        page = browser.new_page()
        _open(page, server.url)
        _ask(page, DEADLINE_Q, "19 September 2024")
        page.locator("#ta-input").fill(NT_Q)
        page.keyboard.press("Enter")  # over the rate limit: 429
        page.locator(".msg.bot .text", has_text="Too many questions at once").wait_for(timeout=10000)
        assert [t["content"] for t in _saved(page)][0] == DEADLINE_Q and len(_saved(page)) == 2
        assert page.locator("#ta-input").input_value() == NT_Q  # back in the input, to send again
        page.reload()
        page.locator(".launcher").click()
        assert page.locator(".msg.user .text").all_inner_texts() == [DEADLINE_Q]
        page.close()


def test_buttons_are_labelled_icons_and_every_control_is_44_px(browser, live_server: LiveServer) -> None:  # noqa: ANN001, F811
    page = browser.new_page(viewport={"width": 375, "height": 667})  # a phone: fingers, not a mouse
    _open(page, live_server.url)
    _ask(page, DEADLINE_Q, "19 September 2024")
    page.locator(".msg.bot .excerpt").last.click()
    page.locator(".msg.bot .rate button[data-rating=down]").last.click()
    controls = in_widget(
        page,
        "[...root.querySelectorAll('button, .sources a, textarea')].filter(e => e.getClientRects().length)"
        ".map(e => { e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
        " const label = e.labels && e.labels.length ? e.labels[0].textContent : '';"
        " return {cls: e.className, tag: e.tagName, w: r.width, h: r.height, text: e.textContent,"
        " name: e.getAttribute('aria-label') || label || e.textContent.trim(), svg: e.querySelectorAll('svg').length};"
        " })",
    )
    kinds = {c["cls"] for c in controls}
    assert {"launcher", "reset", "close", "excerpt", "send-comment"} <= kinds
    assert sum(c["tag"] == "A" for c in controls) >= 1 and sum(c["tag"] == "TEXTAREA" for c in controls) == 2
    for c in controls:
        assert c["w"] >= 44 and c["h"] >= 44, c
        assert c["name"], c  # every control has a name
    icons = [c for c in controls if c["cls"] in ("close", "excerpt") or c["name"] in ("Helpful", "Not helpful")]
    assert len(icons) == 4
    for c in icons:  # drawn as SVG: no character, so no emoji font is needed
        assert c["svg"] == 1 and c["text"] == "", c
    page.close()
