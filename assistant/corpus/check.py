"""``assistant check-corpus``: the whole corpus validated, every problem named by file and line.

A check is a function of the loaded ``Corpus`` that yields ``Problem``s; ``CHECKS`` lists them in the order they
run. Typed call facts and programme facts are validated here and at ingestion; tests/calls checks that their values
are the ones the documents' text states.
Markdown documents are checked; other formats (HTML, PDF, DOCX, text) carry no markers and are ingested as they
are.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from assistant.calls.models import PROGRAMME_BLOCKS, CallFacts
from assistant.calls.registry import validate_programme_blocks
from assistant.corpus.alignment import translation_problems
from assistant.corpus.markers import MARKER, attach, parse_markers
from assistant.corpus.problems import Problem
from assistant.corpus.registry import ID_PATTERN, REGISTRY_FILE, Registry, load_registry
from assistant.corpus.translations import load_plan
from assistant.ingest.loaders import LoadedDocument, LoadError, load_document
from assistant.ingest.splitting import SKIPPED_SECTIONS, sections

# The front matter contract (docs/corpus.md): required keys, and the values some keys may take.
REQUIRED_KEYS = ("title", "publisher", "programme", "topic", "language")
OPTIONAL_KEYS = ("year", "call_id", "deadline", "call", *PROGRAMME_BLOCKS)
PROGRAMMES = ("CERV", "Europe for Citizens", "REC", "CEMR", "History")
TOPICS = (
    "programme",
    "strands",
    "town-twinning",
    "networks-of-towns",
    "remembrance",
    "cemr",
    "history",
    "faq",
    "how-to-apply",
)
LANGUAGES = ("en", "fr", "it", "hu", "ro", "de", "es")
CALL_ID = re.compile(r"CERV-(\d{4})-CITIZENS-[A-Z-]+")
# Keys that documents used to have, and what replaces them.
REPLACED_KEYS = {
    "source_urls": "name each sentence's source with a [^id] marker and the page in corpus/sources.yaml",
    "source_url": "name each sentence's source with a [^id] marker and the page in corpus/sources.yaml",
}
_ID = re.compile(ID_PATTERN)
_HEADING = re.compile(r"^#{1,6}\s")
_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)?\s*")


@dataclass
class Document:
    """A corpus Markdown file: its name as shown, its lines, and what the loader made of it (None: it failed)."""

    shown: str
    lines: list[str]
    loaded: LoadedDocument | None
    error: str | None = None


@dataclass
class Corpus:
    """What the checks look at: the registry and the Markdown documents."""

    root: Path
    registry: Registry
    documents: list[Document] = field(default_factory=list)
    registry_problems: list[Problem] = field(default_factory=list)

    @property
    def translation_count(self) -> int:
        """Documents that translate another (``translation_of``)."""
        return sum("translation_of" in _raw_front_matter(doc) for doc in self.documents)


Check = Callable[[Corpus], Iterable[Problem]]


def load_corpus(root: Path) -> Corpus:
    """The registry and every Markdown document under ``root`` (hidden files left out, as ingestion does)."""
    shown_root = root.name or str(root)
    registry, problems = load_registry(root / REGISTRY_FILE, f"{shown_root}/{REGISTRY_FILE}")
    corpus = Corpus(root, registry, registry_problems=problems)
    for path in sorted(root.rglob("*.md")):
        relative = path.relative_to(root)
        if any(part.startswith((".", "~$")) for part in relative.parts):
            continue
        shown = f"{shown_root}/{relative.as_posix()}"
        try:
            data = path.read_bytes()
        except OSError as exc:
            corpus.documents.append(Document(shown, [], None, f"cannot read the file: {exc.strerror or exc}"))
            continue
        try:
            loaded, error = load_document(path, relative.as_posix(), data), None
        except LoadError as exc:
            loaded, error = None, str(exc)
        corpus.documents.append(Document(shown, data.decode("utf-8", "replace").splitlines(), loaded, error))
    return corpus


def registry_problems(corpus: Corpus) -> Iterator[Problem]:
    """The registry's own problems: YAML, fields, canonical and unique urls, unique ids."""
    yield from corpus.registry_problems


def front_matter(corpus: Corpus) -> Iterator[Problem]:
    """Each document loads, and its front matter follows the contract."""
    for doc in corpus.documents:
        if doc.loaded is None:
            yield Problem(doc.shown, _front_matter_line(doc, doc.error or ""), doc.error or "cannot be loaded")
            continue
        meta = _raw_front_matter(doc)
        if "translation_of" in meta:
            continue  # a translation's front matter is checked with its alignment (``translations``)
        for key in REQUIRED_KEYS:
            if not meta.get(key):
                yield Problem(doc.shown, 1, f"front matter lacks {key}")
        for key, value in meta.items():
            line = _key_line(doc, key)
            if key in REPLACED_KEYS:
                yield Problem(doc.shown, line, f"{key} is no longer used: {REPLACED_KEYS[key]}")
            elif key not in REQUIRED_KEYS + OPTIONAL_KEYS:
                yield Problem(doc.shown, line, f"unknown front matter key {key!r}")
            elif problem := _value_problem(key, value, meta):
                yield Problem(doc.shown, line, problem)


