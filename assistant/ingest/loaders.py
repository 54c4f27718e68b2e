"""Read one corpus file into a ``LoadedDocument``: Markdown (YAML front matter), text, HTML, PDF and DOCX.

Readers raise ``LoadError`` with a reason a person can act on; whatever else a parser raises on a hostile file
becomes one too (``parse_rich``), and the pipeline skips any file that fails, with a warning naming it.
``LoadLimits`` bound what one file may cost (bytes read or unpacked, characters, front matter); the pipeline
runs the PDF, DOCX and HTML parsers in a child process with a time limit (``worker.py``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from assistant.calls.models import PROGRAMME_BLOCKS
from assistant.calls.registry import CALL_FACTS, PROGRAMME_FACTS, call_facts_json, programme_facts_json
from assistant.corpus.markers import strip_markers
from assistant.dates import deadline_problem
from assistant.links import canonical_url, safe_urls

if TYPE_CHECKING:
    from assistant.config import Settings

TEXT_SUFFIXES = {".md", ".markdown", ".txt"}
HTML_SUFFIXES = {".html", ".htm"}
RICH_SUFFIXES = HTML_SUFFIXES | {".pdf", ".docx"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | RICH_SUFFIXES
# What a front matter value may be: text, a number, a boolean, a date, or a flat list of those.
_SCALARS = (str, int, float, bool, dt.date)
# Front matter keys holding nested data, each validated by a model of its own: a call's typed facts, and the
# programme facts (countries, contact_points, grants: assistant/calls/models.py).
NESTED_KEYS = ("call", *PROGRAMME_BLOCKS)

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
    "translation_of",
)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FIRST_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


class LoadError(Exception):
    """A file that cannot be ingested; the message says why."""


@dataclass(frozen=True)
class LoadLimits:
    """What one file may cost; None is unbounded. The pipeline takes them from the settings."""

    max_bytes: int | None = None  # bytes read from disk, and bytes a DOCX unpacks to
    max_chars: int | None = None  # characters of extracted text
    max_front_matter_chars: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LoadLimits:
        return cls(settings.ingest_max_file_bytes, settings.ingest_max_chars, settings.ingest_max_front_matter_chars)


# Reads a PDF, DOCX or HTML file's bytes (its suffix says which) into (metadata, text).
Parser = Callable[[str, bytes], tuple[dict[str, Any], str]]


@dataclass
class LoadedDocument:
    """A document's text (Markdown-ish, headings as ``#`` lines, citation markers ``[^id]`` kept: the splitter
    takes each sentence's sources from them) and its metadata. ``first_line`` is the file line ``text`` starts on
    (after the front matter)."""

    doc_id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    first_line: int = 1

    @property
    def title(self) -> str:
        return str(self.metadata.get("title") or self.doc_id)

    @property
    def plain_text(self) -> str:
        """The text as readers and the index see it: citation markers removed."""
        return strip_markers(self.text)


def load_document(
    path: Path,
    doc_id: str,
    data: bytes | None = None,
    limits: LoadLimits | None = None,
    parse: Parser | None = None,
) -> LoadedDocument:
    """Load ``path`` (or its already read ``data``) into a document; raise ``LoadError`` when it can't be used.

    ``parse`` reads PDF, DOCX and HTML (default: ``parse_rich``, in this process).
    """
    limits = limits or LoadLimits()
    if data is None:
        data = read_bytes(path, limits.max_bytes)
    if not data.strip():
        raise LoadError("the file is empty")
    suffix = path.suffix.lower()
    first_line = 1
    if suffix in TEXT_SUFFIXES:
        whole = decode_text(data)
        meta, text = parse_front_matter(whole, limits.max_front_matter_chars)
        first_line = whole[: len(whole) - len(text)].count("\n") + 1
    elif suffix in RICH_SUFFIXES:
        if suffix == ".docx":
            check_unpacked_size(data, limits.max_bytes)
        meta, text = (parse or parse_rich)(suffix, data)
    else:
        raise LoadError(f"unsupported file type {suffix or '(none)'}")
    if not text.strip():
        raise LoadError("no text could be extracted")
    if limits.max_chars is not None and len(text) > limits.max_chars:
        raise LoadError(
            f"{len(text):,} characters of text, more than {limits.max_chars:,} (ASSISTANT_INGEST_MAX_CHARS)"
        )
    meta = normalise_metadata(meta, path)
    if "translation_of" in meta:
        meta = _with_original(meta, path, doc_id, limits)
    # A call's typed facts (assistant/calls): an invalid record is reported with its fields and left out; the
    # document itself is ingested.
    if "call" in meta and (facts := call_facts_json(meta.pop("call"), path)):
        meta[CALL_FACTS] = facts
    # Programme facts, the same way: each invalid record is reported with its fields and left out, the rest kept.
    blocks = {key: meta.pop(key) for key in PROGRAMME_BLOCKS if key in meta}
    if blocks and (programme := programme_facts_json(blocks, path)):
        meta[PROGRAMME_FACTS] = programme
    if "deadline" in meta and (problem := deadline_problem(meta["deadline"])):
        raise LoadError(f"invalid deadline in front matter: {problem}")
    if not meta.get("title"):
        heading = _FIRST_HEADING.search(text)
        meta["title"] = heading.group(1).strip() if heading else _title_from_name(path)
    return LoadedDocument(doc_id=doc_id, text=text, metadata=meta, first_line=first_line)


def _with_original(meta: dict[str, Any], path: Path, doc_id: str, limits: LoadLimits) -> dict[str, Any]:
    """A translation's metadata: its own title and language, every other key (year, call_id, deadline, topic,
    programme, publisher) its original's (``assistant/corpus/translations.py``)."""
    root = path.parents[len(Path(doc_id).parts) - 1]
    original = root / str(meta["translation_of"])
    try:
        theirs, _ = parse_front_matter(
            decode_text(read_bytes(original, limits.max_bytes)), limits.max_front_matter_chars
        )
    except (OSError, LoadError) as exc:
        raise LoadError(f"its original {meta['translation_of']} cannot be read: {exc}") from exc
    inherited = {
        k: v for k, v in normalise_metadata(theirs, original).items() if k not in ("title", "language", *NESTED_KEYS)
    }
    own = {k: v for k, v in meta.items() if k != "aligned"}
    return {**inherited, **own}


