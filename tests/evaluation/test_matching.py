import pytest

from assistant.evaluation.matching import fact_found


@pytest.mark.parametrize(
    "fact, answer",
    [
        ("4,000,000", "a budget of EUR 4 000 000"),
        ("4.000.000", "a budget of EUR 4,000,000"),
        ("4 million", "a budget of EUR 4,000,000"),
        ("19 September 2024", "closes on 2024-09-19"),
        ("19 septembre 2024", "closed on 19 September 2024 at 17:00"),
        ("19 September 2024", "on September 19, 2024"),
        ("2024. szeptember 19.", "on 19 September 2024"),
        ("AICCRE", "aiccre (Italy)"),
        ("TÖOSZ", "TOOSZ, Hungary"),
        ("1.5 billion", "over EUR 1,5 billion"),
    ],
)
def test_equal_facts_written_differently_match(fact: str, answer: str) -> None:
    assert fact_found([fact], answer)


@pytest.mark.parametrize(
    "fact, answer",
    [("2024", "the 20245 call"), ("19 September 2024", "19 September 2025"), ("4,000,000", "EUR 40,000,000")],
)
def test_different_facts_do_not_match(fact: str, answer: str) -> None:
    assert not fact_found([fact], answer)