def citations(corpus: Corpus) -> Iterator[Problem]:
    """Every sentence and list item ends with a marker, every marker names a registry entry, headings carry none,
    and no "Sources" section is left."""
    for doc in corpus.documents:
        if doc.loaded is None:
            continue
        first = doc.loaded.first_line
        body = doc.lines[first - 1 :]
        for number, line in enumerate(body, first):
            if _HEADING.match(line):
                if MARKER.search(line):
                    yield Problem(doc.shown, number, "a heading carries a source marker: markers follow sentences")
                if line.lstrip("#").strip().lower().rstrip(":") in SKIPPED_SECTIONS:
                    yield Problem(doc.shown, number, "a Sources section is no longer used: markers name the sources")
                continue
            markers = list(MARKER.finditer(line))
            for match in markers:
                name = match.group(1)
                if not _ID.fullmatch(name):
                    yield Problem(doc.shown, number, f"[^{name}] is not a source id (lower case, digits, dashes)")
                elif name not in corpus.registry:
                    yield Problem(doc.shown, number, f"[^{name}] names no source of {corpus.registry.path}")
            if markers and not _ITEM.sub("", MARKER.sub("", line[: markers[0].start()])):
                yield Problem(doc.shown, number, "a source marker follows no sentence")
        yield from _unmarked_sentences(doc, body, first)


def unused_sources(corpus: Corpus) -> Iterator[Problem]:
    """Every registry entry is cited by some document."""
    cited = {m.group(1) for doc in corpus.documents for line in doc.lines for m in MARKER.finditer(line)}
    for name, line in corpus.registry.lines.items():
        if name not in cited:
            yield Problem(corpus.registry.path, line, f"source {name!r} is cited by no document")


def call_facts(corpus: Corpus) -> Iterator[Problem]:
    """A call's typed facts (``call:``, assistant/calls/models.py) validate, name registry sources, and agree with
    the document's own call_id and year."""
    for doc in corpus.documents:
        meta = _raw_front_matter(doc)
        if "call" not in meta:
            continue
        line = _key_line(doc, "call")
        try:
            facts = CallFacts.model_validate(meta["call"])
        except ValidationError as exc:
            for error in exc.errors():
                yield Problem(doc.shown, line, f"call.{'.'.join(map(str, error['loc']))}: {error['msg']}")
            continue
        for attribute, values in facts.attributes().items():
            for value in values:
                if value.source not in corpus.registry:
                    yield Problem(doc.shown, line, f"call.{attribute}: source {value.source!r} is not in the registry")
        for key in ("call_id", "year"):
            if key in meta and meta[key] != getattr(facts, key):
                yield Problem(doc.shown, line, f"call.{key} {getattr(facts, key)} is not the document's {meta[key]}")


def programme_facts(corpus: Corpus) -> Iterator[Problem]:
    """Programme facts (``countries:``, ``contact_points:``, ``grants:``, assistant/calls/models.py) validate and
    name registry sources; each problem names the line of the value it is about."""
    for doc in corpus.documents:
        meta = _raw_front_matter(doc)
        blocks = {key: meta[key] for key in PROGRAMME_BLOCKS if key in meta}
        if not blocks:
            continue
        _, errors = validate_programme_blocks(blocks)
        for where, message in errors:
            yield Problem(doc.shown, _value_line(doc, where), f"{where}: {message}")
        for where, source in _named_sources(blocks):
            if source not in corpus.registry:
                yield Problem(doc.shown, _value_line(doc, where), f"{where}: source {source!r} is not in the registry")


