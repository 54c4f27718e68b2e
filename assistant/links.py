"""Links that reach a reader are http(s) only; text from documents never becomes a live image, link or HTML.

``safe_url`` is the one check of a URL's scheme. Ingestion uses it on source URLs (front matter, HTML metadata:
an unsafe one is dropped with a warning naming the file), and every channel that renders sources uses it (the
OpenAI-compatible route, Telegram; widget.js mirrors it in the browser, where Python cannot run).

``canonical_url`` is the one spelling of a link: tracking and display parameters (``utm_*``, ``fbclid``, ``css``,
...) and the fragment dropped, the host in lower case; parameters that select the content (EUR-Lex ``uri=``,
``id=``, ``pageId=``) are kept as written. The source registry's URLs must already be in this form.

``MarkdownNeutraliser`` (and ``neutralise_markdown`` for a whole text) keeps the text a Markdown-rendering front end
receives from the OpenAI-compatible route from turning into live images, unsafe links or raw HTML: an image
(``![``), a link or reference definition whose destination is not an absolute http(s) URL (``](``, ``]:``) and an
HTML tag or autolink other than ``<http(s)://...>`` (``<`` followed by a letter, ``/``, ``!`` or ``?``) are broken
by a zero-width space after their first character, which no Markdown flavour reads as part of the syntax. The text
reads the same; http(s) links stay links. Every rule looks at most ``LOOKAHEAD`` characters ahead, so a stream can
be neutralised piece by piece, holding back only the last few characters.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

log = logging.getLogger(__name__)

SAFE_SCHEMES = ("http", "https")
MAX_URL_CHARS = 2048
BREAK = "\u200b"  # zero-width space: invisible, and it splits any Markdown token it is put into

_SCHEMES = "|".join(SAFE_SCHEMES)
# Where a link or definition destination starts with an absolute http(s) URL (CommonMark allows spaces, one line
# ending and angle brackets before it).
_SAFE_DESTINATION = re.compile(rf"[ \t]{{0,16}}(?:\r?\n)?[ \t]{{0,16}}<?(?:{_SCHEMES})://", re.IGNORECASE)
_SAFE_AUTOLINK = re.compile(rf"(?:{_SCHEMES})://", re.IGNORECASE)
_SPECIAL = re.compile(r"[!\]<]")
LOOKAHEAD = 48  # longest text a rule looks at after its character (the destination pattern: 45)


def safe_url(url: object) -> str | None:
    """``url`` (stripped) if it is an absolute http or https URL with a host, else None: ``javascript:``,
    ``data:``, relative or malformed URLs, and URLs with spaces or control characters are never links."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > MAX_URL_CHARS:
        return None
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    return url if parts.scheme.lower() in SAFE_SCHEMES and host else None


# Query parameters that only track a visit or change how a page looks, on any site ("utm_" starts a family); the
# names are compared in lower case.
TRACKING_PARAMETERS = frozenset(
    "fbclid gclid gclsrc dclid msclkid yclid igshid twclid li_fat_id mc_cid mc_eid _ga _gl _hsenc _hsmi "
    "ref_src spm css font print theme".split()
)
TRACKING_PREFIXES = ("utm_",)
# Parameters that only track a visit on one site: EUR-Lex's search session (qid) and result number (rid).
SITE_TRACKING_PARAMETERS = {"eur-lex.europa.eu": frozenset({"qid", "rid"})}


def canonical_url(url: str) -> str:
    """``url`` without tracking or display parameters and fragment, its scheme and host in lower case; the path
    and the parameters kept are left exactly as written (no re-encoding), in their order."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""  # lower case already; user name and password dropped
    netloc = (f"[{host}]" if ":" in host else host) + (f":{parts.port}" if parts.port is not None else "")
    site = SITE_TRACKING_PARAMETERS.get(host.removeprefix("www."), frozenset())
    kept = [pair for pair in parts.query.split("&") if pair and not _tracking(pair.split("=", 1)[0].lower(), site)]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, "&".join(kept), ""))


def _tracking(name: str, site: frozenset[str]) -> bool:
    return name in TRACKING_PARAMETERS or name in site or name.startswith(TRACKING_PREFIXES)


def safe_urls(urls: Iterable[object], where: object) -> list[str]:
    """The http(s) URLs of ``urls``; every other one is dropped with a warning naming ``where`` (the file)."""
    kept = []
    for url in urls:
        checked = safe_url(url)
        if checked is None:
            log.warning("%s: source URL %.80r dropped: only http(s) URLs are kept", where or "a document", url)
        else:
            kept.append(checked)
    return kept


class MarkdownNeutraliser:
    """Neutralises Markdown images, unsafe links and HTML in a text given piece by piece (see the module doc).

    ``feed`` returns what can be sent now; ``flush`` returns the rest at the end. The pieces returned, joined, are
    exactly ``neutralise_markdown`` of the pieces fed, joined."""

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, piece: str) -> str:
        self._pending += piece
        return self._drain(final=False)

    def flush(self) -> str:
        return self._drain(final=True)

    def _drain(self, final: bool) -> str:
        text, out, start = self._pending, [], 0
        for match in _SPECIAL.finditer(text):
            at = match.start()
            if not final and len(text) - at <= LOOKAHEAD:
                out.append(text[start:at])
                self._pending = text[at:]
                return "".join(out)
            out.append(text[start : at + 1])
            if _breaks(text, at):
                out.append(BREAK)
            start = at + 1
        out.append(text[start:])
        self._pending = ""
        return "".join(out)


def _breaks(text: str, at: int) -> bool:
    """Whether the Markdown token starting with ``text[at]`` must be broken after that character."""
    char, following = text[at], text[at + 1 : at + 2]
    if char == "!":
        return following == "["  # an image, whatever its destination: no front end loads it
    if char == "]":
        return following in ("(", ":") and not _SAFE_DESTINATION.match(text, at + 2)
    # "<": an HTML tag, comment or declaration, or an autolink that is not http(s)
    return (following.isalpha() or following in ("/", "!", "?")) and not _SAFE_AUTOLINK.match(text, at + 1)


def neutralise_markdown(text: str) -> str:
    """``text`` with images, non-http(s) links and HTML made plain text for a Markdown renderer."""
    neutraliser = MarkdownNeutraliser()
    return neutraliser.feed(text) + neutraliser.flush()
