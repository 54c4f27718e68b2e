"""The evaluation runner: a question is asked on its ``asked_on`` day, and computed facts (``derived``) count."""

from __future__ import annotations

from assistant.config import Settings
from assistant.embeddings import SentenceTransformerEmbeddings
from assistant.evaluation.runner import QuestionClock, run
from assistant.service import Assistant
from tests.conftest import fixed_clock

QUESTION = "When is the deadline of the 2024 town twinning call?"


def _item(**more: object) -> dict:
    return {
        "id": "x", "question": QUESTION, "history": [], "facts": [["19 September 2024"]], "answerable": True,
        "lang": "en", "topic": "deadlines", "sources": ["corpus/cerv/calls/tt-2024.md"], **more,
    }  # fmt: skip


def test_each_question_is_asked_on_its_day_and_its_derived_facts_are_scored(
    indexed_settings: Settings, embeddings: SentenceTransformerEmbeddings
) -> None:
    clock = QuestionClock(fixed_clock(2026, 11, 21))
    assistant = Assistant(indexed_settings, embeddings, clock=clock)
    before, after, undated = run(
        assistant.ask,
        [
            _item(asked_on="2024-09-09", derived=[["in 10 days"]]),
            _item(asked_on="2024-12-01", derived=[["in 10 days"]]),
            _item(),
        ],
        progress=False,
        clock=clock,
    )
    assert "in 10 days" in before.answer and before.facts_found == [True, True]
    assert "has passed" in after.answer and after.facts_found == [True, False]
    assert "has passed" in undated.answer and undated.facts_found == [True]  # the assistant's own clock
    assert clock.day is None
