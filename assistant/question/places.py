"""Countries named in a question, in any of the seven languages, by their English names.

"Deutschland", "Németországban" and "Germany" all name Germany. The names come from the Unicode CLDR data that
Babel ships (no hand-kept list). An English name with "&" is cut to its first part ("Bosnia & Herzegovina" ->
"bosnia"), which is also how the corpus's sentences are searched for it. CLDR has no demonyms: the adjectives
("serbo", "française", "magyar", "Polish") are data, ``demonyms.yaml``; in the languages that write them in lower
case they are read in lower case too, but not as the name of a language ("in italiano", "en français",
"magyarul", "la traducción italiana", "the Italian translation").
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib.resources import files

import yaml
from babel import Locale

from assistant.question.languages import LANGUAGES
from assistant.question.text import fold

# The 27 EU Member States (ISO 3166 codes; Greece is "GR"): a sentence about "Member States" covers them.
EU_MEMBERS = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split())
_MEMBER_STATES = re.compile(r"\bmember states?\b")
# The overseas countries and territories linked to Member States (Annex II TFEU; ISO 3166 codes): programmes such as
# CERV speak of them as a group ("EU Member States, including their OCTs"), never one by one.
OVERSEAS = frozenset("GL NC PF TF WF PM BL AW CW SX BQ".split())
_OVERSEAS_WORDS = re.compile(r"\boverseas countries and territories\b|\bocts?\b")

# CLDR territory codes that are not countries a question would name as one (unions, unknown region, pseudo).
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})


_FORM = re.compile(r"[a-z][a-z' -]*[a-z](?:\*)?")


@cache
def _demonym_data() -> dict:
    """``demonyms.yaml``, checked: each country has forms in the seven languages, each form folded (a starred one
    of five letters or more), each marker list keyed by a known language."""
    data = yaml.safe_load((files("assistant.question") / "demonyms.yaml").read_text(encoding="utf-8"))
    problems = [
        f"{country}.{lang}: {form!r}"
        for country, forms in data["countries"].items()
        for lang in LANGUAGES
        for form in forms.get(lang) or ["<missing>"]
        if not _FORM.fullmatch(form) or (form.endswith("*") and len(form) < 6)
    ]
    problems += [
        f"language_markers.{k}.{lang}"
        for k, v in [*data["language_markers"].items(), ("name_adjectives", data.get("name_adjectives", {}))]
        for lang in v
        if lang not in LANGUAGES
    ]
    if problems:
        raise ValueError(f"demonyms.yaml: bad entries: {', '.join(problems)}")
    return data


@cache
def _name_adjectives(lang: str) -> frozenset[str]:
    """The endings that make a country's name in ``lang`` a lower-case adjective (``name_adjectives``)."""
    return frozenset(_demonym_data().get("name_adjectives", {}).get(lang, []))


@cache
def demonyms(lang: str) -> dict[str, str]:
    """Folded adjective form in ``lang`` (a word start when written with a final "*", which is kept) -> folded
    English country name."""
    return {form: country for country, forms in _demonym_data()["countries"].items() for form in forms.get(lang, [])}


def english_adjectives(country: str) -> list[str]:
    """The English adjectives and inhabitant nouns of ``country`` (a folded English name): "french", "danes"."""
    return [form.rstrip("*") for form, name in demonyms("en").items() if name == country]


def _as_language(folded: str, start: int, end: int, lang: str) -> bool:
    """Whether the adjective at ``folded[start:end]`` names a language ("in italiano", "magyarul"), not a country."""
    markers = _demonym_data()["language_markers"]
    before, after = folded[:start].split()[-1:], re.findall(r"\w+", folded[end:])[:1]
    return (
        bool(before and before[0] in markers["before"].get(lang, []))
        or bool(after and after[0] in markers["after"].get(lang, []))
        or any(folded[start:end].endswith(suffix) for suffix in markers["suffix"].get(lang, []))
    )


def _english(name: str) -> str:
    return fold(name).split(" & ")[0].strip()


@lru_cache(maxsize=16)
def _names(lang: str) -> dict[str, str]:
    """Folded country name in ``lang`` (and in English) -> folded English name."""
    english = Locale("en").territories
    local = Locale(lang).territories
    out: dict[str, str] = {form.rstrip("*"): country for form, country in demonyms(lang).items()}
    for code, name in english.items():
        if len(code) != 2 or not code.isalpha() or code in _NOT_COUNTRIES:
            continue
        out[fold(name).replace(" & ", " and ")] = _english(name)
        out[_english(name)] = _english(name)
        if code in local:
            out[fold(local[code])] = _english(name)
    return out


@lru_cache(maxsize=16)
def _whole_words(lang: str) -> frozenset[str]:
    """The adjectives of ``lang`` that match only as whole words (written without a final "*")."""
    return frozenset(form for form in demonyms(lang) if not form.endswith("*"))


