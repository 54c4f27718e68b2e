"""What a question asks for: a registry of intents, read by ``detect``.

Each ``Intent`` says what a sentence must hold to answer it and whether that is an exact detail; its cues, per
language, are data: the ``intents`` key of ``assistant/question/lexicons/{lang}.yaml`` (a question is read with the
cues of all seven languages, since questions mix them). The rules that are more than a cue list (which date, which
amount, an amount cue inside a count cue...) are the code below, one place each, with their words from the
``intent_words`` key of ``en.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from assistant.question.languages import LANGUAGES
from assistant.question.lexicon import IntentWords, lexicon
from assistant.question.text import content_tokens
from assistant.question.text import words as text_words


@dataclass(frozen=True)
class Intent:
    """One thing a question can ask for."""

    name: str
    answer: str  # what a sentence must hold to answer it
    exact: bool = False  # a detail without which no sentence answers, however well it matches


INTENTS: dict[str, Intent] = {
    i.name: i
    for i in (
        Intent("upcoming", "a call still open or coming, with its deadline"),
        Intent("date", "a date (or a year) of the event asked about"),
        Intent("date_open", "the day a call opens"),
        Intent("date_close", "the day a call closes: its deadline", exact=True),
        Intent("date_results", "when applicants hear the results"),
        Intent("time", "a time of day (17:00 CET)", exact=True),
        Intent("amount", "a sum of money"),
        Intent("per_project", "what one project, town or network gets"),
        Intent("budget", "the whole budget of a call or programme", exact=True),
        Intent("maximum", "the most one project may get (a ceiling, a range)", exact=True),
        Intent("count", "a number of the things counted", exact=True),
        Intent("who", "who may apply, took part or received a grant"),
        Intent("list", "the items asked for (strands, priorities, countries)"),
        Intent("share", "a share in per cent (26%)", exact=True),
        Intent("phone", "a telephone number", exact=True),
        Intent("website", "a web address (cervitalia.info)"),
        Intent("email", "an e-mail address (EACEA-CERV@ec.europa.eu)", exact=True),
        Intent("alone", "an amount of the one thing asked, not of several together", exact=True),
        # How a figure is worked out ("how was the flat-rate grant calculated?"): a rule, not the figure itself.
        Intent("method", "how something is worked out: its rule or formula"),
        # Its cues are the posts; it is asked only by a name-asking word before the post (``asks_name``).
        Intent("holder", "the person holding a post asked about: a sentence naming that kind of post", exact=True),
        # Its cues ask which countries ("which 10 EU countries?"); it refines ``who`` and ``list``.
        Intent("countries", "the countries asked for: a sentence naming a country, or the Member States", exact=True),
        # Its cues ask which towns ("which towns won?"), not which may take part (``who``).
        Intent("places", "the towns asked for: a sentence naming a place the question does not", exact=True),
        # Its cues ask which year ("in what year?"); it refines ``date``.
        Intent("year", "a year the question does not name itself (a date holds one)", exact=True),
        # "How long after the deadline?", "how long does it take?": a period, or the dates that bound it.
        Intent("span", "a span of time (six months), or the dates that bound it", exact=True),
    )
}

# The intents a question holds by a cue alone, in the order ``detect`` lists them; the others refine these.
CUED = ("upcoming", "date", "amount", "count", "who", "list", "share", "phone", "website", "email", "alone", "method")
# What a question asking how something is worked out may also ask: no date, amount or count is its answer.
_WITH_METHOD = frozenset({"method", "who", "list", "holder", "website", "email", "phone"})

# Which date a date question asks about: the first of these whose cues it holds.
DATE_EVENTS = ("date_results", "date_open", "date_close")


def exact_intents() -> frozenset[str]:
    """The intents whose detail no sentence can answer without (a time of day, a count, a maximum)."""
    return frozenset(name for name, intent in INTENTS.items() if intent.exact)


def cue_pattern(cue: str) -> str:
    """A folded cue matches from a word start to a word end; one ending with "*" lets the word go on, and a " * "
    inside it stands for one or two words ("one * project": "one TT project", "one town twinning project")."""
    body = r"\s+\S+(?:\s+\S+)?\s+".join(re.escape(p) for p in cue.rstrip("*").split(" * "))
    # A word boundary only where the cue has a word's edge: "what %" ends with a sign ("ora " with a space, so a
    # word must follow).
    core = cue.rstrip("*")
    start = r"\b" if re.match(r"\w", core) else ""
    end = r"\b" if re.search(r"\w$", core) and not cue.endswith("*") else ""
    return rf"{start}{body}{end}"


def _any(cues: Iterable[str]) -> str:
    return "|".join(cue_pattern(c) for c in cues) or "(?!)"


@cache
def cues(name: str) -> tuple[str, ...]:
    """The cues of intent ``name`` in all languages, English first, without repeats."""
    return tuple(dict.fromkeys(c for lang in LANGUAGES for c in lexicon(lang).intents.get(name, ())))


@cache
def pattern(name: str) -> re.Pattern[str]:
    """Any cue of intent ``name``."""
    return re.compile(_any(cues(name)))


@cache
def words(key: IntentWords) -> tuple[str, ...]:
    """A word list of a rule (``intent_words`` of ``en.yaml``)."""
    return tuple(lexicon("en").intent_words.get(key, ()))


@cache
def word_pattern(key: IntentWords) -> re.Pattern[str]:
    """Any word of a rule's word list, matched as cues are (``cue_pattern``)."""
    return re.compile(_any(words(key)))


