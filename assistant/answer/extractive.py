"""The default, offline answer: the sentences of the retrieved passages that answer, quoted and cited.

Sentences are scored by the question's terms (weighted by rarity in the corpus), by what the question asks for
(a date for "when", an amount for "how much", a number for "how many", people or bodies for "who"), by the year
it names, and by the rank of their passage. Nothing is written that the documents do not contain, apart from
the assistant's own framing words (in the question's language) and the deadline status computed from the
documents' ``deadline`` metadata.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable
from functools import cache, lru_cache

from assistant.answer.answer import Answer, Source
from assistant.answer.arithmetic import operate
from assistant.answer.citations import CitationBook, authoritative, conflicting, doc_order, secondary_only
from assistant.answer.facts import CALL_TYPES, FactAnswerer, clock_years
from assistant.answer.gates import (
    ANSWER_GATES,
    CUE_WORDS,
    EXACT_INTENTS,
    GATE_CUES,
    NO_KNOWLEDGE,
    NO_PASSAGES,
    ON_SUBJECT,
    SELECTION_GATES,
    UNKNOWN_NAME,
    YEARISH_ALL,
    Judged,
    Scored,
    Thresholds,
    about_other_countries,
    dates_in,
    dates_of_event,
    first_refusal,
    gate_overlap,
    of_year,
    part_share,
    same_call,
    same_year,
)
from assistant.answer.localise import in_language
from assistant.answer.messages import message
from assistant.dates import MONTHS, days_until, deadlines, format_date
from assistant.question.glossary import DOMAIN_TERMS
from assistant.question.intents import INTENTS, cue_pattern, cues, words
from assistant.question.languages import domain_words
from assistant.question.lexicon import (
    asks_age,
    elapsed_words,
    home_places,
    leaves_the_subject,
    lexicon,
    names_days,
    new_topic_words,
)
from assistant.question.places import (
    countries_named,
    covers_country,
    names_a_country,
    names_countries,
    strip_countries,
)
from assistant.question.query import (
    OUTCOMES,
    PERIOD,
    Query,
    asked_outcomes,
    asked_part,
    clock_cues,
    topics_named,
    years_named,
)
from assistant.question.text import NUMBER_WORDS, content_tokens, fold, tokens, without_asides
from assistant.retrieval.hybrid import CALL_TOPICS, Passage
from assistant.retrieval.lexical import LexicalIndex
from assistant.sentences import split_sentences

_DATE = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|\b(January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b|\b(19|20)\d{2}\b"
)
_FULL_DATE = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|\b(January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b"
)
_AMOUNT = re.compile(r"\bEUR\b|€|\beuros?\b|\b\d[\d,.]*\s*(million|billion|m|bn)\b|\b\d{1,3}(,\d{3})+\b", re.I)
_NUMBER = re.compile(r"\b\d+\b")
_WHO = re.compile(
    r"\b(eligible|apply|applicants?|municipalit|towns?|authorit|organisations?|bodies|countries|committees?|"
    r"associations?|members?|recipients?|received|partners?|non-profit|public bod|agency|ministry|office|government|"
    r"president|coordinator|secretar|mayors?)"
    # ... or names one: "the contact point is MUCF", "was Gunn Marit Helgesen"
    r"|\b(?:is|are|was|were) (?:the )?(?-i:[A-Z])[\w-]+",
    re.I,
)
_CONFLICT = re.compile(r"\b(disagree|conflict|differ|other sources?|another source|whereas|however)\b", re.I)
# Words that set a sentence against the one before it ("says instead", "by contrast").
_CONTRAST = re.compile(r"\b(instead(?! of)|by contrast|on the other hand)\b", re.I)
_KNOWN_TERMS = frozenset(t for terms in DOMAIN_TERMS.values() for term in terms for t in tokens(term))
_LIST_WORDS = frozenset(tokens("list name"))
_OTHER_PROGRAMMES = re.compile(
    r"\b(erasmus|interreg|urbact|investeu|esf|efre|erdf|feder|fesr|horizon europe|horizont europa|creative europe"
    r"|kreatives europa|europa creativa|europe creative|kreativ europa)\b"
)
# Words of chat that never carry what is asked ("ok and what was ...", "who actually runs ...", "what kind of"),
# matched as written: "actual costs" and "in-kind" keep their weight.


@lru_cache(maxsize=1)
def _chat() -> re.Pattern[str]:
    """Chat words of a question (``chat`` in en.yaml: "please", "actually", "exactly"): they weigh nothing."""
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in lexicon("en").chat) + r")\b")


# How many of the language's most frequent words count as chat when no retrieved sentence holds them (tuned on
# eval/dev.jsonl + eval/dev-extra.jsonl: 500 lowered false refusals without losing a correct refusal).
FREQUENT_WORDS = 500


@lru_cache(maxsize=8192)
def _sentences(body: str) -> tuple[tuple[str, str, frozenset[str]], ...]:
    """A passage's sentences with their folded form and token set, computed once per passage text (passages
    come back from the store on every question; their sentences do not change)."""
    return tuple((s, fold(s), frozenset(tokens(s))) for s in split_sentences(body))


@lru_cache(maxsize=8192)
def _header_tokens(header: str) -> frozenset[str]:
    """The token set of a passage's header (its document title and section path), computed once per header."""
    return frozenset(tokens(header))


_BUDGET_WORDS = re.compile(r"\b(budget|envelope|total|overall|whole call|available|allocat|for the call)", re.I)
_PER_PROJECT_WORDS = re.compile(
    r"\b(per project|each project|per municipality|a project|maximum|up to|between|at least|ranged?|minimum|grant"
    r"|contribution|lump sum|flat)",
    re.I,
)


# Words a sentence uses for each date event of query.py's ``date_*`` intents.
_EVENT_WORDS = {
    "date_results": re.compile(
        r"\b(results?|informed|notif\w*|announc\w*|selected|awarded|outcome|evaluat\w*|decision)\b", re.I
    ),
    "date_open": re.compile(r"\b(open\w*|launch\w*|start\w*|published|from)\b", re.I),
    # A closing: a deadline, or the end of a span ("runs from 2021 to 2027", "ends on 31 December 2027").
    "date_close": re.compile(
        r"\b(clos\w*|deadlines?|until|due|submi\w*|by|ends?|ended|expir\w*)\b|\bto (?:\d{1,2} \w+ )?(?:19|20)\d{2}\b",
        re.I,
    ),
}

# An amount stated for several things together ("the equality strand and the Daphne strand together receive ...").
_JOINT = re.compile(r"\b(together|combined|jointly|joint call|both topics)\b", re.I)
_MAXIMUM_WORDS = re.compile(
    r"\b(maximum|max|up to|at most|ceiling|cap|highest|limit|ranged?|between)\b|\bto (EUR|€)", re.I
)

_NUMBER_WORDS = re.compile(
    r"\b(" + "|".join([*NUMBER_WORDS[2:], "fifteen", "twenty", "thirty", "forty", "fifty", "hundred"]) + r")\b", re.I
)


