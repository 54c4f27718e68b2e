"""Understand a question without an LLM: its language, years, calls, what it asks for, and its context.

``analyse(question, history)`` returns a ``Query``: a follow-up ("And for networks of towns?") is made
standalone by carrying the call, year, programme and subject of the earlier turns forward, and greetings or
thanks are recognised so they are never searched.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from assistant.question.intents import CUED, cues, detect, fewest_of, named_cues, settle, word_pattern
from assistant.question.intents import words as intent_words
from assistant.question.languages import LANGUAGES, detect_language, english_terms, english_word, foreign_phrases
from assistant.question.lexicon import (
    PRIORITY,
    all_interrogatives,
    asks_elapsed,
    asks_remaining,
    asks_time_left,
    asks_with_own_word,
    courtesy_words,
    cue,
    cue_kinds,
    cue_phrases,
    leaves_the_subject,
    left_out,
    lexicon,
    small_talk_phrases,
    without_cues,
    year_ranges,
    years_ago,
)
from assistant.question.paraphrases import related_terms
from assistant.question.places import (
    OVERSEAS_TERM,
    bind_joined_names,
    countries_named,
    is_overseas,
    names_a_country,
    strip_countries,
)
from assistant.question.text import STOPWORDS, content_tokens, fold, without_asides, words
from assistant.sentences import split_sentences


class Vocabulary(Protocol):
    """What typo correction needs of the corpus (``LexicalIndex`` provides it)."""

    def correct(self, word: str) -> str | None: ...


# Folded patterns for the calls and bodies a question can name -> the corpus topic they belong to ("nt22" names
# the call and its year).
CALL_PATTERNS: dict[str, str] = {
    (
        r"\bnetworks?[- ]of[- ](?:twinned[- ])?(?:towns?|cities)\b|\bnetworks? calls?\b|\bnt(?=\b|2\d\b)"
        r"|\bcitizens-town-nt\b|town-nt"
    ): "networks-of-towns",
    r"\btown[- ]?twinn?ing\b|\btwinn?ing (?:calls?|projects?)\b|\btt(?=\b|2\d\b)|town-tt": "town-twinning",
    r"\bremembrance\b|\brem(?=\b|2\d\b)|\bcitizens-rem": "remembrance",
    r"\brealis[ez]e?\b|\bcemr\b|\bccre\b|\brgre\b|\bcmre\b": "cemr",
}
_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
# The EU programmes that funded twinning, each with its own periods and calls: a follow-up naming one ("and CERV?"
# after a question about Europe for Citizens 2014-2020) asks about it instead of the conversation's.
PROGRAMME_PATTERNS: dict[str, str] = {
    r"\bcerv\b": "cerv",
    r"\beurope for citizens\b|\befc\b": "europe-for-citizens",
    r"\brights,? equality and citizenship\b|\brec programme\b": "rec",
}
# A call's short name with its year glued on ("tt2023", "NT2024", "cerv2025"): read as the two words.
_GLUED_YEAR = re.compile(r"\b(cerv|tt|nt|rem)(20[0-4]\d)\b", re.I)
_SHORT_YEAR = re.compile(r"\b(?:cerv|tt|nt|rem|remembrance|twinning|networks)[ '’-]?(2[0-9])\b")
PERIOD = re.compile(r"\b(19|20)\d{2}\s*[-–/]\s*(19|20)\d{2}\b")
# Networks of Towns written "NoT" (as written: folded, it is the word "not").
_NOT = re.compile(r"\bNoTs?\b")
# A programme's seven-year period written with two-digit years after its name ("efc 07-13", "CERV 21-27").
_SHORT_PERIOD = re.compile(
    r"\b(efc|cerv|rec|citizens|programme|program|period|mff)\s+([0-2]\d)\s*[-–/]\s*([0-2]\d)\b", re.I
)


@cache
def _abbreviations() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, lexicon("en").abbreviations)) + r")\b", re.I)


def _written_out(text: str) -> str:
    """``text`` with a call's glued year ("tt2023"), "NoT", a programme's short period ("efc 07-13") and a unit's
    chat abbreviation ("yrs") written out."""
    text = _NOT.sub("networks of towns", _GLUED_YEAR.sub(r"\1 \2", text))
    text = _abbreviations().sub(lambda m: lexicon("en").abbreviations[m.group(0).lower()], text)

    def period(m: re.Match[str]) -> str:
        start, end = int(m.group(2)), int(m.group(3))
        return f"{m.group(1)} 20{m.group(2)}-20{m.group(3)}" if end - start == 6 else m.group(0)

    return _SHORT_PERIOD.sub(period, text)


def periods_named(text: str) -> set[str]:
    """The programme periods a text names, written alike ("2014–2020", "2014 - 2020" -> "2014-2020")."""
    return {re.sub(r"\s*[-–/]\s*", "-", m.group(0)) for m in PERIOD.finditer(text)}


CALL_ID = re.compile(r"\bcerv-\d{4}-[a-z-]+\b")

# The cues that name an intent by themselves, folded, in the seven languages (lexicons/*.yaml, read by
# assistant.question.intents), without their "*"s; assistant/answer/gates.py reads their words.
INTENT_CUES: dict[str, tuple[str, ...]] = {
    name: tuple(c.rstrip("* ").replace(" * ", " ") for c in cues(name)) for name in CUED
}


_OPEN = re.compile(r"\bopen\b", re.I)
_FOLLOW_UP_START = re.compile(
    r"^(and|what about|how about|what if|also|same|wait|hold on|hmm|et|e|ed|es|si|und|y|mais|but|then|ok and|"
    r"and the|and what|and who|and when|and how)\b"
)
_ANAPHORA = re.compile(
    r"\b(it|another|that|this|those|these|they|them|there|same|previous|ce|cette|celui|cela|quello|quella|questo|"
    r"questa|az|ez|azt|ezt|acesta|aceasta|acel|acea|das|dies|dieser|diese|dem|eso|ese|esa|este|esta)\b"
    r"|\b(?:has|have|had|get|got|need|needs|already) one\b"  # "our council already has one": the thing asked before
)
_FILLER = {
    "and",
    "what",
    "about",
    "how",
    "for",
    "the",
    "a",
    "an",
    "of",
    "in",
    "on",
    "is",
    "was",
    "were",
    "are",
    "it",
    "that",
    "this",
    "then",
    "also",
    "et",
    "pour",
    "le",
    "la",
    "les",
    "e",
    "per",
    "il",
    "es",
    "si",
    "und",
    "fur",
    "y",
    "para",
    "el",
    "call",
    "year",
    "one",
}


_TOPIC_WORDS = {
    "networks-of-towns": "networks of towns",
    "town-twinning": "town twinning",
    "remembrance": "remembrance",
}


@cache
def _count_cue() -> re.Pattern[str]:
    """A count cue of any language and the words after it ("how many TT projects were" -> "tt projects were")."""
    # An elided cue ("combien d'") runs into its word ("combien d'habitants").
    alternatives = "|".join(
        re.escape(c := cue.rstrip("* ")) + (r"\s*" if c.endswith("'") else r"\s+") for cue in cues("count")
    )
    return re.compile(rf"\b(?:{alternatives})([a-z0-9\s-]+)")


# Auxiliaries that end what a count in another language counts ("combien de jeunes ont participé").
_FOREIGN_VERBS = frozenset(
    "ont sont etaient ete hanno sono erano stati state sunt au fost haben hat hatte hatten sind waren wurden "
    "han fueron son tiene tienen eran volt voltak vannak kaptak".split()
)


# Comparing words between a count cue and what it counts ("how many more proposals", "how many fewer towns").
_COMPARED = frozenset({"more", "fewer", "less", "extra"})
# "And" ("n" in chat) and "or" of the seven languages, which join two words of what a count counts.
_AND_OR = frozenset("and n or et ou e o y und oder es vagy si sau".split())


def counted_terms(question: str, lang: str) -> list[str]:
    """What a "how many" question counts: the content words right after its cue (a year passed over), up to the
    first function word, in English ("how many TT projects were funded" -> tt, projects; "how many NT 2023
    proposals" -> nt, proposals; "cuántos proyectos" -> projects).
    Empty when the cue is followed by a verb ("how many were given")."""
    folded = fold(question)
    for pattern in CALL_PATTERNS:  # a call's name is one word of what is counted ("networks of towns proposals")
        folded = re.sub(pattern, lambda m: m.group(0).replace(" ", "-"), folded)
    match = _count_cue().search(folded) or fewest_of().search(folded)  # "minimum countries?": countries
    if not match:
        return []
    out: list[str] = []
    for word in match.group(1).split()[:4]:
        if word in _AND_OR and not out:  # "how many n worth how much": nothing named is counted
            break
        if word in _AND_OR or word.isdigit():  # "how many TT and NT projects", "how many NT 2023 proposals"
            continue
        if not out and word in _COMPARED:  # "how many more proposals": the proposals, compared
            continue
        if word in STOPWORDS or (lang != "en" and word in _FOREIGN_VERBS):
            break
        # A foreign noun without an English equivalent is kept: no English count will then pass for it.
        out.append(english_word(word, lang))
    return out


# What happened to the proposals a count is about (received, eligible, funded, rejected, on the reserve list): a
# count of proposals received does not answer how many were funded.
OUTCOMES = {
    "received": re.compile(r"\b(submitted|receiv\w*|came in|sent in|handed in)\b", re.I),
    # Proposals found eligible, not the eligible countries, costs or activities a rule speaks of.
    "eligible": re.compile(r"\beligib\w*\b(?!\s+(?:countr|costs?\b|activit|entit|organi[sz]|expen))", re.I),
    # Proposals that were not eligible: received minus eligible.
    "ineligible": re.compile(
        r"\b(not (?:to be |been |being )?eligible|ineligible|inadmissible|not admissible)\b", re.I
    ),
    # Proposals that were not funded: received minus funded.
    "unfunded": re.compile(
        r"\b(not (?:been |being |get |getting )?funded|without (?:funding|a grant)|unfunded|"
        r"(?:did not|didn't|did n't|do not|don't) (?:get|receive|obtain) (?:(?:a|any) grant|(?:any )?funding|money))\b",
        re.I,
    ),
    "funded": re.compile(
        r"\b(funds?|funded|selected|awarded|granted|won|winning|successful|financed|handed out|given out|gave out)\b",
        re.I,
    ),
    "rejected": re.compile(r"\b(rejected|turned down|refused|unsuccessful|failed|not funded)\b", re.I),
    "reserve": re.compile(r"\b(reserve|waiting) list\b", re.I),
}


# Those who applied counted ("how many associations applied?"): the proposals received ("had we applied, how many
# applicants?" counts no one who applied).
_APPLIED_COUNTED = re.compile(r"\b(?:how many|number of)\b[^,.;?]*\bapplied\b", re.I)


def outcomes_asked(question: str) -> tuple[str, ...]:
    """The outcomes a count question names ("how many were funded" -> funded; "how many applied" -> received)."""
    named = tuple(name for name, pattern in OUTCOMES.items() if pattern.search(question))
    return ("received", *named) if _APPLIED_COUNTED.search(question) and "received" not in named else named


def asked_outcomes(query: Query) -> tuple[str, ...]:
    """The outcomes a count question asks about: those its asking sentences name (with their English terms), not
    its context ("we were declared ineligible. How many countries ...?"); a follow-up naming none, its
    conversation's."""
    asked = query.asked or query.text
    own = outcomes_asked(" ".join([asked, *english_terms(asked, query.language)]))
    return own or (outcomes_asked(query.search_text) if query.follow_up else ())


@dataclass
class Query:
    """A question as the retriever and the composer need it."""

    text: str
    standalone: str
    language: str
    years: list[int] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    call_ids: list[str] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)
    # The folded words of an English question that belong to another language's term ("comite de jumelage"): foreign,
    # judged by their English phrase (in ``english``), not as content words of their own.
    foreign: frozenset[str] = frozenset()
    counted: list[str] = field(default_factory=list)
    related: dict[str, frozenset[str]] = field(default_factory=dict)
    countries: list[str] = field(default_factory=list)
    small_talk: str | None = None
    follow_up: bool = False
    # A call named by the clock ("this year's call", "the next one", "still open?"): lexicon.Relative.
    relative: str | None = None
    # The years named by the clock when the question names two ("this year compared to last year": this, last);
    # else just ``relative``.
    relatives: tuple[str, ...] = ()
    # Whether the asking sentences name a year both written out and by the clock ("last year's budget compared to
    # 2024"): both are asked.
    clock_and_years: bool = False
    # The years named only in a long question's context ("we have been twinned since 1994 ... what was the grant
    # range under Europe for Citizens?") or in the answers it offers ("cerv ends when? 2027?"): an answer need not be
    # of them (``asked_years``).
    context_years: list[int] = field(default_factory=list)
    # An operation asked on values of several calls or years ("the difference", "together"): lexicon.Operation.
    operation: str | None = None
    # The sentences that ask (``asked_part``): a long question's context about the town is not what is asked.
    asked: str = ""
    # Whether it asks how long ago something happened ("how many years ago ...?"): a date, counted to today.
    elapsed: bool = False
    # Whether it asks how long until a date to come ("how many days until the end of CERV?"): counted from today.
    remaining: bool = False
    # The questions run together in the asking sentences (``asked_parts``), each with its English terms.
    parts: tuple[str, ...] = ()
    # Whether it asks how much time is left to apply (``relative`` "open" by a ``time_left`` cue, also a follow-up's
    # whose conversation asked so: "how much time is left for TT?" - "and for NT?"): answered with the time left.
    time_left: bool = False
    # How many years back from today its asking sentences count ("the TT call five years ago"), if they do.
    years_back: int | None = None

    @property
    def from_today(self) -> bool:
        """Whether it asks a time counted between a date and today ("how many years ago", "how many days until")."""
        return self.elapsed or self.remaining

    @property
    def asked_years(self) -> list[int]:
        """The years an answer must be of: those named, less those named only in the context."""
        return [y for y in self.years if y not in self.context_years]

    @property
    def search_text(self) -> str:
        """What retrieval searches: the standalone question plus English equivalents of foreign terms."""
        return " ".join([self.standalone, *self.english]).strip()

    @property
    def asked_tokens(self) -> list[str]:
        """The lexical tokens of its asking sentences alone (with their English terms), when it has other
        sentences (context about the town, the project); else none."""
        if not self.asked or self.asked == self.text or self.follow_up:
            return []
        return content_tokens(" ".join([self.asked, *english_terms(self.asked, self.language)]))

    @property
    def search_tokens(self) -> list[str]:
        """The lexical search's tokens: those of ``search_text``, then the corpus's words for its everyday ones."""
        own = content_tokens(self.search_text)
        return own + [t for t in dict.fromkeys(t for alts in self.related.values() for t in alts) if t not in own]


