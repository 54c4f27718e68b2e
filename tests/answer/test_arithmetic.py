"""The difference of two amounts quoted from passages (answer/arithmetic.py): computed only when the question asks
the amount of a difference and exactly two amounts are at hand, and written with its operands."""

from __future__ import annotations

import pytest

from assistant.answer.arithmetic import operate
from assistant.question.query import analyse

BUDGET = "The 2024 European Remembrance call had a budget of EUR 14 million (EUR 14,000,000)."
SPENT = "In the 2024 European Remembrance call, 53 projects were funded for a total of EUR 13,958,147."
RANGE = "In the 2024 Town Twinning call, the EU contribution per project ranged from EUR 8,455 to EUR 50,745."


@pytest.mark.parametrize(
    ("question", "lang_words"),
    [
        ("How much of the REM 2024 budget was not used by the funded projects?", "Difference: EUR 14,000,000 −"),
        ("Di quanto il budget REM 2024 superava i fondi assegnati?", "Differenza: 14.000.000 EUR −"),
        ("How far apart were the REM 2024 budget and the funds awarded?", "Difference: EUR 14,000,000 −"),
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
