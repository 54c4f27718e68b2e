"""The aligned translation of each sentence of the originals, for quoting in the officer's language.

A translation (docs/corpus.md, "Translations") has the original's headings and one translated sentence for each
English sentence, in order. Its ``aligned`` fingerprints are not kept in chunk metadata (ingestion drops them), so
the index cannot tell a stale sentence: sentences are aligned by their order within each section, the k-th section
of a translation with the k-th of its original, and a section whose sentence counts differ is left out.

A long section is cut into several chunks, consecutive ones possibly overlapping (``chunk_overlap``) and cut
mid-sentence; each section's text is rebuilt from its chunks (overlaps merged) before it is split into sentences
with ``split_sentences``, on both sides. A fragment that a cut leaves at a chunk's edge translates as the whole
sentence it comes from. A sentence written twice in a document takes the translation of its first place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from assistant.ingest.splitting import Chunk
from assistant.sentences import split_sentences

_BULLET = re.compile(r"[-*]\s")

Section = tuple[list[str], list[Chunk]]  # (sentences of the whole section, its chunks)


class SentenceTranslations:
    """English sentence of an original -> its aligned translation in each language, looked up in O(1)."""

    def __init__(self, table: dict[tuple[str, str], dict[str, str]]) -> None:
        """``table``: (original's doc_id, English sentence) -> {language: translated sentence}."""
        self._table = table

    @classmethod
    def from_chunks(cls, originals: Iterable[Chunk], translations: Iterable[Chunk]) -> SentenceTranslations:
        """Align every translation's chunks with its original's chunks (``doc_id``, ``translation_of``,
        ``language``, ``section`` and ``chunk_index`` metadata)."""
        docs: dict[str, list[Chunk]] = defaultdict(list)
        for chunk in originals:
            docs[str(chunk.metadata.get("doc_id", ""))].append(chunk)
        versions: dict[str, dict[str, list[Chunk]]] = defaultdict(dict)
        by_doc: dict[tuple[str, str, str], list[Chunk]] = defaultdict(list)
        for chunk in translations:
            meta = chunk.metadata
            by_doc[(str(meta.get("translation_of")), str(meta.get("language")), str(meta.get("doc_id")))].append(chunk)
        for (original, language, _), chunks in sorted(by_doc.items()):
            versions[original].setdefault(language, chunks)  # one translation per language: the first by doc_id
        table: dict[tuple[str, str], dict[str, str]] = {}
        for doc_id, chunks in docs.items():
            if doc_id not in versions:
                continue
            english = _sections(chunks)
            for language, translated in versions[doc_id].items():
                theirs = _sections(translated)
                if len(theirs) != len(english):
                    continue
                for (sentences, section_chunks), (local, _) in zip(english, theirs, strict=True):
                    if len(local) != len(sentences):
                        continue
                    for sentence, index in _quotable(sentences, section_chunks):
                        table.setdefault((doc_id, sentence), {}).setdefault(language, local[index])
        return cls(table)

    def translate(self, doc_id: str, sentence: str, language: str) -> str | None:
        """The sentence of the ``language`` translation aligned with ``sentence`` (as ``split_sentences`` gives it
        from a chunk of the original ``doc_id``); None when there is none."""
        return self._table.get((doc_id, " ".join(sentence.split())), {}).get(language)

    def __len__(self) -> int:
        return len(self._table)


def _sections(chunks: list[Chunk]) -> list[Section]:
    """A document's sections in order, each with its sentences (rebuilt from its chunks) and its chunks."""
    ordered = sorted(chunks, key=lambda c: int(c.metadata.get("chunk_index", 0)))
    groups: list[list[Chunk]] = []
    for chunk in ordered:
        if groups and groups[-1][-1].metadata.get("section") == chunk.metadata.get("section"):
            groups[-1].append(chunk)
        else:
            groups.append([chunk])
    out: list[Section] = []
    for group in groups:
        text = group[0].body
        for chunk in group[1:]:
            text = _merge(text, chunk.body)
        out.append((split_sentences(text), group))
    return out


def _merge(text: str, piece: str) -> str:
    """``text`` followed by the next piece of the same section, the part they share (an overlap starts at a word)
    written once."""
    first = piece.split(maxsplit=1)[0] if piece.strip() else ""
    at = text.find(first, max(0, len(text) - len(piece))) if first else -1
    while at >= 0:
        shared = len(text) - at
        starts_word = at == 0 or text[at - 1].isspace()
        ends_word = shared == len(piece) or piece[shared].isspace()
        if starts_word and ends_word and piece.startswith(text[at:]):
            return text + piece[shared:]
        at = text.find(first, at + 1)
    return text + ("\n" if _BULLET.match(piece) else " ") + piece


def _quotable(sentences: list[str], chunks: list[Chunk]) -> Iterable[tuple[str, int]]:
    """Each sentence of a section, and each fragment a chunk cut leaves, with the index of its whole sentence."""
    yield from ((s, i) for i, s in enumerate(sentences))
    if len(chunks) < 2:
        return
    known = set(sentences)
    for chunk in chunks:
        for part in split_sentences(chunk.body):
            if part not in known:
                index = next((i for i, s in enumerate(sentences) if part in s), None)
                if index is not None:
                    yield part, index
