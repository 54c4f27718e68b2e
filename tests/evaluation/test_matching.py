import re

import pytest

from assistant.evaluation.matching import fact_found, own_words, ungrounded, values


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
        # An ordinal day is the day.
        ("1 July 2025", "il 1º luglio 2025"),
        ("1 July 2025", "le 1er juillet 2025"),
        # A day without its year is found in a date on that day, whatever its year and spelling.
        ("19 September", "The call closes on 19 September 2025."),
        ("19 September", "Il bando scade il 19 settembre 2025."),
        ("19 September", "A határidő 2025. szeptember 19."),
        ("19 September", "by September 19, 2025"),
        ("19 September", "by 19/09/2025"),
        ("19 September", "le 19 septembre"),
        ("szeptember 19.", "on 19 September 2025"),
        ("1 March", "from 1 March 2025"),
        ("1 March", "dal 1º marzo"),
    ],
)
def test_equal_facts_written_differently_match(fact: str, answer: str) -> None:
    assert fact_found([fact], answer)


@pytest.mark.parametrize(
    "fact, answer",
    [
        ("2024", "the 20245 call"),
        ("19 September 2024", "19 September 2025"),
        ("19 September 2024", "19 September"),
        ("4,000,000", "EUR 40,000,000"),
        ("19 September", "19 October 2025"),
        ("1 March", "from 11 March 2025"),
        ("1 March", "March 11, 2025"),
        ("1 March", "on 21 March"),
        ("1 March", "2025-03-11"),
    ],
)
def test_different_facts_do_not_match(fact: str, answer: str) -> None:
    assert not fact_found([fact], answer)


@pytest.mark.parametrize(
    "fact, answer, lang, matches",
    [
        ("tagállam", "legalább egynek EU-tagállamnak kell lennie", "hu", True),  # a case ending
        ("solidariet", "il tema della solidarietà", "it", True),  # a stem the question writer gave
        ("inglés", "prevalece la versión inglesa", "es", True),
        ("solidariet", "the theme of solidarity", "en", False),  # English: a plural ending only
        ("grant agreement", "their grant agreements", "en", True),
        ("2 ország", "legalább 2 országnak", "hu", True),
        ("30 000", "30 0001 EUR", "hu", False),  # numbers take no ending
    ],
)
def test_a_fact_in_another_language_may_take_an_ending(fact: str, answer: str, lang: str, matches: bool) -> None:
    assert fact_found([fact], answer, lang) is matches


@pytest.mark.parametrize(
    "fact, answer, lang, matches",
    [
        ("46.34%", "es decir, el 46,34 % de la dotación", "es", True),  # a decimal comma, a space before the sign
        ("26%", "environ 26 % du budget", "fr", True),
        ("46.34%", "el 46,35 % de la dotación", "es", False),
        ("Hungary", "Lengyelország, Magyarország és a balti államok", "hu", True),  # the country as CLDR names it
        ("Hungary", "Lengyelországot és Magyarországot", "hu", True),  # with its case ending
        ("Hungary", "Lengyelország és Csehország", "hu", False),
        ("Hungary", "Magyarország", "en", False),  # an English answer names it in English
    ],
)
def test_a_percentage_or_a_country_is_found_as_the_answers_language_writes_it(
    fact: str, answer: str, lang: str, matches: bool
) -> None:
    assert fact_found([fact], answer, lang) is matches


@pytest.mark.parametrize(
    "text, expected",
    [
        ("EUR 4 000 000", {"4000000"}),
        ("EUR 4,000,000", {"4000000"}),
        ("4.000.000 EUR", {"4000000"}),
        ("EUR 4 million", {"4000000"}),
        ("4,2 millió euró", {"4200000"}),
        ("1,5 milliards", {"1500000000"}),
        ("19 September 2024", {"2024-09-19"}),
        ("19 septembre 2024", {"2024-09-19"}),
        ("à partir du 1er janvier 2023", {"2023-01-01"}),  # an ordinal day is the day
        ("dal 1º luglio 2025", {"2025-07-01"}),
        ("2024. szeptember 19.", {"2024-09-19"}),
        ("am 19. September 2024", {"2024-09-19"}),
        ("September 19, 2024", {"2024-09-19"}),
        ("19/09/2024", {"2024-09-19"}),
        ("2024-09-19", {"2024-09-19"}),
        ("on 19 September", {"--09-19"}),
        ("at 17:00", {"17:00"}),
        ("à 17h00", {"17:00"}),
        ("um 17 Uhr", {"17:00"}),
        ("at 5 pm", {"17:00"}),
        ("at 17.00 CET", {"17:00"}),
        ("a rate of 27,26% [2]", {"27.26"}),
        ("Regulation (EU) 2021/692 [1]", {"2021", "692"}),
        ("CERV-2024-CITIZENS-TOWN-TT, see https://ec.europa.eu/2025/call or cerv-2026@ec.europa.eu", {"2024"}),
        ("no numbers here [3]", set()),
    ],
)
def test_values_read_numbers_dates_and_hours_whatever_their_spelling(text: str, expected: set[str]) -> None:
    assert values(text) == expected


def test_a_full_date_in_the_backing_also_backs_its_year_and_its_day() -> None:
    backing = ["The call closes on 19 September 2024."]
    assert ungrounded("In 2024 the call closes on 19 September. [1]", backing) == []
    assert ungrounded("The call closes on 19 October. [1]", backing) == ["--10-19"]


def test_ungrounded_lists_the_answer_values_no_backing_text_states() -> None:
    answer = "La subvention est de 4 000 000 EUR [1] ; date limite : 2024. szeptember 19., 17:00. Il reste 10 jours."
    backing = ["The budget is EUR 4 million.", "Deadline: 19 September 2024 at 17:00", "in 10 days"]
    assert ungrounded(answer, backing) == []
    assert ungrounded(answer, backing[:2]) == ["10"]
    assert ungrounded("The budget was EUR 5,000,000 in 2023 [1].", backing) == ["2023", "5000000"]


def test_own_words_leave_out_quotes_markers_links_numbers_and_dates() -> None:
    answer = (
        "Selon la source, “The call closed on 19 September 2024 at 17:00.” [1] Le délai a expiré le "
        "19 septembre 2024 (https://ec.europa.eu/x, cerv@ec.europa.eu) pour 4 000 000 EUR."
    )
    assert re.findall(r"\w+", own_words(answer)) == "Selon la source Le délai a expiré le pour EUR".split()
