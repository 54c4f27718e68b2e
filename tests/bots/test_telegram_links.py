"""The Telegram renderer makes links to http(s) pages only (issue 13, finding 6): an answer's sources and the
/deadlines list go through the same ``link``; anything else is shown as escaped text."""

from __future__ import annotations

import re

from assistant.answer.answer import Answer, Source
from assistant.bots.telegram import link, render, render_sources

UNSAFE = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    " javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    'javascript:alert(1)" onclick="x',
    "tg://resolve?domain=evil",
    "//evil.example",
]


def hrefs(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]*)"', html)


def test_sources_are_links_only_to_http_pages() -> None:
    sources = [Source(title=f"Doc {i} <b>", url=url, snippet="s") for i, url in enumerate(UNSAFE)]
    sources.append(Source(title="CERV & towns", url="https://ec.europa.eu/cerv?a=1&b=2", snippet="s"))
    answer = Answer(answer="Apply by 5 May [1].", answered=True, sources=sources)
    message = render(answer)
    assert hrefs(message) == ["https://ec.europa.eu/cerv?a=1&amp;b=2"]
    assert "Doc 0 &lt;b&gt;" in message and "CERV &amp; towns" in message  # titles stay, as text
    stored = [s.model_dump() for s in sources]  # /sources renders what the chat remembered
    assert hrefs(render_sources(stored, "Sources")) == ["https://ec.europa.eu/cerv?a=1&amp;b=2"]


def test_deadline_links_use_the_same_check() -> None:
    for url in UNSAFE:
        assert link("Town Twinning 2025", url) == "Town Twinning 2025"
    assert link("T <1>", "https://x.eu/c") == '<a href="https://x.eu/c">T &lt;1&gt;</a>'