_TIME_UNITS = frozenset(t for w in words("time_units") for t in tokens(w))
# A share in per cent ("26%", "27.26 percent") and a telephone number (written with its country code).
_PERCENT = re.compile(r"\d\s?%|\bper ?cent\b", re.I)
_PHONE = re.compile(r"(?<![\w+])\+\d{1,3}[\s./()-]*\d(?:[\s./()-]*\d){5,}")
# A web address: a URL, or a domain name ("cervitalia.info", "ec.europa.eu"), not an e-mail address's.
# An e-mail address, or a sentence about the one to use ("a work e-mail address", "une adresse électronique").
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\be-?mail|\bmailbox|\bcourriel|\badresse électronique", re.I)
_WEB = re.compile(
    r"\bhttps?://|\bwww\.|(?<![@\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:eu|info|org|com|net|int|[a-z]{2})\b(?!\.\w)", re.I
)


@lru_cache(maxsize=1)
def _posts() -> re.Pattern[str]:
    """A post in an English sentence: the English cues of the ``holder`` intent ("president", "secretary general")."""
    return re.compile("|".join(cue_pattern(c) for c in lexicon("en").intents["holder"]))


_NO_MAXIMUM = re.compile(r"\bno (maximum|ceiling|cap|upper limit)\b", re.I)


# How far below the best sentence's score another may be and still lead, when it holds what is asked or is about the
# call and year asked.
_CLOSE = 0.35
# How far below the best a sentence holding an exact detail asked (of the call and year asked) may score and lead; also
# one of the call and year asked when the best is of another (a follow-up's conversation matches the old call best).
_CLOSE_EXACT = 0.7
# How many of the best sentences a question about a country may be led by, when the best is not about it.
_COUNTRY_READ = 8
# The share of the best sentence's coverage such a sentence about the country must have.
_COUNTRY_COVER = 0.6
# The digits of a count (thousands separators folded away): "30,000 twinning links" counts, a 9-digit PIC does not.
_COUNT_DIGITS = 7


def _has_count(sentence: str, counted: frozenset[str] = frozenset()) -> bool:
    """A number that counts something: not a year, not a day of a date, not an amount in euro; when the question
    says what it counts ("how many proposals"), one of those words must follow the number closely."""
    text = _DATE.sub(" ", sentence)
    text = re.sub(r"(EUR|€)\s*[\d,.]+(\s*(million|billion))?", " ", text)
    text = YEARISH_ALL.sub(" ", text)
    text = _NUMBER_WORDS.sub(" 9 ", text)  # "nine specific objectives" counts like "9 specific objectives"
    if not counted:
        return bool(re.search(r"\b\d{1,4}(?![,.]?\d)(?!\s*%)", text))
    toks = tokens(text)
    return any(
        w.isdigit() and len(w) <= _COUNT_DIGITS and any(v in counted for v in toks[i + 1 : i + 5])
        for i, w in enumerate(toks)
    )


# A period of time ("six months", "4.5 months", "21 days").
_PERIOD_OF_TIME = re.compile(
    r"\b(?:\d+(?:[.,]\d+)?|" + "|".join(NUMBER_WORDS[1:]) + r")\s+(?:days?|weeks?|months?|years?)\b", re.I
)
_WITHIN_PERIOD = re.compile(
    r"\bwithin (?:\d+|" + "|".join(NUMBER_WORDS[1:]) + r") (?:days?|weeks?|months?|years?)\b", re.I
)


def _intent_checks(
    sentence: str,
    intents: list[str],
    years: frozenset[str] = frozenset(),
    counted: frozenset[str] = frozenset(),
    outcomes: tuple[str, ...] = (),
    between_dates: bool = False,
    several: bool = False,
    listed: frozenset[str] = frozenset(),
    span: bool = False,
    new_names: Callable[[str], list[str]] = lambda sentence: [],
) -> dict[str, bool]:
    """Whether a sentence meets each specific need of the question (a date or time, an amount of the right kind, a
    count, a share, a telephone number, a web address), by intent; "who" is judged only when nothing more specific
    is asked. ``between_dates``: the count asked is of days (weeks, months, years) between dates ("how many days did
    applicants wait, compared with ...?"), computed from dates rather than stated. ``several``: the question asks
    several things (``Query.parts``): a date and, apart, its time of day, each answered by its own sentence.
    ``listed``: the tokens of the kind of items a list question names ("priorities", "themes"): a sentence answering
    it names that kind. ``span``: the question asks a span of time ("how long after the deadline do results
    arrive?"), which a period ("four and a half to six months") answers as a date does. ``new_names``: the names a
    sentence gives that the question does not (``_new_names``), for a question asking which towns."""
    checks: dict[str, bool] = {}
    if "list" in intents and listed:
        checks["list"] = bool(listed & set(tokens(sentence)))
    if "time" in intents:
        checks["time"] = bool(re.search(r"\b\d{1,2}[:.h]\d{2}\b|\b\d{1,2}\s?(am|pm)\b", sentence, re.I))
    if "date" in intents and ("time" not in intents or several):  # "when is the deadline, and at what time?"
        # A full date, or a year the question did not itself name ("When was CEMR founded?" -> 1951), of the event
        # asked about (a call's opening is not its deadline).
        # A period ("2014-2020") dates nothing.
        dated = bool(_FULL_DATE.search(sentence)) or bool(set(YEARISH_ALL.findall(PERIOD.sub(" ", sentence))) - years)
        event = next((_EVENT_WORDS[i] for i in intents if i in _EVENT_WORDS), None)
        # A period counted from an event ("within 2 months of the meeting") answers a deadline as a date does.
        within = "date_close" in intents and bool(_WITHIN_PERIOD.search(sentence))
        spanned = span and bool(_PERIOD_OF_TIME.search(sentence))
        checks["date"] = (dated and (event is None or bool(event.search(sentence)))) or within or spanned
    if "amount" in intents:
        amount = bool(_AMOUNT.search(sentence))
        if "budget" in intents:
            amount = amount and bool(_BUDGET_WORDS.search(sentence))
        elif "maximum" in intents:
            # A maximum or a range; or the statement that there is none ("No maximum amount ... was stated").
            amount = (amount and bool(_MAXIMUM_WORDS.search(sentence))) or bool(_NO_MAXIMUM.search(sentence))
        elif "per_project" in intents:
            amount = amount and bool(_PER_PROJECT_WORDS.search(sentence))
        checks["amount"] = amount
        if "alone" in intents:  # one thing apart ("the Daphne strand on its own"): its amount, not several's together
            checks["alone"] = amount and not _JOINT.search(sentence)
    if "count" in intents:
        outcome = not outcomes or any(OUTCOMES[o].search(sentence) for o in outcomes)
        checks["count"] = outcome and _has_count(sentence, counted)
        if "maximum" in intents and "amount" not in intents:  # the most there may be: a maximum, not a minimum
            checks["count"] = checks["count"] and bool(_MAXIMUM_WORDS.search(sentence))
        if between_dates:  # days or months between two dates: a sentence with a date holds one end
            checks["count"] = checks["count"] or bool(_FULL_DATE.search(sentence))
    if "share" in intents:
        checks["share"] = bool(_PERCENT.search(sentence))
    if "phone" in intents:
        checks["phone"] = bool(_PHONE.search(sentence))
    if "website" in intents:
        checks["website"] = bool(_WEB.search(sentence))
    if "email" in intents:
        checks["email"] = bool(_EMAIL.search(sentence))
    if "holder" in intents:  # the person holding a post: a sentence naming that kind of post ("the President is")
        checks["holder"] = bool(_posts().search(fold(sentence)))
    if "span" in intents:  # "how long does it take?": a period, or dates bounding one
        checks["span"] = bool(
            _PERIOD_OF_TIME.search(sentence) or _FULL_DATE.search(sentence) or _WITHIN_PERIOD.search(sentence)
        )
    if "year" in intents:  # "in what year?": a year the question does not name (a period's too)
        checks["year"] = bool(set(YEARISH_ALL.findall(sentence)) - years)
    if "places" in intents:  # "which towns?": a name the question does not give
        checks["places"] = bool(new_names(sentence))
    if "countries" in intents:  # "which countries?": one named, or the Member States
        checks["countries"] = names_countries(sentence)
    if not checks and "who" in intents:
        checks["who"] = bool(_WHO.search(sentence))
    return checks


