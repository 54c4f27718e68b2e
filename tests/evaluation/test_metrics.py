"""Metrics over hand-built results: refusals per check, answer language, grounded numbers, and the older metrics."""

from __future__ import annotations

import pytest

from assistant.evaluation.metrics import (
    Result,
    answer_language,
    breakdown,
    grounded_numbers,
    refusals_by_check,
    summarise,
)


def result(**fields: object) -> Result:
    """An answered English question that finds its one fact in its expected source, unless ``fields`` say other."""
    values: dict = {
        "id": "q", "question": "?", "lang": "en", "topic": "amounts", "answerable": True, "follow_up": False,
        "expected_sources": ["corpus/a.md"], "facts": [["4 million"]], "answer": "EUR 4 million [1]",
        "answered": True, "retrieved": ["a.md"], "cited": ["a.md"], "facts_found": [True], "answer_lang": "en",
    }  # fmt: skip
    return Result(**(values | fields))


def refused(check: str | None, answerable: bool, **fields: object) -> Result:
    """A refused question (``check`` refused it)."""
    return result(answered=False, refused_by=check, answerable=answerable, facts_found=[False], cited=[], **fields)


def test_refusals_are_counted_per_check_apart_for_answerable_and_unanswerable_questions() -> None:
    results = [
        refused("coverage", True),
        refused("coverage", True),
        refused("year", True),
        refused("intent", False),
        refused("coverage", False),
        refused("intent", False),
        refused(None, False),
        result(),
    ]
    assert refusals_by_check(results) == {
        "false": {"coverage": 2, "year": 1},
        "correct": {"intent": 2, "coverage": 1, "unknown": 1},
    }
    assert list(refusals_by_check(results)["correct"]) == ["intent", "coverage", "unknown"]  # most first
    assert refusals_by_check([result()]) == {"false": {}, "correct": {}}


def test_answer_language_is_the_share_of_non_english_questions_answered_or_refused_in_their_language() -> None:
    results = [
        result(lang="fr", answer_lang="fr"),
        result(lang="fr", answer_lang="en"),
        result(lang="it", answerable=False, answered=False, refused_by="small_talk", answer_lang="it"),
        result(lang="hu", answer_lang=None),  # no words of its own
        result(lang="en", answer_lang="fr"),  # English questions do not count
    ]
    assert answer_language(results) == 0.5
    assert answer_language([result(), result(answer_lang="de")]) is None
    by_lang = breakdown(results, "lang")
    assert by_lang["fr"]["answer_language"] == 0.5 and by_lang["it"]["answer_language"] == 1.0
    assert by_lang["en"]["answer_language"] is None


def test_grounded_numbers_counts_answered_questions_whose_every_value_is_backed() -> None:
    results = [
        result(),
        result(ungrounded=["5000000"]),
        result(answered=False, ungrounded=["2023"]),  # refusals do not count
        result(ungrounded=[]),
    ]
    assert grounded_numbers(results) == pytest.approx(2 / 3, abs=1e-4)
    assert grounded_numbers([result(answered=False)]) is None


def test_the_summary_holds_the_new_metrics_and_the_older_ones_keep_their_values() -> None:
    results = [
        result(seconds=0.01),
        result(facts=[["a"], ["b"]], facts_found=[True, False], retrieved=["x.md", "a.md"], cited=["x.md", "a.md"]),
        result(retrieved=["x.md"], cited=["x.md"], lang="fr", answer_lang="fr", ungrounded=["10"]),
        refused("coverage", True),
        refused("intent", False),
        result(answerable=False, expected_sources=[], facts=[], facts_found=[], lang="de", answer_lang="en"),
    ]
    summary = summarise(results)
    assert summary == {
        "questions": 6,
        "hit@5": 0.75,
        "mrr@10": 0.625,
        "fact_recall": 0.625,
        "fully_correct": 0.5,
        "refusal_accuracy": 0.5,
        "false_refusals": 0.25,
        "citation_precision": 0.5,
        "answer_language": 0.5,
        "grounded_numbers": 0.75,
        "latency_p50_ms": 0.0,
        "latency_p95_ms": 10.0,
        "refusals_by_check": {"false": {"coverage": 1}, "correct": {"intent": 1}},
    }
