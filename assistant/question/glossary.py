"""The domain's words in French, Italian, Hungarian, Romanian, German and Spanish, with their English equivalents.

Questions in other languages reach the English corpus through these terms (retrieval searches the English
phrases, and the composer judges a sentence by them); ``languages.english_terms`` finds them in a question.
The data is one file per language, ``glossaries/{lang}.yaml`` (term as written, accents and all -> English
phrase), validated at load. Country names are not here: ``places.py`` reads them from CLDR.

Matching (``Glossary.find``). A question's words and the terms' words are stemmed alike with the language's
Snowball stemmer (PyStemmer), stemming before accents are folded ("határidejét" -> "határide" -> "hataride"), so
one entry covers its word's inflections; a term of several words matches as a sequence of words. A question word
is a term's word when it is
- the word as written (accents aside);
- or, for words of five letters or more, a form the stemmer reduces to the word as written (Hungarian "kerete",
  "keretet" -> "keret"), or the word plus an ending of up to three letters with the same stem ("montants",
  "plazos", "maximul");
- or, for entries under ``terms`` only, any word sharing its stem ("jumelages" ~ "jumelage", "financer" ~
  "financement"). A question word written without accents ("hataridejet") cannot be stemmed as the term is: it
  matches if it shares the stem of the term's folded form and begins like the term but for its last letter
  ("alapja" is not "alapít"), or if the term has accents and the word is its folded form plus an ending of up to
  three letters ("hatarideje" + "t").
The rule for choosing ``exact`` over ``terms``: a word whose stem is shared by common words of another meaning
(French "pays", countries, stems as "pay" like "payé"; Italian "tema" as "tem" like "temere"; Hungarian "mikor"
as "mi"), or whose inflections mean something else ("financés", funded, beside "financement", funding), is exact;
so are question words ("quanto" / "quanti"). Entries under ``prefix`` match every word that
begins with them: German compounds ("Städtepartnerschaftsprojekt", "Partnerstadt") and verb forms the stemmer
does not reduce (Hungarian "alapította", Romanian "deschiderea"). Snowball also keeps some inflections apart
(Hungarian "határidő" / "határideje", Spanish "máximo" / "máximos"): those forms are entries of their own.
Where several terms start at one word, the longest in words is tried first, then one the word is as written
("financés" before "financement"), then the longest in letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any, Literal, NamedTuple

import Stemmer
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from assistant.question.text import fold

# The shortest first part and head of a compound read by ``Glossary.heads``.
_FIRST_PART = 3
_HEAD = 5
GLOSSARY_LANGUAGES = ("fr", "it", "hu", "ro", "de", "es")
_STEMMERS = {"fr": "french", "it": "italian", "hu": "hungarian", "ro": "romanian", "de": "german", "es": "spanish"}
Mode = Literal["stem", "exact", "prefix"]

# Punctuation that separates words: elisions ("l'appel", "dell'Unione"), hyphens ("gère-t-il") and "¿" read as
# spaces, as does a full stop that ends a word (not the one of "4.2").
_PUNCTUATION = re.compile(r"[?!,;:()\"'\u2018\u2019\u201a\u201c\u201d\u201e\u00ab\u00bb\u00bf\u00a1-]|\.(?!\d)")
# A case ending joined to a number ("2026-ban", "2024-es", "2021-től"): part of the number, not a word of its own.
_NUMBER_ENDING = re.compile(r"(?<=\d)-[^\W\d_]{1,4}\b")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a mapping naming one key twice (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate keys {twice}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


class GlossaryFile(BaseModel):
    """One language's file: term -> English phrase, by how the term is matched."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: dict[str, str]
    exact: dict[str, str] = {}
    prefix: dict[str, str] = {}
    # A language that writes compounds as one word headed by their last part ("Gesamtbudget": a budget): a word
    # ending with a one-word ``terms`` entry matches that entry too (``Glossary.heads``).
    compound_heads: bool = False

    @field_validator("terms", "exact", "prefix")
    @classmethod
    def _clean(cls, entries: dict[str, str]) -> dict[str, str]:
        for term, english in entries.items():
            if term != " ".join(term.lower().split()) or not term:
                raise ValueError(f"term {term!r}: lower case, single spaces, no spaces around")
            if not english.strip():
                raise ValueError(f"term {term!r}: empty English phrase")
        return entries

    def entries(self) -> list[tuple[str, str, Mode]]:
        """(term, English, mode) in file order; no two terms may fold to one spelling."""
        modes: dict[Mode, dict[str, str]] = {"stem": self.terms, "exact": self.exact, "prefix": self.prefix}
        out = [(term, english, mode) for mode, entries in modes.items() for term, english in entries.items()]
        folded = [fold(term) for term, _, _ in out]
        twice = sorted({f for f in folded if folded.count(f) > 1})
        if twice:
            raise ValueError(f"terms listed twice (accents aside): {twice}")
        short = [t for t, _, mode in out if mode == "prefix" and len(fold(t)) < 4]
        if short:
            raise ValueError(f"prefix terms need four letters or more: {short}")
        return out


