"""Read one corpus file into a ``LoadedDocument``: Markdown (YAML front matter), text, HTML, PDF and DOCX.

Every reader raises ``LoadError`` with a reason a person can act on; the pipeline turns it into a warning
naming the file and skips the file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}

# Front matter keys kept as chunk metadata (the corpus contract); anything else stays on the document only.
METADATA_KEYS = (
    "title",
    "source_url",
    "publisher",
    "programme",
    "call_id",
    "year",
    "topic",
    "deadline",
    "language",
)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FIRST_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class LoadError(Exception):
    """A file that cannot be ingested; the message says why."""


@dataclass
class LoadedDocument:
    """A document's text (Markdown-ish, headings as ``#`` lines) and its metadata."""

    doc_id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(self.metadata.get("title") or self.doc_id)


def load_document(path: Path, doc_id: str, data: bytes | None = None) -> LoadedDocument:
    """Load ``path`` (or its already read ``data``) into a document; raise ``LoadError`` when it can't be used."""
    if data is None:
        data = read_bytes(path)
    if not data.strip():
        raise LoadError("the file is empty")
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        meta, text = parse_front_matter(decode_text(data))
    elif suffix in HTML_SUFFIXES:
        meta, text = _read_html(data)
    elif suffix == ".pdf":
        meta, text = {}, _read_pdf(data)
    elif suffix == ".docx":
        meta, text = _read_docx(data)
    else:
        raise LoadError(f"unsupported file type {suffix or '(none)'}")
    if not text.strip():
        raise LoadError("no text could be extracted")
    meta = normalise_metadata(meta)
    if not meta.get("title"):
        heading = _FIRST_HEADING.search(text)
        meta["title"] = heading.group(1).strip() if heading else _title_from_name(path)
    return LoadedDocument(doc_id=doc_id, text=text, metadata=meta)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except PermissionError as exc:
        raise LoadError("cannot read the file: permission denied") from exc
    except OSError as exc:
        raise LoadError(f"cannot read the file: {exc.strerror or exc}") from exc


def decode_text(data: bytes) -> str:
    """Decode UTF-8 text strictly; binary content and other encodings are refused with the reason."""
    if b"\x00" in data[:8192]:
        raise LoadError("binary content (NUL bytes) in a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save the file as UTF-8"
        ) from exc


def parse_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter from the body. A malformed block is an error, not silently body text."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise LoadError(f"invalid YAML front matter: {str(exc).splitlines()[0]}") from exc
    if not isinstance(meta, dict):
        raise LoadError("front matter is not a mapping of keys to values")
    return meta, text[match.end() :]


def normalise_metadata(meta: dict[str, Any]) -> dict[str, Any]:
    """Make front matter values storable: dates as ISO strings, ``source_urls`` lists, stripped strings."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip()
        out[str(key)] = value
    urls = out.get("source_urls")
    if isinstance(urls, str):
        urls = [u.strip() for u in re.split(r"[\s;,]+", urls) if u.strip()]
    if isinstance(urls, list):
        out["source_urls"] = [str(u) for u in urls]
        out.setdefault("source_url", out["source_urls"][0] if out["source_urls"] else None)
    if "year" in out:
        try:
            out["year"] = int(out["year"])
        except (TypeError, ValueError):
            out.pop("year")
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def _title_from_name(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip().capitalize() or path.name


def _read_html(data: bytes) -> tuple[dict[str, Any], str]:
    """Main text of a web page (menus, footers and scripts dropped) as Markdown, with its title and URL."""
    if b"\x00" in data[:8192]:
        raise LoadError("binary content (NUL bytes) in an HTML file")
    import trafilatura

    text = trafilatura.extract(
        data, output_format="markdown", include_comments=False, include_tables=True, favor_recall=True
    )
    if not text:
        raise LoadError("no main text found in the HTML page")
    meta: dict[str, Any] = {}
    info = trafilatura.extract_metadata(data)
    if info is not None:
        if info.title:
            meta["title"] = info.title
        if info.url:
            meta["source_url"] = info.url
    return meta, text


def _read_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise LoadError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise LoadError(f"corrupt PDF: {exc}") from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise LoadError("the PDF has no extractable text (a scanned image?)")
    return text


def _read_docx(data: bytes) -> tuple[dict[str, Any], str]:
    """Paragraphs of a Word file, its heading styles turned into Markdown headings."""
    import zipfile

    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(f"corrupt DOCX: {exc}") from exc
    lines: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        level = _heading_level(style)
        lines.append(f"{'#' * level} {text}" if level else text)
    meta: dict[str, Any] = {}
    if document.core_properties.title:
        meta["title"] = document.core_properties.title
    return meta, "\n\n".join(lines)


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    match = re.match(r"Heading (\d)", style)
    return min(int(match.group(1)), 6) if match else 0
