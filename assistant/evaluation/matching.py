"""Fact matching per the contract: case, accents and thousands separators ignored, "4 million" = 4,000,000,
and dates read in their usual spellings (19 September 2024 = 2024-09-19 = 19/09/2024 = 19 septembre 2024)."""

from __future__ import annotations

import re

from assistant.answer.dates import MONTHS
from assistant.retrieval.text import fold

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


def normalise(text: str) -> str:
    """Fold text so that equal facts written differently compare equal."""
    text = fold(text)
    text = _DMY.sub(lambda m: f"{m[3]}-{_MONTH_NUMBER[m[2]]:02d}-{int(m[1]):02d}", text)
    text = _MDY.sub(lambda m: f"{m[3]}-{_MONTH_NUMBER[m[1]]:02d}-{int(m[2]):02d}", text)
    text = _YMD_HU.sub(lambda m: f"{m[1]}-{_MONTH_NUMBER[m[2]]:02d}-{int(m[3]):02d}", text)
    text = _NUMERIC.sub(lambda m: f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}", text)
    text = _ISO.sub(lambda m: f"{m[1]}-{m[2]}-{m[3]}", text)

    def scaled(m: re.Match) -> str:
        value = float(m[1].replace(",", "."))
        return str(int(round(value * 10 ** _SCALE[m[2]])))

    text = _SCALED.sub(scaled, text)
    return " ".join(re.sub(r"[^\w:.%-]+", " ", text).split())


def fact_found(alternatives: list[str], answer: str) -> bool:
    """Whether one of the alternatives occurs in the answer (as whole words)."""
    haystack = f" {normalise(answer)} "
    for alt in alternatives:
        needle = normalise(alt)
        # Whole words, allowing a plural ending (a fact "grant agreement" is in "grant agreements").
        if needle and re.search(rf"(?<![\w]){re.escape(needle)}(?:s|es)?(?![\w])", haystack):
            return True
    return False