# "Networks" alone, not of something else: beside a town twinning call named, the other call type ("how many more
# town twinning projects than networks were selected?").
_BARE_NETWORKS = re.compile(r"\bnetworks\b(?![- ]of[- ](?!towns?\b|cities\b))")


def _topics(folded: str) -> list[str]:
    found: list[str] = []
    for pattern, topic in CALL_PATTERNS.items():
        if re.search(pattern, folded) and topic not in found:
            found.append(topic)
    if "town-twinning" in found and "networks-of-towns" not in found and _BARE_NETWORKS.search(folded):
        found.insert(0, "networks-of-towns")
    return found


def topics_named(text: str) -> list[str]:
    """The calls and the CEMR scheme an English text names ("the 2024 Networks of Towns call" -> networks-of-towns)."""
    return _topics(fold(text))


def years_named(text: str, periods: bool = False) -> list[int]:
    """The years a text names as a question reads them (1980-2049 written out, "tt 25"), not other numbers (1901 in
    "association loi 1901" is part of a name); a programme period ("2021-2027") names no call year, unless
    ``periods`` (its years are still years the documents may lack: "the 2028-2034 budget")."""
    folded = fold(text)
    # "2021-2027" or "2014-2020" names a programme period, not a call year.
    years = [int(y) for y in dict.fromkeys(_YEAR.findall(folded if periods else PERIOD.sub(" ", folded)))]
    # "CERV 24", "tt'25", "NT 2026": a call's year written with two digits.
    return years + [2000 + int(y) for y in _SHORT_YEAR.findall(folded) if 2000 + int(y) not in years]


