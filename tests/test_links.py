"""The one link check (``safe_url``) and the Markdown neutraliser, judged by a real CommonMark renderer.

The renderer is markdown-it-py with raw HTML on and its own link filter off, so it renders whatever it is given, as
a careless front end would: what matters is what our text turns into there.
"""

from __future__ import annotations

import re

import pytest
from markdown_it import MarkdownIt

from assistant.links import LOOKAHEAD, MarkdownNeutraliser, neutralise_markdown, safe_url


def careless_markdown(text: str) -> str:
    md = MarkdownIt("commonmark", {"html": True})
    md.validateLink = lambda url: True  # a front end that trusts every link
    return md.render(text)


def live_parts(rendered: str) -> tuple[list[str], list[str], list[str]]:
    """Images, link targets and HTML tags (other than what Markdown itself makes) in rendered HTML."""
    images = re.findall(r"<img\b[^>]*>", rendered)
    hrefs = re.findall(r'href="([^"]*)"', rendered)
    tags = [t for t in re.findall(r"<(/?[a-zA-Z][a-zA-Z0-9]*)", rendered) if t.strip("/") not in {"p", "a", "br"}]
    return images, hrefs, tags


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/x",
        "/relative/path",
        "http://",
        "https://exa mple.org",
        "https://example.org/\u202egnp.exe",
        "\x00https://example.org",
        "https://[::1",
        "",
        None,
        42,
        "https://example.org/" + "a" * 3000,
    ],
)
def test_safe_url_refuses_everything_but_absolute_http_urls(url: object) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        (
            "https://www.euro-access.eu/en/calls/1237/Town-Twinning",
            "https://www.euro-access.eu/en/calls/1237/Town-Twinning",
        ),
        (" http://example.org/a?b=c#d ", "http://example.org/a?b=c#d"),
        ("HTTPS://EXAMPLE.ORG", "HTTPS://EXAMPLE.ORG"),
    ],
)
def test_safe_url_keeps_http_and_https(url: str, kept: str) -> None:
    assert safe_url(url) == kept


HOSTILE = (
    "The deadline is 5 May 2025 ![pixel](https://evil.example/p.png) and [apply](javascript:alert(1)) or "
    "[here](  <JaVaScRiPt:alert(2)>) or [there](&#106;avascript:alert(3)) or [data](data:text/html,x) "
    '<img src=x onerror="alert(4)"> <script>alert(5)</script> <javascript:alert(6)> <!-- c --> ![ref][r]\n\n'
    "[r]: https://evil.example/pixel.png\n[s]: javascript:alert(7)\n\n"
    "Official page: [CERV](https://ec.europa.eu/cerv) <https://ec.europa.eu/info> (< 50 towns, x<3) [1]"
)


def test_neutralised_text_renders_no_image_no_unsafe_link_and_no_html() -> None:
    before = careless_markdown(HOSTILE)
    assert "<img" in before and "javascript:" in before  # the renderer is as careless as promised
    images, hrefs, tags = live_parts(careless_markdown(neutralise_markdown(HOSTILE)))
    assert images == [] and tags == []
    assert all(safe_url(h) for h in hrefs), hrefs
    # http(s) links stay links; the words stay readable.
    assert {"https://ec.europa.eu/cerv", "https://ec.europa.eu/info"} <= set(hrefs)
    assert neutralise_markdown(HOSTILE).replace("\u200b", "") == HOSTILE


def test_plain_answers_are_unchanged() -> None:
    text = (
        "The 2024 call closed on 19 September 2024 [1]. Towns of < 5,000 people may apply!\n\n[1] CERV - https://a.eu/b"
    )
    assert neutralise_markdown(text) == text


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13, 47, 48, 49, 1000])
def test_a_stream_is_neutralised_exactly_like_the_whole_text(size: int) -> None:
    neutraliser, fed, sent = MarkdownNeutraliser(), "", ""
    for start in range(0, len(HOSTILE), size):
        fed += HOSTILE[start : start + size]
        sent += neutraliser.feed(HOSTILE[start : start + size])
        plain = sent.replace("\u200b", "")
        assert fed.startswith(plain) and len(fed) - len(plain) <= LOOKAHEAD  # only a short tail is held back
    assert sent + neutraliser.flush() == neutralise_markdown(HOSTILE)
