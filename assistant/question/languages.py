"""Languages: detect the question's language, map its domain terms to English, and speak its words.

Supported: English, French, Italian, Hungarian, Romanian, German, Spanish. Function words of one language only
decide first; otherwise lingua (restricted to these seven, low-accuracy mode: about 17 MB) decides, with domain
terms found in a question (``glossary.py``) as further evidence, since questions are short.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from assistant.question.glossary import DOMAIN_TERMS, glossary
from assistant.question.text import fold

LANGUAGES = ("en", "fr", "it", "hu", "ro", "de", "es")


@lru_cache(maxsize=1)
def _detector():  # noqa: ANN202 - lingua's detector type
    """lingua over the seven languages, in low-accuracy mode: trigram models only, about 17 MB resident instead of
    about 270 MB for the high-accuracy mode's 1- to 5-gram models. It is less sure of very short texts, so
    ``detect_language`` asks it only when the question's own words do not settle the language."""
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.ENGLISH,
        Language.FRENCH,
        Language.ITALIAN,
        Language.HUNGARIAN,
        Language.ROMANIAN,
        Language.GERMAN,
        Language.SPANISH,
    ]
    return (
        LanguageDetectorBuilder.from_languages(*languages)
        .with_low_accuracy_mode()
        .with_preloaded_language_models()
        .build()
    )


def warm_up() -> None:
    """Load the detector's models now (a tenth of a second) rather than on the first question."""
    _detector()


# Function words (folded) that no other supported language writes the same way.
_ONLY_IN: dict[str, frozenset[str]] = {
    lang: frozenset(function_words.split())
    for lang, function_words in {
        "en": "the what when which who how does did were of for and with can many much you your it this that there",
        "fr": "et est une pour avec dans sont nous notre quel quelle quels quelles quand combien peut aux ou cette",
        "it": "gli della dello delle degli nel nella alla che sono qual quale quali quanto quanti quanta quando chi "
        "puo anche",
        "hu": "az hogy mikor mennyi hany kell egy nem vagy milyen melyik",
        "ro": "este pentru sunt cand cati cate sau cu poate trebuie",
        "de": "und das ist wie wann fur ein eine einen nicht wir kann gibt auch",
        "es": "y los las cual cuales cuando cuanto cuantos para puede hay",
    }.items()
}
_ENGLISH_ONLY = _ONLY_IN["en"]
# First words only English opens a question with: Hungarian "is" ("also") follows the word it adds ("Is Serbia in
# CERV?" is English, though lingua reads the country names as Italian).
_ENGLISH_OPENERS = frozenset({"is"})
# Letters that only one supported language writes (Romanian ă ș ț, in both spellings; Hungarian ő ű; Spanish ñ ¿ ¡;
# German ß): strong evidence a detector reading three words can miss ("Termen limită rețele de orașe 2023?" is no
# Spanish).
_ONLY_LETTERS = {"ro": "ăîșțşţ", "hu": "őű", "es": "ñ¿¡", "de": "ß"}
_LETTER_WEIGHT = 1.0
# lingua's Romanian model spells ș and ț with a cedilla (ş, ţ), as much Romanian text online still does.
_CEDILLA = str.maketrans("șțȘȚ", "şţŞŢ")


# A question of at most SHORT words keeps the conversation's language unless another scores SHORT_MARGIN higher.
SHORT = 6
# An English name of several capitalised words ("Networks of Towns", "Europe for Citizens") inside a question in
# another language: its "of" and "for" are no sign that the question is English.
_ENGLISH_NAME = re.compile(r"\b[A-Z][\w-]*(?:\s+(?:of|for|and|the)\s+[A-Z][\w-]*)+")
SHORT_MARGIN = 0.5


