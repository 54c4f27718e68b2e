"""What kind of page a source is, and how far its facts can be trusted: the vocabulary of the source registry
(``registry.py``), of chunk metadata and of the answers' sources."""

from __future__ import annotations

from typing import Literal, get_args

Kind = Literal["official", "contact-point", "association", "secondary"]
Confidence = Literal["high", "medium", "low"]
# Strongest first: the order in which sources lead an answer.
KINDS: tuple[str, ...] = get_args(Kind)
CONFIDENCES: tuple[str, ...] = get_args(Confidence)
# Kinds whose sentences lead an answer before a secondary one, and whose values a secondary one cannot override.
AUTHORITATIVE = frozenset({"official", "contact-point"})


def rank(kind: object, confidence: object = None) -> tuple[int, int]:
    """Sort key of a source, strongest first; an unknown kind or confidence sorts after the known ones."""
    return (
        KINDS.index(kind) if kind in KINDS else len(KINDS),
        CONFIDENCES.index(confidence) if confidence in CONFIDENCES else len(CONFIDENCES),
    )