def _entities(text: str) -> tuple[list[int], list[str], list[str]]:
    folded = fold(text)
    # Calls named in any supported language ("redes de ciudades", "gemellaggio") count as the call.
    topics = _topics(" ".join([folded, *(t for lang in LANGUAGES[1:] for t in english_terms(text, lang))]))
    years = years_named(text)
    call_ids = [c.upper() for c in dict.fromkeys(CALL_ID.findall(folded))]
    return years, topics, call_ids


# The small talk that may be followed by words of its own that ask nothing ("thanks, that helped our committee").
_CLOSINGS = ("thanks", "bye")


def small_talk_kind(text: str) -> str | None:
    """'greeting', 'thanks', 'bye' or 'about' when the whole message is small talk (a phrase of ``small_talk`` in
    the lexicons, of any language, and only courtesy words after it); a greeting before another ("hello :) are you
    a bot?") is that other; else None."""
    folded = " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())
    if not folded or len(folded.split()) > 10:
        return None
    for kind, phrases in small_talk_phrases().items():
        for phrase in phrases:
            if folded == phrase:
                return kind
            if not folded.startswith(phrase + " "):
                continue
            rest = folded[len(phrase) :].split()
            if all(w in courtesy_words() for w in rest):
                return kind
            # "thanks a lot, that really helped our twinning committee": nothing asked after it (no question mark,
            # no question word, "whats" too, and no intent's cue).
            asks = any(w in all_interrogatives() or w.removesuffix("s") in all_interrogatives() for w in rest)
            if kind in _CLOSINGS and "?" not in text and not asks and not detect(" ".join(rest)):
                return kind
            if kind == "greeting" and (after := small_talk_kind(" ".join(rest))) and after != "greeting":
                return after
    return None


