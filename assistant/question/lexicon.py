"""Per-language cue words of questions, as data: ``assistant/question/lexicons/{lang}.yaml``.

Each file is validated at load (every language has the keys ``relative``, ``operation`` and ``intents``); cues are
folded like questions (lower case, accents removed) and match at a word start. They hold the relative-call cues
("this year", "the next call", "still open?"), the operations asked on values ("difference", "together"), and the
cues of the intents of ``assistant.question.intents`` with the word lists of its rules (``intent_words``).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from assistant.question.languages import LANGUAGES
from assistant.question.text import fold

# "previous" and "following" are relative to the conversation's year ("and the year before?"), the others to today.
Relative = Literal["this", "last", "next", "open", "latest", "previous", "following"]
# Which cue wins when a question names several: "is this year's call still open?" asks whether it is open.
PRIORITY: dict[str, tuple[str, ...]] = {"relative": ("open", "next", "previous", "following", "last", "this", "latest")}
Operation = Literal["difference", "sum"]
# The word lists of the intent rules (assistant/question/intents.py).
IntentWords = Literal["size", "sized", "budget_place", "upcoming_context", "duration", "money"]


class Lexicon(BaseModel):
    """One language's cues."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    relative: dict[Relative, list[str]]
    operation: dict[Operation, list[str]]
    # Intent name (a key of intents.INTENTS) -> its folded cues: whole words, or word starts when ending with "*".
    intents: dict[str, list[str]]
    intent_words: dict[IntentWords, list[str]] = {}

    @field_validator("intents")
    @classmethod
    def _known_intents(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        from assistant.question.intents import INTENTS  # imported here: that module reads these files

        if unknown := sorted(set(value) - set(INTENTS)):
            raise ValueError(f"unknown intents {unknown}; known: {sorted(INTENTS)}")
        return value

    @field_validator("intents", "intent_words")
    @classmethod
    def _folded_cues(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, cues in value.items():
            if bad := [c for c in cues if not c.strip("* ") or fold(c) != c or "*" in c[:-1]]:
                raise ValueError(f"{name}: cues must be folded, non-empty, with '*' only at the end: {bad}")
        return value


@cache
def lexicon(lang: str) -> Lexicon:
    """The cues of ``lang`` (a ``LANGUAGES`` code); a broken file raises ``ValueError`` naming it."""
    name = f"{lang}.yaml"
    try:
        return Lexicon.model_validate(
            yaml.safe_load((files("assistant.question") / "lexicons" / name).read_text("utf-8"))
        )
    except (ValidationError, yaml.YAMLError, FileNotFoundError) as exc:
        raise ValueError(f"assistant/question/lexicons/{name}: {exc}") from exc


@cache
def _patterns(lang: str, key: str) -> dict[str, re.Pattern[str]]:
    cues: dict[str, list[str]] = getattr(lexicon(lang), key)
    out: dict[str, re.Pattern[str]] = {}
    for name, words in cues.items():
        if lang != "en":  # questions mix in English ("le budget TT vs NT")
            words = [*words, *getattr(lexicon("en"), key)[name]]
        alternatives = "|".join(re.escape(fold(w).strip()) for w in sorted(set(words), key=len, reverse=True))
        out[name] = re.compile(rf"(?<!\w)(?:{alternatives})")
    return out


def cue(text: str, lang: str, key: Literal["relative", "operation"]) -> str | None:
    """The first cue kind of ``key`` that ``text`` names (in its language or in English), or None."""
    folded = fold(text.replace("\u2019", "'"))
    lang = lang if lang in LANGUAGES else "en"
    patterns = _patterns(lang, key)
    order = [name for name in PRIORITY.get(key, ()) if name in patterns] or list(patterns)
    return next((name for name in order if patterns[name].search(folded)), None)