class ExtractiveComposer:
    """Compose an ``Answer`` from passages, with no model beyond the retriever's."""

    def __init__(
        self,
        thresholds: Thresholds | None = None,
        max_sentences: int = 4,
        max_list: int = 6,
        frequent_words: Iterable[str] = (),
        facts: FactAnswerer | None = None,
    ) -> None:
        """``frequent_words``: the language's most frequent words (``SentenceTransformerEmbeddings.frequent_words``
        with ``FREQUENT_WORDS``); those of a question that no retrieved sentence contains ("think", "just",
        "enough") are chat, not what is asked, and don't lower a sentence's coverage."""
        self.thresholds = thresholds or Thresholds()
        # Call facts (deadlines, budgets, counts, the clock) are answered from the call registry first.
        self.facts = facts or FactAnswerer()
        self.frequent = frozenset(t for w in frequent_words for t in tokens(w))
        self.max_sentences = max_sentences
        self.max_list = max_list

    def compose(self, query: Query, passages: list[Passage], index: LexicalIndex, now: dt.datetime) -> Answer:
        unknown = self._unknown_terms(query, index)
        # Call facts come from the registry; a year no document names may still be a call it lacks ("the 2028
        # call"), which the registry answers by saying which calls it holds.
        draft = None if any(not t.isdigit() for t in unknown) else self.facts.draft(query, index, now)
        if isinstance(draft, Answer):
            return draft
        if unknown:
            return self._refuse(query, [], passages, UNKNOWN_NAME, index)
        if draft is None and "upcoming" in query.intents and "cemr" not in query.topics:
            # (The deadlines are the CERV calls': "the next REALISE call" is CEMR's, which they do not answer.)
            return self._upcoming(query, index, now)
        # (A follow-up's clock may be its conversation's: "how much was in it?" after "is this year's call open?".)
        asked_clock = (
            clock_cues(query.asked or query.text, query.language)
            or query.years_back is not None
            or (query.follow_up and bool(query.relatives))
        )
        if draft is None and not query.years and asked_clock and (years := clock_years(query, now)):
            # A year by the clock asked and not answered by the registry ("at what time did this year's call
            # close?"): the passages must be of that year, as of one written out.
            query = dataclasses.replace(query, years=years)
        # The registry's draft speaks of the countries asked (their eligibility): its supporting sentences need not.
        selecting = dataclasses.replace(query, countries=[]) if draft is not None else query
        chosen, gate, nearby = self._select(selecting, passages, index, now)
        if draft is not None:
            # The registry answers first; the passages' chosen sentences support it (and answer any other part).
            extra = [(s.passage, s.position, s.text) for s in chosen if not isinstance(s, _Disclosed)]
            answer = self.facts.render(query, index, draft, passages, extra)
            stating = [v.sentence for _, cited in draft.lines for v in cited] + [text for _, _, text in extra]
            if not draft.computed and (operated := operate(query, stating)):  # "how much of the budget was left?"
                answer.answer = f"{operated[0]} {answer.answer}"
                answer.computed = [*answer.computed, operated[1]]
            return answer
        if gate is not None:
            return self._refuse(query, nearby, passages, gate, index)
        lang = query.language
        text, sources, cited = self._cite(chosen, lang, index)
        extra_text: list[str] = []
        if any(_CONFLICT.search(s.text) for s in chosen) and len({s.text for s in chosen}) > 1:
            extra_text.append(message(lang, "conflict"))
        computed: list[str] = []
        extra_text += self._deadline_status(query, chosen, now, computed)
        if query.from_today and (ago := _elapsed(chosen, query, now)):  # "how many years ago ...?": the count first
            text = f"{ago[0]} {text}"
            computed += ago[1]
        if operated := operate(query, [s.text for s in chosen]):  # "how much more ...?", "how much was not used?"
            text = f"{operated[0]} {text}"  # the computed answer first, then the sentences stating its operands
            computed.append(operated[1])
        answer = _answer(query, " ".join([text, *extra_text]), True, sources, cited, passages)
        answer.computed = computed
        return answer

    def _select(
        self, query: Query, passages: list[Passage], index: LexicalIndex, now: dt.datetime
    ) -> tuple[list[Scored], str | None, list[Scored]]:
        """The chosen sentences, or the gate that refuses (and what it may quote nearby)."""
        scored, weights = self._score(query, passages, index)
        if not scored:
            return [], NO_PASSAGES, []
        # The best sentence that holds what is asked, if one comes close to the best overall; then, if the best is
        # about another call or year than the one asked, the best close one about it.
        # A question asking an exact detail (a time of day, a count) of a call it names by type and year is
        # answered by no sentence without it: a fitting one of that call, on the subject, may come from further down.
        named_call = bool(query.call_ids or set(query.topics) & set(CALL_TYPES)) and bool(query.years)
        exact = bool(EXACT_INTENTS & set(query.intents)) and named_call
        fitting = [
            s
            for s in scored[:12]
            if s.fits_intent
            and (
                s.score >= scored[0].score - _CLOSE
                or exact
                and s.score >= scored[0].score - _CLOSE_EXACT
                and same_call(s, query)
                and same_year(s, query)
                and s.overlap > ON_SUBJECT
            )
        ]
        if fitting and not scored[0].fits_intent:
            scored.remove(fitting[0])
            scored.insert(0, fitting[0])
        if not (same_call(scored[0], query) and same_year(scored[0], query)):
            on_call = [
                s
                for s in scored[1:12]
                if same_call(s, query)
                and same_year(s, query)
                and (s.fits_intent or not query.intents)
                and s.overlap > ON_SUBJECT
                and any(not t.isdigit() for t in s.terms)  # on the subject, not just of the year
                and s.score >= scored[0].score - _CLOSE_EXACT
            ]
            if on_call:
                scored.remove(on_call[0])
                scored.insert(0, on_call[0])
        known = frozenset(t for t in weights if index.idf(t))
        parts = _part_terms(query, weights, known)
        judged = Judged(query, scored, weights, passages, self.thresholds, now, parts=parts)
        if gate := first_refusal(SELECTION_GATES, judged):
            return [], gate.name, gate.nearby(judged)
        chosen = self._choose(query, scored, weights, parts)
        if query.countries:
            chosen = _about_the_countries(query, chosen, scored, weights)
        judged.chosen = _lead_with_knowledge(chosen, query)
        if absent := _absence_stated(query, scored, weights, known):
            judged.chosen = [absent, *(c for c in judged.chosen if c is not absent)]
        if gate := first_refusal(ANSWER_GATES, judged):
            return [], gate.name, gate.nearby(judged)
        return judged.chosen, None, []

    # -- scoring -----------------------------------------------------------------------------------------------
    def _score(
        self, query: Query, passages: list[Passage], index: LexicalIndex
    ) -> tuple[list[Scored], dict[str, float]]:
        # Cue words count when the documents use them ("deadline", "budget"), except the words that only ask
        # for a list ("list", "name the").
        terms = [
            t
            for t in dict.fromkeys(content_tokens(query.search_text))
            if t not in _LIST_WORDS and (t not in CUE_WORDS or index.idf(t))
        ]
        # A word no document contains counts as a typical content word: it lowers the coverage of every sentence.
        # In other languages only the mapped English terms and names are judged (other words are simply foreign).
        typical = index.median_idf
        names = set(self._names(query.text, query.language))
        # Another language's term in an English question is foreign, judged by its English phrase (``english``).
        foreign = {t for w in query.foreign for t in tokens(w)}
        weights = {
            t: index.idf(t) or (typical if (query.language == "en" and t not in foreign) or t in names else 0.0)
            for t in terms
        }
        if self.frequent:
            said = frozenset().union(*(found for p in passages for _, _, found in _sentences(p.chunk.body)))
            weights = {t: 0.0 if t in self.frequent and t not in said else w for t, w in weights.items()}
        # Chat words weigh nothing, nor do the options a question offers ("by post, by email, or online?"): the
        # answer names one of them, not all.
        unweighted = _chat_tokens(query.search_text) | _offered_tokens(query.text)
        if query.from_today:  # "how many years ago": the form of the question, not its subject
            unweighted |= elapsed_words(query.language)
        if leaves_the_subject(query.text, query.language):  # "different topic: ...": what it leaves
            unweighted |= new_topic_words(query.language)
        weights = {t: 0.0 if t in unweighted else w for t, w in weights.items()}
        if len(query.years) >= 2:
            # Several years are answered year by year (``_choose``): no one sentence is expected to hold them all.
            weights = {t: 0.0 if t in {str(y) for y in query.years} else w for t, w in weights.items()}
        total = sum(weights.values()) or 1.0
        top = passages[0].score if passages else 1.0
        years = frozenset(str(y) for y in query.years)
        counted = frozenset(t for term in query.counted for t in tokens(term))
        counted |= frozenset().union(*(query.related.get(t, frozenset()) for t in counted))
        related = query.related
        outcomes = asked_outcomes(query) if "count" in query.intents else ()
        between_dates = bool(counted) and counted <= _TIME_UNITS and query.operation == "difference"
        listed = _listed_kinds(query)
        span = "span" in query.intents
        several = len(query.parts) > 1
        asked_words = frozenset(re.findall(r"[^\W\d_]+", fold(query.standalone)))

        def new_names(sentence: str) -> list[str]:
            return _new_names(sentence, asked_words, index)

        out: list[Scored] = []
        seen: set[str] = set()
        for rank, passage in enumerate(passages):
            header = _header_tokens(passage.chunk.header)
            for position, (sentence, key, found) in enumerate(_sentences(passage.chunk.body)):
                if key in seen:
                    continue
                seen.add(key)
                checks = _intent_checks(
                    sentence, query.intents, years, counted, outcomes, between_dates, several, listed, span, new_names
                )
                fits = not checks or any(checks.values())
                if not fits and counted and query.language != "en":
                    # What a question in another language counts may have no English word ("câte cifre"): the
                    # sentence's aligned translation in that language can still hold the count ("9 cifre").
                    doc_id = str(passage.metadata.get("doc_id", ""))
                    translated = index.sentence_translations.translate(doc_id, sentence, query.language)
                    if translated is not None:
                        checks = _intent_checks(translated, query.intents, years, counted)
                        fits = not checks or any(checks.values())
                covered = {t for t in weights if t in found or related.get(t, frozenset()) & found}
                overlap = sum(w * (1.0 if t in covered else 0.5 if t in header else 0.0) for t, w in weights.items())
                overlap /= total
                score = overlap + 0.45 * passage.score / top + (0.3 if fits and query.intents else 0.0)
                if years:
                    mentioned = set(YEARISH_ALL.findall(sentence))
                    if mentioned & years:
                        score += 0.2
                    elif mentioned and passage.metadata.get("year") not in query.years:
                        score -= 0.2
                if "list" in query.intents and len(sentence) < 200 and "," in sentence:
                    score += 0.1
                matched = frozenset(t for t in covered if weights[t] > 0)
                sims = passage.sentence_similarities
                similarity = float(sims[position]) if sims is not None and position < len(sims) else None
                unmet = frozenset(name for name, met in checks.items() if not met)
                out.append(
                    Scored(
                        sentence,
                        passage,
                        rank,
                        score,
                        overlap,
                        fits,
                        position,
                        matched,
                        found,
                        similarity,
                        unmet=unmet,
                    )
                )
        _add_similarity(out, self.thresholds.semantic_weight)
        out.sort(key=lambda s: s.score, reverse=True)
        return out, weights

    def _choose(
        self, query: Query, scored: list[Scored], weights: dict[str, float], parts: list[frozenset[str]] = ()
    ) -> list[Scored]:
        """The sentences that answer, best first. ``parts``: the weighted terms the documents use of each question
        run together in the question (``_part_terms``)."""
        limit = self.max_list if "list" in query.intents else self.max_sentences
        best = scored[0].score
        chosen: list[Scored] = []
        for s in scored:
            if len(chosen) >= limit or s.score < self.thresholds.relative_keep * best:
                break
            if not s.fits_intent and chosen:
                continue
            if any(_similar(s, c) for c in chosen):
                continue
            chosen.append(s)

        # Questions run together ("the deadline and the min nr of countries"): each part no chosen sentence answers
        # gets the best sentence that does, right after the answers before it (the first part too: the best sentence
        # may answer a later one). A part is judged by its own words, not those it shares with the others ("the
        # contact point in Croatia, and since when has Croatia taken part?").
        def elsewhere(s: Scored) -> bool:  # about other countries than those asked: it answers no part
            return bool(query.countries) and about_other_countries(s.text, query.countries)

        for at, whole in enumerate(parts):
            others = frozenset().union(*(p for p in parts if p is not whole))
            part = (whole - others) or whole
            covered = frozenset().union(*(c.terms for c in chosen if not elsewhere(c)))
            # Answered: most of its words, its rarest among them ("how was the lump sum calculated?" is not answered
            # by a sentence saying only that the lump sum is not tied to costs).
            rarest = max(sorted(part), key=weights.__getitem__, default=None)  # (sorted: the same on ties every run)
            if part_share(part, covered, weights) >= 0.5 and (rarest is None or rarest in covered):
                continue
            answering_ones = [
                s
                for s in scored[:25]
                if s not in chosen
                and part_share(part, s.terms, weights) >= 0.5
                and not elsewhere(s)
                and s.score >= 0.4 * best
                and same_year(s, query)
                and same_call(s, query)
                and not any(_similar(s, c) for c in chosen)
            ]
            # The best holding the part's rarest word, else the best.
            answering = next((s for s in answering_ones if rarest in s.terms), next(iter(answering_ones), None))
            if answering is not None:
                chosen.insert(min(at, len(chosen)), answering)
        # Questions with several parts: add sentences that cover question terms no chosen sentence covers (the
        # years of a question naming several are covered year by year below).
        total = sum(weights.values()) or 1.0
        several_years = {str(y) for y in query.years} if len(query.years) >= 2 else set()
        for s in scored[:25]:
            if len(chosen) >= limit:
                break
            covered = frozenset().union(*(c.terms for c in chosen))
            gain = sum(weights[t] for t in s.terms - covered - several_years) / total
            fresh = s not in chosen and not any(_similar(s, c) for c in chosen)
            if fresh and gain >= 0.15 and s.score >= 0.4 * best and same_year(s, query):
                chosen.append(s)
        # A question naming several years (a comparison, a list per year) gets the best fitting sentence of
        # each year that no chosen sentence covers yet.
        if 2 <= len(query.years) <= self.max_list:
            for year in query.years:
                fitting = [c for c in chosen if c.fits_intent or not query.intents]
                if len(chosen) >= self.max_list or any(of_year(c, year) for c in fitting):
                    continue
                dated = [s for s in scored[:40] if of_year(s, year) and (s.fits_intent or not query.intents)]
                if dated and dated[0].score >= 0.4 * best:
                    chosen.append(dated[0])
        # A sentence that introduces a list ("...are:") or answers a list question is followed by the items
        # that come after it in its passage.
        lead = next((c for c in chosen if c.text.rstrip().endswith(":")), chosen[0])
        introduces = lead.text.rstrip().endswith(":")
        if introduces or "list" in query.intents:
            following = sorted(
                (s for s in scored if s.passage is lead.passage and s.position > lead.position),
                key=lambda s: s.position,
            )
            first = following[0] if following else None
            asked = "list" in query.intents and chosen.index(lead) < 2
            if introduces and (asked or any(s in chosen for s in following)):
                # A list asked for (its introduction among the best sentences), or one of whose items answers: the
                # sentence introducing it comes with its items, and the sentences chosen after it give way when the
                # answer would grow too long ("The full names of the four associations are:" without its items
                # answers nothing). The list's first item chosen before its introduction comes after it.
                at = chosen.index(lead)
                at = chosen.index(first) if first in chosen[:at] else at
                before = chosen[:at]
                block = [lead, *(s for s in following if s not in before)][: self.max_list - len(before)]
                rest = [c for c in chosen[at:] if c not in block]
                chosen = before + block + rest[: max(0, self.max_list - len(before) - len(block))]
            for s in following:
                if len(chosen) >= self.max_list:
                    break
                if s not in chosen and (introduces or s.overlap > 0):
                    chosen.append(s)
        # A stated disagreement next to a chosen sentence is part of the answer.
        for s in scored[len(chosen) : 20]:
            if _CONFLICT.search(s.text) and s.passage is chosen[0].passage and s not in chosen and s.overlap > 0.2:
                chosen.append(s)
                break
        # A chosen sentence set against the one before it ("... said instead that ...") comes with that one: a
        # disagreement is disclosed with both its sides.
        for c in [c for c in chosen if _CONTRAST.search(c.text)]:
            if c not in chosen:
                continue
            other = next((s for s in scored if s.passage is c.passage and s.position == c.position - 1), None)
            if other is not None and other not in chosen and not any(_similar(other, o) for o in chosen):
                chosen.insert(chosen.index(c), other)
                spare = next((o for o in reversed(chosen) if o is not c and o is not other), None)
                if len(chosen) > limit and spare is not None:
                    chosen.remove(spare)  # the two sides of the disagreement before a sentence about another thing
        return _by_authority(chosen, query, weights, self.thresholds.relative_keep)

    @staticmethod
    def _names(text: str, lang: str = "en") -> list[str]:
        """Folded tokens of salient names, acronyms and years in a question (not its first word): "Interreg",
        "Erasmus+", "LIFE", "2031". Short acronyms (EU, EP, NGO) are common words, not names."""
        # A capitalised word that starts a sentence of the question is no name ("Someone mentioned ...").
        candidates = re.findall(r"(?<![.?!:]\s)(?<![.?!:]\s\s)\b[\w+-]+", text)
        names = [w for w in candidates[1:] if re.fullmatch(r"[A-Z][a-z][\w+-]{3,}", w)] if lang != "de" else []
        if not _in_capitals(text):
            names += re.findall(r"\b[A-Z]{4,}\b", text)
        found = [t for n in names for t in content_tokens(n)]
        # Years as questions name them (a number such as the 1901 of "association loi 1901" is part of a name).
        return [t for t in found if t not in _KNOWN_TERMS] + [str(y) for y in years_named(text, periods=True)]

    def _unknown_terms(self, query: Query, index: LexicalIndex) -> list[str]:
        """Names, ids and years in the question that no document contains (Interreg, Erasmus, 2031, ...), and
        acronyms the documents never write in capitals ("LIFE" is not the "life" of "democratic life"). Only the
        sentences that ask count: a long question's context ("a town in Umbria, twinned since 1994") is not asked,
        even the sentence before a short question ("We are a commune in Brittany ... What's the deadline?")."""
        text = asked_part(query.text, lead=False) if query.asked else query.text
        # An aside in brackets is context too ("Notre comité (commune de 4 500 habitants en Alsace) peut-il ...?").
        text = without_asides(text)
        # Country names are not unknown names, however many words they have ("Bosnia ed Erzegovina").
        names = self._names(strip_countries(text), query.language)
        # A country the corpus never names ("Polish", "Hungary") is judged by the country rule of ``compose``.
        countries = {
            t
            for w in re.findall(r"[^\W\d_]+", text)
            if w[0].isupper() and (countries_named(w, "en") or countries_named(w, query.language))
            for t in tokens(w)
        }
        # Words of the question's own language that the glossary knows are vocabulary, not names ("Rețele de
        # orașe", "Städtepartnerschaften").
        vocabulary = {t for w in domain_words(text, query.language) for t in tokens(w)}
        # So are the words the documents' aligned translations use in that language ("Memoria Europea").
        vocabulary |= index.translated_terms(query.language) if query.language != "en" else frozenset()
        # The asker's own place ("il nostro comune in Puglia", "a commune in Brittany") is where they are.
        vocabulary |= {t for w in home_places(text) for t in tokens(w)}
        unknown = {
            t
            for t in names
            if not index.doc_freq.get(t) and t not in countries and t not in vocabulary and not index.starts_a_word(t)
        }
        if not _in_capitals(text):
            known = index.acronyms | _KNOWN_TERMS
            unknown |= {fold(a) for a in re.findall(r"\b[A-Z]{4,}\b", text) if fold(a) not in known}
        # Other EU programmes, named alike in every language (German capitalises every noun, so its names are
        # not found by capitals); in a question naming CERV, another programme is where something comes from
        # ("we have a PIC from an Erasmus project: do we register again for CERV?"), not what is asked.
        others = {t for m in _OTHER_PROGRAMMES.findall(fold(text)) if not index.names(m) for t in tokens(m)}
        about_cerv = bool(re.search(r"\bcerv\b", fold(text)))
        unknown = unknown - others if about_cerv else unknown | others
        return sorted(unknown)

    # -- output ------------------------------------------------------------------------------------------------
    def _cite(self, chosen: list[Scored], lang: str, index: LexicalIndex) -> tuple[str, list[Source], list[str]]:
        """The sentences in the question's language (``in_language``), each cited [n] by the page that holds its
        fact (one number per page), then the secondary sentences that give another value than the official ones,
        each disclosed as another source's."""
        book = CitationBook()
        parts: list[str] = []
        for s in sorted(chosen, key=lambda c: isinstance(c, _Disclosed)):
            text = in_language(s.text, str(s.passage.metadata.get("doc_id", "")), lang, index)
            page = book.cite(s.passage, s.position, text)
            said = f"{text} [{book.number(page)}]"
            disclosed = isinstance(s, _Disclosed)
            parts.append(f"{message(lang, 'other_source', source=page.site)} {said}" if disclosed else said)
        return " ".join(parts), book.sources(_clip), book.docs

    def _refuse(
        self, query: Query, nearby: list[Scored], passages: list[Passage], gate: str, index: LexicalIndex
    ) -> Answer:
        lang = query.language
        words = [message(lang, "refusal")]
        sources: list[Source] = []
        cited: list[str] = []
        if nearby:
            text, sources, cited = self._cite(nearby, lang, index)
            words += [message(lang, "nearby"), text]
        words.append(message(lang, "where_to_ask"))
        answer = _answer(query, " ".join(words), False, sources, cited, passages)
        answer.refused_by = gate
        return answer

    def _deadline_status(self, query: Query, chosen: list[Scored], now: dt.datetime, computed: list[str]) -> list[str]:
        """Whether the deadline of a chosen sentence's call has passed, or in how many days it falls (the days are
        added to ``computed``)."""
        if "date" not in query.intents:
            return []
        out: list[str] = []
        for d in deadlines(s.passage.metadata for s in chosen):
            # Only for a quoted sentence that states that deadline: every date of an answer is in a cited sentence.
            mentioned = any(
                format_date(d.when) in s.text for s in chosen if s.passage.metadata.get("doc_id") == d.doc_id
            )
            if not mentioned:
                continue
            days = days_until(d.when, now)
            date = format_date(d.when, query.language)
            key = "deadline_passed" if days < 0 else "deadline_upcoming"
            if days >= 0:
                computed.append(str(days))
            out.append(message(query.language, key, title=d.title, date=date, days=days))
        return out[:2]

    def _upcoming(self, query: Query, index: LexicalIndex, now: dt.datetime) -> Answer:
        lang = query.language
        all_deadlines = index.deadlines
        ahead = [d for d in all_deadlines if d.when >= now]
        today = format_date(now, lang)
        if ahead:
            lines = [message(lang, "upcoming_intro", today=today)]
            lines += [f"- {d.title}: {format_date(d.when, lang, d.has_time)} [{i}]" for i, d in enumerate(ahead, 1)]
            chosen = ahead
            text = "\n".join(lines)
        elif all_deadlines:
            last = all_deadlines[-1]
            chosen = [last]
            text = (
                message(lang, "no_upcoming", today=today, title=last.title, date=format_date(last.when, lang)) + " [1]"
            )
        else:
            return self._refuse(query, [], [], NO_PASSAGES, index)
        sources = [
            Source(title=d.title, url=d.url, snippet=f"Deadline: {format_date(d.when, 'en', d.has_time)}")
            for d in chosen
        ]
        return Answer(
            answer=text,
            answered=True,
            sources=sources,
            language=lang,
            cited=[d.doc_id for d in chosen],
            retrieved=[d.doc_id for d in chosen],
            standalone=query.standalone,
            computed=[today],  # today's date, said beside the deadlines
        )