def read_bytes(path: Path, max_bytes: int | None = None) -> bytes:
    """The file's bytes; a file larger than ``max_bytes`` is refused before it is read."""
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if max_bytes is None:
                return handle.read()
            data = handle.read(max_bytes + 1) if size <= max_bytes else b""
    except PermissionError as exc:
        raise LoadError("cannot read the file: permission denied") from exc
    except OSError as exc:
        raise LoadError(f"cannot read the file: {exc.strerror or exc}") from exc
    if size > max_bytes or len(data) > max_bytes:
        raise LoadError(f"{max(size, len(data)):,} bytes, more than {max_bytes:,} (ASSISTANT_INGEST_MAX_FILE_BYTES)")
    return data


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


class NoAliasLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases: a few hundred bytes of nested ``*alias`` references stand for gigabytes
    once anything walks the value (the "billion laughs"), so an alias is refused as soon as it is read."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401 - PyYAML's untyped API
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{event.anchor}) are not allowed in front matter", event.start_mark
            )
        return super().compose_node(parent, index)


def parse_front_matter(text: str, max_chars: int | None = None) -> tuple[dict[str, Any], str]:
    """Split YAML front matter from the body. A malformed block is an error, not silently body text.

    Values must be text, numbers, booleans, dates or flat lists of them; aliases and blocks longer than
    ``max_chars`` are refused before they are expanded or parsed.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    block = match.group(1)
    if max_chars is not None and len(block) > max_chars:
        raise LoadError(
            f"front matter of {len(block):,} characters, more than {max_chars:,} "
            "(ASSISTANT_INGEST_MAX_FRONT_MATTER_CHARS)"
        )
    try:
        meta = yaml.load(block, Loader=NoAliasLoader) or {}  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise LoadError(f"invalid YAML front matter: {str(exc).splitlines()[0]}") from exc
    except ValueError as exc:  # a date YAML reads but the calendar refuses: 2021-13-45
        raise LoadError(f"invalid YAML front matter: {exc}") from exc
    except RecursionError as exc:
        raise LoadError("invalid YAML front matter: nested too deeply") from exc
    if not isinstance(meta, dict):
        raise LoadError("front matter is not a mapping of keys to values")
    for key, value in meta.items():
        if key in NESTED_KEYS:
            continue  # typed data with a model of its own (``load_document`` validates it)
        if not all(v is None or isinstance(v, _SCALARS) for v in (value if isinstance(value, list) else [value])):
            raise LoadError(
                f"front matter key {str(key)[:40]!r} holds nested data; only text, numbers, dates and lists of "
                "them are allowed"
            )
    return meta, text[match.end() :]


def normalise_metadata(meta: dict[str, Any], source: object = None) -> dict[str, Any]:
    """Make front matter values storable: dates as ISO strings, stripped strings, ``source_url`` canonical
    (``links.canonical_url``); a source URL that is not http(s) is dropped with a warning naming ``source`` (the
    file). Corpus documents name their sources per sentence instead (``[^id]`` markers, ``corpus/sources.yaml``)."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif isinstance(value, str):
            value = value.strip()
        out[str(key)] = value
    if out.get("source_url"):
        out["source_url"] = next((canonical_url(u) for u in safe_urls([out["source_url"]], source)), None)
    if "year" in out:
        try:
            out["year"] = int(out["year"])
        except (TypeError, ValueError):
            out.pop("year")
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def _title_from_name(path: Path) -> str:
    return re.sub(r"[-_]+", " ", path.stem).strip().capitalize() or path.name


