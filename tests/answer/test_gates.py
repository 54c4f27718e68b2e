"""Each refusal gate, on hand-made passages: the question it refuses, recorded as ``refused_by``, and a question
it lets through. No model: passages carry their similarity by hand."""

from __future__ import annotations

import pytest

from assistant.answer.answer import Answer
from assistant.answer.extractive import ExtractiveComposer, Thresholds
from assistant.answer.gates import ANSWER_GATES, SELECTION_GATES
from assistant.ingest.splitting import Chunk
from assistant.question.query import analyse
from assistant.retrieval.hybrid import Passage
from assistant.retrieval.lexical import LexicalIndex
from tests.conftest import fixed_clock

COMPOSER = ExtractiveComposer(Thresholds())


# A sentence of the index that no question here retrieves: its year is a word the documents know.
ELSEWHERE = Chunk("elsewhere", "The agency moved offices in 2007.", {"doc_id": "elsewhere"})


def _ask(question: str, sentences: list[str], similarity: float = 0.5) -> Answer:
    chunks = [Chunk(f"c{i}", s, {"doc_id": f"d{i}"}) for i, s in enumerate(sentences)]
    passages = [Passage(c, 1.0 / (i + 1), similarity) for i, c in enumerate(chunks)]
    index = LexicalIndex([*chunks, ELSEWHERE])
    return COMPOSER.compose(analyse(question), passages, index, fixed_clock(2026, 1, 1)())


# gate -> (question, passages that do not answer it, passages that do)
CASES: dict[str, tuple[str, list[str], list[str]]] = {
    "unknown_name": (
        "What is the Interreg budget of the PIC register?",
        ["The PIC register is run by the agency."],
        ["The PIC register is run by the agency. Interreg has a budget of EUR 10 for the PIC register."],
    ),
    "coverage": (
        "Who chairs the committee of the regions?",
        ["Applicants register in the Participant Register and get a PIC before they apply."],
        ["The committee of the regions is chaired by Ana Lopez."],
    ),
    "intent": (
        "At what time does the Participant Register deadline for the PIC close?",
        ["The Participant Register deadline for the PIC is announced by the agency."],
        ["The Participant Register deadline for the PIC closes at 17:00."],
    ),
    "year": (
        "What was the PIC registration fee in 2023?",
        ["In 2021 the PIC registration fee was EUR 10.", "The agency moved offices in 2023."],
        ["In 2023 the PIC registration fee was EUR 10."],
    ),
    "call": (
        "What was the budget of the networks of towns call?",
        ["The town twinning call had a budget of EUR 4,000,000."],
        ["The networks of towns call had a budget of EUR 6,000,000."],
    ),
    "country": (
        "Who is the CERV contact point in Germany?",
        ["The CERV contact point in France is Cidem."],
        ["The CERV contact point in Germany is the Kontaktstelle Deutschland."],
    ),
    "future": (
        "When is the next twinning congress?",
        ["The twinning congress took place on 3 May 2019."],
        ["The next twinning congress takes place on 3 May 2027."],
    ),
    "sequence": (
        "Where was the twinning congress held after the one in Rhodes?",
        ["The twinning congresses were held in Antwerp in 2002 and in Rhodes in 2007."],
        ["The twinning congress after Rhodes 2007 was held in Rome in 2012."],
    ),
    "year_of_answer": (
        "Who won the Golden Stars award in 2007?",
        ["The Golden Stars award honours twinning projects and was won by Lyon."],
        ["The Golden Stars award was won in 2007 by Turin."],
    ),
    "contact": (
        "What is the e-mail address of the Lyon office?",
        ["The Paris office has the e-mail address paris@example.eu.", "The Lyon office opened in the old town."],
        ["The Lyon office has the e-mail address lyon@example.eu."],
    ),
    "no_knowledge": (
        "What is the PIC registration fee?",
        ["The documents do not state the PIC registration fee."],
        ["The PIC registration fee is EUR 10."],
    ),
}


# A passage as similar as this answers in other words whatever its word coverage: the later gates are reached.
SIMILARITY = {"year_of_answer": 0.7}


def test_every_gate_has_a_case() -> None:
    assert {g.name for g in SELECTION_GATES + ANSWER_GATES} | {"unknown_name"} == set(CASES) | {"similarity"}


