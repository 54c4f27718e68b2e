"""Hybrid retrieval over a real Chroma store: what the in-memory snapshot does must match what Chroma would do."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.config import Settings
from assistant.embeddings import SentenceTransformerEmbeddings
from assistant.ingest.pipeline import run_ingest
from assistant.question.query import analyse
from assistant.retrieval.hybrid import AGREED_TOP, ASKED_EXTRA
from assistant.sentences import sentence_texts, split_sentences
from assistant.service import Assistant


@pytest.mark.parametrize(
    "where",
    [
        {"year": {"$in": [2024]}},
        {"topic": {"$in": ["networks-of-towns", "town-twinning"]}},
        {"$and": [{"year": {"$in": [2024, 2025]}}, {"topic": {"$in": ["town-twinning"]}}]},
        {"year": {"$in": [1999]}},
    ],
)
def test_filtered_ranking_is_chromas_filtered_query(service: Assistant, where: dict) -> None:
    searcher = service.searcher
    lexical = searcher.lexical
    vector = service.embeddings.embed_query("When is the deadline for networks of towns?")
    ours = searcher._dense(vector, where, lexical)
    got = searcher.collection.query(query_embeddings=[vector], n_results=50, where=where, include=["distances"])
    theirs = list(zip(got["ids"][0], got["distances"][0], strict=True))[: searcher.candidates]
    assert [c.id for c, _ in ours] == [cid for cid, _ in theirs]
    for (_, sim), (_, dist) in zip(ours, theirs, strict=True):
        assert sim == pytest.approx(1.0 - dist, abs=1e-4)


def test_the_unfiltered_ranking_is_exact_over_the_snapshot(service: Assistant, monkeypatch) -> None:  # noqa: ANN001
    # The same question gets the same nearest chunks in every process: the exact cosine order of the snapshot's
    # vectors, whatever an approximate index returns (here: nothing at all).
    searcher = service.searcher
    lexical = searcher.lexical
    vector = service.embeddings.embed_query("How much can one town twinning project get?")
    sims = lexical.vectors.matrix @ np.asarray(vector, dtype=np.float32)
    expected = [lexical.chunks[i].id for i in np.argsort(-sims, kind="stable")[: searcher.candidates]]
    monkeypatch.setattr(searcher.collection, "query", lambda **_: {"ids": [[]], "distances": [[]]})
    assert [c.id for c, _ in searcher._dense(vector, None, lexical)] == expected


def test_chunks_written_after_the_snapshot_are_still_found(
    make_settings,
    embeddings: SentenceTransformerEmbeddings,  # noqa: ANN001
) -> None:
    settings: Settings = make_settings()
    run_ingest(settings, embeddings=embeddings, progress=False)
    assistant = Assistant(settings, embeddings)
    searcher = assistant.searcher
    searcher.refresh_seconds = 3600.0  # the snapshot stays as read now
    assert searcher.lexical
    text = "The Kyrgyz lantern festival grant is paid in three instalments of equal size."
    searcher.collection.add(
        ids=["late-chunk"],
        documents=[text],
        metadatas=[{"doc_id": "late", "title": "Late", "url": "https://example.org/late", "chunk_index": 0}],
        embeddings=[embeddings.embed_query(text)],
    )
    assert "late-chunk" not in searcher.lexical.by_id
    passages = searcher.search(analyse("How is the Kyrgyz lantern festival grant paid?"), 8)
    late = [p.chunk for p in passages if p.chunk.id == "late-chunk"]  # dense side only: BM25 has not read it yet
    assert late and late[0].text == text and late[0].metadata["title"] == "Late"


def test_a_subject_without_a_year_or_call_id_does_not_steer_to_the_calls() -> None:
    from assistant.retrieval.hybrid import _steer

    call_chunk = {"topic": "town-twinning", "year": 2024, "call_id": "CERV-2024-CITIZENS-TOWN-TT"}
    # "town twinning" alone is the subject (its history, what it is), not the call.
    assert _steer(call_chunk, analyse("When did the EU first start funding town twinning?")) == 1.0
    assert _steer(call_chunk, analyse("When did the 2024 town twinning call close?")) > 1.0
    assert _steer(call_chunk, analyse("When did the 2023 town twinning call close?")) < 1.0


def test_each_sentence_of_a_passage_has_the_models_similarity_to_the_question(service: Assistant) -> None:
    """Ingestion stores a vector per sentence (``split_sentences`` order), and search gives each passage its
    sentences' cosines with the question: the sentence that answers is the most similar of its passage, and the
    stored vectors are the encoder's own (float16 keeps the cosine to about 1e-3; the int8 encoder's dynamic
    quantisation moves a cosine by up to about 0.01 with the batch a text is encoded in)."""
    question = "What is the maximum grant for a town twinning project in 2024?"
    passages = service.searcher.search(analyse(question), 5)
    assert all(p.sentence_similarities is not None for p in passages)
    for p in passages:
        assert len(p.sentence_similarities) == len(split_sentences(p.chunk.body))
    best = max(
        (
            (s, sim)
            for p in passages
            for s, sim in zip(split_sentences(p.chunk.body), p.sentence_similarities, strict=True)
        ),
        key=lambda pair: pair[1],
    )
    assert "maximum" in best[0].lower() or "50,745" in best[0], best
    first = passages[0]
    text = sentence_texts(first.chunk.header, first.chunk.body)[0]
    direct = service.embeddings.encode_passages([text])[0] @ service.embeddings.encode_queries([question])[0]
    assert float(first.sentence_similarities[0]) == pytest.approx(float(direct), abs=2e-2)


def test_a_long_questions_asking_sentences_are_searched_apart_from_its_context(
    service: Assistant,
    monkeypatch,  # noqa: ANN001
) -> None:
    # The context names calls; the asking sentence asks about something else: its words are searched on their own
    # too, so that the context's words do not drown them (a municipality in Bosnia and Herzegovina asking, after a
    # story about a 2023 networks-of-towns project, when the country signed its CERV agreement).
    question = (
        "Our town has taken part in town twinning calls with partners from three countries for many years, and "
        "networks of towns interest us too. Which budget line financed twinning after the first programme?"
    )
    query = analyse(question)
    assert set(query.asked_tokens) >= {"budget", "line", "financ"} and "network" not in query.asked_tokens
    assert analyse("Which budget line financed twinning?").asked_tokens == []
    lexical = service.searcher.lexical
    searched: list[list[str]] = []
    original = lexical.search
    monkeypatch.setattr(lexical, "search", lambda tokens, k: searched.append(tokens) or original(tokens, k))
    passages = service.searcher.search(query, 2)
    assert query.asked_tokens in searched and query.search_tokens in searched
    # Its best chunks join the whole question's (after them, when that search missed them).
    assert any("A-321" in p.chunk.text for p in passages[2:]) and len(passages) <= 2 + ASKED_EXTRA


def _agreed_chunks(service: Assistant, question: str) -> list[str]:
    """The texts of the chunks both searches (dense unsteered, BM25) rank in their first ``AGREED_TOP``."""
    query, searcher = analyse(question), service.searcher
    vector = searcher.embeddings.encode_queries([query.search_text])[0].tolist()
    lexical = {c.id for c, _ in searcher.lexical.search(query.search_tokens, AGREED_TOP)}
    return [c.text for c, _ in searcher._dense(vector, None, searcher.lexical)[:AGREED_TOP] if c.id in lexical]


def test_a_chunk_both_searches_rank_first_joins_whatever_the_year_steers(service: Assistant) -> None:
    # The year asked steers to that year's call; the history page, of no year, which both the dense and the lexical
    # search rank in their first two, still joins the passages.
    question = "Which budget line financed town twinning after 1989, before the 2024 call?"
    assert any("A-321" in text for text in _agreed_chunks(service, question))  # (what the test stands on)
    passages = service.searcher.search(analyse(question), 2)
    assert any("A-321" in p.chunk.text for p in passages), [p.chunk.text[:60] for p in passages]


def test_a_chunk_both_searches_rank_first_does_not_join_when_it_is_of_another_year(service: Assistant) -> None:
    # Both searches rank a 2024 Town Twinning chunk first, but 2025 is asked: steering sets it back, and the
    # agreement of the searches does not bring it in.
    question = "What was the budget of the 2025 town twinning call?"
    assert any("Town Twinning 2024" in text for text in _agreed_chunks(service, question))
    passages = service.searcher.search(analyse(question), 1)
    assert not any(p.chunk.metadata.get("year") == 2024 for p in passages), [p.chunk.text[:60] for p in passages]
