"""The registry answers' drafts: the values an answer gives, each with the sentence that states it, and the answer's
own sentences before they are rendered (``FactAnswerer.render``); how a call is named in them, and where the
sentences citing a source are."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.answer.citations import sources_of
from assistant.answer.messages import message
from assistant.calls.models import AmountValue, CountValue, DateValue, DeadlineValue
from assistant.calls.registry import Call
from assistant.ingest.splitting import Chunk
from assistant.retrieval.hybrid import Passage
from assistant.sentences import split_sentences

# The typed values the registry answers with (text values such as "lump sum" are not answered here).
Value = DateValue | DeadlineValue | AmountValue | CountValue


@dataclass
class CitedValue:
    """A value as the answer gives it, with the sentence that states it (or a status, with the sentence stating
    it: ``text`` and ``number`` then unused)."""

    attribute: str
    call: Call | None  # None for a figure of a programme period that no registry call holds
    text: str  # the value written for the question's language
    number: int | None  # for differences and sums
    chunk: Chunk
    position: int
    sentence: str
    authority: tuple[int, int]
    value: Value | None = None  # the typed value (calls/models.py)


@dataclass
class Draft:
    """The answer's own sentences, each with the values it cites, then notes (other sources' values, a difference,
    today's date) likewise, and the values computed rather than quoted."""

    lines: list[tuple[str, list[CitedValue]]] = field(default_factory=list)
    notes: list[tuple[str, list[CitedValue]]] = field(default_factory=list)
    computed: list[str] = field(default_factory=list)


def call_name(call: Call, lang: str) -> str:
    """A call as the answer's templates name it ("the Town Twinning 2024 call (CERV-2024-CITIZENS-TOWN-TT)")."""
    name = message(lang, f"call_{call.facts.type}")
    return message(lang, "call_named", name=name, year=call.facts.year, call_id=call.call_id)


def sentences_citing(chunks: list[Chunk], source: str) -> Iterator[tuple[Chunk, int, str]]:
    """The sentences of ``chunks`` (chunk, position, sentence) that carry the marker of ``source``, in order."""
    for chunk in chunks:
        for position, sentence in enumerate(split_sentences(chunk.body)):
            if source in {s.key for s in sources_of(Passage(chunk, 1.0), position)}:
                yield chunk, position, sentence
