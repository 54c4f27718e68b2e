"""Citation markers: every sentence of a corpus document ends with ``[^source-id]`` naming the registry entry of the
page that holds its fact (a sentence may name several: ``...billion.[^ergo][^eeuropa]``).

Ingestion removes the markers from the text that is embedded, indexed and shown, and keeps each sentence's ids:
``parse_markers`` gives the text without markers and where each marker stood; ``sentence_ids`` gives the ids of
each sentence of ``split_sentences(text)`` (``assistant/sentences.py``, the one definition of a sentence), and
``piece_sentence_ids`` the same for pieces of the text cut anywhere (the size splitter may cut mid-sentence: a
piece's first sentence is then a fragment, and keeps the ids of the sentence it was cut from).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.sentences import split_sentences

# A marker, with the spaces before it (they go with it: "time. [^x]" reads "time.").
MARKER = re.compile(r"[ \t]*\[\^([^\]\s]*)\]")
MARKER_BYTES = re.compile(rb"\[\^([^\]\s]*)\]")

Span = tuple[int, int]


@dataclass(frozen=True)
class CitedText:
    """A text without its markers, and each marker's id with the offset in that text where it stood."""

    text: str
    marks: tuple[tuple[int, str], ...]

    @property
    def ids(self) -> list[str]:
        """Every id cited, in order of first appearance."""
        return list(dict.fromkeys(i for _, i in self.marks))


def parse_markers(raw: str) -> CitedText:
    """``raw`` without its markers, and where they stood."""
    parts: list[str] = []
    marks: list[tuple[int, str]] = []
    length, start = 0, 0
    for match in MARKER.finditer(raw):
        parts.append(raw[start : match.start()])
        length += match.start() - start
        marks.append((length, match.group(1)))
        start = match.end()
    parts.append(raw[start:])
    return CitedText("".join(parts), tuple(marks))


def strip_markers(raw: str) -> str:
    """The text as readers and the index see it: the markers removed."""
    return MARKER.sub("", raw)


def marker_ids(data: bytes) -> list[str]:
    """The ids a file's bytes cite, without parsing it (for its content hash)."""
    return sorted({m.decode("utf-8", "replace") for m in MARKER_BYTES.findall(data)})


def sentence_spans(text: str) -> list[Span]:
    """Where each sentence of ``split_sentences(text)`` stands in ``text`` (start, end)."""
    spans: list[Span] = []
    cursor = 0
    for sentence in split_sentences(text):
        pattern = r"\s+".join(re.escape(word) for word in sentence.split())
        match = re.compile(pattern).search(text, cursor)
        if match is None:  # cannot happen: a sentence's words stand in the text in order
            spans.append((cursor, cursor))
            continue
        spans.append(match.span())
        cursor = match.end()
    return spans


def attach(cited: CitedText) -> tuple[list[Span], list[tuple[str, ...]], list[tuple[int, str]]]:
    """The sentences of ``cited.text`` (spans), the ids each names (markers inside it or right after its last
    character), and the markers that follow no sentence (offset, id)."""
    spans = sentence_spans(cited.text)
    ids: list[list[str]] = [[] for _ in spans]
    orphans: list[tuple[int, str]] = []
    for offset, source_id in cited.marks:
        index = next((i for i, (start, end) in enumerate(spans) if start < offset <= end), None)
        if index is None:
            orphans.append((offset, source_id))
        elif source_id not in ids[index]:
            ids[index].append(source_id)
    return spans, [tuple(i) for i in ids], orphans


def sentence_ids(cited: CitedText) -> list[tuple[str, ...]]:
    """The ids of each sentence of ``split_sentences(cited.text)``, in order."""
    return attach(cited)[1]


def piece_sentence_ids(cited: CitedText, pieces: list[str]) -> list[list[tuple[str, ...]]]:
    """For each piece of ``cited.text`` (in order, possibly overlapping, cut anywhere), the ids of each sentence of
    ``split_sentences(piece)``: those of the sentences of the whole text it overlaps."""
    spans, ids, _ = attach(cited)
    out: list[list[tuple[str, ...]]] = []
    cursor = 0
    for piece in pieces:
        at = cited.text.find(piece, cursor)
        if at < 0:
            at = cited.text.find(piece)
        if at < 0:  # not a piece of this text: nothing is known of its sentences
            out.append([() for _ in split_sentences(piece)])
            continue
        cursor = at + 1
        out.append([_overlapping(spans, ids, at + start, at + end) for start, end in sentence_spans(piece)])
    return out


def _overlapping(spans: list[Span], ids: list[tuple[str, ...]], start: int, end: int) -> tuple[str, ...]:
    found: list[str] = []
    for (s_start, s_end), names in zip(spans, ids, strict=True):
        if s_start < end and start < s_end:
            found += [n for n in names if n not in found]
    return tuple(found)
