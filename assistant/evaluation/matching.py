"""Fact matching per the contract: case, accents and thousands separators ignored, "4 million" = 4,000,000,
and dates read in their usual spellings (19 September 2024 = 2024-09-19 = 19/09/2024 = 19 septembre 2024).

The same readings give an answer's values (``values``: its numbers, dates and hours, for ``grounded_numbers``)
and its own words (``own_words``: what is left for ``answer_language`` once quotes, numbers and dates are gone).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from assistant.dates import MONTHS
from assistant.question.places import countries_named, country_label
from assistant.question.text import fold

_MONTH_NUMBER: dict[str, int] = {}
for _names in MONTHS.values():
    for _i, _name in enumerate(fold(_names).split(), 1):
        _MONTH_NUMBER[_name] = _i
_MONTH_NUMBER.update(
    {
        "sept": 9,
        "sep": 9,
        "jan": 1,
        "feb": 2,
        "mar": 3,
        "apr": 4,
        "jun": 6,
        "jul": 7,
        "aug": 8,
        "oct": 10,
        "nov": 11,
        "dec": 12,
    }
)
_MONTH_RE = "|".join(sorted(map(re.escape, _MONTH_NUMBER), key=len, reverse=True))
_DMY = re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b")
_MDY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})\b")
_YMD_HU = re.compile(rf"\b(\d{{4}})\.?\s+({_MONTH_RE})\s+(\d{{1,2}})\.?")
_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# Each date spelling (of folded text) with its (year, month, day), in the order they are read.
_DATES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[int, int, int]]]] = [
    (_DMY, lambda m: (int(m[3]), _MONTH_NUMBER[m[2]], int(m[1]))),
    (_MDY, lambda m: (int(m[3]), _MONTH_NUMBER[m[1]], int(m[2]))),
    (_YMD_HU, lambda m: (int(m[1]), _MONTH_NUMBER[m[2]], int(m[3]))),
    (_NUMERIC, lambda m: (int(m[3]), int(m[2]), int(m[1]))),
    (_ISO, lambda m: (int(m[1]), int(m[2]), int(m[3]))),
]
_SCALED = re.compile(
    r"\b(\d+(?:[.,]\d+)?)\s*(million|billion|milliard|milliards|miliarde|milioane|milioni|miliardi|"
    r"millionen|milliarden|millones|millon|mrd|mio|bn|m)\b"
)
_SCALE = {
    "million": 6,
    "milioane": 6,
    "milioni": 6,
    "millionen": 6,
    "millones": 6,
    "millon": 6,
    "mio": 6,
    "m": 6,
    "billion": 9,
    "milliard": 9,
    "milliards": 9,
    "miliarde": 9,
    "miliardi": 9,
    "milliarden": 9,
    "mrd": 9,
    "bn": 9,
}


def _scaled(m: re.Match[str], scale: dict[str, int] = _SCALE) -> str:
    """An amount such as "4.2 million" as a whole number."""
    return str(int(round(float(m[1].replace(",", ".")) * 10 ** scale[m[2]])))


_ORDINAL_DAY = re.compile(r"\b(\d{1,2})(?:º|°|er)(?=\s)")


# A percentage with a decimal comma or a space before its sign ("46,34 %"): written as English writes it (46.34%).
_PERCENT = re.compile(r"(\d+)(?:,(\d+))?\s+%|(\d+),(\d+)%")


def _percent(m: re.Match[str]) -> str:
    whole, decimals = (m[1], m[2]) if m[1] else (m[3], m[4])
    return f"{whole}.{decimals}%" if decimals else f"{whole}%"


def normalise(text: str) -> str:
    """Fold text so that equal facts written differently compare equal (an ordinal day, "1º luglio", "1er
    juillet", is the day; a percentage, "46,34 %", is 46.34%)."""
    text = fold(_ORDINAL_DAY.sub(r"\1", _PERCENT.sub(_percent, text)))
    for pattern, ymd in _DATES:
        text = pattern.sub(lambda m, ymd=ymd: "{:04d}-{:02d}-{:02d}".format(*ymd(m)), text)
    text = _SCALED.sub(_scaled, text)
    return " ".join(re.sub(r"[^\w:.%-]+", " ", text).split())


# A day without its year in a normalised fact (19 september, september 19, szeptember 19.): dates with their year
# are already in ISO form there.
_FACT_DAY = re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH_RE})\b\.?|\b({_MONTH_RE})\.?\s+(\d{{1,2}})\b\.?")


