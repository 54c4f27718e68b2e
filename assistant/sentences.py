"""What a sentence is, in one place: ingestion (sentence vectors, sentence sources), retrieval and the composer
all number a chunk body's sentences with ``split_sentences``, so a sentence's position means the same
everywhere."""

from __future__ import annotations

import base64
import re
from functools import lru_cache

import numpy as np

_BREAK = re.compile(r"(?<=[.!?;])\s+")
_BLOCKS = re.compile(r"\n\s*\n|\n(?=\s*[-*] |\s*\d+\. )")
_ITEM = re.compile(r"^[-*]\s+|^\d+\.\s+")
_OPENERS = "0123456789\"'(«„¿¡"
# A day written as an ordinal before its month ("19. September 2024", German) does not end a sentence.
_ORDINAL_DAY = re.compile(r"(?:^|\s)\d{1,2}\.$")
_MONTH_LOCALES = ("de", "de_AT", "en", "fr", "it", "hu", "ro", "es")


@lru_cache(maxsize=16)
def month_names(locale: str) -> dict[str, int]:
    """A language's month names in lower case (CLDR's wide names, formatting and stand-alone, from Babel), to their
    numbers: "september" -> 9, "szeptember" -> 9."""
    from babel.dates import get_month_names

    return {
        name.lower(): number
        for context in ("format", "stand-alone")
        for number, name in get_month_names("wide", context, locale=locale).items()
    }


@lru_cache(maxsize=1)
def _months() -> frozenset[str]:
    return frozenset(name for locale in _MONTH_LOCALES for name in month_names(locale))


def split_sentences(body: str) -> list[str]:
    """Sentences and list items of a passage body, in order. A sentence ends at . ! ? or ; followed by a space and
    a capital of any alphabet ("É", "Ő", "Ș"), a digit, a quote or a bracket."""
    out: list[str] = []
    for block in _BLOCKS.split(body):
        block = _ITEM.sub("", " ".join(block.split()))
        pieces: list[str] = []
        for piece in _BREAK.split(block):
            if pieces and (
                not (piece[:1].isupper() or piece[:1] in _OPENERS)
                or (_ORDINAL_DAY.search(pieces[-1]) and piece.split(maxsplit=1)[0].lower() in _months())
            ):
                pieces[-1] += " " + piece
            else:
                pieces.append(piece)
        out += [s.strip() for s in pieces if len(s.strip()) > 2]
    return out


# -- sentence vectors --------------------------------------------------------------------------------------------
# Ingestion embeds every sentence of a chunk (with the chunk's heading path for context) and stores the vectors in
# the chunk's own metadata, so they are written, replaced and deleted with their chunk, in the embedded store and on
# a Chroma server alike. Row i is the i-th sentence of ``split_sentences(chunk.body)``. float16 keeps cosines to
# about 1e-3, and costs 1 KiB of metadata a sentence.
SENTENCE_VECTORS = "sentence_vectors"


def sentence_texts(header: str, body: str) -> list[str]:
    """What is embedded for each sentence of a chunk body: the sentence after its heading path."""
    return [f"{header}: {s}" if header else s for s in split_sentences(body)]


def pack_vectors(matrix: np.ndarray) -> str:
    """Sentence vectors (rows) as a metadata string."""
    rows = np.asarray(matrix, dtype=np.float16)
    return f"{rows.shape[1]}:" + base64.b64encode(rows.tobytes()).decode("ascii")


@lru_cache(maxsize=8192)
def unpack_vectors(text: str) -> np.ndarray:
    """The rows ``pack_vectors`` stored (float32, read-only)."""
    width, _, data = text.partition(":")
    rows = np.frombuffer(base64.b64decode(data), dtype=np.float16).reshape(-1, int(width)).astype(np.float32)
    rows.flags.writeable = False
    return rows
