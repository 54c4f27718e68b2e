"""Aligned translations of corpus documents (docs/corpus.md, "Translations").

A translation of ``corpus/cerv/calls/tt-2024.md`` into French is ``corpus/fr/cerv/calls/tt-2024.md``: the same
headings and the same sentences in the same order, each translated sentence ending with its original's source
markers. Its front matter names the original and, under ``aligned``, a fingerprint of each English sentence it was
translated from, so a sentence changed in English since shows as a stale translation. Every other front matter key
(programme, year, call_id, deadline, topic, publisher) is the original's: ingestion takes them from it.
``corpus/translations.yaml`` lists the languages and the documents that must be translated.

``assistant translation-template DOC LANG`` writes a new translation's starting point (the original with the
translation's front matter); ``assistant check-corpus`` checks every translation against its original.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml
from pydantic import BaseModel, ConfigDict, Field

from assistant.corpus.markers import parse_markers, sentence_ids
from assistant.ingest.loaders import parse_front_matter
from assistant.ingest.splitting import sections
from assistant.sentences import split_sentences

PLAN_FILE = "translations.yaml"
TRANSLATION_KEYS = ("title", "language", "translation_of", "aligned")


class Plan(BaseModel):
    """What must be translated: ``corpus/translations.yaml``."""

    model_config = ConfigDict(extra="forbid")

    languages: list[str] = Field(min_length=1)
    documents: list[str] = Field(min_length=1, description="Corpus paths of the originals (glob patterns allowed).")
    names: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="Acronyms a language writes its own way (EU: {fr: UE}): the check accepts either form.",
    )

    def originals_in(self, paths: Iterable[str]) -> list[str]:
        """The corpus paths among ``paths`` that the plan names (patterns expanded), in the plan's order."""
        paths = sorted(paths)
        found = [p for pattern in self.documents for p in paths if fnmatch.fnmatchcase(p, pattern)]
        return list(dict.fromkeys(found))


def load_plan(root: Path) -> Plan | None:
    """The plan of ``root`` (None when the corpus has none)."""
    path = root / PLAN_FILE
    if not path.exists():
        return None
    return Plan.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def translation_path(original: str, language: str) -> str:
    """Where the translation of ``original`` (a corpus path) into ``language`` lives."""
    return f"{language}/{original}"


def original_of(path: str, languages: list[str]) -> tuple[str, str] | None:
    """(original path, language) when ``path`` is a translation's place, else None."""
    parts = PurePosixPath(path).parts
    if len(parts) > 1 and parts[0] in languages:
        return PurePosixPath(*parts[1:]).as_posix(), parts[0]
    return None


@dataclass(frozen=True)
class Sentence:
    """A body sentence as ingestion numbers it (markers removed), with the source ids it names."""

    text: str
    ids: tuple[str, ...]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.text)


def fingerprint(sentence: str) -> str:
    """Eight hex digits that change when the sentence's words change (not its spacing)."""
    return hashlib.sha1(" ".join(sentence.split()).encode("utf-8")).hexdigest()[:8]


def body_sentences(text: str, title: str) -> list[Sentence]:
    """The sentences of a document body in order, section by section, headings left out."""
    out: list[Sentence] = []
    for _, body in sections(text, title):
        cited = parse_markers(body)
        out += [Sentence(s, ids) for s, ids in zip(split_sentences(cited.text), sentence_ids(cited), strict=True)]
    return out


def headings(text: str) -> list[str]:
    """The heading lines' levels ("#", "##", ...) in order: a translation keeps the original's outline."""
    return [m.group(1) for m in re.finditer(r"^(#{1,6})\s", text, re.M)]


def template(root: Path, original: str, language: str) -> str:
    """A new translation's starting point: the original's body under the translation's front matter, with the
    fingerprints of the English sentences (translate the title and each sentence in place, keeping the markers)."""
    meta, body = parse_front_matter((root / original).read_text(encoding="utf-8"))
    title = str(meta.get("title", ""))
    aligned = [s.fingerprint for s in body_sentences(body, title)]
    front = {"title": title, "language": language, "translation_of": original, "aligned": aligned}
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=116, default_flow_style=None)
    return f"---\n{dumped}---\n{body}"