class Word(NamedTuple):
    """A lower-case word's forms that terms are matched by."""

    folded: str  # as written, accents folded
    stem: str  # the stem of the word as written, then folded ("határidejét" -> "hataride")
    plain: str  # the stem of the folded word ("hataridejet" -> "hataridej"): how it stems written without accents
    accented: bool


@dataclass(frozen=True, eq=False)
class Term:
    """One entry, its words ready to match."""

    text: str
    english: str
    mode: Mode
    words: tuple[Word, ...]
    rank: int  # place in the longest-first order (by folded length) in which found terms are listed


def _same(q: Word, t: Word, mode: Mode) -> bool:
    """Whether question word ``q`` is term word ``t`` (see the module docstring)."""
    if mode == "prefix":
        return q.folded.startswith(t.folded)
    if q.folded == t.folded:
        return True
    if len(t.folded) >= 5 and (q.stem == t.folded or (q.stem == t.stem and _ending(q.folded, t.folded))):
        return True
    if mode == "exact":
        return False
    if q.stem == t.stem:
        return True
    # Written without accents, a word cannot be stemmed as the term is: compare it with the term's folded form.
    return not q.accented and (
        (q.stem == t.plain and q.folded.startswith(t.folded[:-1]))
        or (t.accented and len(t.folded) >= 5 and _ending(q.folded, t.folded))
    )


def _ending(word: str, term: str) -> bool:
    """Whether ``word`` is ``term`` plus an ending of one to three letters ("montants", "maximul")."""
    return word.startswith(term) and len(word) - len(term) <= 3


def _follows(term: Term, words: list[Word], i: int) -> bool:
    """Whether the question's words from ``i`` on are ``term``'s (its first word is known to be)."""
    rest = words[i + 1 : i + len(term.words)]
    if len(rest) < len(term.words) - 1:
        return False
    return all(_same(q, t, term.mode) for q, t in zip(rest, term.words[1:], strict=True))


