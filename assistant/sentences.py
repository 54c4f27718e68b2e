"""What a sentence is, in one place: ingestion (sentence vectors, sentence sources), retrieval and the composer
all number a chunk body's sentences with ``split_sentences``, so a sentence's position means the same
everywhere."""

from __future__ import annotations

import re

_BREAK = re.compile(r"(?<=[.!?;])\s+")
_BLOCKS = re.compile(r"\n\s*\n|\n(?=\s*[-*] |\s*\d+\. )")
_ITEM = re.compile(r"^[-*]\s+|^\d+\.\s+")
_OPENERS = "0123456789\"'(«„"


def split_sentences(body: str) -> list[str]:
    """Sentences and list items of a passage body, in order. A sentence ends at . ! ? or ; followed by a space and
    a capital of any alphabet ("É", "Ő", "Ș"), a digit, a quote or a bracket."""
    out: list[str] = []
    for block in _BLOCKS.split(body):
        block = _ITEM.sub("", " ".join(block.split()))
        pieces: list[str] = []
        for piece in _BREAK.split(block):
            if pieces and not (piece[:1].isupper() or piece[:1] in _OPENERS):
                pieces[-1] += " " + piece
            else:
                pieces.append(piece)
        out += [s.strip() for s in pieces if len(s.strip()) > 2]
    return out