# A run of capitalised words not opening its sentence ("Ferrara", "Europe for Citizens Forum"): a name.
_CAPITALISED = re.compile(r"(?<![.?!:]\s)(?<!^)\b[A-Z][\w'-]*(?:(?:\s+(?:of|for|the|and|de))?\s+[A-Z][\w'-]*)*")
# A capitalised word in more chunks than this is a term of the corpus ("European", "Commission"), not a name asked.
_COMMON_DOCS = 10
_MONTH_NAMES = frozenset(fold(MONTHS["en"]).split())


def _new_names(sentence: str, asked_words: frozenset[str], index: LexicalIndex) -> list[str]:
    """The names an English sentence gives that a question's words do not ("Ferrara", "Antwerp"): runs of
    capitalised words not opening it, with a word the question lacks, and none an acronym ("CEMR"), a month, a
    country or its adjective, or a term common in the corpus ("the Europe for Citizens Forum" is a term's)."""
    names = []
    for run in _CAPITALISED.findall(sentence):
        capitalised = [w for w in run.split() if w[0].isupper()]
        if all(fold(w) in asked_words for w in capitalised):
            continue
        if any(w.isupper() or fold(w) in _MONTH_NAMES or names_a_country(w) or _common(w, index) for w in capitalised):
            continue
        names.append(run)
    return names