# How many words of its own, besides what it asks, a question naming nothing may have and still be a follow-up.
_ELLIPTIC_WORDS = 3


def is_follow_up(text: str, history_present: bool, lang: str = "en") -> bool:
    """Whether a question leans on earlier turns (starts with "and", points back, names too little, or compares
    one year with the conversation's)."""
    if not history_present or leaves_the_subject(text, lang):
        return False
    folded = " ".join(re.sub(r"[^\w\s-]", " ", fold(text)).split())
    if _FOLLOW_UP_START.match(folded) or _ANAPHORA.search(folded):
        return True
    counts = bool(_count_cue().search(folded))
    if counts and not counted_terms(text, lang):
        return True  # "how many were led by Italian towns?": it counts what was counted before
    content = [t for t in words(folded) if t not in _FILLER]
    years, topics, call_ids = _entities(text)
    if len(years) == 1 and cue(text, lang, "operation") == "difference":
        return True  # "how much more did NT get in 2022?": than in the year asked about before
    if len(content) <= 4 and not (topics and detect(folded)):
        return True
    # A question that names nothing (no year, call, country or name) and says little besides what it asks (its
    # cues: "how many got funded, and for how much in total?"), or counts ("how many networks actually got
    # funded?"), asks about the conversation's subject.
    asked = named_cues(folded)
    cue_words = {w for c in asked for w in words(c)}
    own = [w for w in content if w not in STOPWORDS and w not in cue_words and not w.isdigit()]  # ("17:00?" offers)
    names = _context(text)
    elliptic = bool(asked or detect(folded)) and len(own) <= _ELLIPTIC_WORDS  # ("at what time?": a time asked)
    return (elliptic or counts) and not (years or topics or call_ids or names or names_a_country(text))


