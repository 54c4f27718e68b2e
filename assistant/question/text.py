"""Language-neutral text normalisation shared by the lexical index, query parsing and answer scoring.

Case and accents are folded (``Határidő`` -> ``hatarido``), thousands separators inside numbers are removed
(``4,000,000`` / ``4.000.000`` / ``4 000 000`` -> ``4000000``), and ids are cut at hyphens
(``CERV-2024-CITIZENS-TOWN-TT`` -> ``cerv 2024 citizens town tt``). Tokens are then stemmed with the
Snowball (Porter2) English stemmer, the language of the corpus: "funded", "funding" and "funds" all become
``fund``, "countries" and "country" ``countri``. The same stemming applies to documents and questions, so words
of any language still match themselves exactly; only English inflections are conflated (questions in other
languages reach the English passages through the mapped domain terms of ``assistant.question.languages``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_THOUSANDS = re.compile(r"(?<=\d)[,.\u00a0\u202f ](?=\d{3}(?!\d))")
_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, strip accents and normalise numbers."""
    if text.isascii():  # most of the corpus: nothing to decompose
        return _THOUSANDS.sub("", text.lower())
    text = unaccented(text).lower()
    # ß, ø, ł and friends have no combining form.
    text = text.translate(str.maketrans({"ß": "ss", "ø": "o", "ł": "l", "đ": "d", "æ": "ae", "œ": "oe"}))
    return _THOUSANDS.sub("", text)


def unaccented(text: str) -> str:
    """``text`` without its accents, its case kept ("Kraków" -> "Krakow")."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


_STEMMER = Stemmer.Stemmer("english")


# American spellings of the corpus's British words ("program", "organization"), read as the British ones.
_US_WORDS = {"program": "programme", "programs": "programmes", "center": "centre", "centers": "centres"}
_US_IZE = re.compile(r"(?<=\w{3})iz(e|ed|es|ing|ation|ations|er|ers)$")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of one folded word; numbers and words of up to three letters are kept as they are. American
    spellings stem as the British ones ("organization" as "organisation")."""
    if len(word) <= 3 or word.isdigit():
        return word
    word = _US_WORDS.get(word) or (_US_IZE.sub(r"is\1", word) if len(word) >= 7 else word)
    return _STEMMER.stemWord(word)


# Names whose words would otherwise read as content: the "Funding & Tenders Portal" is no question of funding.
_NAME_PHRASES = re.compile(r"\bfunding (?:&|and) tenders\b")


def words(text: str) -> list[str]:
    """Folded words, unstemmed; single letters are dropped, single digits kept."""
    folded = _NAME_PHRASES.sub(lambda m: m.group(0).replace(" ", "").replace("&", "and"), fold(text))
    return [t for t in _TOKEN.findall(folded) if len(t) > 1 or t.isdigit()]


def tokens(text: str) -> list[str]:
    """Folded, stemmed word tokens (see the module docstring); the same on documents and questions."""
    return [stem(w) for w in words(text)]


# Function words of the seven supported languages (folded). Used to find a question's content words.
_STOPWORD_TEXT = """
a an the and or but of to in on at for from by with about as is are was were be been being do does did
has have had what which who whom whose when where why how can could should would will shall may
might must it its this that these those there their they them we our you your i me my he she his her
not no yes any some all each every than then also too very so if into over under up down out more
most much many such only same other le la les un une des du de et ou est sont etait quel quelle
quels quelles qui que quoi quand ou comment pour par avec dans sur au aux ce cette ces il elle ils
elles nous vous je tu on pas plus il lo la gli le un uno una di da in con su per tra fra e o che chi
cosa quale quali quando dove come sono era del della dei delle al alla ai alle nel nella nei nelle
questo questa quello quella non az egy es vagy hogy mi mit ki kik mikor hol hogyan melyik melyek van
volt lesz nem is meg mar csak un o si sau al ale lui ei cine ce cand unde cum care este sunt era
pentru cu din la pe nu mai der die das ein eine einer eines und oder ist sind war wer was wann wo
wie welche welcher welches fur mit von zu im in am an auf nicht auch es sie wir ihr ich du el la los
las un una unos unas y o es son era que quien cuando donde como cual cuales para por con en del al
no mas se lo su sus
dell dall nell sull quest quell qu jusqu lorsqu puisqu
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# English words of the small numbers, each at its value ("two" is NUMBER_WORDS[2]): the corpus writes small counts so.
NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def content_tokens(text: str) -> list[str]:
    """Folded, stemmed tokens minus function words."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


# An aside in round brackets.
_ASIDE = re.compile(r"\([^()]*\)")


def without_asides(text: str) -> str:
    """``text`` without its asides in round brackets: context, not what is asked ("Notre comité (commune de 4 500
    habitants en Alsace, jumelée avec une ville allemande) peut-il déposer un dossier ?")."""
    return _ASIDE.sub(" ", text)