@cache
def _sized_grant() -> re.Pattern[str]:
    # A size, up to three words, then what is sized: "the maximum twinning grant", "the lowest amounts", "the largest
    # possible TT 2024 grant".
    return re.compile(rf"(?:{_any(words('size'))})(\s+[\w-]+){{0,3}}?\s+(?:{_any(words('sized'))})")


@cache
def _negated() -> re.Pattern[str]:
    # A negation, an optional article, then the cue of a kind of amount it denies.
    kinds = "|".join(cue_pattern(c) for name in ("per_project", "maximum", "budget") for c in cues(name))
    return re.compile(rf"(?:{_any(words('negation'))})\s+(?:(?:the|a|an|le|la|il|el|der|die|das)\s+)?(?:{kinds})")


@cache
def _placed_on_website() -> re.Pattern[str]:
    # A website as a place: "on the municipality's website", "sur le site web", "auf der Webseite".
    return re.compile(rf"(?:{_any(words('on_place'))})(?:\s+[\w'-]+){{0,2}}?\s+(?:{_any(cues('website'))})")


@cache
def _most_got() -> re.Pattern[str]:
    # The most, up to six words, then getting: "the most a single project can get", "max we could receive".
    return re.compile(rf"(?:{_any(cues('maximum'))})(?:\s+[\w'-]+){{0,6}}?\s+(?:{_any(words('gets'))})")


@cache
def _holder() -> re.Pattern[str]:
    # A name-asking word, up to four words, then a post: "who is the head of", "what's the name of the desk officer",
    # "come si chiama il funzionario", "wer ist der Präsident".
    asking = (c for lang in LANGUAGES for c in lexicon(lang).asks_name)
    return re.compile(rf"(?:{_any(asking)})(?:\s+[\w'-]+){{0,4}}?\s+(?:{_any(cues('holder'))})")


@cache
def fewest_of() -> re.Pattern[str]:
    """The fewest of a countable thing, its word in group 1: "minimum countries", "min nr of partners"."""
    return re.compile(rf"(?:{_any(words('fewest'))})\s+(?:(?:nr|number) of\s+)?((?:{_any(words('countable'))}))")


# The call's name, whose "town" is no town asked about.
_TOWN_TWINNING = re.compile(r"\btowns?[- ]twinnings?\b")


@cache
def _counted_per() -> re.Pattern[str]:
    """A countable thing per project ("one applicant per project", "50 participants per event"): a number of them,
    not money per project; group 1 is the countable word."""
    countable = "|".join(re.escape(w.rstrip("s")) for w in words("countable"))
    return re.compile(rf"\b((?:{countable})\w*)\s+per\s+\w+")