def _strip(text: str, patterns: list[str]) -> str:
    for pattern in patterns:
        text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def clock_cues(text: str, lang: str) -> list[str]:
    """The relative cue kinds ``text`` names, first by priority, also read with the names of calls taken out: "the
    next NT call" and "the current TT round" name the next and the current call."""
    unnamed = _strip(fold(text.replace("\u2019", "'")), list(CALL_PATTERNS))
    kinds = {*cue_kinds(text, lang, "relative"), *cue_kinds(unnamed, lang, "relative")}
    return [kind for kind in PRIORITY["relative"] if kind in kinds]


def condense(question: str, history: list[dict[str, str]], lang: str = "en") -> tuple[str, bool]:
    """A standalone version of ``question`` given earlier turns, and whether it was a follow-up.

    The previous standalone user question is appended with whatever the new question replaces (its year, its
    call) removed, so "And for networks of towns?" after "When is the 2024 Town Twinning deadline?" becomes
    "And for networks of towns? When is the 2024 deadline?".
    """
    previous: str | None = None
    for turn in history:
        if turn.get("role") == "user" and turn.get("content", "").strip():
            content = turn["content"].strip()
            if small_talk_kind(content):
                continue
            follows = previous is not None and is_follow_up(content, True, lang)
            previous = _merge(content, previous, lang) if follows else content
    if previous is None or not is_follow_up(question, True, lang):
        return question, False
    return _merge(question, previous, lang), True


# The intents a follow-up asks of a subject it names or refers to, not a thing of their own ("what were its themes?",
# "how was it calculated?").
_OF_A_SUBJECT = frozenset({"list", "method", "countries"})
# The clock cues that name a call's year ("this year's", "last year's", "the next call"), carried into a follow-up.
_CARRIED_CLOCK = ("this", "last", "before_last", "next_year", "next", "latest")


def _merge(question: str, previous: str, lang: str = "en") -> str:
    years, topics, call_ids = _entities(question)
    remove: list[str] = []
    operation = cue(question, lang, "operation")
    if PERIOD.search(fold(question)):  # "And the 2014-2020 one?" after a question about 2007-2013
        remove.append(PERIOD.pattern)
        if operation is None:  # "and under EfC 2014-2020?" after "the TT 2024 minimum participants": not 2024
            remove.append(_YEAR.pattern)
    if (years or call_ids) and (operation is None or len(years) >= 2):
        # Another year replaces the conversation's; one compared with it ("how much more in 2022?") joins it, and
        # a comparison naming its own years ("TT 2024 vs 2025?") needs none of the conversation's.
        remove.append(_YEAR.pattern)
    compared = operation is not None and len(topics) == 1 and len(years) <= 1 and not call_ids
    if (topics or call_ids) and not compared:
        # Another call replaces the conversation's; one call compared with it ("and TT 2026? how many days apart are
        # the two deadlines?") joins it.
        remove += [p for p, topic in CALL_PATTERNS.items() if topic not in ("cemr",) or "cemr" in topics]
        remove.append(CALL_ID.pattern)
    programmes = {name for p, name in PROGRAMME_PATTERNS.items() if re.search(p, fold(question))}
    if programmes and {name for p, name in PROGRAMME_PATTERNS.items() if re.search(p, fold(previous))} - programmes:
        # "And CERV?" after "Who ran Europe for Citizens 2014-2020?": the other programme, its period and years go.
        remove += [*PROGRAMME_PATTERNS, PERIOD.pattern, _YEAR.pattern]
    if names_a_country(question):
        # "And in Sweden?" after a question about France asks about Sweden only.
        previous = strip_countries(previous)
    own_intents = detect(fold(question))
    # The clock's year the previous question named ("this year's TT call") is its year too, unless it names its own.
    own_year = years or call_ids or cue_kinds(question, lang, "relative")
    clock = [] if own_year else cue_phrases(previous, lang, "relative", _CARRIED_CLOCK)
    if _count_cue().search(fold(question)) and not counted_terms(question, lang):
        # A count of nothing named ("and how many in 2024?" after "how many TT projects were selected in 2022?")
        # counts what the previous question counted.
        return f"{question} {_strip(fold(previous), remove)} {' '.join(clock)}".strip()
    if own_intents and not set(own_intents) <= _OF_A_SUBJECT:
        # The new question asks its own thing: carry only the names of the previous one (its year, call,
        # programme or body: "CEMR", "REALISE", "2024 town twinning"), not what it asked about.
        return " ".join([question, *_context(_strip(previous, remove)), *clock]).strip()
    # Its subject words: not its call, year or relative year ("et celui de l'annee derniere ?" names no subject).
    bare = without_cues(question, lang, "relative")
    subject = [w for w in words(_strip(bare, [*CALL_PATTERNS, _YEAR.pattern])) if w not in _FILLER]
    # A size alone ("and the minimum in 2024?") asks the previous question's thing in that size: no subject of its own.
    asking_words = {*STOPWORDS, *lexicon(lang).interrogatives, *intent_words("size")}
    own = [w for w in subject if w not in asking_words]
    only_list = set(own_intents) <= _OF_A_SUBJECT  # "what were its themes?", "how was it calculated?"
    if own and only_list and asks_with_own_word(question, lang) and not _ANAPHORA.search(fold(question)):
        # Its own question about the same body or call ("where's their HQ?" after "who is CEMR's president?"):
        # carry only the previous question's names, not what it asked about ("how was it calculated?" asks about
        # what was asked before).
        return " ".join([question, *_context(_strip(previous, remove)), *clock]).strip()
    if len([w for w in subject if w not in STOPWORDS]) >= 2:
        # A new subject ("And the Union values strand?"): carry what the previous question asked for (its cue
        # words: "how much"), unless it asks with its own question word ("why do those numbers differ?"), and its
        # names, not its old subject.
        asked = [] if asks_with_own_word(question, lang) else named_cues(fold(previous))
        return " ".join([question, *dict.fromkeys(asked), *_context(_strip(previous, remove)), *clock]).strip()
    return f"{question} {_strip(fold(previous), remove)}".strip()


