"""Which public page a quoted sentence comes from, how far it can be trusted, and how an answer cites it.

Ingestion keeps each sentence's sources with its chunk (``sentence_sources``: the source ids of the i-th sentence
of ``split_sentences(chunk.body)``; ``sources``: those ids' url, title, kind and confidence; ingest/splitting.py).
A sentence is cited by its strongest source (official first); two sentences citing the same page share one
number. A document without markers is cited by its own page (``source_url``).

Authority: a sentence whose sources are all secondary (and not faithful copies of official texts) does not lead an
answer when an official or contact-point sentence answers the same thing (``extractive._by_authority``), and one
that gives a different amount or date than such a sentence is disclosed after the answer ("Another source (site)
gives a different value: ..."), never dropped (``conflicting``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from assistant.answer.answer import Source
from assistant.corpus.kinds import AUTHORITATIVE, CONFIDENCES, KINDS, rank
from assistant.retrieval.hybrid import Passage


@dataclass(frozen=True)
class SentenceSource:
    """A page a sentence cites (or, for a document without markers, the document's own page)."""

    key: str
    url: str | None
    title: str
    kind: str | None = None
    confidence: str | None = None

    @property
    def site(self) -> str:
        """The page's host without ``www.``, as answers name another source."""
        host = (urlsplit(self.url).hostname or "") if self.url else ""
        return host.removeprefix("www.") or self.title


@lru_cache(maxsize=8192)
def _per_sentence(sentence_sources: str, sources: str) -> tuple[tuple[SentenceSource, ...], ...]:
    """A chunk's sources, sentence by sentence, strongest first (parsed once per chunk)."""
    try:
        ids, table = json.loads(sentence_sources), json.loads(sources)
        return tuple(
            tuple(sorted((_source(name, table[name]) for name in names), key=lambda s: rank(s.kind, s.confidence)))
            for names in ids
        )
    except (ValueError, TypeError, AttributeError, KeyError):  # an index written by something else
        return ()


def _source(name: str, entry: dict[str, Any]) -> SentenceSource:
    """A stored registry entry; a kind or confidence this version does not know is left unknown."""
    kind, confidence = entry.get("kind"), entry.get("confidence")
    return SentenceSource(
        name,
        entry.get("url"),
        str(entry.get("title") or name),
        kind if kind in KINDS else None,
        confidence if confidence in CONFIDENCES else None,
    )


def sources_of(passage: Passage, position: int) -> tuple[SentenceSource, ...]:
    """The registered sources of the ``position``-th sentence of a passage, strongest first (none when its
    document has no markers)."""
    meta = passage.metadata
    raw, table = meta.get("sentence_sources"), meta.get("sources")
    if not (isinstance(raw, str) and isinstance(table, str)):
        return ()
    per = _per_sentence(raw, table)
    return per[position] if 0 <= position < len(per) else ()


def cited_source(passage: Passage, position: int) -> SentenceSource:
    """The page that backs a sentence in an answer: its strongest source, else its document's own page."""
    found = sources_of(passage, position)
    if found:
        return found[0]
    meta = passage.metadata
    doc = str(meta.get("doc_id", passage.chunk.id))
    return SentenceSource(f"doc:{doc}", meta.get("source_url"), str(meta.get("title", doc)))


def secondary_only(passage: Passage, position: int) -> bool:
    """Whether every source of a sentence is secondary (an aggregator, the press, Wikipedia) and none is a faithful
    copy of an official text (confidence high: a call document on a document-sharing site, the Official Journal's
    data on EU Monitor), which may lead like the original."""
    found = sources_of(passage, position)
    return bool(found) and all(s.kind == "secondary" and s.confidence != "high" for s in found)


def authoritative(passage: Passage, position: int) -> bool:
    """Whether a sentence has an official or national contact-point source."""
    return any(s.kind in AUTHORITATIVE for s in sources_of(passage, position))


_MONTHS = "january february march april may june july august september october november december".split()
_DATE = re.compile(rf"\b(\d{{1,2}}) ({'|'.join(_MONTHS)}) ((?:19|20)\d{{2}})\b", re.I)
_SCALE = {"million": 10**6, "m": 10**6, "billion": 10**9, "bn": 10**9}
_AMOUNT = re.compile(
    r"(?:\bEUR|€)\s*(\d[\d.,]*)(?:\s*(million|billion|bn|m)\b)?|\b(\d[\d.,]*)\s*(million|billion|bn)\s*(?:EUR|euros?)\b",
    re.I,
)


def values(text: str) -> dict[str, frozenset[str]]:
    """The amounts (in euro, as whole numbers) and calendar dates a sentence states."""
    amounts = set()
    for match in _AMOUNT.finditer(text):
        number, scale = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        if (value := _number(number)) is not None:
            amounts.add(str(round(value * _SCALE.get((scale or "").lower(), 1))))
    dates = {f"{y}-{_MONTHS.index(m.lower()) + 1:02d}-{int(d):02d}" for d, m, y in _DATE.findall(text)}
    return {"amount": frozenset(amounts), "date": frozenset(dates)}


def _number(text: str) -> float | None:
    """A written number: 641,705,000 and 4.000.000 (thousands), 766,3 and 1.5 (decimals)."""
    text = text.rstrip(".,")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text) or re.fullmatch(r"\d{1,3}(?:\.\d{3}){2,}", text):
        text = re.sub(r"[.,]", "", text)
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def conflicting(text: str, others: list[str]) -> bool:
    """Whether ``text`` gives an amount or a date where ``others`` give one, but none of theirs."""
    mine = values(text)
    theirs: dict[str, set[str]] = {"amount": set(), "date": set()}
    for other in others:
        for kind, found in values(other).items():
            theirs[kind] |= found
    return any(mine[kind] and theirs[kind] and not mine[kind] & theirs[kind] for kind in theirs)


@dataclass
class CitationBook:
    """The numbers of an answer's citations: one per page, in order of first citation, each with the sentences it
    backs."""

    numbers: dict[str, int] = field(default_factory=dict)
    pages: list[SentenceSource] = field(default_factory=list)
    snippets: list[list[str]] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)

    def cite(self, passage: Passage, position: int, text: str) -> SentenceSource:
        """Cite a sentence; returns its page (``number`` gives its citation number)."""
        page = cited_source(passage, position)
        key = page.url or page.key
        if key not in self.numbers:
            self.numbers[key] = len(self.pages) + 1
            self.pages.append(page)
            self.snippets.append([])
        self.snippets[self.numbers[key] - 1].append(text)
        doc = str(passage.metadata.get("doc_id", passage.chunk.id))
        if doc not in self.docs:
            self.docs.append(doc)
        return page

    def number(self, page: SentenceSource) -> int:
        return self.numbers[page.url or page.key]

    def sources(self, clip: Callable[[str], str]) -> list[Source]:
        """The cited pages as an answer's sources, numbered as cited; ``clip`` shortens a snippet."""
        return [
            Source(title=p.title, url=p.url, snippet=clip(" ".join(s)), kind=p.kind, confidence=p.confidence)
            for p, s in zip(self.pages, self.snippets, strict=True)
        ]


def doc_order(passages: list[Passage]) -> list[str]:
    """The documents of the retrieved passages, in rank order (an answer's ``retrieved``)."""
    return list(dict.fromkeys(p.metadata.get("doc_id", p.chunk.id) for p in passages))