def _day_pattern(m: re.Match[str]) -> str:
    """A fact's day without its year as a pattern: that day and month in a full date of any year (2025-09-19) or
    written without a year in any known spelling (19 settembre, September 19); the fact as written if not a date."""
    day, month = (int(m[1]), _MONTH_NUMBER[m[2]]) if m[1] else (int(m[4]), _MONTH_NUMBER[m[3]])
    if _day(month, day) is None:
        return re.escape(m[0])
    names = "|".join(sorted((re.escape(n) for n, i in _MONTH_NUMBER.items() if i == month), key=len, reverse=True))
    month_name = rf"(?:{names})(?!\w)\.?"
    return (
        rf"(?:\d{{4}}-{month:02d}-{day:02d}(?!\d)"
        rf"|0?{day}\.?\s+{month_name}|{month_name}\s+0?{day}(?!\d)\.?)"
    )


def _needle(fact: str) -> str:
    """The pattern of a normalised fact: its text, each day without a year read as any date on that day."""
    pattern, end = "", 0
    for m in _FACT_DAY.finditer(fact):
        pattern += re.escape(fact[end : m.start()]) + _day_pattern(m)
        end = m.end()
    return pattern + re.escape(fact[end:])


def fact_found(alternatives: list[str], answer: str, lang: str = "en") -> bool:
    """Whether one of the alternatives occurs in the answer (as whole words). A fact's day without its year
    ("19 September") is found in a date on that day of any year ("19 settembre 2025"); a fact's full date needs its
    year. An English fact's last word may take a plural ending ("grant agreement" is in "grant agreements"); in the
    other languages it may take any ending (a fact "tagállam" is in "EU-tagállamnak", "solidariet" in
    "solidarietà"), as their words inflect and question writers give their stems."""
    haystack = f" {normalise(answer)} "
    if lang != "en":  # a country's English name is found as the answer's language names it ("Magyarország")
        alternatives = [*alternatives, *(country_label(c, lang) for a in alternatives if (c := _country(a)))]
    for alt in alternatives:
        needle = normalise(alt)
        ending = r"(?:s|es)?" if lang == "en" or not needle[-1:].isalpha() else r"[^\W\d_]*"
        if needle and re.search(rf"(?<![\w]){_needle(needle)}{ending}(?![\w])", haystack):
            return True
    return False


def _country(fact: str) -> str | None:
    """The country a fact is the English name of, if it is one ("Hungary")."""
    named = countries_named(fact)
    return named[0] if len(named) == 1 and fold(fact) == named[0] else None


# Values. Fact matching keeps its list of scale words as it was (its scores stay comparable); values also read the
# Hungarian "millió".
_VALUE_SCALE = {**_SCALE, "millio": 6}
_VALUE_SCALED = re.compile(rf"\b(\d+(?:[.,]\d+)?)\s*({'|'.join(sorted(_VALUE_SCALE, key=len, reverse=True))})\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\.?\s+({_MONTH_RE})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})\b")
_HOUR = re.compile(r"\b(\d{1,2})(?:[:h](\d{2})\b|\.(\d{2})(?=\s*(?:h|uhr|cet|cest)\b)|\s*uhr\b)")
_AM_PM = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(?:([ap])\.m\.|([ap])m\b)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_CITATION = re.compile(r"\[\d+\]")
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_QUOTED = re.compile(r"“[^”]*”")