def _context(text: str) -> list[str]:
    """The names of a question: its years, calls, and capitalised names or acronyms (not its first word)."""
    names = re.findall(r"\b(?:[A-Z][\w-]*[A-Z][\w-]*|[A-Z][a-z]+(?:-[A-Z]\w+)*)\b", text)
    names = [n for i, n in enumerate(names) if not (i == 0 and text.startswith(n) and not n.isupper())]
    years, topics, _ = _entities(text)
    # A body or programme without a call's words ("cemr", "realise", "cerv" in lower case) is carried as written,
    # and a country by its English name ("when did bosnia and herzegovina sign up?").
    named = [*((p, t) for p, t in CALL_PATTERNS.items() if t not in _TOPIC_WORDS), *PROGRAMME_PATTERNS.items()]
    bodies = [m.group(0) for p, _ in named for m in re.finditer(p, text, re.IGNORECASE)]
    bodies += [c for lang in LANGUAGES for c in countries_named(text, lang)]
    context = [str(y) for y in years] + [_TOPIC_WORDS.get(t, "") for t in topics] + bodies + names
    kept: dict[str, str] = {}
    for c in context:
        if c:
            kept.setdefault(fold(c), c)
    return list(kept.values())


# The fewest content words the asking sentences need to say what they ask about by themselves.
_ASKING_WORDS = 3


def asked_part(text: str, lead: bool = True) -> str:
    """The sentences of a question that ask: those with a question mark, else the last one. "We are a town of 8,000
    in Umbria, twinned since 1994. ... What were they?" asks only its last sentence; the rest is context. With
    ``lead``, asking sentences that say too little by themselves ("Is that possible?") come with the one before."""
    sentences = split_sentences(" ".join(text.split()))
    if len(sentences) <= 1:
        return text
    first = next((i for i, s in enumerate(sentences) if "?" in s), len(sentences) - 1)
    asking = [s for s in sentences[first:] if "?" in s] or sentences[-1:]
    said = " ".join(asking)
    if lead and first and len(content_tokens(said)) < _ASKING_WORDS:
        # "... We want to apply through our twinning committee. Is that possible?": the sentence before says what.
        asking = [sentences[first - 1], *asking]
    return " ".join(asking)


# Where a question joins two questions: a question mark or semicolon, or "and" (in the languages whose word for it
# is not also a common name part, or written "+" or "&" between spaces) before the second question's words.
_AND = r"(?:and|et|und|és|și|şi)"
_PART_BREAK = re.compile(rf"[?;]|,?\s+(?:\b{_AND}\b|[+&])\s+", re.I)


# What binds the words of a name while a question is split into its parts (a private-use character).
_GLUE = "\ue000"
# Two years joined by "and" ("compare the 2022 and the 2025 minimum"): one question about both, not two.
_YEARS_JOINED = re.compile(
    rf"\b(?:19|20)\d{{2}}\s+{_AND}\s+(?:(?:the|le|la|les|il|lo|die|der|das|el|los|az|a)\s+)?(?:19|20)\d{{2}}\b",
    re.I,
)


