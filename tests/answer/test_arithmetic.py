"""The difference or sum of figures quoted from passages (answer/arithmetic.py): a difference computed only when the
question asks its size and exactly two figures are at hand, a sum only of counts one sentence states side by side,
each written with its operands."""

from __future__ import annotations

import pytest

from assistant.answer.arithmetic import counts, operate
from assistant.question.query import analyse

BUDGET = "The 2024 European Remembrance call had a budget of EUR 14 million (EUR 14,000,000)."
SPENT = "In the 2024 European Remembrance call, 53 projects were funded for a total of EUR 13,958,147."
RANGE = "In the 2024 Town Twinning call, the EU contribution per project ranged from EUR 8,455 to EUR 50,745."


@pytest.mark.parametrize(
    ("question", "lang_words"),
    [
        ("How much of the REM 2024 budget was not used by the funded projects?", "Difference: EUR 14,000,000 −"),
        # An amount denied ("not awarded") is the rest of the other.
        ("how much of the REM 2024 budget was not awarded to funded projects?", "Difference: EUR 14,000,000 −"),
        ("Di quanto il budget REM 2024 superava i fondi assegnati?", "Differenza: 14.000.000 EUR −"),
        ("How far apart were the REM 2024 budget and the funds awarded?", "Difference: EUR 14,000,000 −"),
        ("rem 2024 - difference between the call budget and the total awarded?", "Difference: EUR 14,000,000 −"),
        ("REM 2024 budget vs funds awarded - difference in EUR?", "Difference: EUR 14,000,000 −"),
        ("REM 2024: budget vs awarded – difference?", "Difference: EUR 14,000,000 −"),
    ],
)
def test_the_difference_asked_is_computed_with_its_operands(question: str, lang_words: str) -> None:
    text, value = operate(analyse(question), [SPENT, BUDGET])  # type: ignore[misc]
    # The computed value, written for the question's language, ends the sentence; the operands come before it.
    assert text.startswith(lang_words) and text.endswith(f"= {value}.") and "13" in text and "958" in text
    assert "41" in value and "853" in value


@pytest.mark.parametrize(
    ("question", "sentences"),
    [
        # A comparison or a sum is not the amount of a difference: which figure is which is not known.
        ("Compare the REM 2024 budget with what was spent.", [SPENT, BUDGET]),
        ("What did REM 2024 projects get together?", [SPENT, BUDGET]),
        # A figure of the question's own makes three operands; a range in one sentence makes two of one kind.
        ("Our last grant was EUR 25,000: how much more can a TT 2024 project get?", [RANGE]),
        # A quoted sentence stating two amounts (a range): which of them is the operand is not known.
        ("How much higher is the TT 2024 maximum than before?", [RANGE, BUDGET]),
        # One amount only.
        ("How much more was the REM 2024 budget?", [BUDGET]),
    ],
)
def test_nothing_is_computed_when_the_operands_are_not_two(question: str, sentences: list[str]) -> None:
    assert operate(analyse(question), sentences) is None


def test_a_figure_several_sentences_state_as_context_is_no_operand() -> None:
    citizens = "The citizens' engagement strand receives EUR 174,928,783."
    restated = "Of the EUR 641,705,000 envelope, the citizens' engagement strand has EUR 174,928,783."
    values_strand = (
        "Within the CERV legal envelope of EUR 641,705,000, the Union values strand receives EUR 297,366,097."
    )
    joint = "The equality strand and the Daphne strand together receive EUR 169,410,120."
    question = "How much more does the Union values strand get than the citizens' engagement strand?"
    text, value = operate(analyse(question), [citizens, restated, values_strand, joint])  # type: ignore[misc]
    assert value == "EUR 122,437,314" and "297,366,097" in text and "174,928,783" in text


VOTES = "The first-reading vote of 17 April 2019 was 472 votes in favour, 129 against and 41 abstentions."
REJECTED = "In the 2023 NT call, 27 proposals were rejected for lack of budget and 43 for insufficient quality."
RECEIVED = "The 2024 remembrance call received 524 proposals, 209 of them under the Holocaust remembrance topic."
WIKIPEDIA = "Wikipedia gives 130,000 local and regional governments represented by CEMR."
OWN_SITE = "According to CEMR's own website, these associations represent more than 110,000 local governments."


def test_counts_are_numbers_of_things_not_dates_amounts_shares_years_or_ids() -> None:
    assert counts(VOTES) == [472, 129, 41]
    assert counts(WIKIPEDIA) == [130000]
    numbered = "CERV-2024-CITIZENS-TOWN-TT closed on 19 September 2024 at 17:00; strand 3 got EUR 6 million (45%)."
    assert counts(numbered) == [] and counts("COM(2011) 884 of unit B.3, a 9-digit PIC") == []


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("How many MEPs voted in total (for, against and abstaining) in the first reading?", "472 + 129 + 41 = 642"),
        ("nt 2023: how many proposals were rejected for lack of budget or insufficient quality combined?", "= 70"),
    ],
)
def test_counts_one_sentence_states_side_by_side_are_summed_when_a_total_is_asked(question: str, expected: str) -> None:
    text, value = operate(analyse(question), [VOTES if "MEP" in question else REJECTED])  # type: ignore[misc]
    assert expected in text and text.endswith(f"{value}.")


