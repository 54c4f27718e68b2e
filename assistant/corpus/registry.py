"""The source registry, ``corpus/sources.yaml``: every public page the corpus cites, once, under a short id.

Documents cite a page per sentence with a marker ``[^id]`` (``markers.py``); the registry says where the page is
(``url``, canonical: ``links.canonical_url``), who publishes it, what kind of source it is and how far its facts
can be trusted. A page's kind decides which sentence leads an answer (``answer/citations.py``)::

    sources:
      - id: cerv-regulation
        url: https://eur-lex.europa.eu/eli/reg/2021/692
        kind: official          # official | contact-point | association | secondary
        publisher: EUR-Lex
        title: Regulation (EU) 2021/692 establishing the CERV programme
        confidence: high        # high | medium | low (from the facts file)
        note: optional words on the page for maintainers
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.corpus.kinds import Confidence, Kind
from assistant.corpus.problems import Problem
from assistant.ingest.loaders import NoAliasLoader
from assistant.links import canonical_url, safe_url

REGISTRY_FILE = "sources.yaml"
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_LINE = "__line__"


class SourceEntry(BaseModel):
    """One public page the corpus cites."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN, max_length=80, description="Short stable slug; documents cite [^id].")
    url: str = Field(description="The page's canonical http(s) address.")
    kind: Kind
    publisher: str = Field(min_length=1, max_length=200)
    title: str = Field(min_length=1, max_length=300)
    confidence: Confidence
    note: str | None = None

    @field_validator("url")
    @classmethod
    def _canonical(cls, url: str) -> str:
        if safe_url(url) != url:
            raise ValueError("not an absolute http(s) URL")
        if canonical_url(url) != url:
            raise ValueError(
                f"not canonical (tracking or display parameters, fragment, capitals in the host): "
                f"write {canonical_url(url)}"
            )
        return url

    @property
    def label(self) -> str:
        """How answers name the page: publisher and title."""
        return f"{self.publisher}: {self.title}"

    def stored(self) -> dict[str, str]:
        """What a chunk keeps of the source (the index answers without the registry)."""
        return {"url": self.url, "title": self.label, "kind": self.kind, "confidence": self.confidence}


@dataclass
class Registry:
    """The registry's valid entries by id, and the line each starts on."""

    entries: dict[str, SourceEntry] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    path: str = REGISTRY_FILE

    def __contains__(self, source_id: object) -> bool:
        return source_id in self.entries

    def digest(self, ids: list[str]) -> bytes:
        """A fingerprint of the entries ``ids`` name (an unknown id too): a document citing them is re-ingested when
        it changes."""
        data = {i: self.entries[i].model_dump() if i in self.entries else None for i in sorted(set(ids))}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).digest()


class _LineLoader(NoAliasLoader):
    """Keeps the line each mapping starts on, so that a problem names it."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:  # noqa: ANN401, FBT001, FBT002
        mapping = super().construct_mapping(node, deep=deep)
        mapping[_LINE] = node.start_mark.line + 1
        return mapping


def load_registry(path: Path, shown: str | None = None) -> tuple[Registry, list[Problem]]:
    """The registry at ``path`` (named ``shown`` in problems) and what is wrong with it. A broken entry is left out
    and reported; a missing file is an empty registry."""
    shown = shown or str(path)
    registry = Registry(path=shown)
    if not path.exists():
        return registry, []
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except (OSError, UnicodeDecodeError) as exc:
        return registry, [Problem(shown, 0, f"cannot read the source registry: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return registry, [Problem(shown, mark.line + 1 if mark else 0, f"invalid YAML: {str(exc).splitlines()[0]}")]
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        return registry, [Problem(shown, 1, "the registry must be a mapping with a list under 'sources:'")]
    problems: list[Problem] = []
    by_url: dict[str, str] = {}
    for number, item in enumerate(data["sources"], 1):
        line = item.pop(_LINE, 0) if isinstance(item, dict) else 0
        name = f"source {item.get('id')!r}" if isinstance(item, dict) and item.get("id") else f"source #{number}"
        try:
            entry = SourceEntry.model_validate(item)
        except ValidationError as exc:
            problems += [Problem(shown, line, f"{name}: {_describe(error)}") for error in exc.errors()]
            continue
        if entry.id in registry.entries:
            problems.append(Problem(shown, line, f"{name}: id already used on line {registry.lines[entry.id]}"))
            continue
        if entry.url in by_url:
            other = by_url[entry.url]
            problems.append(
                Problem(shown, line, f"{name}: same page as source {other!r} (line {registry.lines[other]})")
            )
            continue
        registry.entries[entry.id] = entry
        registry.lines[entry.id] = line
        by_url[entry.url] = entry.id
    return registry, problems


def _describe(error: Any) -> str:  # noqa: ANN401 - pydantic's ErrorDetails
    where = ".".join(str(part) for part in error.get("loc", ())) or "entry"
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}"
