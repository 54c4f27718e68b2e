"""The evaluation runner: a question is asked on its ``asked_on`` day, computed facts (``derived``) count, and each
answer's refusing check, language and values not in its sources are recorded."""

from __future__ import annotations

from assistant.answer.answer import Answer, Source
from assistant.config import Settings
from assistant.embeddings import SentenceTransformerEmbeddings
from assistant.evaluation.runner import QuestionClock, run, score
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
    assert "was 19 September 2024" in after.answer and after.facts_found == [True, False]
    assert "was 19 September 2024" in undated.answer and undated.facts_found == [True]  # the assistant's own clock
    assert clock.day is None


def test_a_refusal_records_its_check_and_its_language() -> None:
    answer = Answer(
        answer="Je n'ai pas trouvé cette information dans mes documents. Adressez-vous à votre point de contact "
        "national CERV.",
        answered=False,
        refused_by="coverage",
    )
    got = score(_item(lang="fr", question="Quelle est la date limite de l'appel 2023 ?"), answer)
    assert (got.refused_by, got.answer_lang, got.ungrounded) == ("coverage", "fr", [])
    assert score(_item(), answer.model_copy(update={"refused_by": None})).refused_by is None


def test_an_answer_in_the_question_language_quoting_english_reads_as_that_language() -> None:
    quoted = "“The 2024 Town Twinning call closed on 19 September 2024 at 17:00 Brussels time.”"
    answer = Answer(
        answer=f"Secondo la fonte, {quoted} [1] Il termine è quindi scaduto da 10 giorni.",
        answered=True,
        sources=[Source(title="EACEA", snippet=f"Secondo la fonte, {quoted}")],
        computed=["10 giorni"],
    )
    got = score(_item(lang="it", question="Qual è la scadenza del bando 2024?"), answer)
    assert (got.answer_lang, got.ungrounded, got.refused_by) == ("it", [], None)
    english = answer.model_copy(update={"answer": f"According to the source, {quoted} [1] It passed 10 days ago."})
    assert score(_item(lang="it"), english).answer_lang == "en"


def test_an_answered_question_lists_the_values_its_sources_do_not_state() -> None:
    answer = Answer(
        answer="The 2024 call had a budget of EUR 4 000 000 [1] and funded 120 projects by 19 September. [1]",
        answered=True,
        sources=[Source(title="EACEA", snippet="The budget was EUR 4 million; it closed on 19 September 2024.")],
    )
    assert score(_item(), answer).ungrounded == ["120"]
    assert score(_item(question="Did it fund 120 projects?"), answer).ungrounded == []
    assert score(_item(), answer.model_copy(update={"computed": ["120"]})).ungrounded == []