@pytest.mark.parametrize(
    ("question", "sentences"),
    [
        # A part of a whole ("209 of them") is no addend.
        ("How many proposals did the 2024 remembrance call receive in total?", [RECEIVED]),
        # No total asked.
        ("How many MEPs voted against the CERV proposal?", [VOTES]),
        # One count only.
        ("How many local governments does CEMR represent in total?", [WIKIPEDIA]),
    ],
)
def test_nothing_is_summed_without_a_total_asked_and_counts_side_by_side(question: str, sentences: list[str]) -> None:
    assert operate(analyse(question), sentences) is None


def test_the_difference_of_two_counts_is_computed_when_its_size_is_asked() -> None:
    question = "How many local governments do Wikipedia and CEMR's site each give, and what's the difference?"
    text, value = operate(analyse(question), [WIKIPEDIA, OWN_SITE])  # type: ignore[misc]
    assert text == "Difference: 130,000 − 110,000 = 20,000." and value == "20,000"
    # Counts are not compared for a question asking no count.
    assert operate(analyse("What's the difference between the two sources?"), [WIKIPEDIA, OWN_SITE]) is None


def test_a_figure_written_again_rounded_is_one_operand() -> None:
    proposed = "In its proposal, the Commission had proposed a budget of EUR 229 million for the programme."
    final = "Two websites give EUR 187,718,000, also written as EUR 187.7 million, as the programme's final budget."
    question = "How far below the Commission's proposal did the final budget end up?"
    text, value = operate(analyse(question), [proposed, final])  # type: ignore[misc]
    assert value == "EUR 41,282,000" and "187,718,000" in text


def test_what_is_not_in_a_part_is_the_whole_less_the_part() -> None:
    question = "Of all proposals to the 2024 remembrance call, how many were NOT under the Holocaust topic?"
    text, value = operate(analyse(question), [RECEIVED])  # type: ignore[misc]
    assert text == "Difference: 524 − 209 = 315." and value == "315"
    # Nothing left out or denied: the part is no operand.
    assert operate(analyse("How many 2024 remembrance proposals were under the Holocaust topic?"), [RECEIVED]) is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What was the average grant per project in REM 2024?", "On average: EUR 13,958,147 ÷ 53 = EUR 263,361."),
        ("Quanto ha ricevuto in media ogni progetto REM 2024?", "In media: 13.958.147 EUR ÷ 53 = 263.361 EUR."),
    ],
)
def test_an_average_is_the_total_shared_out_over_what_it_counts(question: str, expected: str) -> None:
    text, value = operate(analyse(question), [BUDGET, SPENT])  # type: ignore[misc]
    assert text == expected and value in expected
    # No average asked, or no sentence stating a count with its total: nothing is computed.
    assert operate(analyse("What did each REM 2024 project get?"), [BUDGET, SPENT]) is None
    assert operate(analyse("What was the average REM 2024 grant?"), [BUDGET, RANGE]) is None


FOUNDED = (
    "CEMR marks its 75th anniversary on 28 January 2026, seventy-five years after its founding in Geneva on "
    "28 January 1951."
)
RENAMED = (
    "The Council of European Municipalities became the Council of European Municipalities and Regions (CEMR) in "
    "1984, when regions were admitted as members."
)
ANNOUNCED = "In its announcement of 11 June 2024, CEMR says that twinning helps towns tackle climate change."


@pytest.mark.parametrize(
    "question",
    [
        "how many years between CEMR's founding and its renaming to include regions",
        # Another language's question names its events by their English terms ("fondazione": founded).
        "Quanti anni sono passati tra la fondazione del CCRE e il 1984?",
    ],
)
def test_the_years_between_two_events_are_those_of_the_clauses_naming_them(question: str) -> None:
    text, value = operate(analyse(question), [FOUNDED, RENAMED])  # type: ignore[misc]
    assert value == "33" and "1984 − 1951" in text


def test_no_years_between_are_computed_from_a_clause_naming_no_event_asked() -> None:
    # "climate change" is no change of name; the anniversary clause dates no founding.
    question = "How many years passed between CEMR's founding and its change of name?"
    assert operate(analyse(question), [FOUNDED, ANNOUNCED]) is None
    # A question naming one year of its own takes it as an operand.
    text, value = operate(analyse("how many years between 1951 and the year regions joined CEMR?"), [RENAMED])  # type: ignore[misc]
    assert value == "33"