@pytest.mark.parametrize("gate", sorted(CASES))
def test_a_gate_refuses_what_it_guards_and_says_so(gate: str) -> None:
    question, wrong, right = CASES[gate]
    similarity = SIMILARITY.get(gate, 0.5)
    refused = _ask(question, wrong, similarity)
    assert not refused.answered and refused.refused_by == gate, refused.answer
    answered = _ask(question, right, similarity)
    assert answered.answered and answered.refused_by is None, answered.answer


def test_the_similarity_gate_refuses_passages_unlike_the_question() -> None:
    sentences = ["The PIC registration fee is EUR 10."]
    refused = _ask("What is the PIC registration fee?", sentences, similarity=0.01)
    assert not refused.answered and refused.refused_by == "similarity"
    assert _ask("What is the PIC registration fee?", sentences, similarity=0.5).answered


def test_nothing_retrieved_is_its_own_reason() -> None:
    answer = COMPOSER.compose(analyse("What is the PIC fee?"), [], LexicalIndex([]), fixed_clock(2026, 1, 1)())
    assert not answer.answered and answer.refused_by == "no_passages"


def test_a_refusal_quotes_no_sentence_of_another_year_or_call_as_nearby() -> None:
    for gate in ("year", "call"):
        question, wrong, _ = CASES[gate]
        refused = _ask(question, wrong)
        assert refused.refused_by == gate and not refused.sources, refused.answer


def test_the_future_gate_reads_what_is_asked_not_the_context() -> None:
    # "Next year" in the context about the town does not make a question about the past one about the future.
    question = "Our association turns 35 next year. When was the first twinning congress held?"
    answer = _ask(question, ["The first twinning congress was held on 3 May 1951."])
    assert answer.answered and answer.refused_by is None, answer.answer


@pytest.mark.parametrize(
    ("question", "wrong", "right"),
    [
        # A share needs a percentage; a telephone number needs one (a mailbox is not one).
        (
            "What percentage of the PIC registration fee is paid when the form is signed?",
            ["The PIC registration fee was set in 2021 and is paid when the form is signed."],
            ["Of the PIC registration fee, 40% is paid when the form is signed."],
        ),
        (
            "What is the phone number of the PIC helpdesk?",
            ["The PIC helpdesk answers at PIC-HELP@ec.europa.eu."],
            ["The PIC helpdesk answers at +32 2 299 11 11."],
        ),
    ],
)
def test_an_exact_detail_asked_alone_needs_a_sentence_that_holds_it(
    question: str, wrong: list[str], right: list[str]
) -> None:
    # The first question also says "when": a sentence with a year holds a date, not the percentage asked.
    refused = _ask(question, wrong)
    assert not refused.answered and refused.refused_by == "intent", refused.answer
    assert _ask(question, right).answered


def test_a_place_named_in_another_form_is_no_unknown_name() -> None:
    # "Gorizia" is written in the documents only inside "Goriziano": the question is answered, not refused.
    sentences = ["The Il Goriziano article gives 19 September 2025 as the deadline of the PIC call."]
    answer = _ask("What deadline did the Gorizia article give for the PIC call?", sentences)
    assert answer.answered and answer.refused_by is None, answer.answer


def test_a_term_of_the_questions_language_that_the_translations_use_is_no_unknown_name() -> None:
    # "Estrellas de Oro" is not English, but the documents' Spanish translation writes it: not an unknown name.
    english = Chunk("gs", "In 2006, 11 Golden Stars of Town Twinning were awarded.", {"doc_id": "gs.md"})
    spanish = Chunk(
        "es-gs",
        "En 2006 se concedieron 11 Estrellas de Oro del hermanamiento.",
        {"doc_id": "es/gs.md", "translation_of": "gs.md", "language": "es"},
    )
    question = analyse("¿Cuántas Estrellas de Oro del hermanamiento se dieron en 2006?")
    assert question.language == "es"
    passages = [Passage(english, 1.0, 0.5)]
    now = fixed_clock(2026, 1, 1)()
    without = COMPOSER.compose(question, passages, LexicalIndex([english, ELSEWHERE]), now)
    assert without.refused_by == "unknown_name"
    answer = COMPOSER.compose(question, passages, LexicalIndex([english, ELSEWHERE], translations=[spanish]), now)
    assert answer.answered and "11" in answer.answer, answer.answer