def _date(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _day(month: int, day: int) -> str | None:
    """A day without its year (--09-19)."""
    return f"--{month:02d}-{day:02d}" if _date(2000, month, day) else None


def _hour(hour: int, minute: int) -> str | None:
    return f"{hour:02d}:{minute:02d}" if hour <= 24 and minute < 60 else None


def _number(text: str) -> str:
    """A plain number as a value: 2024, 1.5 (a decimal comma read as a point)."""
    number = text.replace(",", ".")
    return str(int(number)) if number.isdigit() else str(float(number))


def values(text: str) -> set[str]:
    """The values a text states, whatever their spelling: dates as 2024-09-19 (a day without its year as --09-19),
    hours as 17:00, amounts and other numbers as whole numbers or decimals (4000000, 1.5); an ordinal day is the day.
    Citation markers, URLs and e-mail addresses are not read."""
    # An ordinal day ("1er janvier 2023", "1º luglio") is the day, as in ``normalise``.
    text = fold(_ORDINAL_DAY.sub(r"\1", _CITATION.sub(" ", _EMAIL.sub(" ", _URL.sub(" ", text)))))
    found: set[str] = set()

    def take(pattern: re.Pattern[str], value: Callable[[re.Match[str]], str | None]) -> None:
        """Collect each match's value and blank the match out, so that its digits are not read again."""
        nonlocal text

        def blank(m: re.Match[str]) -> str:
            got = value(m)
            if got is None:
                return m[0]
            found.add(got)
            return " "

        text = pattern.sub(blank, text)

    for pattern, ymd in _DATES:
        take(pattern, lambda m, ymd=ymd: _date(*ymd(m)))
    take(_DAY_MONTH, lambda m: _day(_MONTH_NUMBER[m[2]], int(m[1])))
    take(_MONTH_DAY, lambda m: _day(_MONTH_NUMBER[m[1]], int(m[2])))
    take(_AM_PM, lambda m: _hour(int(m[1]) % 12 + (12 if (m[3] or m[4]) == "p" else 0), int(m[2] or 0)))
    take(_HOUR, lambda m: _hour(int(m[1]), int(m[2] or m[3] or 0)))
    take(_VALUE_SCALED, lambda m: _scaled(m, _VALUE_SCALE))
    found.update(_number(n) for n in _NUMBER.findall(text))
    return found


def _with_date_parts(found: set[str]) -> set[str]:
    """Values and, for each full date, its year and its day (--09-19): a source's date also backs those."""
    parts = set(found)
    for value in found:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            parts |= {str(int(value[:4])), "--" + value[5:]}
    return parts


def ungrounded(answer: str, backing: list[str]) -> list[str]:
    """The values of ``answer`` that none of the ``backing`` texts (its sources' snippets, the question, the values
    the assistant computed) states, sorted."""
    known = _with_date_parts(set().union(*map(values, backing)))
    return sorted(values(answer) - known)


_MONTH_WORDS = "|".join(sorted({*" ".join(MONTHS.values()).split(), *_MONTH_NUMBER}, key=len, reverse=True))
_DATE_WORDS = re.compile(
    rf"\b\d{{1,4}}\.?\s+(?:{_MONTH_WORDS})\b\.?(?:\s+\d{{1,4}}\b\.?)?|\b(?:{_MONTH_WORDS})\.?\s+\d{{1,4}}\b\.?",
    re.IGNORECASE,
)


def own_words(answer: str) -> str:
    """The answer's own words: without quotes from the sources (between “ and ”), citation markers, URLs, e-mail
    addresses, dates and numbers."""
    text = _QUOTED.sub(" ", answer)
    for pattern in (_URL, _EMAIL, _CITATION, _DATE_WORDS):
        text = pattern.sub(" ", text)
    text = re.sub(r"\d+(?:[.,:/-]\d+)*", " ", text)
    return " ".join(text.split())