def asked_parts(text: str) -> tuple[str, ...]:
    """The questions run together in the asking sentences ("nt 2022 deadline and min nr of countries", "who is
    the contact point, and can they apply for us?"): each part with words of content, in order, not the answers a
    question offers ("Midi ou 17h ?"); one part when the question asks one thing. A part of only a question's cue
    asks its own thing ("When were they awarded and how many were there?")."""
    bound = bind_joined_names(asked_part(text, lead=False), _GLUE)  # "Bosnia and Herzegovina" is one name
    bound = _YEARS_JOINED.sub(lambda m: m.group(0).replace(" ", _GLUE), bound)
    parts = [p.strip(" ,.").replace(_GLUE, " ") for piece in _PART_BREAK.split(bound) for p in _listed(piece)]
    return tuple(
        p for p in parts if (any(not t.isdigit() for t in content_tokens(p)) or detect(fold(p))) and not _offered(p)
    )


# The words of a listed question its cue starts within ("e quanto poteva durare", "and how many were invited").
_CUE_START = 3


def _listed(text: str) -> list[str]:
    """Questions listed with commas, each starting with a cue of its own ("how many participants were needed, how many
    had to be invited, and how long could it last?"): the questions; else the text."""
    pieces = text.split(", ")
    out = [pieces[0]]
    for piece in pieces[1:]:
        if detect(fold(" ".join(piece.split()[:_CUE_START]))) and detect(fold(out[-1])):
            out.append(piece)
        else:
            out[-1] = f"{out[-1]}, {piece}"
    return out


def _only_numbers(text: str) -> bool:
    """Whether a question's piece holds numbers and no words ("2027" of "cerv ends when? 2027?")."""
    found = content_tokens(text)
    return bool(found) and all(t.isdigit() for t in found)


def _offered(part: str) -> bool:
    """Whether a part only offers answers to choose from ("Midi ou 17h ?", "80%? 90%?", "by post or online?"), or
    one figure to confirm, asking nothing of its own ("17:00 like the others?")."""
    found = [w for w in words(fold(part)) if not w.isdigit()]
    if len(found) > 4:
        return False
    if re.match(r"\s*\d", part) and not detect(fold(part)):
        return True
    return bool(set(found) & _AND_OR - {"and", "n", "et", "e", "y", "und", "es", "si"})


# The topics that are calls with a year (a range of years names each year's call).
_CALL_TYPES = frozenset({"town-twinning", "networks-of-towns", "remembrance"})
# The relative cues that name a calendar year, oldest first.
_CLOCK_YEARS = ("before_last", "last", "this", "next_year")


