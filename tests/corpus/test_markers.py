"""Citation markers: stripped from what is embedded, indexed and shown, and kept per sentence with each chunk, in
the numbering of ``split_sentences`` (the one definition of a sentence), also when a chunk is cut mid-section."""

from __future__ import annotations

import json

import pytest

from assistant.corpus.markers import parse_markers, piece_sentence_ids, sentence_ids, strip_markers
from assistant.corpus.registry import Registry, SourceEntry
from assistant.embeddings import SentenceTransformerEmbeddings
from assistant.ingest.loaders import LoadedDocument, LoadError
from assistant.ingest.splitting import split_document
from assistant.sentences import split_sentences

TEXT = (
    "The call closed on 19 September 2024 at 17:00.[^portal] It had a budget of EUR 4,000,000.[^press][^portal]\n\n"
    "- workshops and seminars;[^summary]\n- cultural events.[^summary]\n"
)


def registry(*ids: str) -> Registry:
    entries = {
        i: SourceEntry(
            id=i, url=f"https://example.org/{i}", kind="secondary", publisher="P", title=i, confidence="medium"
        )
        for i in ids
    }
    return Registry(entries, dict.fromkeys(entries, 1), "corpus/sources.yaml")


def test_markers_leave_the_text_and_stay_with_their_sentences() -> None:
    cited = parse_markers(TEXT)
    assert cited.text == strip_markers(TEXT) and "[^" not in cited.text
    assert split_sentences(cited.text) == [
        "The call closed on 19 September 2024 at 17:00.",
        "It had a budget of EUR 4,000,000.",
        "workshops and seminars;",
        "cultural events.",
    ]
    assert sentence_ids(cited) == [("portal",), ("press", "portal"), ("summary",), ("summary",)]


def test_a_piece_cut_mid_sentence_keeps_the_sources_of_the_sentence_it_was_cut_from() -> None:
    cited = parse_markers(TEXT)
    cut = cited.text.index("budget")
    pieces = [cited.text[:cut].strip(), cited.text[cut - 12 :].strip()]  # overlapping, cut inside sentence 2
    ids = piece_sentence_ids(cited, pieces)
    assert [len(i) for i in ids] == [len(split_sentences(p)) for p in pieces]
    assert ids[0] == [("portal",), ("press", "portal")]
    assert ids[1] == [("press", "portal"), ("summary",), ("summary",)]


def test_chunks_keep_each_sentences_sources_when_the_size_splitter_cuts_a_section(
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    sentences = [
        f"Rule {i} of the 2024 twinning call sets out one more condition for applicants.[^s{i % 3}]" for i in range(40)
    ]
    doc = LoadedDocument("rules.md", "# Rules\n\n## Conditions\n\n" + " ".join(sentences) + "\n", {"title": "Rules"})
    chunks = split_document(
        doc,
        embeddings.count_tokens,
        chunk_size=60,
        chunk_overlap=15,
        max_tokens=embeddings.max_tokens,
        registry=registry("s0", "s1", "s2"),
    )
    assert len(chunks) > 5
    for chunk in chunks:
        assert "[^" not in chunk.text
        ids = json.loads(chunk.metadata["sentence_sources"])
        said = split_sentences(chunk.body)
        assert len(ids) == len(said)
        for sentence, names in zip(said, ids, strict=True):
            number = int(sentence.split()[1]) if sentence.startswith("Rule ") else None
            if number is None:  # a fragment cut from the middle of "Rule N ... applicants."
                assert len(names) == 1
            else:
                assert names == [f"s{number % 3}"]
        sources = json.loads(chunk.metadata["sources"])
        assert set(sources) == {n for names in ids for n in names}
        assert all(s["url"].startswith("https://example.org/") and s["kind"] == "secondary" for s in sources.values())


def test_a_marker_naming_no_registered_source_fails_the_document_with_its_line(
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    doc = LoadedDocument("note.md", "# Note\n\n## A\n\nFirst fact.[^s0]\nSecond fact.[^typo]\n", {"title": "Note"}, 5)
    with pytest.raises(LoadError, match=r"line 10: \[\^typo\] names no source of corpus/sources.yaml"):
        split_document(doc, embeddings.count_tokens, max_tokens=embeddings.max_tokens, registry=registry("s0"))
