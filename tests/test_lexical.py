"""The lexical index: stemming on both sides, typing slips, acronyms, and what they change in answers."""

from __future__ import annotations

from assistant.answer.answer import Answer
from assistant.answer.extractive import ExtractiveComposer
from assistant.ingest.splitting import Chunk
from assistant.question.query import analyse, correct_typos
from assistant.question.text import tokens
from assistant.retrieval.hybrid import Passage
from assistant.retrieval.lexical import LexicalIndex
from assistant.service import Assistant
from tests.conftest import fixed_clock

CHUNKS = [
    Chunk("a", "The 2024 Town Twinning call closed on 19 September 2024; its deadline was firm.", {"doc_id": "a"}),
    Chunk("b", "CERV funds projects that strengthen democratic life and civic participation.", {"doc_id": "b"}),
    Chunk("c", "Applicants register in the Participant Register and get a PIC.", {"doc_id": "c"}),
]


def test_inflections_meet_on_both_sides() -> None:
    assert tokens("funded funding funds") == ["fund"] * 3
    assert tokens("program organization organized") == tokens("programme organisation organised")  # US spelling
    assert "fund" not in tokens("Submit it on the Funding & Tenders Portal.")  # a name, no question of funding
    assert tokens("countries") == tokens("country")
    assert tokens("Határidő 2024") == ["hatarido", "2024"]  # other languages match themselves, folded


def test_typing_slips_are_read_as_the_corpus_word(embeddings) -> None:  # noqa: ANN001
    index = LexicalIndex(CHUNKS)
    assert index.correct("deadine") == "deadline"  # a letter missing
    assert index.correct("twinnning") == "twinning"  # a letter added
    assert index.correct("registar") == "register"  # a letter replaced
    assert index.correct("visa") is None and index.correct("deadline") is None
    question = "When did the town twining call close?"
    # "close" is a real word (in the model's vocabulary), though the corpus only has "closed": kept.
    assert correct_typos(question, index, embeddings.dictionary) == "When did the town twinning call close?"


def test_an_acronym_the_documents_never_write_in_capitals_is_unknown() -> None:
    index = LexicalIndex(CHUNKS)
    assert {"cerv", "pic"} <= index.acronyms and "life" not in index.acronyms
    composer = ExtractiveComposer()
    passages = [Passage(c, 1.0 / (i + 1), 0.7) for i, c in enumerate(CHUNKS)]

    def ask(question: str) -> Answer:
        return composer.compose(analyse(question), passages, index, fixed_clock(2025, 1, 1)())

    assert not ask("Does LIFE fund democratic participation projects?").answered
    assert ask("Does CERV fund democratic participation projects?").answered
    assert ask("DOES CERV FUND DEMOCRATIC LIFE PROJECTS?").answered  # typed in capitals: no acronym read


def test_a_question_with_a_typing_slip_is_answered(service: Assistant) -> None:
    answer = service.ask("When did the 2024 town twining call close?")
    assert answer.answered and "19 September 2024" in answer.answer


def test_a_history_question_about_twinning_is_not_steered_to_the_calls(service: Assistant) -> None:
    # "town twinning" without a year or call id is the subject, not the call: the history page answers.
    answer = service.ask("When did the EU first start funding town twinning?")
    assert answer.answered and "1989" in answer.answer


def test_a_phrase_is_named_only_when_its_words_are_written_together() -> None:
    index = LexicalIndex(
        [Chunk("a", "EACEA's Department B covers Creativity, Citizenship and Joint Operations across Europe.", {})]
    )
    assert index.names("joint operations") and index.names("Joint  Operations")
    assert not index.names("creative europe") and not index.names("citizenship europe")


def test_another_programme_the_documents_never_name_is_an_unknown_name() -> None:
    chunks = [
        Chunk("a", "EACEA's Department B covers Creativity, Citizenship and Joint Operations across Europe.", {}),
        Chunk("b", "The deadline of the 2024 Town Twinning call was 19 September 2024.", {"year": 2024}),
    ]
    passages = [Passage(c, 1.0 / (i + 1), 0.5) for i, c in enumerate(chunks)]
    question = "what's the deadline for creative europe cooperation projects this round"
    answer = ExtractiveComposer().compose(analyse(question), passages, LexicalIndex(chunks), fixed_clock(2026, 12, 1)())
    assert not answer.answered and answer.refused_by == "unknown_name"