def _named_sources(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, source id) of every record in ``value`` (front matter as written) that names a ``source``."""
    if isinstance(value, dict):
        if isinstance(value.get("source"), str):
            yield f"{path}.source".lstrip("."), value["source"]
        items: Iterable[tuple[object, object]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        if key != "source":
            yield from _named_sources(item, f"{path}.{key}".lstrip("."))


def translations(corpus: Corpus) -> Iterator[Problem]:
    """Every planned translation exists and follows its original sentence by sentence, not stale, with the same
    numbers, dates, ids and names (``assistant/corpus/alignment.py``)."""
    plan = load_plan(corpus.root)
    if plan is None:
        return
    shown_root = corpus.root.name or str(corpus.root)
    documents = {
        doc.shown.removeprefix(f"{shown_root}/"): (_raw_front_matter(doc), doc.loaded.text, doc.lines)
        for doc in corpus.documents
        if doc.loaded is not None
    }
    yield from translation_problems(documents, plan, shown_root)


CHECKS: tuple[Check, ...] = (
    registry_problems,
    front_matter,
    citations,
    unused_sources,
    call_facts,
    programme_facts,
    translations,
)


def check_corpus(root: Path, checks: Iterable[Check] = CHECKS) -> tuple[Corpus, list[Problem]]:
    """The corpus under ``root`` and every problem the checks find, by file and line (each once)."""
    corpus = load_corpus(root)
    return corpus, sorted(dict.fromkeys(problem for check in checks for problem in check(corpus)))


def _unmarked_sentences(doc: Document, body: list[str], first: int) -> Iterator[Problem]:
    """Sentences (as ``split_sentences`` numbers them for ingestion) that do not end with a marker."""
    assert doc.loaded is not None
    masked = "\n".join("" if _HEADING.match(line) else line for line in body)
    cursor = 0
    for path, raw in sections(doc.loaded.text, doc.loaded.title):
        if path and path[-1].strip().lower().rstrip(":") in SKIPPED_SECTIONS:
            continue
        cited = parse_markers(raw)
        spans, _, _ = attach(cited)
        marks = [offset for offset, _ in cited.marks]
        for start, end in spans:
            words = cited.text[start:end].split()
            gap = r"(?:\s|\[\^[^\]\s]*\])+"
            found = re.compile(gap.join(re.escape(w) for w in words)).search(masked, cursor) if words else None
            line = first + masked.count("\n", 0, found.start()) if found else first
            cursor = found.end() if found else cursor
            if not any(start < offset <= end for offset in marks):
                yield Problem(doc.shown, line, "sentence has no source marker")
            elif end not in marks:
                yield Problem(doc.shown, line, "sentence does not end with its source marker")


def _raw_front_matter(doc: Document) -> dict[str, Any]:
    """The front matter as written (the loader's copy has dates turned into text)."""
    if not doc.lines or doc.lines[0].strip() != "---":
        return {}
    end = next((i for i, line in enumerate(doc.lines[1:], 1) if line.strip() == "---"), 0)
    try:
        data = yaml.safe_load("\n".join(doc.lines[1:end]))
    except (yaml.YAMLError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _value_line(doc: Document, where: str) -> int:
    """The file line of the front matter value at ``where`` (``countries.3.since``), else of the nearest value
    that holds it."""
    end = next((i for i, line in enumerate(doc.lines[1:], 1) if line.strip() == "---"), 0)
    try:
        node = yaml.compose("\n".join(doc.lines[1:end]), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError):
        node = None
    if node is None:
        return _key_line(doc, where.split(".")[0])
    line = node.start_mark.line
    for part in where.split("."):
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == part), None)
            if found is None:
                break
            line, node = found[0].start_mark.line, found[1]
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            node = node.value[int(part)]
            line = node.start_mark.line
        else:
            break
    return line + 2  # the front matter starts on the file's second line


def _key_line(doc: Document, key: str) -> int:
    return next((i for i, line in enumerate(doc.lines, 1) if line.startswith(f"{key}:")), 1)


def _front_matter_line(doc: Document, error: str) -> int:
    """The line a loader error is about: a front matter key it names, else the front matter's start."""
    for key in ("deadline", *REQUIRED_KEYS, *OPTIONAL_KEYS):
        if key in error:
            return _key_line(doc, key)
    match = re.search(r"line (\d+)", error)
    return int(match.group(1)) if match else 1


def _value_problem(key: str, value: object, meta: dict[str, Any]) -> str | None:
    """Why a front matter value breaks the contract, or None."""
    if key == "programme" and value not in PROGRAMMES:
        return f"programme must be one of {', '.join(PROGRAMMES)}"
    if key == "topic" and value not in TOPICS:
        return f"topic must be one of {', '.join(TOPICS)}"
    if key == "language" and value not in LANGUAGES:
        return f"language must be one of {', '.join(LANGUAGES)}"
    if key == "year" and not (isinstance(value, int) and 1950 <= value <= 2100):
        return "year must be a year such as 2026"
    if key == "call_id":
        match = CALL_ID.fullmatch(str(value))
        if not match:
            return "call_id must look like CERV-2026-CITIZENS-TOWN-TT"
        if str(meta.get("year")) != match.group(1):
            return f"call_id {value} is not of the document's year {meta.get('year')}"
    if (
        key == "deadline"
        and isinstance(value, dt.datetime)
        and value.utcoffset()
        not in (
            dt.timedelta(hours=1),
            dt.timedelta(hours=2),
        )
    ):
        return "a deadline with a time needs the Brussels offset (+01:00 in winter, +02:00 in summer)"
    return None