def test_a_date_asked_with_its_time_is_answered_when_only_the_date_is_known() -> None:
    # Two questions run together: the day answers the first even though no sentence gives the hour.
    sentences = ["The PIC call closes on 3 May 2027.", "The PIC call's closing time is set by the agency."]
    answer = _ask("When does the PIC call close, and at what time?", sentences)
    assert answer.answered and "3 May 2027" in answer.answer, answer.answer
    # Asked alone, the hour is an exact detail no sentence holds.
    refused = _ask("At what time does the PIC call close?", sentences)
    assert not refused.answered and refused.refused_by == "intent", refused.answer


def test_a_sentence_about_the_country_asked_leads() -> None:
    # The deadlines rank first, but a question naming a country is answered first by the sentence about it.
    sentences = [
        "The 2001 PIC call had three deadlines: 22 December 2000, 9 March 2001 and 10 August 2001.",
        "Candidate countries such as Poland and Malta were eligible in the 2001 PIC call.",
    ]
    answer = _ask(
        "Were candidate countries such as Poland eligible for the 2001 PIC call, and what were the deadlines?",
        sentences,
    )
    assert answer.answered and answer.answer.startswith("Candidate countries such as Poland"), answer.answer
    assert "10 August 2001" in answer.answer


def test_a_sentence_answering_one_of_the_questions_run_together_is_not_refused_for_coverage() -> None:
    question = "pic contact point sweden?? and do they submit the application form on our behalf or must we send it"
    sentences = ["In Sweden, the PIC contact point is MUCF, the youth agency."]
    chunks = [Chunk(f"c{i}", s, {"doc_id": f"d{i}"}) for i, s in enumerate(sentences)]
    passages = [Passage(c, 1.0, 0.5) for c in chunks]
    index = LexicalIndex([*chunks, ELSEWHERE])
    now = fixed_clock(2026, 1, 1)()
    # A coverage threshold the sentence misses for the whole question: refused unless a part counts.
    whole = ExtractiveComposer(Thresholds(min_overlap=0.9)).compose(analyse(question), passages, index, now)
    assert whole.refused_by == "coverage", whole.answer
    parts = ExtractiveComposer(Thresholds(min_overlap=0.9, part_overlap=0.8))
    parts = parts.compose(analyse(question), passages, index, now)
    assert parts.answered and "MUCF" in parts.answer, parts.answer


@pytest.mark.parametrize(
    ("sentence", "question", "defines"),
    [
        ("Contact the organisation's LEAR (Legal Entity Appointed Representative) first.", "Who is the LEAR?", True),
        ("An organisation needs a Participant Identification Code (PIC).", "what does PIC mean", True),
        ("Contact the organisation's LEAR before registering.", "Who is the LEAR?", False),  # named, not spelt out
        ("An organisation needs a Participant Identification Code (PIC).", "Who is the LEAR?", False),
        # However the question writes it.
        ("Contact the organisation's LEAR (Legal Entity Appointed Representative) first.", "wat is a lear", True),
        ("An organisation needs a Participant Identification Code (PIC).", "Was ist eine PIC?", True),
    ],
)
def test_a_sentence_spelling_out_the_acronym_asked_defines_it(sentence: str, question: str, defines: bool) -> None:
    from assistant.answer.gates import defines_acronym

    assert defines_acronym(sentence, analyse(question)) is defines


def test_the_year_gate_reads_programme_periods() -> None:
    # "The 2014-2020 one?" is not answered by a sentence naming only another period, as "in 2023" is not by 2021.
    answer = _ask(
        "What was the PIC registration fee in 2014-2020?",
        ["In 2007-2013 the PIC registration fee was EUR 10.", "The agency was renamed in 2014-2020."],
    )
    assert not answer.answered and answer.refused_by == "year", answer.answer
    assert _ask(
        "What was the PIC registration fee in 2014-2020?",
        ["In 2014-2020 the PIC registration fee was EUR 10."],
    ).answered


def test_another_programme_beside_cerv_is_where_something_comes_from_not_what_is_asked() -> None:
    sentence = "An organisation that already has a PIC does not register again for CERV; it contacts its LEAR."
    beside = _ask("our town already has a PIC from an Erasmus project... do we register again for CERV?", [sentence])
    assert beside.answered, beside.answer
    alone = _ask("Do we register again for an Erasmus project?", [sentence])
    assert not alone.answered and alone.refused_by == "unknown_name", alone.answer
