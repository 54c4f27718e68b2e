"""Split a document along its headings, then by size in model tokens, into chunks that know their context.

Each chunk's text starts with a header line, ``Title › Section › Subsection``, so that a chunk about
"Deadline" is embedded (and matched lexically) together with the call it belongs to. ``header_chars`` in the
metadata tells where the body starts, for answer composition.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from assistant.ingest.loaders import METADATA_KEYS, LoadedDocument, LoadError

SEPARATOR = " › "
# Reference lists repeat the URLs already kept as metadata; as chunks they only add noise to retrieval.
SKIPPED_SECTIONS = {"sources", "references", "source"}
_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]
_MIN_BODY_TOKENS = 32

TokenCounter = Callable[[list[str]], list[int]]


@dataclass(frozen=True)
class Chunk:
    """One piece of a document as stored in the index."""

    id: str
    text: str
    metadata: dict[str, Any]

    @property
    def body(self) -> str:
        return self.text[self.metadata.get("header_chars", 0) :]

    @property
    def header(self) -> str:
        """The title and heading path written before the body ("Title › Section")."""
        return self.text[: max(self.metadata.get("header_chars", 0) - 1, 0)]


def chunk_id(doc_id: str, index: int, text: str) -> str:
    """Stable id: the same document content always gives the same ids."""
    return hashlib.sha1(f"{doc_id}\x1f{index}\x1f{text}".encode()).hexdigest()


def split_document(
    doc: LoadedDocument,
    count_tokens: TokenCounter,
    *,
    chunk_size: int = 200,
    chunk_overlap: int = 30,
    max_tokens: int = 256,
    max_chunks: int | None = None,
) -> list[Chunk]:
    """Chunks of ``doc``: sections by heading, each cut to at most ``chunk_size`` tokens with its header line.

    ``max_tokens`` is the model's input limit (special tokens included); no chunk is longer, so none is
    silently truncated by the encoder. A document that would give more than ``max_chunks`` chunks raises
    ``LoadError`` as soon as it passes the limit.
    """
    title = doc.title
    base = _chunk_metadata(doc)
    chunks: list[Chunk] = []
    for section_path, body in _sections(doc.text, title):
        if section_path and section_path[-1].strip().lower().rstrip(":") in SKIPPED_SECTIONS:
            continue
        header = SEPARATOR.join([title, *section_path])
        header_tokens = count_tokens([header])[0] + 1
        budget = max(min(chunk_size, max_tokens - 2) - header_tokens, _MIN_BODY_TOKENS)
        for piece in _split_by_size(body, budget, min(chunk_overlap, budget // 4), count_tokens):
            text = f"{header}\n{piece}"
            index = len(chunks)
            if max_chunks is not None and index >= max_chunks:
                raise LoadError(f"more than {max_chunks:,} chunks (ASSISTANT_INGEST_MAX_CHUNKS)")
            meta = {
                **base,
                "section": SEPARATOR.join(section_path),
                "chunk_index": index,
                "header_chars": len(header) + 1,
            }
            chunks.append(Chunk(id=chunk_id(doc.doc_id, index, text), text=text, metadata=meta))
    return chunks


def _chunk_metadata(doc: LoadedDocument) -> dict[str, Any]:
    meta: dict[str, Any] = {"doc_id": doc.doc_id, "title": doc.title}
    for key in METADATA_KEYS:
        value = doc.metadata.get(key)
        if isinstance(value, str | int | float | bool) and key not in meta:
            meta[key] = value
    urls = doc.metadata.get("source_urls")
    if isinstance(urls, list) and urls:
        meta["source_urls"] = " ".join(urls)
    return meta


def _sections(text: str, title: str) -> list[tuple[list[str], str]]:
    """(heading path, body) for every section with text; a top heading equal to the title is dropped."""
    splitter = MarkdownHeaderTextSplitter(headers_to_split_on=_HEADERS, strip_headers=True)
    out: list[tuple[list[str], str]] = []
    for part in splitter.split_text(text):
        body = part.page_content.strip()
        if not body:
            continue
        path = [part.metadata[key].strip() for _, key in _HEADERS if part.metadata.get(key)]
        if path and _same(path[0], title):
            path = path[1:]
        out.append((path, body))
    return out


def _same(a: str, b: str) -> bool:
    norm = lambda s: re.sub(r"\W+", " ", s).strip().lower()  # noqa: E731
    return norm(a) == norm(b)


def _split_by_size(body: str, budget: int, overlap: int, count_tokens: TokenCounter) -> list[str]:
    if count_tokens([body])[0] <= budget:
        return [body]
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=budget,
        chunk_overlap=overlap,
        length_function=lambda s: count_tokens([s])[0],
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
        keep_separator="end",
        strip_whitespace=True,
    )
    return [p for p in splitter.split_text(body) if p.strip()]
