"""Metrics as plain functions over per-question results."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Result:
    """One question's outcome."""

    id: str
    question: str
    lang: str
    topic: str
    answerable: bool
    follow_up: bool
    expected_sources: list[str]
    facts: list[list[str]]
    answer: str
    answered: bool
    retrieved: list[str]
    cited: list[str]
    facts_found: list[bool] = field(default_factory=list)
    seconds: float = 0.0
    refused_by: str | None = None  # the check that refused (Answer.refused_by); None when answered
    answer_lang: str | None = None  # the language of the answer's own words (matching.own_words), None if none
    ungrounded: list[str] = field(default_factory=list)  # values of an answer that its sources do not state

    @property
    def correct(self) -> bool:
        if not self.answerable:
            return not self.answered
        return self.answered and all(self.facts_found)


def _matches(doc: str, expected: list[str]) -> bool:
    return any(e == doc or e.endswith("/" + doc) for e in expected)


def hit_at(result: Result, k: int = 5) -> float:
    return float(any(_matches(d, result.expected_sources) for d in result.retrieved[:k]))


def reciprocal_rank(result: Result, k: int = 10) -> float:
    for rank, doc in enumerate(result.retrieved[:k], 1):
        if _matches(doc, result.expected_sources):
            return 1.0 / rank
    return 0.0


def citation_precision(result: Result) -> float | None:
    if not result.cited:
        return None
    return sum(_matches(d, result.expected_sources) for d in result.cited) / len(result.cited)


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def answer_language(results: list[Result]) -> float | None:
    """Over questions not in English (answered or refused): the share answered in the question's language."""
    return _mean([float(r.answer_lang == r.lang) for r in results if r.lang != "en"])


def grounded_numbers(results: list[Result]) -> float | None:
    """Over answered questions: the share whose every number and date is stated by the answer's cited snippets, the
    question or the assistant's own computation."""
    return _mean([float(not r.ungrounded) for r in results if r.answered])


def refusals_by_check(results: list[Result]) -> dict[str, dict[str, int]]:
    """Refusals counted per refusing check: of answerable questions ("false") and of unanswerable ones ("correct");
    a refusal that names no check counts as "unknown"."""

    def count(group: list[Result]) -> dict[str, int]:
        counts = Counter(r.refused_by or "unknown" for r in group if not r.answered)
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    return {
        "false": count([r for r in results if r.answerable]),
        "correct": count([r for r in results if not r.answerable]),
    }


def summarise(results: list[Result]) -> dict[str, Any]:
    """The headline metrics of a set of results."""
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    with_sources = [r for r in answerable if r.expected_sources]
    precisions = [p for r in answerable if (p := citation_precision(r)) is not None]
    facts = [sum(r.facts_found) / len(r.facts_found) for r in answerable if r.facts_found]
    latencies = [r.seconds * 1000 for r in results]
    return {
        "questions": len(results),
        "hit@5": _mean([hit_at(r) for r in with_sources]),
        "mrr@10": _mean([reciprocal_rank(r) for r in with_sources]),
        "fact_recall": _mean(facts),
        "fully_correct": _mean([float(r.correct) for r in answerable]),
        "refusal_accuracy": _mean([float(not r.answered) for r in unanswerable]),
        "false_refusals": _mean([float(not r.answered) for r in answerable]),
        "citation_precision": _mean(precisions),
        "answer_language": answer_language(results),
        "grounded_numbers": grounded_numbers(results),
        "latency_p50_ms": round(_quantile(latencies, 0.5) or 0, 1),
        "latency_p95_ms": round(_quantile(latencies, 0.95) or 0, 1),
        "refusals_by_check": refusals_by_check(results),
    }


def breakdown(results: list[Result], key: str) -> dict[str, dict[str, Any]]:
    """``summarise`` per value of ``key`` (topic, lang)."""
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(str(getattr(r, key)), []).append(r)
    return {name: summarise(group) for name, group in sorted(groups.items())}


def language_fact_recall(results: list[Result]) -> dict[str, float | None]:
    """Fact recall of English questions and of all other languages together (the CI floors)."""
    english = [r for r in results if r.lang == "en"]
    other = [r for r in results if r.lang != "en"]
    return {"en": summarise(english)["fact_recall"], "other": summarise(other)["fact_recall"]}