def detect(folded: str) -> list[str]:
    """The intents of a folded question (with the English terms of its domain words), in a fixed order."""
    folded = _counted_per().sub(r"\1", folded)
    # A budget line or heading is a place in the EU budget, a lack of budget a reason for rejection: no amount.
    folded = word_pattern("budget_place").sub(" ", folded)
    spanned = bool(pattern("span").search(folded))
    folded = pattern("span").sub(" ", folded)  # "within what time?" asks no time of day
    found = [name for name in CUED if pattern(name).search(folded)]
    if "count" not in found and fewest_of().search(folded):  # "minimum countries?": a count, the fewest
        found.insert(found.index("amount") if "amount" in found else len(found), "count")
    if "amount" not in found and _sized_grant().search(folded):  # "the maximum twinning grant"
        found.append("amount")
    if "amount" not in found and _most_got().search(folded):  # "the most a single project can get"
        found.append("amount")
    if "amount" not in found and pattern("budget").search(folded) and word_pattern("money").search(folded):
        found.append("amount")  # "total money for networks of towns", "overall funding"
    # A cue that is only part of another intent's cue asks nothing of its own: "combien de projets", "cuantos" ask
    # no amount; "the phone number of" asks no count.
    for inner, outer in (("amount", "count"), ("count", "phone"), ("list", "date"), ("amount", "share")):
        if inner in found and outer in found and _inside(pattern(inner), pattern(outer), folded):
            found.remove(inner)
    # "A max number of participants" asks the most a count may be, not an amount.
    maximum_count = "count" in found and bool(word_pattern("count_maximum").search(folded))
    if maximum_count and "amount" in found and _inside(pattern("amount"), word_pattern("count_maximum"), folded):
        found.remove("amount")
    # A website something is put or kept on asks no web address ("how long did it stay on the town's website?").
    if "website" in found and _inside(pattern("website"), _placed_on_website(), folded):
        found.remove("website")
    if _holder().search(folded):  # "who is the head of unit B.3?": a person holding a post, not who may apply
        found.append("holder")
    if pattern("countries").search(folded):  # "which countries are in the project?": countries by name
        found.append("countries")
    # "Which towns won?" asks for names ("which town twinning calls?" asks for calls).
    if pattern("places").search(_TOWN_TWINNING.sub("calls", folded)) and not pattern("who").search(folded):
        found.append("places")
    if spanned:
        found.append("span")
    if pattern("year").search(folded):  # "in what year was it published?": a date, and a year no less
        found += [i for i in ("date", "year") if i not in found]
    if "alone" in found and "amount" not in found:
        found.remove("alone")  # "separately" asks one thing apart only of an amount ("the Daphne strand alone")
    if maximum_count and "amount" not in found:
        found.append("maximum")  # "is there a max number of participants?": the most there may be
    if pattern("time").search(folded):  # a time of day is asked of a date
        found += [i for i in ("date", "time") if i not in found]
    if "date" in found and "upcoming" not in found:
        # Which date: a call's opening, its closing, or when results came out (each must be what is answered).
        found += [event for event in DATE_EVENTS if pattern(event).search(folded)][:1]
    if "amount" in found:
        # Which amount: what one project gets (and whether its maximum is asked), else the call's whole budget; a
        # denied cue asks nothing ("not per project, the whole call").
        affirmed = _negated().sub(" ", folded)
        if pattern("per_project").search(affirmed) or asks_grant(affirmed) or _most_got().search(affirmed):
            found.append("per_project")
            if pattern("maximum").search(affirmed):
                found.append("maximum")
        elif pattern("budget").search(affirmed):
            found.append("budget")
    if "method" in found:
        # "On what basis is the lump sum calculated? number of days?": the rule, not a figure; a question of its own
        # beside it asks its figure still ("how was it calculated, and how much could one town get?").
        asked = {
            i
            for piece in _PIECE.split(folded)
            if _interrogative().search(piece) and not pattern("method").search(piece)
            for i in detect(piece)
        }
        found = [i for i in found if i in _WITH_METHOD or i in asked]
    return found


# The pieces of a folded question, each possibly a question of its own.
_PIECE = re.compile(r"[?;,]|\band\b")


@cache
def _interrogative() -> re.Pattern[str]:
    """A question word of any of the seven languages ("how", "when", "combien")."""
    return re.compile(rf"(?:{_any(w for lang in LANGUAGES for w in lexicon(lang).interrogatives)})")


def asks_grant(folded: str) -> bool:
    """Whether a piece of a question asks what one gets by "how much" and names no budget beside it ("how much
    could one project get, and how big is the total budget?" asks both; "how much did the budget committee approve?"
    asks a budget)."""
    pieces = _PIECE.split(folded)
    return any(word_pattern("asks_grant").search(p) and not pattern("budget").search(p) for p in pieces)


def _inside(inner: re.Pattern[str], outer: re.Pattern[str], folded: str) -> bool:
    """Whether every match of ``inner`` in a folded text lies inside a match of ``outer``."""
    outers = [m.span() for m in outer.finditer(folded)]
    inners = [m.span() for m in inner.finditer(folded)]
    return all(any(a <= x and y <= b for a, b in outers) for x, y in inners)


def named_cues(folded: str) -> list[str]:
    """The first cue each cued intent finds in a folded text ("when is the deadline" -> when)."""
    return [m.group(0).strip() for name in CUED if (m := pattern(name).search(folded))]


@cache
def _upcoming_context() -> frozenset[str]:
    return frozenset(content_tokens(" ".join(words("upcoming_context"))))


def asks_more(question: str) -> bool:
    """Whether a question naming an upcoming-calls cue also asks about something else (a condition, a subject)."""
    return any(not t.isdigit() and t not in _upcoming_context() for t in content_tokens(question))


def settle(
    intents: list[str], question: str, lang: str, english: list[str], counted: list[str]
) -> tuple[list[str], list[str]]:
    """The intents of a whole question, and what it counts, once its language and English terms are known."""
    if "upcoming" in intents and lang == "en" and asks_more(question):
        # "Our towns aren't officially twinned. Can we still apply?" asks whether they may, not what is open.
        intents = [i for i in intents if i != "upcoming"]
    if set(words("duration")) & set(" ".join([*english, *text_words(question)]).split()) and "amount" in intents:
        # "quanto dura", "mennyi ideig", "cuánto dura", "project duration min/max": how long, not how much.
        intents = [i for i in intents if i not in ("amount", "per_project", "budget", "maximum")]
    if "count" in intents and set(words("money")) & set(counted):
        # "Quanti soldi", "how many euros": a count of money is an amount.
        intents = [i for i in intents if i != "count"] + (["amount"] if "amount" not in intents else [])
        counted = []
    return intents, counted
