"""Dates, times and amounts as each language writes them (Babel's CLDR data)."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.dates import BRUSSELS, MONTHS, format_amount, format_date, format_time
from assistant.evaluation.matching import fact_found

DEADLINE = dt.datetime(2024, 9, 19, 17, 0, tzinfo=BRUSSELS)


@pytest.mark.parametrize(
    "lang, date",
    [
        ("en", "19 September 2024"),
        ("fr", "19 septembre 2024"),
        ("it", "19 settembre 2024"),
        ("hu", "2024. szeptember 19."),
        ("ro", "19 septembrie 2024"),
        ("de", "19. September 2024"),
        ("es", "19 de septiembre de 2024"),
        ("pl", "19 September 2024"),  # unsupported: English
    ],
)
def test_format_date(lang: str, date: str) -> None:
    assert format_date(DEADLINE.date(), lang) == date
    assert format_date(DEADLINE, lang) == date
    assert format_date(DEADLINE, lang, with_time=True) == f"{date}, 17:00"
    assert format_date(DEADLINE.replace(hour=0), lang, with_time=True) == date  # midnight: no time
    assert format_date(DEADLINE.date(), lang, with_time=True) == date
    assert format_date(DEADLINE.replace(hour=9, minute=5), lang, with_time=True) == f"{date}, 09:05"


def test_the_english_date_is_the_default_and_reads_as_the_corpus_writes_it() -> None:
    assert format_date(dt.date(2025, 3, 7)) == "7 March 2025"


@pytest.mark.parametrize("lang", ["en", "fr", "it", "hu", "ro", "de"])
def test_fact_matching_reads_the_formatted_date(lang: str) -> None:
    # Spanish ("19 de septiembre de 2024") is matched through the Spanish alternative the questions carry.
    assert fact_found(["19 September 2024"], f"It closed on {format_date(DEADLINE, lang, with_time=True)}.")


def test_months_are_cldr_names_as_before() -> None:
    assert MONTHS == {
        "en": "January February March April May June July August September October November December",
        "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
        "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
        "hu": "január február március április május június július augusztus szeptember október november december",
        "ro": "ianuarie februarie martie aprilie mai iunie iulie august septembrie octombrie noiembrie decembrie",
        "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
        "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    }


@pytest.mark.parametrize(
    "lang, amount",
    [
        ("en", "EUR 4,000,000"),
        ("fr", "4 000 000 EUR"),
        ("it", "4.000.000 EUR"),
        ("hu", "4 000 000 EUR"),
        ("ro", "4.000.000 EUR"),
        ("de", "EUR 4.000.000"),
        ("es", "4.000.000 EUR"),
        ("pl", "EUR 4,000,000"),
    ],
)
def test_format_amount(lang: str, amount: str) -> None:
    assert format_amount(4_000_000, lang) == amount
    assert fact_found(["4,000,000"], amount)


@pytest.mark.parametrize("lang", ["en", "fr", "it", "hu", "ro", "de", "es"])
def test_amounts_and_times_use_plain_spaces(lang: str) -> None:
    for text in (format_amount(50_745, lang), format_amount(641_705_000, lang), format_time(dt.time(9, 5), lang)):
        assert "\xa0" not in text and "\u202f" not in text
    assert format_amount(500, lang) in ("EUR 500", "500 EUR")


@pytest.mark.parametrize("lang", ["en", "fr", "it", "hu", "ro", "de", "es", "pl"])
def test_format_time(lang: str) -> None:
    assert format_time(dt.time(17, 0), lang) == "17:00"
    assert format_time(dt.time(9, 5), lang) == "09:05"


def test_a_ratio_is_whole_or_to_one_decimal_the_locales_way() -> None:
    from assistant.dates import format_ratio

    assert format_ratio(3.0, "en") == "3" and format_ratio(2.5, "en") == "2.5" and format_ratio(2.5, "fr") == "2,5"
    assert format_ratio(12 / 7, "de") == "1,7"
