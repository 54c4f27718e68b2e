"""Odd questions get a sensible answer or a clear refusal, never an error: a bare number, a bare call id, a call
type and year alone, a question mixing languages, 2,000 characters of pasted call text. Over the real fixture
index."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.service import Assistant

FIXTURE = Path(__file__).parents[1] / "fixtures" / "corpus" / "tt-2024.md"


@pytest.mark.parametrize("question", ["2024", "42", "?", "...", "CERV", "€"])
def test_a_bare_number_or_sign_is_answered_or_refused_with_a_reason(service: Assistant, question: str) -> None:
    answer = service.ask(question)
    assert answer.answer.strip()
    assert answer.answered or answer.refused_by


def test_a_bare_call_id_gets_that_calls_key_facts(service: Assistant) -> None:
    answer = service.ask("CERV-2024-CITIZENS-TOWN-TT")
    assert answer.answered
    assert "19 September 2024" in answer.answer and "4,000,000" in answer.answer
    assert "CERV-2025-CITIZENS-TOWN-NT" not in answer.answer


def test_a_call_type_and_year_alone_get_the_calls_key_facts(service: Assistant) -> None:
    answer = service.ask("nt 2025?")
    assert answer.answered and "27 March 2025" in answer.answer and "10,000,000" in answer.answer


def test_a_question_mixing_languages_is_answered(service: Assistant) -> None:
    answer = service.ask("Quand is the deadline for TT 2024 please?")
    assert answer.answered and "2024" in answer.answer and "19" in answer.answer


def test_two_thousand_characters_of_pasted_call_text_do_not_break_anything(service: Assistant) -> None:
    text = FIXTURE.read_text(encoding="utf-8").split("---", 2)[2]
    pasted = " ".join((text * 10).split())[:2000]
    answer = service.ask(pasted)
    assert answer.answer.strip() and (answer.answered or answer.refused_by)
    question = service.ask(pasted[:1900] + " When did this call close?")
    assert question.answer.strip() and (question.answered or question.refused_by)
