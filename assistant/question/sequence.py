"""What a question places after or before a named event ("after Rhodes 2007", "avant Gunn Marit Helgesen", "Rodosz
után"): the direction, the name, and the year the question gives it, if any. The cue patterns are data
(``sequence`` in lexicons/*.yaml, "{name}" standing for the name); the answer must then be later (earlier) than the
event (``assistant.answer.gates``, the ``sequence`` gate)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from assistant.question.lexicon import lexicon
from assistant.question.text import unaccented

# A name: one to three capitalised words ("Rhodes", "Gunn Marit Helgesen").
_NAME = r"(?P<name>[A-Z][\w-]+(?:\s+[A-Z][\w-]+){0,2})"
_YEAR_AFTER_NAME = re.compile(r"\s*(?:\(|,)?\s*(?:in\s+)?((?:19|20)\d{2})\b")


@dataclass(frozen=True)
class Sequence:
    """``direction`` ("after" or "before") the event named ``name``, in ``year`` when the question says it."""

    direction: str
    name: str
    year: int | None = None


@cache
def _patterns(lang: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for direction, cues in lexicon(lang).sequence.items():
        for cue in cues:
            before, _, after = cue.partition("{name}")
            body = rf"(?i:\b{re.escape(before)}){_NAME}" if before else rf"{_NAME}(?i:{re.escape(after)}\b)"
            out.append((direction, re.compile(body)))
    return tuple(out)


def sequence_asked(text: str, lang: str = "en") -> Sequence | None:
    """The event a question's text places what it asks after or before, if it names one; the year written right
    after the name ("after Rhodes 2007", "after Rhodes in 2007") is the event's."""
    plain = unaccented(text)
    for direction, pattern in _patterns(lang):
        if m := pattern.search(plain):
            year = _YEAR_AFTER_NAME.match(plain, m.end("name"))
            return Sequence(direction, m.group("name"), int(year.group(1)) if year else None)
    return None
