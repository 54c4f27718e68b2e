"""The refusal decision: an ordered list of named gates, and the settings they read.

An answer is refused by the first gate whose check fails, and records that gate's name (``Answer.refused_by``), so
a false refusal can be attributed and the evaluation report counts refusals per gate. Two stages:

- ``SELECTION_GATES`` judge the best sentence before the answer is chosen (is anything here on the question?);
- ``ANSWER_GATES`` judge the chosen sentences (do they answer what was asked: the country, a date still ahead, the
  year, something known?).

Every weight and limit lives in ``Thresholds`` (one object, tuned per embedding model by eval/tune.py).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TypeVar

from assistant.question.intents import exact_intents, pattern
from assistant.question.intents import words as words_of
from assistant.question.lexicon import cue_kinds
from assistant.question.places import countries_named, covers_country
from assistant.question.query import (
    CALL_ID,
    INTENT_CUES,
    PERIOD,
    Query,
    asked_part,
    periods_named,
    topics_named,
)
from assistant.question.sequence import sequence_asked
from assistant.question.text import content_tokens, fold, tokens, without_asides, words
from assistant.retrieval.hybrid import CALL_TOPICS, Passage

NO_KNOWLEDGE = re.compile(
    r"\b(do(es)? not (state|give|say|mention|specify|record|show)|not (stated|given|known|specified|recorded|published|"
    r"found|shown|reported|certain)|no (figure|date|source|amount)s? (is|are|was|were) (given|stated|known)|"
    r"no (\w+ )?(source|document)s? (\w+ )?(states?|gives?|says?|mentions?|records?))\b",
    re.I,
)


CUE_WORDS = {t for cues in INTENT_CUES.values() for cue in cues for t in tokens(cue)}


# The cue words a sentence holding what is asked answers ("deadline", "last day", "amount"); not the subjects some
# cues name ("per town", "per project").
GATE_CUES = frozenset(CUE_WORDS - set(tokens("town network municipality project")))


@dataclass
class Scored:
    text: str
    passage: Passage
    rank: int
    score: float
    overlap: float
    fits_intent: bool
    position: int = 0
    terms: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()  # all its tokens (for near repeats)
    similarity: float | None = None  # the model's cosine of the question and this sentence (its own scale)
    unmet: frozenset[str] = frozenset()  # the intents asked whose need it does not meet (it may meet another's)


@dataclass(frozen=True)
class Thresholds:
    """Gates of the refusal decision, tuned by eval/tune.py on the tuning files (see docs/answering.md).

    The defaults are all-MiniLM-L6-v2's. Similarities are on the embedding model's own scale (unrelated text
    scores about 0 with MiniLM, about 0.7 with e5), so a model can have thresholds of its own in
    ``thresholds.json`` (``for_model``)."""

    min_overlap: float = 0.46
    min_similarity: float = 0.22
    strong_similarity: float = 0.65
    relative_keep: float = 0.55
    misfit_overlap: float = 0.6
    # How much the model's question-sentence similarity weighs in a sentence's score (rescaled to 0-1 between the
    # least and the most similar candidate sentence of the question), and the similarity at which the best sentence
    # answers whatever its word coverage (a question in another language, or in other words). 1.01: never.
    semantic_weight: float = 0.0
    sentence_similarity: float = 1.01
    # The coverage at which the best sentence answers even when no passage reaches ``min_similarity`` (a short
    # question in its own words: "who or what is the LEAR on the F&T portal?"). 1.01: the similarity gate alone.
    similarity_overlap: float = 1.01
    # The share of one of a question's parts (``Query.parts``: questions run together) that the best sentence must
    # cover to answer when its coverage of the whole question is too low ("ncp sweden?? and do they send the
    # application for us": the contact point answers the first). 1.01: the whole question's coverage alone.
    part_overlap: float = 1.01

    @classmethod
    def for_model(cls, model_name: str) -> Thresholds:
        """The thresholds tuned for ``model_name`` (a name or folder; matched by its last part), else the
        defaults."""
        tuned = _tuned_thresholds()
        return cls(**tuned.get(Path(model_name).name, {}))


@lru_cache(maxsize=1)
def _tuned_thresholds() -> dict[str, dict[str, float]]:
    data = json.loads((files("assistant.answer") / "thresholds.json").read_text(encoding="utf-8"))
    return {name: values for name, values in data.items() if not name.startswith("_")}


YEARISH_ALL = re.compile(r"\b(?:19|20)\d{2}\b")


_FUTURE = re.compile(r"\b(next|upcoming|forthcoming|future)\b")


_DAY_MONTH_YEAR = re.compile(
    r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December) "
    r"((?:19|20)\d{2})\b"
)


def same_year(best: Scored, query: Query) -> bool:
    """A question naming a year (not only in its context: ``Query.asked_years``) is answered by a sentence of that
    year: in its document's metadata, or said in the sentence; a sentence of a document about another year, or
    naming only other years, is not the answer. Likewise a question naming a programme period ("and the 2014-2020
    one?") is not answered by a sentence naming only other periods ("the 2007-2013 budget")."""
    asked_periods = periods_named(query.asked or query.text)
    said_periods = periods_named(best.text)
    if asked_periods and said_periods and not asked_periods & said_periods:
        return False
    if asked_periods and not said_periods and not _within_periods(best, asked_periods):
        return False  # "under Europe for Citizens 2007-2013": a sentence of 2024 is of another period
    if not query.asked_years:
        return True
    years = {str(y) for y in query.asked_years}
    said = set(YEARISH_ALL.findall(best.text))
    if said & years:
        return True
    doc_year = best.passage.metadata.get("year")
    if doc_year is not None:
        return str(doc_year) in years and not said
    return not said


def _within_periods(s: Scored, periods: set[str]) -> bool:
    """Whether the years a sentence says (else its document's year) fall within one of ``periods`` ("2007-2013");
    a sentence of no year may be of any period."""
    said = {int(y) for y in YEARISH_ALL.findall(s.text)}
    if not said and (doc_year := s.passage.metadata.get("year")) is not None:
        said = {int(doc_year)}
    spans = [tuple(int(y) for y in p.split("-")) for p in periods]
    return not said or any(start <= y <= end for y in said for start, end in spans)


# A decade ("the early 2000s"): the years it spans.
_DECADE = re.compile(r"\b((?:19|20)\d)0s\b")


def of_year(s: Scored, year: int) -> bool:
    """Whether a sentence is about ``year``: it says so, or names its decade ("the early 2000s"; a period such as
    "2007-2013" names no one year), or it says no year and its document is of that year."""
    said = set(YEARISH_ALL.findall(PERIOD.sub(" ", s.text)))
    decades = {int(d) for d in _DECADE.findall(s.text)}
    return str(year) in said or year // 10 in decades or (not said and s.passage.metadata.get("year") == year)


def same_call(best: Scored, query: Query) -> bool:
    """A question about one call (town twinning, networks of towns, remembrance) is not answered by a sentence
    about another call: one that names only other calls, or one from another call's document that names none."""
    if query.call_ids and not same_call_id(best, query.call_ids):
        return False
    asked = set(query.topics) & CALL_TOPICS
    if query.asked and query.asked != query.text and not query.follow_up:
        # Calls the asking sentences name themselves are what is asked, not those of the context ("Under Europe for
        # Citizens you needed 81 points for networks. What score does a town twinning proposal need?").
        asked = set(topics_named(query.asked)) & asked or asked
    if not asked:
        return True
    named = set(topics_named(best.text)) & CALL_TOPICS
    topic = best.passage.metadata.get("topic")
    return bool(named & asked) or (not named and (topic not in CALL_TOPICS or topic in asked))


def about_other_countries(text: str, asked: list[str]) -> bool:
    """Whether a sentence names countries but none of those asked about."""
    return bool(countries_named(text, "en")) and not any(covers_country(text, c) for c in asked)


_MONTHS = {
    name: i
    for i, name in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}


def _date(day: str, month: str, year: str) -> dt.date | None:
    """A calendar date from its English spelling, or None when there is no such day (31 April)."""
    try:
        return dt.date(int(year), _MONTHS[month.lower()], int(day))
    except (KeyError, ValueError):
        return None


def cue_tokens(intents: set[str] | frozenset[str]) -> frozenset[str]:
    """The words of the cues of ``intents``."""
    return frozenset().union(*(_intent_cue_tokens(name) for name in intents))


@cache
def _intent_cue_tokens(name: str) -> frozenset[str]:
    return frozenset(t for cue in INTENT_CUES.get(name, ()) for t in tokens(cue))


def gate_overlap(best: Scored, weights: dict[str, float], query: Query) -> float:
    """The best sentence's coverage for the refusal decision: a sentence that holds what is asked also answers the
    question's cue words ("closed on 18 April 2024" answers "deadline", "EUR 60,000" answers "amount")."""
    if not (best.fits_intent and query.intents):
        return best.overlap
    total = sum(weights.values()) or 1.0
    # Only the cue words of what it holds: a sentence with a date answers "when", not "what share" of a question
    # asking both.
    unanswered = cue_tokens(best.unmet) - cue_tokens(set(query.intents) - best.unmet)
    credited = GATE_CUES - unanswered
    return best.overlap + sum(w for t, w in weights.items() if t in credited and t not in best.terms) / total


def dates_in(text: str) -> list[dt.date]:
    """The calendar dates an English text states ("19 September 2024"), in order."""
    return [d for m in _DAY_MONTH_YEAR.findall(text) if (d := _date(*m)) is not None]


# Words of time that tie a date to no event ("how many years ago"): the units of the intent rules, and "ago".
_TIME_WORDS = frozenset(t for w in (*words_of("time_units"), "ago") for t in tokens(w))


T = TypeVar("T")


def _closest_first(items: list[tuple[int, T]], at: list[int]) -> list[T]:
    """Items found at text positions, the one closest to any of the positions ``at`` first."""
    return [item for _, item in sorted(items, key=lambda p: min(abs(p[0] - a) for a in at))]


def event_words(question: str) -> set[str]:
    """The tokens naming a question's events: its words less its names and words of time ("founding", "renaming")."""
    names = {t for w in re.findall(r"\b[A-Z][\w-]*", question) for t in tokens(w)}
    return set(content_tokens(question)) - names - _TIME_WORDS


def dates_of_event(text: str, question: str) -> list[dt.date]:
    """The dates an English text states, the one closest to a word of the question's event first ("founded" in
    "its 75th anniversary on 28 January 2026, 75 years after its founding on 28 January 1951": 1951); in order
    when it names none. The event's words are the question's words less its names and words of time."""
    event = event_words(question)
    at = [m.start() for m in re.finditer(r"[\w-]+", text) if event & set(tokens(m.group(0)))]
    dated = [(m.start(), d) for m in _DAY_MONTH_YEAR.finditer(text) if (d := _date(*m.groups())) is not None]
    return _closest_first(dated, at) if at else [d for _, d in dated]


def holds_future_date(chosen: list[Scored], now: dt.datetime) -> bool:
    """Whether a chosen sentence that holds what is asked dates something on or after today (a bare year counts
    until its end)."""
    today = now.date()
    for s in chosen:
        if not s.fits_intent:
            continue
        days = dates_in(s.text)
        text = _DAY_MONTH_YEAR.sub(" ", PERIOD.sub(" ", s.text))
        if any(d >= today for d in days) or any(int(y) >= today.year for y in YEARISH_ALL.findall(text)):
            return True
    return False


def same_call_id(best: Scored, call_ids: list[str]) -> bool:
    """A question naming a call id ("CERV-2022-CITIZENS-CIV") is not answered by a sentence of another call's
    document, nor by one naming only other call ids. An id names its topics too ("CERV-2021-CITIZENS-TOWN")."""
    asked = [fold(c) for c in call_ids]
    said = CALL_ID.findall(fold(best.text))
    if said:
        return any(s.startswith(a) or a.startswith(s) for s in said for a in asked)
    doc = fold(str(best.passage.metadata.get("call_id") or ""))
    return not doc or any(doc.startswith(a) or a.startswith(doc) for a in asked)


# -- the gates -----------------------------------------------------------------------------------------------------
@dataclass
class Judged:
    """What the gates judge: the question, its scored sentences (best first) and, after the choice, the chosen
    ones."""

    query: Query
    scored: list[Scored]
    weights: dict[str, float]
    passages: list[Passage]
    thresholds: Thresholds
    now: dt.datetime
    chosen: list[Scored] = field(default_factory=list)
    parts: list[frozenset[str]] = field(default_factory=list)  # the weighted terms of each part, when several

    @property
    def best(self) -> Scored:
        return self.scored[0]

    @cached_property
    def similarities(self) -> list[float]:
        return [p.similarity for p in self.passages if p.similarity is not None]

    @cached_property
    def top_similarity(self) -> float:
        """The best passage's similarity; lexical-only retrieval has none, and then coverage alone decides."""
        return max(self.similarities) if self.similarities else self.thresholds.min_similarity


@dataclass(frozen=True)
class Gate:
    """A named check: ``refuses`` says whether it refuses; ``nearby`` what a refusal may quote."""

    name: str
    refuses: Callable[[Judged], bool]
    nearby: Callable[[Judged], list[Scored]]
    doc: str = ""


# The coverage above which a sentence shares the question's subject (it may be quoted as nearby, or lead).
ON_SUBJECT = 0.2


def _near_best(j: Judged) -> list[Scored]:
    """The best sentence, when it shares something with the question and is on its subject (of the year and call
    asked): a refusal does not quote another year's or another call's sentence as "nearby"."""
    best = j.best
    on_subject = best.overlap > ON_SUBJECT and same_year(best, j.query) and same_call(best, j.query)
    return [best] if on_subject else []


def _dissimilar(j: Judged) -> bool:
    t = j.thresholds
    low = j.top_similarity < t.min_similarity and gate_overlap(j.best, j.weights, j.query) < t.similarity_overlap
    return low and not defines_acronym(j.best.text, j.query)


# An acronym spelt out: "LEAR (Legal Entity Appointed Representative)" or "Participant Identification Code (PIC)".
_SPELT_OUT = re.compile(r"\b([A-Z]{3,})\s*\((?:[A-Z][\w'-]*\s*){2,}\)|\((?:the\s+)?([A-Z]{3,})\)")


def defines_acronym(sentence: str, query: Query) -> bool:
    """Whether a sentence spells out an acronym the question asks about, however the question writes it ("LEAR",
    "wat is a lear"): it says what the acronym is, however little else of the question it holds."""
    asked = set(words(query.asked or query.text))
    return any(fold(m[1] or m[2]) in asked for m in _SPELT_OUT.finditer(sentence))


def part_share(terms: frozenset[str], covered: frozenset[str], weights: dict[str, float]) -> float:
    """How much of ``terms``' weight ``covered`` holds (1 when there are none)."""
    total = sum(weights[t] for t in terms)
    return sum(weights[t] for t in terms & covered) / total if total else 1.0


def _best_part(j: Judged) -> float:
    """The best sentence's coverage of the part of the question it answers best (0 for a question of one part)."""
    return max((part_share(p, j.best.terms, j.weights) for p in j.parts if len(p) >= 2), default=0.0)


def _weak(j: Judged) -> bool:
    t = j.thresholds
    return (
        not defines_acronym(j.best.text, j.query)
        and gate_overlap(j.best, j.weights, j.query) < t.min_overlap
        and _best_part(j) < t.part_overlap
        and (not j.similarities or j.top_similarity < t.strong_similarity)
        and (j.best.similarity is None or j.best.similarity < t.sentence_similarity)
    )


# An exact detail (a time of day, a count, a maximum: the intent registry's ``exact``): no sentence without one
# answers, however well it matches.
EXACT_INTENTS = exact_intents()


# How many of the best sentences may hold what a question asking several things asks by its intents.
_PARTS_READ = 5


def _misfit(j: Judged) -> bool:
    exact = bool(EXACT_INTENTS & set(j.query.intents))
    if not j.best.fits_intent:
        if len(j.query.parts) > 1 and any(s.fits_intent for s in j.scored[:_PARTS_READ]):
            return False  # a question asking several things: the best sentence may answer another of them
        return exact or j.best.overlap < j.thresholds.misfit_overlap
    # A question asking one thing is not answered by a sentence holding another detail it names in passing ("what
    # percentage is paid when the agreement is signed?": a date is no percentage).
    return len(j.query.parts) <= 1 and bool(EXACT_INTENTS & j.best.unmet)


def _country_missing(j: Judged) -> bool:
    countries = j.query.countries
    if not countries:
        return False
    # The countries the asking sentence names itself (a follow-up's are its conversation's) must each be spoken of;
    # those only the sentence before it names ("We're a twinning club in Luxembourg ... What were they?") may be the
    # asker's own, and rule out only a lead sentence about other countries.
    own = (
        countries
        if j.query.follow_up
        else countries_named(without_asides(asked_part(j.query.text, lead=False)), j.query.language)
    )
    asked = [c for c in countries if c in own]
    if not asked:
        return about_other_countries(j.best.text, countries)
    spoken_of = [{c for c in asked if covers_country(s.text, c)} for s in j.chosen]
    return not spoken_of[0] or set().union(*spoken_of) != set(asked)


# The intents asking a way to reach someone: the address must be of the one asked about. (A website is also what
# something is said "according to": not judged.)
_CONTACT = ("email", "phone")
# A name written with a capital, not opening its sentence.
_NAME = re.compile(r"(?<![.?!]\s)(?<!^)\b[A-Z][\w-]*")


def _contact_of_another(j: Judged) -> bool:
    """Whether a question asking how to reach a body it names ("the e-mail address of CERV Italia") is led by a
    sentence that does not name it (the EACEA mailbox): the address is another's."""
    contact = [pattern(i) for i in _CONTACT if i in j.query.intents]
    # The piece of the question asking for it ("who manages the calls, and is there an e-mail address?": the second).
    pieces = re.split(r"[,;?]", j.query.asked or j.query.text)
    asked = next((p for p in pieces if any(c.search(fold(p)) for c in contact)), "") if contact else ""
    if not asked:
        return False
    countries = set(countries_named(asked, j.query.language))
    names = {
        t
        for m in _NAME.finditer(asked)
        # German capitalises every noun ("Fragen", "Städtepartnerschaften"): its names are its acronyms ("EACEA").
        if (j.query.language != "de" or m.group(0).isupper())
        and not countries_named(m.group(0), j.query.language)
        and not countries & set(countries_named(m.group(0), "en"))
        for t in tokens(m.group(0))
        if j.weights.get(t)
    }
    if not names:
        return False
    rarest = max(sorted(names), key=lambda t: j.weights[t])
    return rarest not in j.chosen[0].words


def _past_only(j: Judged) -> bool:
    asked = j.query.asked or j.query.text  # not the context ("we meet next year")
    # "The next congress", or the next call in the question's language ("il prossimo bando REALISE").
    future = bool(_FUTURE.search(fold(asked))) or "next" in cue_kinds(asked, j.query.language, "relative")
    return "date" in j.query.intents and future and not holds_future_date(j.chosen, j.now)


def _year_next_to(text: str, name: str) -> int | None:
    """The year a sentence gives closest to where it names ``name`` (by its last word: "Helgesen"), if it does."""
    plain = PERIOD.sub(" ", text)
    at = [m.start() for m in re.finditer(rf"\b{re.escape(name.split()[-1])}\b", plain, re.I)]
    years = [(m.start(), int(m.group(0))) for m in YEARISH_ALL.finditer(plain)]
    return _closest_first(years, at)[0] if at and years else None


def _out_of_sequence(j: Judged) -> bool:
    """Whether a question asking what came after (before) a named event ("the congress after Rhodes 2007", "the
    president before Gunn Marit Helgesen") is answered by no sentence with a year later (earlier) than the event's:
    the year the question gives it, else the one the lead sentence gives beside its name (a period of an answer is
    dated by its start: "before CERV ... in 2014-2020")."""
    asked = sequence_asked(j.query.asked or j.query.text, j.query.language)
    if asked is None:
        return False
    reference = asked.year or _year_next_to(j.chosen[0].text, asked.name)
    if reference is None:
        return False
    # A period ("2007-2013") is dated by its start.
    years = [int(y) for s in j.chosen for y in YEARISH_ALL.findall(PERIOD.sub(lambda m: m.group(0)[:4], s.text))]
    return not any(y > reference if asked.direction == "after" else y < reference for y in years)


def _year_unanswered(j: Judged) -> bool:
    if not j.query.asked_years:
        return False
    # A sentence of the year asked answers when it is on the lead's subject: in 2007 the Rhodes congress says
    # nothing of "the Golden Stars of 2007".
    lead = j.chosen[0]
    subject = frozenset(t for t in lead.terms if not YEARISH_ALL.fullmatch(t))

    def on_subject(s: Scored) -> bool:
        return s is lead or part_share(subject, s.terms, j.weights) >= 0.5

    return not any(of_year(s, y) and on_subject(s) for s in j.chosen for y in j.query.asked_years)


# The name of the refusal of a question about the next event that only past dates answer (the gate below, and the
# registry's "no call after the latest one").
FUTURE = "future"
# The name of the refusal of a question about countries the documents do not speak of (the gate below, and the
# registry's eligibility answer for countries of which the sources say nothing).
COUNTRY = "country"

SELECTION_GATES: tuple[Gate, ...] = (
    Gate(
        "similarity",
        _dissimilar,
        _near_best,
        "No retrieved passage is similar enough to the question (``min_similarity``), and the best sentence does "
        "not cover the question's words well enough to answer anyway (``similarity_overlap``), nor spell out an "
        "acronym the question asks about.",
    ),
    Gate(
        "coverage",
        _weak,
        _near_best,
        "The best sentence covers too little of the question's weighted terms (``min_overlap``) and of each of the "
        "questions run together in it (``part_overlap``), and neither the passage nor the sentence is similar "
        "enough to answer in other words (``strong_similarity``, ``sentence_similarity``); a sentence spelling out "
        'an acronym the question asks about answers ("LEAR (Legal Entity Appointed Representative)").',
    ),
    Gate(
        "intent",
        _misfit,
        _near_best,
        "The best sentence does not hold what is asked (a date, an amount of the right kind, a count), when that is "
        "an exact detail or the sentence covers little (``misfit_overlap``); or, for a question asking one thing, it "
        "holds another detail the question names but not the exact one asked (a date, not a percentage).",
    ),
    Gate(
        "year",
        lambda j: not same_year(j.best, j.query),
        _near_best,
        "The question names a year and the best sentence is of another one.",
    ),
    Gate(
        "call",
        lambda j: not same_call(j.best, j.query),
        _near_best,
        "The question names a call (type or id) and the best sentence is about another one.",
    ),
)

ANSWER_GATES: tuple[Gate, ...] = (
    Gate(
        COUNTRY,
        _country_missing,
        lambda j: j.chosen[:1],
        "The question names countries and the chosen sentences do not speak of each of them.",
    ),
    Gate(
        "contact",
        _contact_of_another,
        lambda j: j.chosen[:1],
        "The question asks how to reach a body it names, and the lead sentence does not name it.",
    ),
    Gate(
        FUTURE,
        _past_only,
        lambda j: j.chosen[:1],
        'A question about the next event ("the next congress") is answered only by a date not yet past.',
    ),
    Gate(
        "sequence",
        _out_of_sequence,
        lambda j: j.chosen[:1],
        'A question about what came after (before) a named event ("the congress after Rhodes") is answered by no '
        "chosen sentence with a year later (earlier) than the event's.",
    ),
    Gate(
        "year_of_answer",
        _year_unanswered,
        lambda j: j.chosen[:1],
        "No chosen sentence is about a year the question names (and on the subject of the lead sentence).",
    ),
    Gate(
        "no_knowledge",
        lambda j: bool(NO_KNOWLEDGE.search(j.chosen[0].text)),
        lambda j: j.chosen[:1],  # a refusal quotes at most one nearby sentence
        "The best chosen sentence says the sources do not give what is asked.",
    ),
)
# Refusals decided outside the gates: a name the documents never use, nothing retrieved, small talk.
UNKNOWN_NAME = "unknown_name"
NO_PASSAGES = "no_passages"
SMALL_TALK = "small_talk"


def first_refusal(gates: tuple[Gate, ...], judged: Judged) -> Gate | None:
    """The first gate that refuses, in order, or None when all pass."""
    return next((g for g in gates if g.refuses(judged)), None)