def detect_language(text: str, default: str = "en") -> str:
    """The question's language among the supported ones; ``default`` when the text gives too little to go on.

    Its own words come first: plainly English text, or function words of one language only, decide without the
    detector. Otherwise lingua's confidence plus 0.15 per domain term of a language decides, if at least 0.45;
    English needs an English function word, since names, acronyms and loanwords ("CERV", "budget") read as
    English: without one, the conversation's language (``default``) stays."""
    folded = fold(text)
    words = [w for w in folded.split() if any(c.isalpha() for c in w)]
    terms = {lang: english_terms(text, lang) for lang in DOMAIN_TERMS}
    hits = {lang: len(found) for lang, found in terms.items()}
    if len(words) < 2:
        return default
    tokens = set(re.findall(r"[a-z]+", fold(_ENGLISH_NAME.sub(" ", text))))
    english_words = (_ENGLISH_ONLY & tokens) | (_ENGLISH_OPENERS & set(words[:1]))
    if text.isascii() and not any(hits.values()) and len(english_words) >= 2:
        return "en"  # plainly English (no accents, no foreign domain term, English function words): no detector
    marked = [lang for lang, only in _ONLY_IN.items() if only & tokens or (lang == "en" and english_words)]
    if len(marked) == 1:
        return marked[0]
    scores = {lang: 0.0 for lang in LANGUAGES}
    for value in _detector().compute_language_confidence_values(text.translate(_CEDILLA)):
        code = value.language.iso_code_639_1.name.lower()
        scores[code] = value.value
    for lang, n in hits.items():
        scores[lang] += 0.15 * n
    lowered = text.lower()
    lettered = {lang for lang, letters in _ONLY_LETTERS.items() if any(c in letters for c in lowered)}
    for lang in lettered:
        scores[lang] += _LETTER_WEIGHT
    best = max(scores, key=scores.get)
    if best == "en" and not english_words:
        return default
    # Each language's own words and letters: its domain terms (not country names, which languages share: Spanish and
    # Italian both write "italiano"; English: the words the glossaries map to, "remembrance", "deadline"), its
    # function words, its letters.
    names = _country_names()
    own_terms = {lang: sum(t not in names for t in found) for lang, found in terms.items()}
    evidence = {lang: own_terms.get(lang, 0) + (lang in lettered) + (lang in marked) for lang in LANGUAGES}
    evidence["en"] += len(tokens & _english_domain_words())
    if len(words) <= SHORT and not any(evidence.values()) and sum(len(w) > 3 for w in words) < 2:
        # One word beside acronyms, with nothing of any language's own ("tt 2024 topcis?"): the detector guesses at
        # a typo; the conversation's language stays.
        return default
    if len(words) <= SHORT and any(evidence.values()):
        # A few words: the language with the most of its own, then the likeliest ("Date limite jumelage 2024 ?" is
        # French, though lingua reads Romanian; "remembrance 25 ddl?" is English, though it reads French).
        return max(LANGUAGES, key=lambda lang: (evidence[lang], scores[lang]))
    if len(words) <= SHORT and scores[best] - scores.get(default, 0.0) < SHORT_MARGIN:
        # A short follow-up ("¿y el del año anterior?") keeps the conversation's language unless another is
        # clearly likelier: a few words read alike in neighbouring languages.
        return default
    return best if scores[best] >= 0.45 else default


@cache
def _country_names() -> frozenset[str]:
    """English country names, folded ("italy"): the glossaries' terms for countries name no language."""
    from babel import Locale

    return frozenset(fold(name) for code, name in Locale("en").territories.items() if len(code) == 2)


@cache
def _english_domain_words() -> frozenset[str]:
    """The folded English words the glossaries map the other languages' domain terms to ("deadline", "twinning",
    "remembrance"), but no function words: evidence that a short question is English."""
    words = {w for lang in DOMAIN_TERMS for t in glossary(lang).terms for w in fold(t.english).split() if len(w) >= 4}
    return frozenset(words - {w for only in _ONLY_IN.values() for w in only})


def english_word(word: str, lang: str) -> str:
    """The English equivalent of one folded word of a question in ``lang`` (a one-word domain term, matched as in
    ``english_terms``), or the word itself."""
    if lang == "en" or lang not in DOMAIN_TERMS:
        return word
    terms = glossary(lang)
    return next((t.english for t in terms.candidates(terms.word(word)) if len(t.words) == 1), word)


def domain_words(text: str, lang: str) -> frozenset[str]:
    """The folded words of ``text`` that are words of a domain term of ``lang`` found in it ("Rețele" of "Rețele de
    orașe"): vocabulary of the question's language, not names."""
    if lang == "en" or lang not in DOMAIN_TERMS:
        return frozenset()
    return glossary(lang).matched_words(text)


def foreign_phrases(text: str) -> tuple[list[str], frozenset[str]]:
    """The English phrases of the other languages' domain terms of several words in an English question ("can our
    comite de jumelage apply?": twinning committees), and the folded words those terms are made of. A phrase is
    plain evidence of its language where one word may be English too."""
    english: list[str] = []
    words: set[str] = set()
    for lang in DOMAIN_TERMS:
        terms = glossary(lang)
        split = terms.words(text)
        for i, term in terms.matches(split):
            if len(term.words) >= 2 and fold(term.text) != fold(term.english):
                english.append(term.english)
                words.update(w.folded for w in split[i : i + len(term.words)])
    return list(dict.fromkeys(english)), frozenset(words)


def english_terms(text: str, lang: str) -> list[str]:
    """English phrases for the domain terms of a question in another language (for retrieval), longest term
    first; terms are matched word by word, as written or by stem (``glossary``)."""
    if lang == "en" or lang not in DOMAIN_TERMS:
        return []
    return [t.english for t in glossary(lang).find(text)]


def detect_text_language(text: str) -> str | None:
    """lingua's most likely language of ``text`` among the supported ones (no function words or domain terms:
    for longer texts such as answers); None for text without letters or when lingua cannot tell."""
    if not any(c.isalpha() for c in text):
        return None
    found = _detector().detect_language_of(text.translate(_CEDILLA))
    return found.iso_code_639_1.name.lower() if found else None