def _common(word: str, index: LexicalIndex) -> bool:
    return any(index.doc_freq.get(t, 0) > _COMMON_DOCS for t in tokens(word))


@cache
def _listed_words() -> frozenset[str]:
    return frozenset(t for w in words("listed") for t in tokens(w))


def _listed_kinds(query: Query) -> frozenset[str]:
    """The kinds of items a list question asking for one of them may be answered by ("which priorities?": a sentence
    naming priorities, themes, topics, ...), as tokens; none when it names no kind (its asking sentences and their
    English terms)."""
    if "list" not in query.intents:
        return frozenset()
    asked = " ".join([query.asked or query.text, *query.english])
    return _listed_words() if set(tokens(asked)) & _listed_words() else frozenset()


def _lead_with_knowledge(chosen: list[Scored], query: Query) -> list[Scored]:
    """When the best chosen sentence says the sources do not give something but itself holds what is asked (a
    date, while only the hour is not given) and another chosen sentence states it, that one leads (otherwise the
    ``no_knowledge`` gate refuses and quotes them)."""
    if not NO_KNOWLEDGE.search(chosen[0].text):
        return chosen
    # (One on the question's subject: "Serbia joined REC on 16 July 2018" holds a date, not that of the agreement.)
    holds = [s for s in chosen[1:] if s.fits_intent and s.overlap > ON_SUBJECT and not NO_KNOWLEDGE.search(s.text)]
    if not (holds and query.intents and chosen[0].fits_intent) or _known_of_other_call(chosen[0].text, query):
        return chosen
    return [holds[0], *(s for s in chosen if s is not holds[0])]


