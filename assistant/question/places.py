"""Countries named in a question, in any of the seven languages, by their English names.

"Deutschland", "Németországban" and "Germany" all name Germany. The names come from the Unicode CLDR data that
Babel ships (no hand-kept list). An English name with "&" is cut to its first part ("Bosnia & Herzegovina" ->
"bosnia"), which is also how the corpus's sentences are searched for it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from babel import Locale

from assistant.question.languages import LANGUAGES
from assistant.question.text import fold

# The 27 EU Member States (ISO 3166 codes; Greece is "GR"): a sentence about "Member States" covers them.
EU_MEMBERS = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
# English adjectives of European countries ("the French contact point", "Italian municipalities"): CLDR has no
# demonyms. Keyed by the folded English name that ``countries_named`` returns.
DEMONYMS: dict[str, str] = {
    "albania": "albanian",
    "austria": "austrian",
    "belgium": "belgian",
    "bosnia": "bosnian",
    "bulgaria": "bulgarian",
    "croatia": "croatian",
    "cyprus": "cypriot",
    "czechia": "czech",
    "denmark": "danish",
    "estonia": "estonian",
    "finland": "finnish",
    "france": "french",
    "germany": "german",
    "greece": "greek",
    "hungary": "hungarian",
    "iceland": "icelandic",
    "ireland": "irish",
    "italy": "italian",
    "kosovo": "kosovar",
    "latvia": "latvian",
    "liechtenstein": "liechtenstein",
    "lithuania": "lithuanian",
    "luxembourg": "luxembourgish",
    "malta": "maltese",
    "moldova": "moldovan",
    "montenegro": "montenegrin",
    "netherlands": "dutch",
    "north macedonia": "macedonian",
    "norway": "norwegian",
    "poland": "polish",
    "portugal": "portuguese",
    "romania": "romanian",
    "serbia": "serbian",
    "slovakia": "slovak",
    "slovenia": "slovenian",
    "spain": "spanish",
    "sweden": "swedish",
    "switzerland": "swiss",
    "turkiye": "turkish",
    "ukraine": "ukrainian",
    "united kingdom": "british",
    "georgia": "georgian",
    "armenia": "armenian",
}
_MEMBER_STATES = re.compile(r"\bmember states?\b")

# CLDR territory codes that are not countries a question would name as one (unions, unknown region, pseudo).
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})


def _english(name: str) -> str:
    return fold(name).split(" & ")[0].strip()


@lru_cache(maxsize=16)
def _names(lang: str) -> dict[str, str]:
    """Folded country name in ``lang`` (and in English) -> folded English name."""
    english = Locale("en").territories
    local = Locale(lang).territories
    out: dict[str, str] = {adjective: name for name, adjective in DEMONYMS.items()} if lang == "en" else {}
    for code, name in english.items():
        if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
            continue
        out[fold(name).replace(" & ", " and ")] = _english(name)
        out[_english(name)] = _english(name)
        if code in local:
            out[fold(local[code])] = _english(name)
    return out


@lru_cache(maxsize=32)
def _pattern(lang: str, flags: int = 0) -> re.Pattern[str]:
    # Names of five letters or more also match inflected and derived forms ("nemetorszagban", "bosnian").
    names = sorted(_names(lang), key=len, reverse=True)
    alternatives = "|".join(re.escape(n) + (r"\w*" if len(n) >= 5 else "") for n in names)
    return re.compile(rf"\b(?:{alternatives})\b", flags)


def names_a_country(text: str) -> bool:
    """Whether ``text`` names a country in any of the seven languages."""
    return any(countries_named(text, lang) for lang in LANGUAGES)


def strip_countries(text: str) -> str:
    """``text`` without the country names of the seven languages (case-insensitive; accented names are matched in
    their folded spelling, so the text comes back without accents; the longest name first: "Bosnia ed
    Erzegovina", not "Bosnia")."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(_any_language().sub(" ", plain).split())


@lru_cache(maxsize=1)
def _any_language() -> re.Pattern[str]:
    names = sorted({n for lang in LANGUAGES for n in _names(lang)}, key=len, reverse=True)
    alternatives = "|".join(re.escape(n) + (r"\w*" if len(n) >= 5 else "") for n in names)
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


def warm_up() -> None:
    """Load the CLDR names and build the patterns now rather than at the first question (about 0.1 s)."""
    for lang in LANGUAGES:
        _pattern(lang)
    _any_language()


def countries_named(text: str, lang: str = "en") -> list[str]:
    """The English names (folded) of the countries ``text`` names, in order. A name must be capitalised unless the
    whole text is in lower case ("Chad", "Jordan" or "Turkey", not "turkey")."""
    names = _names(lang)
    capitalised = {fold(w) for w in re.findall(r"[^\W\d_]+", text) if w[0].isupper()}
    lower = text == text.lower()
    found: list[str] = []
    for match in _pattern(lang).finditer(fold(text)):
        word = match.group(0)
        if not lower and re.split(r"[\s-]", word)[0] not in capitalised:
            continue
        name = names.get(word) or names[max((n for n in names if word.startswith(n)), key=len)]
        if name not in found:
            found.append(name)
    return found


@lru_cache(maxsize=1)
def _members() -> frozenset[str]:
    english = Locale("en").territories
    return frozenset(_english(english[code]) for code in EU_MEMBERS)


def covers_country(text: str, country: str) -> bool:
    """Whether an English ``text`` speaks of ``country`` (a folded English name from ``countries_named``): it
    names it, or it speaks of the EU Member States and the country is one."""
    folded = fold(text)
    if _country_words(country).search(folded):
        return True
    return country in _members() and _MEMBER_STATES.search(folded) is not None


@lru_cache(maxsize=512)
def _country_words(country: str) -> re.Pattern[str]:
    """The country's name or its English adjective ("france", "french"), as whole words."""
    names = [country] + ([DEMONYMS[country]] if country in DEMONYMS else [])
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")


def is_member_state(country: str) -> bool:
    """Whether ``country`` (a folded English name from ``countries_named``) is an EU Member State."""
    return country in _members()


@lru_cache(maxsize=512)
def country_label(country: str, lang: str) -> str:
    """The name of ``country`` (a folded English name from ``countries_named``) in ``lang``, as CLDR writes it."""
    english = Locale("en").territories
    code = next((c for c, name in english.items() if len(c) == 2 and _english(name) == country), None)
    if code is None:
        return country.title()
    return Locale(lang).territories.get(code, english[code])
