"""Split a document along its headings, then by size in model tokens, into chunks that know their context.

Each chunk's text starts with a header line, ``Title › Section › Subsection``, so that a chunk about
"Deadline" is embedded (and matched lexically) together with the call it belongs to. ``header_chars`` in the
metadata tells where the body starts, for answer composition.

A document whose sentences cite their sources (``[^id]`` markers, ``corpus/markers.py``) loses the markers here;
its chunks keep them as metadata: ``sentence_sources``, a JSON list whose i-th entry lists the source ids of the
i-th sentence of ``split_sentences(chunk.body)``, and ``sources``, a JSON object of those ids' registry entries
(url, title, kind, confidence), so the index answers without the registry. ``source_url`` is then the document's
lead source: the one that gives its deadline, else the one it cites most, official first.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from assistant.calls.registry import CALL_FACTS, PROGRAMME_FACTS
from assistant.corpus.kinds import rank
from assistant.corpus.markers import MARKER, attach, parse_markers, piece_sentence_ids, strip_markers
from assistant.corpus.registry import Registry
from assistant.dates import format_date, parse_deadline
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
    registry: Registry | None = None,
) -> list[Chunk]:
    """Chunks of ``doc``: sections by heading, each cut to at most ``chunk_size`` tokens with its header line.

    ``max_tokens`` is the model's input limit (special tokens included); no chunk is longer, so none is
    silently truncated by the encoder. A document that would give more than ``max_chunks`` chunks raises
    ``LoadError`` as soon as it passes the limit, as does a marker naming no entry of ``registry``.
    """
    title = doc.title
    base = _chunk_metadata(doc)
    cites = registry_of(doc, registry) if MARKER.search(doc.text) else None
    chunks: list[Chunk] = []
    cited_sentences: list[tuple[str, tuple[str, ...]]] = []
    for section_path, raw_body in sections(doc.text, title):
        section_path = [strip_markers(heading).strip() for heading in section_path]
        if section_path and section_path[-1].strip().lower().rstrip(":") in SKIPPED_SECTIONS:
            continue
        cited = parse_markers(raw_body)
        body = cited.text
        header = SEPARATOR.join([title, *section_path])
        header_tokens = count_tokens([header])[0] + 1
        budget = max(min(chunk_size, max_tokens - 2) - header_tokens, _MIN_BODY_TOKENS)
        pieces = _split_by_size(body, budget, min(chunk_overlap, budget // 4), count_tokens)
        piece_ids = piece_sentence_ids(cited, pieces) if cites is not None else [None] * len(pieces)
        if cites is not None:
            spans, ids, _ = attach(cited)
            cited_sentences += [(body[start:end], names) for (start, end), names in zip(spans, ids, strict=True)]
        for piece, sentence_ids in zip(pieces, piece_ids, strict=True):
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
            if sentence_ids is not None:
                meta["sentence_sources"] = json.dumps([list(names) for names in sentence_ids])
                used = dict.fromkeys(name for names in sentence_ids for name in names)
                meta["sources"] = json.dumps({name: cites.entries[name].stored() for name in used})
            chunks.append(Chunk(id=chunk_id(doc.doc_id, index, text), text=text, metadata=meta))
    lead = _lead_source(doc, cited_sentences, cites) if cites is not None and "source_url" not in base else None
    for chunk in chunks if lead else ():
        chunk.metadata["source_url"] = lead
    for key in (CALL_FACTS, PROGRAMME_FACTS) if chunks else ():
        if doc.metadata.get(key):
            chunks[0].metadata[key] = doc.metadata[key]  # the call registry reads them from there
    return chunks


def registry_of(doc: LoadedDocument, registry: Registry | None) -> Registry:
    """``registry`` (empty when None), once every marker of ``doc`` is known to name one of its entries; else
    ``LoadError`` naming the file's line of the first unknown marker."""
    registry = registry or Registry()
    for match in MARKER.finditer(doc.text):
        if match.group(1) not in registry:
            line = doc.first_line + doc.text.count("\n", 0, match.start())
            raise LoadError(f"line {line}: [^{match.group(1)}] names no source of {registry.path}")
    return registry


def _lead_source(doc: LoadedDocument, sentences: list[tuple[str, tuple[str, ...]]], registry: Registry) -> str | None:
    """The url of a cited document's lead source: the one giving its deadline, else the one it cites most
    (official first)."""
    deadline = parse_deadline(doc.metadata.get("deadline"))
    if deadline is not None:
        date = format_date(deadline)
        stating = next((names for text, names in sentences if date in " ".join(text.split()) and names), ())
        if stating:
            return min((registry.entries[n] for n in stating), key=lambda e: rank(e.kind, e.confidence)).url
    cited = [name for _, names in sentences for name in names]
    counts = Counter(cited)
    best = min(counts, key=lambda n: (rank(registry.entries[n].kind)[0], -counts[n], cited.index(n)), default=None)
    return registry.entries[best].url if best else None


def _chunk_metadata(doc: LoadedDocument) -> dict[str, Any]:
    meta: dict[str, Any] = {"doc_id": doc.doc_id, "title": doc.title}
    for key in METADATA_KEYS:
        value = doc.metadata.get(key)
        if isinstance(value, str | int | float | bool) and key not in meta:
            meta[key] = value
    return meta


def sections(text: str, title: str) -> list[tuple[list[str], str]]:
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