class Glossary:
    """One language's terms, stemmed once and indexed by their first word."""

    def __init__(self, lang: str, data: GlossaryFile) -> None:
        self._stemmer = Stemmer.Stemmer(_STEMMERS[lang])
        self.word = lru_cache(maxsize=65_536)(self._word)
        self._candidates = lru_cache(maxsize=65_536)(self._find_candidates)
        entries = data.entries()
        order = sorted(range(len(entries)), key=lambda n: -len(fold(entries[n][0])))
        self.terms = [Term(*entries[n], tuple(self.words(entries[n][0])), rank) for rank, n in enumerate(order)]
        # first word's folded form / stem / folded form's stem / folded form for prefix terms -> terms, by rank
        self._index: tuple[dict[str, list[Term]], ...] = ({}, {}, {}, {})
        for term in self.terms:
            first = term.words[0]
            keys = {
                "stem": (first.folded, first.stem, first.plain, None),
                "exact": (first.folded, first.stem, None, None),
                "prefix": (None, None, None, first.folded),
            }[term.mode]
            for index, key in zip(self._index, keys, strict=True):
                if key is not None:
                    index.setdefault(key, []).append(term)
        self._shortest_prefix = min((len(t.words[0].folded) for t in self.terms if t.mode == "prefix"), default=0)
        self._compound_heads = data.compound_heads

    def _word(self, word: str) -> Word:
        folded = fold(word)
        plain = self._stemmer.stemWord(folded)
        if folded == word:
            return Word(folded, plain, plain, False)
        return Word(folded, fold(self._stemmer.stemWord(word)), plain, True)

    def words(self, text: str) -> list[Word]:
        """The words of ``text`` (any case), split as terms are."""
        return [self.word(w) for w in _PUNCTUATION.sub(" ", _NUMBER_ENDING.sub("", text.lower())).split()]

    def candidates(self, word: Word) -> tuple[Term, ...]:
        """The terms whose first word may be ``word``, in the order they are tried (see the module docstring)."""
        return self._candidates(word)

    def _find_candidates(self, word: Word) -> tuple[Term, ...]:
        as_written, by_stem, by_plain, by_prefix = self._index
        found = {*as_written.get(word.folded, ()), *as_written.get(word.stem, ()), *by_stem.get(word.stem, ())}
        if not word.accented:
            found.update(by_plain.get(word.stem, ()))
            for n in (1, 2, 3):
                found.update(as_written.get(word.folded[:-n], ()))
        if by_prefix:
            for n in range(self._shortest_prefix, len(word.folded) + 1):
                found.update(by_prefix.get(word.folded[:n], ()))
        found = {t for t in found if _same(word, t.words[0], t.mode)}
        return tuple(sorted(found, key=lambda t: (-len(t.words), t.words[0].folded != word.folded, t.rank)))

    def heads(self, word: Word) -> tuple[Term, ...]:
        """The one-word ``terms`` entry a compound ends with, for a language with ``compound_heads``: the longest
        ending of five letters or more, after a first part of three or more, that matches one as a word would
        ("gesamtbudgets" -> "budget", "projektantrag" -> "antrag")."""
        if not self._compound_heads:
            return ()
        for n in range(_FIRST_PART, len(word.folded) - _HEAD + 1):
            tail = self.word(word.folded[n:])
            found = [t for t in self.candidates(tail) if t.mode == "stem" and len(t.words) == 1]
            found = [t for t in found if len(t.words[0].folded) >= _HEAD]
            if found:
                return (found[0],)
        return ()

    def matches(self, words: list[Word]) -> Iterator[tuple[int, Term]]:
        """(position, term) of each term in ``words``: at each word the first candidate whose words all follow,
        and the term a compound word ends with (``heads``) when the word is no term of its own or only begins
        with one ("Städtepartnerschaftsprojekt": town twinning, and project)."""
        i = 0
        while i < len(words):
            match = next((t for t in self.candidates(words[i]) if _follows(t, words, i)), None)
            if match:
                yield i, match
            if match is None or match.mode == "prefix":  # a word that is a term of its own needs no head
                for head in self.heads(words[i]):
                    yield i, head
            i += len(match.words) if match else 1

    def find(self, text: str) -> list[Term]:
        """The terms in ``text``, longest first."""
        return sorted({term for _, term in self.matches(self.words(text))}, key=lambda t: t.rank)

    def matched_words(self, text: str) -> frozenset[str]:
        """The folded words of ``text`` that belong to a term found in it ("rețele" of "Rețele de orașe")."""
        words = self.words(text)
        return frozenset(w.folded for i, term in self.matches(words) for w in words[i : i + len(term.words)])


@cache
def read_glossary_file(lang: str) -> GlossaryFile:
    """The file of ``lang`` (one of ``GLOSSARY_LANGUAGES``), validated; a broken file raises ``ValueError``."""
    name = f"{lang}.yaml"
    try:
        text = (files("assistant.question") / "glossaries" / name).read_text("utf-8")
        data = GlossaryFile.model_validate(yaml.load(text, Loader=_UniqueKeyLoader))  # noqa: S506 - a safe loader
        data.entries()
        return data
    except (ValidationError, yaml.YAMLError, FileNotFoundError, ValueError) as exc:
        raise ValueError(f"assistant/question/glossaries/{name}: {exc}") from exc


@cache
def glossary(lang: str) -> Glossary:
    """The terms of ``lang``, ready to match."""
    return Glossary(lang, read_glossary_file(lang))


# Folded foreign term -> English phrase, per language (the terms as retrieval and the composer see them).
DOMAIN_TERMS: dict[str, dict[str, str]] = {
    lang: {fold(term): english for term, english, _ in read_glossary_file(lang).entries()}
    for lang in GLOSSARY_LANGUAGES
}
