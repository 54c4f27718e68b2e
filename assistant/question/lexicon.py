"""Per-language cue words of questions, as data: ``assistant/question/lexicons/{lang}.yaml``.

Each file is validated at load (every language has the keys ``relative``, ``operation`` and ``intents``); cues are
folded like questions (lower case, accents removed) and match at a word start. They hold the relative-call cues
("this year", "the next call", "still open?"), the operations asked on values ("difference", "together"), and the
cues of the intents of ``assistant.question.intents`` with the word lists of its rules (``intent_words``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache
from importlib.resources import files
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from assistant.question.languages import LANGUAGES
from assistant.question.text import content_tokens, fold, unaccented

# "previous" and "following" are relative to the conversation's year ("and the year before?"), the others to today.
Relative = Literal["this", "last", "before_last", "next_year", "next", "open", "latest", "previous", "following"]
# Which cue wins when a question names several: "is this year's call still open?" asks whether it is open, and "the
# next year's" is the year after the conversation's before it is next year by the clock.
PRIORITY: dict[str, tuple[str, ...]] = {
    "relative": ("open", "next", "before_last", "previous", "following", "next_year", "last", "this", "latest")
}
Operation = Literal["difference", "sum"]
SmallTalk = Literal["greeting", "thanks", "bye", "about"]
# The word lists of the intent rules (assistant/question/intents.py).
IntentWords = Literal[
    "size",
    "sized",
    "budget_place",
    "on_place",
    "asks_grant",
    "gets",
    "total",
    "required",
    "count_maximum",
    "upcoming_context",
    "duration",
    "money",
    "smallest",
    "qualifiers",
    "call_words",
    "negation",
    "time_units",
    "success",
    "average",
    "countable",
    "fewest",
    "listed",
    "partnership",
    "lasts",
    "waiting",
]


class Lexicon(BaseModel):
    """One language's cues."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    relative: dict[Relative, list[str]]
    operation: dict[Operation, list[str]]
    # Intent name (a key of intents.INTENTS) -> its folded cues: whole words, or word starts when ending with "*".
    intents: dict[str, list[str]]
    intent_words: dict[IntentWords, list[str]] = {}
    # Cues of a question whether someone may take part ("can a Serbian town join?", "peut-on participer").
    eligibility: list[str] = []
    # Cues asking for the amount of a difference ("how much more", "left over", "di quanto").
    difference_amount: list[str] = []
    # Cues asking how long ago something happened ("how many years ago", "da quanti anni").
    elapsed: list[str] = []
    # Cues asking how old something is ("how old", "wie alt"): how long ago it began.
    age: list[str] = []
    # Cues asking how many times one value is another ("how many times", "combien de fois"): their ratio.
    ratio: list[str] = []
    # Cues asking how long until a date to come ("how many days until", "quanti giorni mancano").
    remaining: list[str] = []
    # Cues of an open-call question asking how much time is left ("how much time", "quanto tempo manca"): they ask
    # whether a call is open (they join ``relative.open``), and the answer says how long is left, or that nothing is.
    time_left: list[str] = []
    # Cues asking how many years lie between two events ("how many years between its founding and its renaming",
    # "quanti anni tra"): the difference of their years.
    years_between: list[str] = []
    # Words for "day(s)" ("how many days ago"): an elapsed time asked in days.
    day_words: list[str] = []
    # Words joining two years into a range ("2021 to 2026", "dal 2021 al 2026", "von 2021 bis 2026").
    year_range: list[str] = []
    # Folded words of courtesy that may follow thanks, a greeting or a goodbye in a message that asks nothing
    # ("thank you very much for your help", "Danke, schönes Wochenende noch!").
    courtesy: list[str] = []
    # Folded phrases of a message that is only small talk, by kind: a greeting, thanks, a goodbye, or a question
    # about the assistant itself ("who are you?", "are you a bot?").
    small_talk: dict[SmallTalk, list[str]] = {}
    # Folded question words ("where", "pourquoi", "wie"): a follow-up asking with one asks its own thing.
    interrogatives: list[str] = []
    # Folded words that introduce the asker's own place ("our town in", "nostro comune in", "provincia di"): the
    # name that follows is where they are, not something asked about. A "*" stands for one to three words ("our *
    # in": "our legal department in Lisbon").
    home_place: list[str] = []
    # Folded phrases saying the question leaves the conversation's subject ("different topic", "autre sujet").
    new_topic: list[str] = []
    # Folded patterns of "N years ago", "{n}" standing for the number ("{n} years ago", "il y a {n} ans"), and the
    # folded number words they may hold ("three": 3): a year counted back from today.
    years_ago: list[str] = []
    number_words: dict[str, int] = {}
    # Folded words asking for a name ("who", "name of", "come si chiama"): before a post (the ``holder`` intent's
    # cues: "who is the head of unit B.3?") they ask for the person holding it.
    asks_name: list[str] = []
    # Folded chat words of a question ("please", "actually", "exactly"): they weigh nothing in what it asks.
    chat: list[str] = []
    # Folded words leaving something out ("separate from", "hors", "senza"): a call named right after one is not
    # what is asked ("the TT 2022 budget alone, separate from networks of towns").
    excluding: list[str] = []
    # Folded patterns placing what is asked after or before a named event, "{name}" standing for the name ("after
    # {name}": "after Rhodes"; "{name} utan"): the answer must be later (earlier) than it (question/sequence.py).
    sequence: dict[Literal["after", "before"], list[str]] = {}
    # Chat abbreviations of units, written out before a question is read ("how many yrs ago" -> "years").
    abbreviations: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _time_left_asks_open(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("time_left"):
            relative = dict(data.get("relative") or {})
            relative["open"] = [*relative.get("open", []), *data["time_left"]]
            data = {**data, "relative": relative}
        return data

    @field_validator("years_ago")
    @classmethod
    def _has_number(cls, value: list[str]) -> list[str]:
        if bad := [p for p in value if p.count("{n}") != 1 or fold(p) != p]:
            raise ValueError(f"years_ago: each pattern is folded and holds '{{n}}' once: {bad}")
        return value

    @field_validator("sequence")
    @classmethod
    def _has_name(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if bad := [p for ps in value.values() for p in ps if p.count("{name}") != 1 or fold(p) != p]:
            raise ValueError(f"sequence: each pattern is folded and holds '{{name}}' once: {bad}")
        return value

    @field_validator("asks_name", "chat")
    @classmethod
    def _folded_words(cls, value: list[str]) -> list[str]:
        if bad := [w for w in value if not w.strip() or fold(w) != w]:
            raise ValueError(f"words must be folded and non-empty: {bad}")
        return value

    @field_validator("intents")
    @classmethod
    def _known_intents(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        from assistant.question.intents import INTENTS  # imported here: that module reads these files

        if unknown := sorted(set(value) - set(INTENTS)):
            raise ValueError(f"unknown intents {unknown}; known: {sorted(INTENTS)}")
        return value

    @field_validator("small_talk")
    @classmethod
    def _folded_phrases(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for kind, phrases in value.items():
            if bad := [p for p in phrases if not p.strip() or fold(p) != p or " ".join(p.split()) != p]:
                raise ValueError(f"small_talk {kind}: phrases must be folded, single-spaced, non-empty: {bad}")
        return value

    @field_validator("intents", "intent_words")
    @classmethod
    def _folded_cues(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, cues in value.items():
            if bad := [c for c in cues if not c.strip("* ") or fold(c) != c or "*" in c[:-1].replace(" * ", "")]:
                raise ValueError(
                    f"{name}: cues must be folded, non-empty, with '*' only at the end or as ' * ' between words: {bad}"
                )
        return value


@cache
def lexicon(lang: str) -> Lexicon:
    """The cues of ``lang`` (a ``LANGUAGES`` code); a broken file raises ``ValueError`` naming it."""
    name = f"{lang}.yaml"
    try:
        return Lexicon.model_validate(
            yaml.safe_load((files("assistant.question") / "lexicons" / name).read_text("utf-8"))
        )
    except (ValidationError, yaml.YAMLError, FileNotFoundError) as exc:
        raise ValueError(f"assistant/question/lexicons/{name}: {exc}") from exc


@cache
def _patterns(lang: str, key: str) -> dict[str, re.Pattern[str]]:
    cues: dict[str, list[str]] = getattr(lexicon(lang), key)
    out: dict[str, re.Pattern[str]] = {}
    for name, words in cues.items():
        if lang != "en":  # questions mix in English ("le budget TT vs NT")
            words = [*words, *getattr(lexicon("en"), key)[name]]
        alternatives = "|".join(re.escape(fold(w).strip()) for w in sorted(set(words), key=len, reverse=True))
        out[name] = re.compile(rf"(?<!\w)(?:{alternatives})")
    return out


def cue_phrases(text: str, lang: str, key: Literal["relative", "operation"], kinds: Collection[str]) -> list[str]:
    """The phrases of ``text`` (folded) that name a cue of one of ``kinds`` ("this year's" for ``this``)."""
    folded = fold(text.replace("\u2019", "'"))
    patterns = _patterns(lang if lang in LANGUAGES else "en", key)
    return [m.group(0) for name in kinds if name in patterns and (m := patterns[name].search(folded))]


def without_cues(text: str, lang: str, key: Literal["relative", "operation"]) -> str:
    """``text`` folded, with every cue of ``key`` removed ("et celui de l'annee derniere" -> "et celui de")."""
    folded = fold(text.replace("\u2019", "'"))
    for pattern in _patterns(lang if lang in LANGUAGES else "en", key).values():
        folded = pattern.sub(" ", folded)
    return " ".join(folded.split())


# The longest span read as a range of call years; a longer one is a period ("from 1989 to 2026").
_LONGEST_RANGE = 10


# Cue lists of one kind each, matched at a word start in a question of a language or in English.
WordList = Literal[
    "eligibility",
    "difference_amount",
    "elapsed",
    "age",
    "remaining",
    "time_left",
    "years_between",
    "ratio",
    "year_range",
    "day_words",
    "new_topic",
    "excluding",
]


def _words(lang: str, key: WordList) -> set[str]:
    """The cues of ``key`` in ``lang`` (English for an unknown language) and in English: questions mix in English."""
    return {*getattr(lexicon(lang if lang in LANGUAGES else "en"), key), *getattr(lexicon("en"), key)}


@cache
def _word_starts(lang: str, key: WordList) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(w) for w in sorted(_words(lang, key), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})")


def _names_any(text: str, lang: str, key: WordList) -> bool:
    return _word_starts(lang, key).search(fold(text.replace("\u2019", "'"))) is not None


def asks_eligibility(text: str, lang: str) -> bool:
    """Whether ``text`` asks whether someone may take part (an eligibility cue)."""
    return _names_any(text, lang, "eligibility")


def asks_difference_amount(text: str, lang: str) -> bool:
    """Whether ``text`` asks for the amount of a difference ("how much more", "left over")."""
    return _names_any(text, lang, "difference_amount")


def left_out(text: str, lang: str) -> list[str]:
    """The pieces of ``text`` that a word leaving something out introduces, each up to the next punctuation or
    "and" ("separate from networks of towns?" -> "networks of towns")."""
    folded = fold(text.replace("\u2019", "'"))
    return [
        re.split(r"[,.;:?!()]|\band\b|\bet\b|\be\b|\bund\b|\by\b|\bsi\b", folded[m.end() :], maxsplit=1)[0]
        for m in _excluding(lang).finditer(folded)
    ]


@cache
def _excluding(lang: str) -> re.Pattern[str]:
    # Whole words: "sin" leaves out, "sinergia" does not.
    alternatives = "|".join(re.escape(w) for w in sorted(_words(lang, "excluding"), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def leaves_the_subject(text: str, lang: str) -> bool:
    """Whether ``text`` says it asks about something else than the conversation ("different topic: ...")."""
    return _names_any(text, lang, "new_topic")


def asks_elapsed(text: str, lang: str) -> bool:
    """Whether ``text`` asks how long ago something happened ("how many years ago", "da quanti anni")."""
    return _names_any(text, lang, "elapsed")


def asks_age(text: str, lang: str) -> bool:
    """Whether ``text`` asks how old something is ("how old is CEMR?", "wie alt"): counted from when it began."""
    return _names_any(text, lang, "age")


def asks_ratio(text: str, lang: str) -> bool:
    """Whether ``text`` asks how many times one value is another ("how many times the TT budget", "hányszor")."""
    return _names_any(text, lang, "ratio")


def asks_remaining(text: str, lang: str) -> bool:
    """Whether ``text`` asks how long until a date to come ("how many days until", "quanti giorni mancano")."""
    return _names_any(text, lang, "remaining")


def asks_time_left(text: str, lang: str) -> bool:
    """Whether ``text`` asks how much time is left to apply ("how much time do we have", "quanto tempo manca")."""
    return _names_any(text, lang, "time_left")


def asks_years_between(text: str, lang: str) -> bool:
    """Whether ``text`` asks how many years lie between two events ("how many years between", "anni tra")."""
    return _names_any(text, lang, "years_between")


def names_days(text: str, lang: str) -> bool:
    """Whether ``text`` speaks of days ("how many days ago", "quanti giorni fa", "hány napja")."""
    return _names_any(text, lang, "day_words")


@cache
def new_topic_words(lang: str) -> frozenset[str]:
    """The content tokens of the "different topic" phrases of ``lang`` and English: they say what the question
    leaves, not what it asks about."""
    return frozenset(t for c in _words(lang, "new_topic") for t in content_tokens(c))


@cache
def elapsed_words(lang: str) -> frozenset[str]:
    """The content tokens of the "how long ago" and "how long until" cues of ``lang`` and English: question form,
    not subject."""
    return frozenset(t for key in ("elapsed", "remaining") for c in _words(lang, key) for t in content_tokens(c))


@cache
def _year_range(lang: str) -> re.Pattern[str]:
    joins = "|".join(re.escape(w) for w in sorted(_words(lang, "year_range"), key=len, reverse=True))
    return re.compile(rf"\b((?:19|20)\d{{2}})\s*(?:{joins})\s*((?:19|20)\d{{2}})\b")


def year_ranges(text: str, lang: str) -> list[int]:
    """The years of every range of years ``text`` names with its language's (or English) joining words ("from
    2021 to 2026" -> 2021 ... 2026); a period written with a dash ("2021-2027") is a programme's, not a range."""
    out: list[int] = []
    for first, last in _year_range(lang).findall(fold(text.replace("\u2019", "'"))):
        a, b = int(first), int(last)
        if a < b <= a + _LONGEST_RANGE:
            out += [y for y in range(a, b + 1) if y not in out]
    return out


def cue_kinds(text: str, lang: str, key: Literal["relative", "operation"]) -> list[str]:
    """Every cue kind of ``key`` that ``text`` names (in its language or in English), first by priority."""
    folded = fold(text.replace("\u2019", "'"))
    lang = lang if lang in LANGUAGES else "en"
    patterns = _patterns(lang, key)
    order = [name for name in PRIORITY.get(key, ()) if name in patterns] or list(patterns)
    return [name for name in order if patterns[name].search(folded)]


@cache
def _number_words(lang: str) -> dict[str, int]:
    """The number words of ``lang`` and English ("trois": 3, "three": 3)."""
    return {**lexicon("en").number_words, **lexicon(lang).number_words}


@cache
def _years_ago(lang: str) -> re.Pattern[str] | None:
    number = "|".join([r"\d{1,2}", *(re.escape(w) for w in sorted(_number_words(lang), key=len, reverse=True))])
    templates = {*lexicon(lang).years_ago, *lexicon("en").years_ago}
    patterns = [re.escape(p).replace(r"\{n\}", f"({number})") for p in templates]
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)") if patterns else None


def years_ago(text: str, lang: str) -> int | None:
    """How many years back ``text`` counts from today ("three years ago", "il y a 5 ans", "hace tres años"), or
    None."""
    lang = lang if lang in LANGUAGES else "en"
    pattern = _years_ago(lang)
    match = pattern.search(fold(text.replace("\u2019", "'"))) if pattern else None
    if match is None:
        return None
    word = next(g for g in match.groups() if g)
    return int(word) if word.isdigit() else _number_words(lang)[word]


def cue(text: str, lang: str, key: Literal["relative", "operation"]) -> str | None:
    """The first cue kind of ``key`` that ``text`` names (in its language or in English), or None."""
    return next(iter(cue_kinds(text, lang, key)), None)


def home_places(text: str) -> set[str]:
    """The words ``text`` names as the asker's own place, in any of the seven languages ("a town in Brittany",
    "il nostro comune in Puglia", "provincia di Udine": brittany, puglia, udine)."""
    fixed = {m.group(1) for m in _home_place(False).finditer(fold(text))}
    # After a cue with words left open ("our * in"), the open words are common nouns (written in small letters) and
    # the place a name (with a capital): "our legal department in Lisbon", not "our twin town Kraków in May".
    named = {fold(m.group(1)) for m in _home_place(True).finditer(unaccented(text))}
    return fixed | named


@cache
def _home_place(open_words: bool) -> re.Pattern[str]:
    """The ``home_place`` cues of all seven languages with words left open ("our * in": matched on the text as
    written, the open words in small letters, the place with a capital) or none (matched folded), then the place's
    word."""
    cues = sorted({c for lang in LANGUAGES for c in lexicon(lang).home_place if ("*" in c) is open_words}, key=len)
    if not open_words:
        return re.compile(r"\b(?:" + "|".join(re.escape(c) for c in reversed(cues)) + r")\s+([^\W\d_][\w-]*)")
    open_part = r")(?:\s+[^\W\d_A-Z][\w'’-]*){1,3}?\s+(?i:"
    written = ["(?i:" + re.escape(c).replace(r"\ \*\ ", open_part) + ")" for c in reversed(cues)]
    return re.compile(r"\b(?:" + "|".join(written) + r")\s+([A-Z][\w-]*)")


def _longest(phrase: str) -> tuple[int, str]:
    return -len(phrase), phrase


@cache
def small_talk_phrases() -> dict[str, tuple[str, ...]]:
    """The small-talk phrases of all languages by kind (``Lexicon.small_talk``), the longest first."""
    kinds: tuple[str, ...] = get_args(SmallTalk)
    return {
        kind: tuple(sorted({p for lang in LANGUAGES for p in lexicon(lang).small_talk.get(kind, [])}, key=_longest))
        for kind in kinds
    }


@cache
def courtesy_words() -> frozenset[str]:
    """The courtesy words of all languages (a message may thank in one and wish in another)."""
    from assistant.question.languages import LANGUAGES  # the languages module reads these files too

    return frozenset(w for lang in LANGUAGES for w in lexicon(lang).courtesy)


@cache
def all_interrogatives() -> frozenset[str]:
    """The question words of all languages (folded)."""
    from assistant.question.languages import LANGUAGES  # the languages module reads these files too

    return frozenset(fold(w) for lang in LANGUAGES for w in lexicon(lang).interrogatives)


def asks_with_own_word(text: str, lang: str) -> bool:
    """Whether ``text`` holds a question word of ``lang`` or English ("where's their HQ?", "wo ist der Sitz?")."""
    found = set(fold(text).replace("'", " ").split())
    return bool(found & (set(lexicon(lang).interrogatives) | set(lexicon("en").interrogatives)))