def _alternative(name: str, whole: frozenset[str]) -> str:
    # Names of five letters or more also match inflected and derived forms ("nemetorszagban"), as do starred
    # adjectives ("serb*": "serbo", "serbe"); other adjectives match whole.
    return re.escape(name) + (r"\w*" if len(name) >= 5 and name not in whole else "")


@lru_cache(maxsize=32)
def _pattern(lang: str, flags: int = 0) -> re.Pattern[str]:
    whole = _whole_words(lang)
    alternatives = "|".join(_alternative(n, whole) for n in sorted(_names(lang), key=len, reverse=True))
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
    whole = frozenset().union(*(_whole_words(lang) for lang in LANGUAGES))
    alternatives = "|".join(_alternative(n, whole) for n in names)
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


# The words joining two names into one country's name ("Bosnia and Herzegovina", "Bosnien und Herzegowina").
_JOINING = re.compile(r" (?:and|et|und|es|si|y|ed|e) ")


@lru_cache(maxsize=1)
def _joined_names() -> re.Pattern[str]:
    names = sorted({n for lang in LANGUAGES for n in _names(lang) if _JOINING.search(n)}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)


def bind_joined_names(text: str, glue: str) -> str:
    """``text`` with the spaces of the country names that join two names ("Bosnia and Herzegovina") replaced by
    ``glue``, so that their "and" joins no two questions (names written with accents are matched in their folded
    spelling only)."""
    return _joined_names().sub(lambda m: m.group(0).replace(" ", glue), text)


def warm_up() -> None:
    """Load the CLDR names and build the patterns now rather than at the first question (about 0.1 s)."""
    for lang in LANGUAGES:
        _pattern(lang)
    _any_language()


def countries_named(text: str, lang: str = "en") -> list[str]:
    """The English names (folded) of the countries ``text`` names, in order. A name must be capitalised unless the
    whole text is in lower case but for its acronyms ("Chad", "Jordan" or "Turkey", not "turkey"; "is switzerland
    associated? TT partner")."""
    names, adjectives = _names(lang), demonyms(lang)
    written = re.findall(r"[^\W\d_]+", text)
    capitalised = {fold(w) for w in written if w[0].isupper()}
    lower = all(w.islower() or (w.isupper() and len(w) > 1) for w in written)
    folded = fold(text)
    found: list[str] = []
    for match in _pattern(lang).finditer(folded):
        word = match.group(0)
        key = word if word in names else max((n for n in names if word.startswith(n)), key=len)
        # A demonym, or the country's own name made an adjective written in lower case ("magyarországi").
        adjective = key in adjectives or f"{key}*" in adjectives or word[len(key) :] in _name_adjectives(lang)
        if adjective and _as_language(folded, match.start(), match.end(), lang):
            continue  # "in italiano", "documents in Italian": a language
        if not (adjective and lang != "en") and not lower and re.split(r"[\s-]", word)[0] not in capitalised:
            continue  # a name is capitalised ("Chad", not "chad"); adjectives of other languages are not
        name = names[key]
        if name not in found:
            found.append(name)
    return found


@lru_cache(maxsize=1)
def _members() -> frozenset[str]:
    english = Locale("en").territories
    return frozenset(_english(english[code]) for code in EU_MEMBERS)


def names_countries(text: str) -> bool:
    """Whether an English ``text`` names a country, or the EU Member States or overseas countries as a group."""
    folded = fold(text)
    return bool(countries_named(text) or _MEMBER_STATES.search(folded) or _OVERSEAS_WORDS.search(folded))


def covers_country(text: str, country: str) -> bool:
    """Whether an English ``text`` speaks of ``country`` (a folded English name from ``countries_named``): it
    names it, or it speaks of the EU Member States and the country is one, or of the overseas countries and
    territories and the country is one."""
    folded = fold(text)
    if _country_words(country).search(folded):
        return True
    if is_overseas(country) and _OVERSEAS_WORDS.search(folded):
        return True  # "EU Member States (including overseas countries and territories)"
    return country in _members() and _MEMBER_STATES.search(folded) is not None


@lru_cache(maxsize=512)
def _country_words(country: str) -> re.Pattern[str]:
    """The country's name or its English adjective ("france", "french"), as whole words."""
    names = [country, *english_adjectives(country)]
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")


@lru_cache(maxsize=1)
def _overseas() -> frozenset[str]:
    english = Locale("en").territories
    return frozenset(_english(english[code]) for code in OVERSEAS)


# How the documents name the overseas countries and territories as a group (searched for a question naming one).
OVERSEAS_TERM = "overseas countries and territories"


def is_overseas(country: str) -> bool:
    """Whether ``country`` (a folded English name from ``countries_named``) is an overseas country or territory."""
    return country in _overseas()


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