def analyse(question: str, history: list[dict[str, str]] | None = None, language: str | None = None) -> Query:
    """Everything the retriever and composer need to know about ``question`` in its conversation."""
    question = _written_out(question)
    history = [{**turn, "content": _written_out(turn.get("content", ""))} for turn in history or []]
    kind = small_talk_kind(question)
    previous_lang = next(
        (detect_language(t["content"]) for t in reversed(history) if t.get("role") == "user" and t.get("content")),
        "en",
    )
    lang = language or detect_language(question, default=previous_lang)
    if kind:
        return Query(question, question, lang, small_talk=kind)
    standalone, follow_up = condense(question, history, lang)
    countries = countries_named(standalone, lang)
    english: list[str] = []
    foreign: frozenset[str] = frozenset()
    if lang != "en":  # the English words of its domain terms and country names ("Deutschland" -> germany)
        english = english_terms(standalone, lang) + [c for c in countries if c not in fold(standalone)]
    else:  # a term of another language in an English question ("our comite de jumelage")
        english, foreign = foreign_phrases(standalone)
    if any(is_overseas(c) for c in countries):  # the documents speak of them as a group
        english.append(OVERSEAS_TERM)
    search = " ".join([standalone, *english])
    years, topics, call_ids = _entities(search)
    if spans := left_out(question, lang):
        # A call named only right after a word leaving it out ("the TT 2022 budget alone, separate from networks
        # of towns") is not asked about, when another call is.
        rest = question
        for span in spans:
            rest = fold(rest).replace(span, " ")
        kept = _entities(" ".join([rest, *english_terms(rest, lang)]))[1]
        topics = [t for t in topics if t in kept] if kept else topics
    operation = cue(standalone, lang, "operation")
    if set(topics) & _CALL_TYPES and operation != "difference":
        # "The NT budgets from 2021 to 2026": each year's call ("how did it grow from 2024 to 2026?" compares two).
        years = sorted({*years, *year_ranges(standalone, lang)})
    several = len(years) >= 2 or len(set(topics) & _CALL_TYPES) >= 2
    if operation is None and several and word_pattern("total").search(fold(question)):
        # A total of several years' (or call types') values is their sum ("NT budgets for 2025 and 2026?" - "how
        # much in total?"; "the total budget for TT and NT in 2021?").
        operation = "sum"
    # What it asks for, read in its asking sentences ("we got lost on the EU website. Who is the contact point?"
    # asks for no website); the whole question when it is all asking, or a follow-up whose own words name nothing.
    # A context's words ask nothing ("I'm filling in the budget ... What is the calculator called?" asks no budget).
    asking = asked_part(question)
    own_intents = detect(" ".join([fold(asking), *english_terms(asking, lang)]))
    if not own_intents and (follow_up or fold(asking) == fold(question)):
        own_intents = detect(" ".join([fold(question), *english_terms(question, lang)])) or detect(fold(search))
    intents, counted = settle(own_intents, question, lang, english, counted_terms(question, lang))
    relative = next(iter(clock_cues(standalone, lang)), None)
    if relative and not follow_up and years_named(asking) and not clock_cues(asking, lang):
        # The clock of the context ("we're writing a note for the next round") is not the year asked ("can you
        # reconstruct the 2023 TT timeline?").
        relative = None
    own = next(iter(clock_cues(question, lang)), None)
    if own in ("previous", "following"):
        # "And the year before?": the year before the conversation's; with no year in it, last year (or nothing,
        # or the clock's year it also names: "the next year's budget" is next year's).
        if follow_up and years:
            base = max(years)
            shifted = base - 1 if own == "previous" else base + 1
            standalone = re.sub(rf"\b{base}\b", str(shifted), standalone)
            years = sorted({shifted if y == base else y for y in years})
            relative = None
        else:
            by_clock = [c for c in clock_cues(question, lang) if c not in ("previous", "following")]
            relative = "last" if own == "previous" else next(iter(by_clock), None)
    this_year = "this" in cue_kinds(asking, lang, "relative")
    if relative == "open" and "upcoming" in own_intents and "upcoming" not in intents and not _OPEN.search(question):
        # "We have no twinning charter. Can we still apply?" asks whether they may, not whether a call is open
        # (which "is it still open?" asks, whatever else it says, and "can we still apply this year?").
        relative = relative if this_year else None
    elapsed, remaining = asks_elapsed(question, lang), asks_remaining(question, lang)
    if elapsed or remaining:  # "How many years ago was it adopted?" asks for a date (counted to today), not a count
        intents = list(dict.fromkeys("date" if i == "count" else i for i in intents))
    # "This year compared to last year" names two years by the clock; a follow-up's own cue replaces its history's.
    yearly = [c for c in clock_cues(question, lang) if c in _CLOCK_YEARS]
    relatives = tuple(sorted(yearly, key=_CLOCK_YEARS.index)) if len(yearly) >= 2 else (relative,) if relative else ()
    if relative == "open" and yearly:  # "is this year's call still open?": open, and of this year
        relatives = (relative, *yearly)
    own_clock = [c for c in clock_cues(asking, lang) if c in _CLOCK_YEARS]
    clock_and_years = bool(own_clock and years_named(asking))
    if clock_and_years:
        relatives = tuple(sorted(own_clock, key=_CLOCK_YEARS.index))
    # The years it asks about: those of its asking sentences' questions, not of their context or of the answers
    # they offer ("cerv ends when? 2027?").
    parts = asked_parts(question)
    unled = asked_part(question, lead=False)  # the asking sentences alone, without the one before a short one
    said = " ".join(q for q in unled.split("?") if not _only_numbers(q)) or asking
    named = {*years_named(said), *year_ranges(said, lang)}
    context_years = [] if follow_up else [y for y in years if y not in named]
    return Query(
        text=question,
        standalone=standalone,
        language=lang,
        years=years,
        topics=topics,
        call_ids=call_ids,
        intents=intents,
        english=english,
        foreign=foreign,
        counted=counted,
        related=related_terms(search),
        # The countries asked about: a long question's context ("our association in Slovenia ...") names the
        # asker's country, not what is asked (a follow-up keeps its conversation's countries).
        countries=countries
        if follow_up
        else [c for c in countries if c in countries_named(without_asides(asked_part(question)), lang)],
        follow_up=follow_up,
        relative=relative,
        relatives=relatives,
        clock_and_years=clock_and_years,
        context_years=context_years,
        asked=asking,
        elapsed=elapsed,
        remaining=remaining,
        time_left=relative == "open" and asks_time_left(standalone, lang),
        parts=tuple(" ".join([p, *english_terms(p, lang)]) for p in parts),
        years_back=years_ago(unled, lang),
        operation=operation,
    )


def correct_typos(question: str, index: Vocabulary, dictionary: Collection[str] = ()) -> str:
    """``question`` with each unknown word of 5+ letters replaced by the corpus word one typing slip away.
    Words of ``dictionary`` (the embedding model's whole-word vocabulary: real English words such as "close"
    or "hotel") are never corrected, even when the corpus lacks them."""

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        folded = fold(word)
        if folded in STOPWORDS or not folded.isalpha() or folded in dictionary:
            return word
        return index.correct(folded) or word

    return re.sub(r"[^\W\d_]{5,}", replace, question)
