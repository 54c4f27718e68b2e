"""Splitting follows headings, stays within the model's input, and carries the document's context."""

from pathlib import Path

from assistant.corpus.registry import load_registry
from assistant.embeddings import SentenceTransformerEmbeddings
from assistant.ingest.loaders import LoadedDocument, load_document
from assistant.ingest.splitting import split_document

FIXTURES = Path(__file__).parents[1] / "fixtures" / "corpus"
REGISTRY = load_registry(FIXTURES / "sources.yaml")[0]


def _split(doc: LoadedDocument, emb: SentenceTransformerEmbeddings, **kw: int):
    return split_document(doc, emb.count_tokens, max_tokens=emb.max_tokens, registry=REGISTRY, **kw)


def test_sections_become_chunks_with_title_and_heading_path(
    embeddings: SentenceTransformerEmbeddings,
) -> None:
    chunks = _split(load_document(FIXTURES / "tt-2024.md", "tt-2024.md"), embeddings)
    sections = [c.metadata["section"] for c in chunks]
    assert sections == ["Deadline", "Budget", "Amount per project", "Partnership and participants"]
    deadline = chunks[0]
    assert deadline.text.startswith("Town Twinning 2024 (CERV-2024-CITIZENS-TOWN-TT) › Deadline\n")
    assert deadline.body.startswith("The 2024 Town Twinning call")
    for key, value in {
        "doc_id": "tt-2024.md",
        "call_id": "CERV-2024-CITIZENS-TOWN-TT",
        "year": 2024,
        "topic": "town-twinning",
        "programme": "CERV",
        "source_url": "https://www.euro-access.eu/en/calls/1237/Town-Twinning",
    }.items():
        assert deadline.metadata[key] == value


def test_reference_list_sections_are_not_indexed(embeddings: SentenceTransformerEmbeddings) -> None:
    text = "# Note\n\n## Deadline\n\nThe call closes on 5 May 2025.\n\n## Sources\n\n- https://example.org/call\n"
    chunks = _split(LoadedDocument("note.md", text, {"title": "Note"}), embeddings)
    assert [c.metadata["section"] for c in chunks] == ["Deadline"]


def test_long_sections_are_cut_within_the_token_budget(embeddings: SentenceTransformerEmbeddings) -> None:
    body = " ".join(f"Sentence {i} explains a rule of the twinning call in some detail." for i in range(120))
    doc = LoadedDocument("long.md", f"# Guide\n\n## Rules\n\n### Eligibility\n\n{body}\n", {"title": "Guide"})
    chunks = _split(doc, embeddings, chunk_size=120, chunk_overlap=20)
    assert len(chunks) > 5
    assert all(c.text.startswith("Guide › Rules › Eligibility\n") for c in chunks)
    assert max(embeddings.count_tokens([c.text for c in chunks])) <= 120
    # Cuts fall at sentence ends, and consecutive chunks overlap.
    assert all(c.body.endswith(".") for c in chunks[:-1])
    assert chunks[1].body.split()[1] in chunks[0].body


def test_chunks_never_exceed_the_model_input(embeddings: SentenceTransformerEmbeddings) -> None:
    body = "word " * 2000
    doc = LoadedDocument("big.txt", body, {"title": "Big"})
    chunks = _split(doc, embeddings, chunk_size=1000, chunk_overlap=0)
    assert max(embeddings.count_tokens([c.text for c in chunks])) <= embeddings.max_tokens - 2


def test_chunk_ids_are_stable_and_change_with_content(embeddings: SentenceTransformerEmbeddings) -> None:
    doc = load_document(FIXTURES / "nt-2025.md", "nt-2025.md")
    first = [c.id for c in _split(doc, embeddings)]
    assert first == [c.id for c in _split(doc, embeddings)]
    assert len(set(first)) == len(first)
    changed = LoadedDocument(doc.doc_id, doc.text.replace("10,000,000", "12,000,000"), doc.metadata)
    second = [c.id for c in _split(changed, embeddings)]
    assert first[0] == second[0] and first[1] != second[1]
