"""The registry answers' drafts: the values an answer gives, each with the sentence that states it, and the answer's
own sentences before they are rendered (``FactAnswerer.render``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.calls.models import AmountValue, CountValue, DateValue, DeadlineValue
from assistant.calls.registry import Call
from assistant.ingest.splitting import Chunk

# The typed values the registry answers with (text values such as "lump sum" are not answered here).
Value = DateValue | DeadlineValue | AmountValue | CountValue


@dataclass
class CitedValue:
    """A value as the answer gives it, with the sentence that states it (or a status, with the sentence stating
    it: ``text`` and ``number`` then unused)."""

    attribute: str
    call: Call
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