def _absence_stated(
    query: Query, scored: list[Scored], weights: dict[str, float], known: frozenset[str]
) -> Scored | None:
    """A sentence saying the sources do not give what is asked ("No source consulted states the exact amount of any
    CERV top-up", asked how big the top-up was). What it says is not given names one of the question's rarest words
    (of those the documents use, but not numbers, amounts or words asking a kind of detail) and kinds of detail the
    question asks, and none it does not ("the deadline or the budget" of a call is no answer to who issued it); the
    sentence does not hold the detail itself. It leads, and the ``no_knowledge`` gate refuses, quoting it."""
    figures = set(tokens(" ".join(m.group(0) for m in _AMOUNT.finditer(query.text))))
    subject = {
        t: w
        for t, w in weights.items()
        if w and t in known and t not in CUE_WORDS | figures and not any(c.isdigit() for c in t)
    }
    if not query.intents or not subject:
        return None
    rarest = {t for t, w in subject.items() if w == max(subject.values())}
    # The exact detail asked decides whether it holds what is asked ("at what time does TT 2026 close on 23
    # September?": its date is the question's own, the time is what is asked).
    exact = EXACT_INTENTS & set(query.intents)
    for s in scored[:_ABSENCE_READ]:
        said = NO_KNOWLEDGE.search(s.text)
        holds = s.fits_intent and not exact & s.unmet
        if not said or holds or not (same_year(s, query) and same_call(s, query)) or _narrower(s.text, query):
            continue
        # (The clause saying it, up to a semicolon: "...; applicants should check the time" is advice.)
        absent = frozenset(content_tokens(s.text[said.end() :].split(";")[0]))
        kinds = {i for i in INTENTS if absent & _word_cue_tokens(i)}
        if rarest & absent and kinds and kinds <= set(query.intents):
            return s
    return None