def parse_rich(suffix: str, data: bytes) -> tuple[dict[str, Any], str]:
    """Metadata and text of a PDF, DOCX or HTML file; whatever its parser raises becomes a ``LoadError``."""
    readers: dict[str, Callable[[bytes], tuple[dict[str, Any], str]]] = {
        ".pdf": _read_pdf,
        ".docx": _read_docx,
        ".html": _read_html,
        ".htm": _read_html,
    }
    reader = readers.get(suffix)
    if reader is None:
        raise LoadError(f"unsupported file type {suffix or '(none)'}")
    try:
        return reader(data)
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile file can make a parser raise anything
        kind = "HTML" if suffix in HTML_SUFFIXES else suffix.lstrip(".").upper()
        raise LoadError(f"corrupt {kind}: {describe_error(exc)}") from exc


def describe_error(exc: BaseException) -> str:
    """One line about an unexpected exception: its type and the first line of its message."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:300]}" if lines else type(exc).__name__


def check_unpacked_size(data: bytes, max_bytes: int | None) -> None:
    """Refuse a DOCX (a zip) whose parts unpack to more than ``max_bytes``, before any of its XML is parsed.

    The sizes come from the zip's directory; ``zipfile`` never unpacks a part past its recorded size.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise LoadError(f"corrupt DOCX: {exc}") from exc
    if max_bytes is not None and total > max_bytes:
        raise LoadError(
            f"the DOCX unpacks to {total:,} bytes, more than {max_bytes:,} (ASSISTANT_INGEST_MAX_FILE_BYTES)"
        )


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


def _read_pdf(data: bytes) -> tuple[dict[str, Any], str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise LoadError("the PDF is encrypted")
    pages = [page.extract_text() or "" for page in reader.pages]
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise LoadError("the PDF has no extractable text (a scanned image?)")
    return {}, text


def _read_docx(data: bytes) -> tuple[dict[str, Any], str]:
    """Paragraphs of a Word file, its heading styles turned into Markdown headings."""
    import docx

    document = docx.Document(io.BytesIO(data))
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