def _narrower(sentence: str, query: Query) -> bool:
    """Whether a sentence is about a call or a year when the question names none ("the total budget of the 2026
    Town Twinning call" is not what "CERV's total budget" asks)."""
    calls = bool(set(topics_named(sentence)) & CALL_TOPICS) and not set(query.topics) & CALL_TOPICS
    return calls or (bool(YEARISH_ALL.search(PERIOD.sub(" ", sentence))) and not query.years)


@cache
def _word_cue_tokens(intent: str) -> frozenset[str]:
    """The tokens of an intent's one-word cues ("deadline", "amount"): a word of a longer cue ("call" of "whole call")
    names no kind of detail alone."""
    return frozenset(t for c in cues(intent) if " " not in c.strip() for t in tokens(c.rstrip("*")))


# How many of the best sentences may say the sources do not give what is asked.
_ABSENCE_READ = 25


def _known_of_other_call(sentence: str, query: Query) -> bool:
    """Whether what a "not given" sentence does state is of calls the question does not ask about ("the NT topic had
    EUR 6,500,000; the sources do not give a separate figure for the TT topic", asked about TT): its figure is no
    answer."""
    asked = set(query.topics) & CALL_TOPICS
    stated = [c for c in re.split(r"[;:]", sentence) if not NO_KNOWLEDGE.search(c)]
    named = {t for c in stated for t in topics_named(c)} & CALL_TOPICS
    return bool(asked and named) and not named & asked


def _in_capitals(text: str) -> bool:
    """Whether a question is typed in capitals (then its capitalised words are not acronyms)."""
    letters = [c for c in text if c.isalpha()]
    return sum(c.isupper() for c in letters) >= 0.5 * len(letters) if letters else False


def _elapsed(chosen: list[Scored], query: Query, now: dt.datetime) -> tuple[str, list[str]] | None:
    """How many years (or days, when the question speaks of days) ago the first quoted sentence's date (or year the
    question does not name) was, with today's date, and the values computed; None when no quoted sentence dates
    anything. A question asking how long until (``remaining``) counts the days to a quoted sentence's first date
    still to come."""
    if query.remaining:
        return _remaining(chosen, query, now)
    asked = {str(y) for y in query.years}
    in_days = names_days(query.asked or query.text, query.language)
    aged = asks_age(query.asked or query.text, query.language)
    for s in chosen[:2]:
        # How old something is counts from the sentence's earliest date, when it began ("its 75th anniversary on 28
        # January 2026, 75 years after its founding on 28 January 1951"); how long ago, from its first.
        dates = dates_in(s.text) if aged else dates_of_event(s.text, query.asked or query.text)
        day = min(dates, default=None) if aged else next(iter(dates), None)
        if day is not None and in_days:
            days, since, today = (
                (now.date() - day).days,
                format_date(day, query.language),
                format_date(now, query.language),
            )
            if days < 0:
                return None
            text = message(query.language, "elapsed_days", date=since, days=days, today=today)
            return text[:1].upper() + text[1:], [str(days), today]
        if day is not None:
            years = now.year - day.year - ((now.month, now.day) < (day.month, day.day))
            since = format_date(day, query.language)
        else:
            said = [int(y) for y in YEARISH_ALL.findall(PERIOD.sub(" ", s.text)) if y not in asked]
            if not said:
                continue
            years, since = now.year - said[0], str(said[0])
        if years < 0:
            return None
        today = format_date(now, query.language)
        # The date counted from is named, so a reader sees what was counted.
        text = message(query.language, "elapsed_years", date=since, years=years, today=today)
        return text[:1].upper() + text[1:], [str(years), today]
    return None


def _remaining(chosen: list[Scored], query: Query, now: dt.datetime) -> tuple[str, list[str]] | None:
    """The days from today to the first date still to come in the first two quoted sentences ("31 December 2027 is
    395 days away"), with the values computed; None when neither names one."""
    for s in chosen[:2]:
        if ahead := [d for d in dates_in(s.text) if d >= now.date()]:
            days, until, today = (
                (ahead[0] - now.date()).days,
                format_date(ahead[0], query.language),
                format_date(now, query.language),
            )
            text = message(query.language, "remaining_days", date=until, days=days, today=today)
            return text[:1].upper() + text[1:], [str(days), today]
    return None


# "or" between a question's last two options, in the seven languages; the most words the last option may have.
_OR = re.compile(r"\s(?:or|ou|o|oder|vagy|sau)\s", re.I)
_OR_WORDS = 4


def _offered_tokens(text: str) -> frozenset[str]:
    """The tokens of the options a question offers ("by post, by email, or online?", "80%? 90%?"): the answer
    names one of them, not all."""
    out: set[str] = set()
    for sentence in re.split(r"(?<=\?)\s+", text):
        parts = [p.strip() for p in re.split(r"[,;:\u2013\u2014]|\s-\s", sentence) if p.strip()]
        ors = [i for i, p in enumerate(parts) if re.match(r"or\b", p, re.I)]
        if ors:
            last = ors[-1]
            i = last - 1
            while i >= 0 and len(parts[i].split()) <= 4:
                i -= 1
            out.update(t for p in parts[i + 1 : last + 1] for t in tokens(p))
        elif "?" in sentence and len(options := _OR.split(parts[-1])) > 1 and len(options[-1].split()) <= _OR_WORDS:
            # "is it paid as a lump sum or on real costs?": the answer names one; a word both options say is what
            # they are options of ("single stage or two stage?").
            out.update(set(tokens(options[-1])) - set(tokens(options[-2])))
        elif len(parts) >= 2 and len(parts[-1].split()) <= 2 and re.search(r"\d", parts[-1]):
            out.update(tokens(parts[-1]))  # "... grant - 80%?"
        elif len(sentence.split()) <= 2 and re.search(r"\d", sentence):
            out.update(tokens(sentence))  # "90%?"
    return frozenset(out - {"or"})


def _chat_tokens(text: str) -> frozenset[str]:
    """The tokens of a question that only its chat words give ("actually" -> actual, unless "actual" is also said)."""
    folded = fold(text)
    chat = {t for m in _chat().findall(folded) for t in tokens(m)}
    return frozenset(chat - set(tokens(_chat().sub(" ", folded))))


def _add_similarity(scored: list[Scored], weight: float) -> None:
    """Add the model's question-sentence similarity to each score, rescaled to 0-1 between the least and the most
    similar candidate (only the order of similarities means something across models)."""
    sims = [s.similarity for s in scored if s.similarity is not None]
    if not weight or len(sims) < 2 or max(sims) <= min(sims):
        return
    low, span = min(sims), max(sims) - min(sims)
    for s in scored:
        if s.similarity is not None:
            s.score += weight * (s.similarity - low) / span


# What a question asks for that sources can disagree on: authority orders the sentences giving it.
_VALUE_INTENTS = frozenset({"date", "time", "amount", "count"})
# Question words that name the value asked rather than its subject: two sentences giving a total answer "total"
# alike, whether they say "total", "budget" or "envelope".
_VALUE_WORDS = GATE_CUES | frozenset(tokens("total overall whole available allocated budget envelope sum money"))


class _Disclosed(Scored):
    """A chosen sentence whose sources are all secondary and that gives another value than an official one
    answering the same thing: ``_cite`` shows it after the answer, as another source's."""


def _part_terms(query: Query, weights: dict[str, float], known: frozenset[str]) -> list[frozenset[str]]:
    """The weighted terms the documents use of each part of a question asking several things (``Query.parts``)."""
    if len(query.parts) < 2:
        return []
    return [frozenset(t for t in content_tokens(p) if weights.get(t, 0.0) > 0 and t in known) for p in query.parts]


def _about_the_countries(
    query: Query, chosen: list[Scored], scored: list[Scored], weights: dict[str, float]
) -> list[Scored]:
    """The chosen sentences of a question about countries, led by one about them when one answers.

    A question about a country ("the contact point in Germany") is answered by a sentence about it, and the other
    countries' sentences ("the contact point in France") are no part of the answer. One asking several things leads
    with the first chosen sentence about a country asked ("Could Hungarian towns take part in 2001? What were the
    deadlines?"). One asking one thing leads with a sentence about the country among the best ``_COUNTRY_READ`` that
    holds what is asked and covers at least ``_COUNTRY_COVER`` of what the best covers, the countries' own words left
    out ("In France, the CERV national contact point is Cidem" before the contact points in general: naming the
    country is not enough); else its best sentence leads, and the country gate judges it."""
    chosen = chosen[:1] + [s for s in chosen[1:] if not about_other_countries(s.text, query.countries)]

    def about_asked(s: Scored) -> bool:
        return any(covers_country(s.text, c) for c in query.countries)

    about = next((s for s in chosen if about_asked(s)), None)
    if len(query.parts) > 1 and about is not None and about is not chosen[0]:
        return [about, *(s for s in chosen if s is not about)]
    if about_asked(chosen[0]):
        return chosen
    asked = frozenset(weights) - {t for country in query.countries for t in tokens(country)}

    def covers(s: Scored) -> float:
        return part_share(asked, s.terms, weights)

    leading = [s for s in scored[:_COUNTRY_READ] if s.fits_intent and about_asked(s)]
    rival = max((s for s in leading if covers(s) >= _COUNTRY_COVER * covers(chosen[0])), key=covers, default=None)
    return chosen if rival is None else [rival, *(s for s in chosen if s is not rival)]


def _by_authority(chosen: list[Scored], query: Query, weights: dict[str, float], keep: float) -> list[Scored]:
    """Official sources first, for a question asking for a value (a date, an amount, a count): a chosen sentence
    whose sources are all secondary does not lead when an official or contact-point one among the chosen answers
    the same thing, and a secondary sentence that answers the question as well as the best one but gives another
    value than such an official one goes last, disclosed. The chosen sentences stay the same: only their order and
    their presentation change. ``weights`` and ``keep``: the question terms' weights and the keep ratio."""
    if not _VALUE_INTENTS & set(query.intents):
        return chosen

    def alike(official: Scored, other: Scored) -> bool:
        return authoritative(official.passage, official.position) and _answers_alike(official, other, query, keep)

    lead = chosen[0]
    if secondary_only(lead.passage, lead.position) and not NO_KNOWLEDGE.search(lead.text):
        rival = next((s for s in chosen[1:] if alike(s, lead)), None)
        if rival is not None:
            chosen = [rival, *(c for c in chosen if c is not rival)]
    best = max(gate_overlap(c, weights, query) for c in chosen)
    notes = [
        s
        for s in chosen
        if secondary_only(s.passage, s.position)
        and not NO_KNOWLEDGE.search(s.text)
        and gate_overlap(s, weights, query) >= 0.8 * best
        and any(alike(o, s) and conflicting(s.text, [o.text]) for o in chosen if o is not s)
    ]
    return [c for c in chosen if c not in notes] + [_Disclosed(**vars(s)) for s in notes]


def _answers_alike(s: Scored, other: Scored, query: Query, keep: float) -> bool:
    """Whether ``s`` answers what ``other`` answers: both hold what is asked and the same kind of it (a budget or
    a grant per project; an opening, a deadline or results), ``s`` or its heading says every subject word of the
    question that ``other`` says, scores nearly as well (``keep``), is of the same document year and call and of
    the year, call and country asked, and does not say that something is not known."""
    heading = _header_tokens(s.passage.chunk.header)
    return (
        s.fits_intent
        and other.fits_intent
        and _same_kind(s.text, other.text, query.intents)
        and other.terms - _VALUE_WORDS <= s.terms | heading
        and s.score >= keep * other.score
        and _same_subject(s, other)
        and same_year(s, query)
        and same_call(s, query)
        and not NO_KNOWLEDGE.search(s.text)
        and (not query.countries or any(covers_country(s.text, c) for c in query.countries))
    )


def _same_kind(a: str, b: str, intents: list[str]) -> bool:
    """Whether two sentences give the same kind of value: both a budget or both a grant per project (amounts);
    both an opening, a deadline or results (dates)."""
    patterns = [_BUDGET_WORDS, _PER_PROJECT_WORDS] if "amount" in intents else []
    patterns += list(_EVENT_WORDS.values()) if "date" in intents else []
    return all(bool(p.search(a)) == bool(p.search(b)) for p in patterns)


def _same_subject(a: Scored, b: Scored) -> bool:
    """Whether two sentences come from documents of the same year and call (both may have none)."""
    keys = ("year", "call_id")
    return all(a.passage.metadata.get(k) == b.passage.metadata.get(k) for k in keys)


def _similar(a: Scored, b: Scored) -> bool:
    """Whether two sentences are near repeats (most of their words shared)."""
    ta, tb = a.words, b.words
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) > 0.7


# A snippet holds the sentences an answer quotes from its page, so that each number and date of the answer is in
# a cited passage; only an unusually long one is cut (1000 characters cut the fifth of five quoted sentences).
SNIPPET_CHARS = 2000


def _clip(text: str, limit: int = SNIPPET_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _answer(
    query: Query, text: str, answered: bool, sources: list[Source], cited: list[str], passages: list[Passage]
) -> Answer:
    return Answer(
        answer=text,
        answered=answered,
        sources=sources,
        language=query.language,
        retrieved=doc_order(passages),
        cited=cited,
        standalone=query.standalone,
    )
