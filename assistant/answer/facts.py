"""Direct answers from the call registry: a call's deadline, opening, results date, budget, grant range and counts,
for a call named by type and year, by id or by the clock ("this year", "last year", "the next call", "still
open?"), with differences and sums across calls computed from the values.

Every value is the registry's typed fact (``assistant/calls``) and is cited by the document sentence that states it
(a sentence carrying the value's source marker and the value itself); a value no sentence states is not given.
The answer's own sentences are templates of the question's language (``assistant/answer/messages/*.yaml``); the
supporting sentences are the cited ones, in the question's language when an aligned translation exists (else the
English sentence between “ ” marked as quoted from the English source). Values that sources give differently are
disclosed after the answer, the most authoritative source's value leading.

When the registry cannot answer (no call type, nothing asked that it holds, a value it lacks), ``answer`` returns
None and the extractive composer answers from the retrieved passages.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import cache
from typing import get_args

from assistant.answer.answer import Answer
from assistant.answer.citations import CitationBook, cited_source, doc_order, values
from assistant.answer.drafts import CitedValue, Draft, Value, call_name, sentences_citing
from assistant.answer.eligibility import (
    PARTNERSHIP_CALLS,
    asks_about_countries,
    eligibility_draft,
    unknown_to_records,
)
from assistant.answer.gates import COUNTRY, FUTURE, YEARISH_ALL
from assistant.answer.localise import in_language
from assistant.answer.messages import MESSAGES, message
from assistant.calls.models import AmountValue, CallFacts, CallType, CountValue, DateValue, DeadlineValue
from assistant.calls.registry import YEAR_OFFSETS, Call, CallRegistry
from assistant.corpus.kinds import rank
from assistant.dates import days_until, format_amount, format_date, format_ratio, format_share, format_time
from assistant.ingest.splitting import Chunk
from assistant.question.intents import asks_grant, word_pattern
from assistant.question.intents import pattern as intent_pattern
from assistant.question.intents import words as intent_words
from assistant.question.languages import english_terms
from assistant.question.lexicon import asks_ratio
from assistant.question.places import countries_named, country_label
from assistant.question.query import (
    CALL_ID,
    CALL_PATTERNS,
    PERIOD,
    Query,
    asked_outcomes,
    periods_named,
    topics_named,
)
from assistant.question.text import NUMBER_WORDS, content_tokens, fold
from assistant.retrieval.hybrid import Passage
from assistant.retrieval.lexical import LexicalIndex
from assistant.sentences import split_sentences

CALL_TYPES: tuple[str, ...] = get_args(CallType)
# The registry attribute a count question asks about, by the outcome it names (query.OUTCOMES).
_COUNT_OF_OUTCOME = {"received": "proposals_received", "eligible": "proposals_eligible", "funded": "projects_funded"}
# What a count of a call's minimum may count, by the counted words (the member states before the countries).
_REQUIRED_COUNTS = (
    ({"member", "members", "state", "states"}, "min_eu_member_states"),
    ({"country", "countries"}, "min_countries"),
)
# The attributes that stand for a smallest and a largest value, and those two.
_RANGES = {"grant_range": ("grant_min", "grant_max"), "duration": ("duration_months_min", "duration_months_max")}
# The messages giving a range: both ends, the smallest alone, the largest alone.
_RANGE_MESSAGES = {
    "grant_range": ("fact_grant_range", "fact_grant_min", "fact_grant_max"),
    "duration": ("fact_duration", "fact_duration_min", "fact_duration_max"),
}
# What the partnership a project needs is made of, in the order the answer gives them.
_PARTNERSHIP = ("min_countries", "min_eu_member_states", "min_applicants")
# The outcomes counted as a difference of two counts: the whole, the part, and the message giving the rest.
_SUBTRACTED = {"ineligible": ("received", "eligible", "not_eligible"), "unfunded": ("received", "funded", "not_funded")}
# The words of what is counted that name proposals (received, unless an outcome is named).
_PROPOSALS = frozenset({"proposal", "proposals", "application", "applications"})
# Attributes whose values are numbers that can be subtracted and added.
_NUMERIC = frozenset(
    {
        "budget",
        "grant_max",
        "grant_min",
        "proposals_received",
        "proposals_eligible",
        "projects_funded",
        "min_countries",
        "min_eu_member_states",
    }
)
CALL_UNKNOWN = "call_unknown"
# The refusal of a question asking a call the registry holds only what the documents do not give of it.
NOT_GIVEN = "not_given"
_CLOCKED = frozenset({"opening", "deadline"})
_DATE_ATTRIBUTE = {"date_open": "opening", "date_close": "deadline", "date_results": "results_date"}
# What a question naming only a call gets: its key facts, those the registry holds.
SUMMARY = ("opening", "deadline", "budget", "grant_range")


def _subtractions(outcomes: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The counts a question asks as one outcome less another (``_SUBTRACTED``): "how many were not funded?" is the
    received less the funded; "how many eligible proposals got no grant?" the eligible less the funded."""
    out = []
    for negated, (whole, part, key) in _SUBTRACTED.items():
        if negated in outcomes:
            whole = "eligible" if negated == "unfunded" and "eligible" in outcomes else whole
            out.append((whole, part, key))
    return out


def asked_attributes(query: Query) -> list[str]:
    """The registry attributes a question asks for, from its intents ("grant_range" stands for min and max). The
    refining words are read in the question's own asking sentences (and their English terms): a follow-up's history
    says which call, not what is asked now ("and how much money was in that call overall?" after a maximum), and
    context is not the question ("What's the maximum grant? I only find a minimum.")."""
    intents = set(query.intents)
    asked = query.asked or query.text  # a long question's asking sentences, not its context
    own = fold(" ".join([asked, *english_terms(asked, query.language)]))
    out: list[str] = []
    if intents & {"date", "time"} or query.operation == "difference" or "count" in intents:
        # Each event the question names ("when did it open and when did it close?"); a bare "when" names none.
        # A count names its events itself unless it counts time ("how many days?" after "when did it open?"):
        # "and how many in 2024?" after "how many were selected?" counts projects, not a results date.
        timed = intents & {"date", "time"} or query.operation or set(query.counted) & set(intent_words("time_units"))
        named = any(intent_pattern(e).search(own) for e in _DATE_ATTRIBUTE)
        folded = own if named or not timed else fold(query.search_text)
        out += [attribute for event, attribute in _DATE_ATTRIBUTE.items() if intent_pattern(event).search(folded)]
    if "amount" in intents:
        smallest = bool(word_pattern("smallest").search(own))
        # The call's whole budget, and (or) what one project gets: its maximum, or the smallest and the largest
        # grant (the range). A question may ask both ("the overall budget, and how much per project?").
        budget = bool(intent_pattern("budget").search(own))
        # "How much did ..." asks what a project got, unless that piece of the question names the budget ("by how
        # much did the NT budget grow?"): ``asks_grant``.
        per_project = bool(intent_pattern("per_project").search(own)) or asks_grant(own)
        maximum = bool(intent_pattern("maximum").search(own)) and not smallest
        if not (budget or per_project or maximum or smallest):  # the question's own words name none: its intents
            budget, per_project, maximum = "budget" in intents, "per_project" in intents, "maximum" in intents
            # Calls compared by an amount of no named kind ("how much more does NT have this year than last
            # year?"): their budgets.
            budget = budget or (query.operation is not None and not (per_project or maximum))
            # One call's amount apart from another's ("how much went to town twinning alone?"): its budget.
            budget = budget or "alone" in intents
        if budget:
            out.append("budget")
        if word_pattern("average").search(own):
            pass  # "the average grant per network": a total shared out (passage arithmetic), not the call's range
        elif maximum and (per_project or not budget):
            out.append("grant_max")
        elif per_project and query.operation == "difference" and periods_named(query.text) - {_OWN_PERIOD}:
            # What one project can get now set against another programme period ("... 25,000 under Europe for
            # Citizens 2014-2020. How much more can one TT project get now?"): the most, not the range's spread.
            out.append("grant_max")
        elif per_project or smallest:
            out.append("grant_range")
    if "count" in intents and out == ["opening"] and not query.elapsed:
        out.append("deadline")  # "how many days was the call open?": from its opening to its deadline
    waited = len(query.years) <= 1 or bool(word_pattern("waiting").search(own))
    if query.operation == "difference" and out == ["results_date"] and waited:
        # "How long did we wait for the results?": from the deadline to the results (of each call, when several are
        # compared: "which call kept applicants waiting longer, TT 2021 or NT 2023?").
        out.insert(0, "deadline")
    if "count" in intents and word_pattern("required").search(own):
        # The fewest countries (Member States) a project needs ("minimum number of countries for TT 2026?"), also
        # those its own words name beside the count ("... and must one of them be an EU Member State?").
        counted = {t for term in query.counted for t in term.split()} | set(own.split())
        required = [attribute for words, attribute in _REQUIRED_COUNTS if counted & words and attribute not in out]
        out += sorted(required, key=_PARTNERSHIP.index)  # the countries, then the Member States among them
    if word_pattern("lasts").search(own) and not (query.relative or query.elapsed):
        # How long a project lasts ("the maximum duration of a TT 2026 project?"): its shortest and longest.
        out.append("duration")
    if word_pattern("partnership").search(own) and (word_pattern("required").search(own) or query.operation):
        # The partnership a project needs ("the minimum partnership for NT 2025?", "how did the NT consortium change
        # from 2022 to 2025?"): the fewest countries, EU Member States and applicants the call asks.
        out += [attribute for attribute in _PARTNERSHIP if attribute not in out]
    if _asks_success_rate(query, own):
        # "What was the success rate in NT 2023?": the funded of the proposals received.
        out += [a for a in (_success_base(query), "projects_funded") if a not in out]
    # "Quanto poteva ricevere un comune?": a cue of both an amount and a count ("quanto", "combien") that counts
    # nothing named, beside an amount found, asks the amount ("ricevere" is no count of proposals received).
    amount_only = "amount" in intents and not query.counted and bool(set(out) & {"budget", "grant_max", "grant_range"})
    if "count" in intents and not _qualified(query) and not amount_only:
        # Each outcome counted ("how many were submitted and how many funded?"); proposals counted with no outcome
        # named are those received ("how many more proposals did REM 2024 get than NT 2023?").
        counted = {w for term in query.counted for w in term.split()}
        outcomes = asked_outcomes(query) or (("received",) if counted & _PROPOSALS else ())
        for whole, part, _ in _subtractions(outcomes):
            # "how many were not eligible / not funded?": the received and the eligible (funded), subtracted
            outcomes = (whole, part, *(o for o in outcomes if o not in (whole, part)))
        out += list(dict.fromkeys(_COUNT_OF_OUTCOME[o] for o in outcomes if o in _COUNT_OF_OUTCOME))
    return out


def _success_base(query: Query) -> str:
    """The proposals a success rate is a share of: the eligible ones when the question names them ("funded vs
    eligible proposals"), else all those received."""
    return "proposals_eligible" if "eligible" in asked_outcomes(query) else "proposals_received"


def _asks_success_rate(query: Query, own: str) -> bool:
    """Whether a question asks a share of proposals that succeeded ("the success rate", "what percentage was
    funded?"), of all the proposals (not of one country's)."""
    return "share" in query.intents and bool(word_pattern("success").search(own)) and not query.countries


def _qualified(query: Query) -> bool:
    """Whether a count question asks about some of a call's projects only (of a country, coordinated by someone)
    or for a ratio, which the registry's whole-call totals do not answer."""
    text = query.search_text
    qualified = word_pattern("qualifiers").search(fold(text)) or "%" in text  # (intent_words of en.yaml)
    return bool(qualified or query.countries or countries_named(text, "en"))


class FactAnswerer:
    """Answers call-fact questions from the registry; see the module docstring."""

    def __init__(self, max_support: int = 3) -> None:
        self.max_support = max_support

    def draft(self, query: Query, index: LexicalIndex, now: dt.datetime) -> Draft | Answer | None:
        """The direct answer's sentences for a call-fact question (``render`` writes the answer), a refusal naming
        the calls the registry holds when it lacks the call asked, or None when the registry cannot answer."""
        registry = index.calls
        if not len(registry):
            return None
        if asks_about_countries(query):  # "can a Serbian and an Albanian town do a TT project together?"
            return self._eligibility_draft(query, index, now)
        types = [t for t in query.topics if t in CALL_TYPES]
        attributes = asked_attributes(query)
        if query.countries and set(attributes) & set(_COUNT_OF_OUTCOME.values()):
            # Counts are programme-wide: "how many Italian-led networks were funded" is not one of them.
            return None
        # "Is the TT call still open?", "when is the next call?" ("what can we still apply for?", naming no call
        # type, is the list of calls ahead: the extractive composer's).
        # ("still open" names an opening only by its word "open").
        if (query.relative == "next" or (query.relative == "open" and types)) and set(attributes) <= _CLOCKED:
            return self._clock_draft(query, index, registry, types, now)
        if _beyond_registry(query, registry, types, now) and (unknown := self._unknown_call(query, index, types, now)):
            # A call after the latest the documents hold ("next year's NT call, going up like this year?", "the 2028
            # TT call"): no figure of another year answers it, whatever else the question names.
            return unknown
        # A call named and nothing else asked ("CERV-2024-CITIZENS-TOWN-TT", "tt 2024?"): its key facts.
        named_only = not attributes and _names_only(query)
        if named_only and not types and not query.call_ids and len(query.years) == 1:
            # A year alone ("2024", "et 2025 ?" with no conversation): the calls of that year.
            types = [t for t in CALL_TYPES if registry.find(t, query.years[0])]  # type: ignore[arg-type]
        summary = named_only and bool(query.call_ids or (types and query.years))
        if summary:
            attributes = list(SUMMARY)
        elif not attributes:
            return None
        calls = _calls_asked(query, registry, types, now)
        if calls is None:
            return None
        if not calls:
            return self._unknown_call(query, index, types, now)
        lang = query.language
        if (
            not summary
            and _plainly_asked(query, attributes)
            and not any(_values(c, a) for a in attributes for c in calls)
        ):
            # The registry holds the call but no value of what is asked of it ("the 2023 TT budget"): the documents
            # do not give it, and a sentence about something else of that call is no answer. (A value the registry
            # holds but no indexed sentence states, as while an ingestion runs, is left to the passages.)
            return self._not_given(query, calls)
        draft = Draft()
        dated: list[CitedValue] = []  # the leading date of each date attribute of a single call, for a difference
        dated_per_call: dict[str, list[CitedValue]] = {}  # the same of each of several calls, asked two dates each
        for attribute in attributes:
            stated_per_call = [self._stated(attribute, call, index, lang) for call in calls]
            if attribute == "deadline" and "time" in query.intents and len(query.parts) <= 1:
                # An hour asked and a deadline known only by its day: the passages may hold the hour. (Asked beside
                # the date, "deadline and hour?", the day is answered and the passages may add the hour.)
                stated_per_call = [
                    [s for s in stated if isinstance(s.value, DeadlineValue) and s.value.time]
                    for stated in stated_per_call
                ]
            if any(not stated for stated in stated_per_call):
                if summary or (attribute in _PARTNERSHIP[1:] and _PARTNERSHIP[0] in attributes):
                    continue  # a summary (a partnership beside its countries) gives what the registry holds
                if query.operation or len(calls) < 3 or not any(stated_per_call):
                    return None  # a value the registry lacks: the passages may still say something
            for call, stated in zip(calls, stated_per_call, strict=True):
                if not stated:  # a range of years ("from 2021 to 2026") with a year the documents do not give
                    draft.lines.append((message(lang, "not_given", call=call_name(call, lang)), []))
                    continue
                draft.lines.append(self._line(attribute, call, stated, lang, now, draft))
                _disclose(stated, lang, draft)
            if query.operation and attribute in _NUMERIC and len(calls) >= 2:
                noted = len(draft.notes)
                _operate(query, calls, [s[0] for s in stated_per_call], lang, draft)
                if len(attributes) > 1:  # several figures compared: each one's difference follows its values
                    draft.lines += draft.notes[noted:]
                    del draft.notes[noted:]
            elif query.operation == "difference" and attribute == "grant_range" and len(calls) == 1:
                # "the difference between the smallest and the largest grant": one call's spread (two calls' ranges
                # have no one difference)
                _spread(stated_per_call[0], lang, draft)
            if attribute in _DATE_ATTRIBUTE.values() and len(calls) == 1:
                dated.append(stated_per_call[0][0])
            elif attribute in _DATE_ATTRIBUTE.values() and len(calls) == 2 and len(attributes) == 1:
                dated += [stated[0] for stated in stated_per_call]  # "how many days apart were the two deadlines?"
            elif attribute in _DATE_ATTRIBUTE.values() and len(calls) >= 2 and len(attributes) == 2:
                for call, stated in zip(calls, stated_per_call, strict=True):  # "how many days was each call open?"
                    dated_per_call.setdefault(call.call_id, []).extend(stated[:1])
        if query.operation == "difference" and len(calls) == 1 and len(attributes) == 1 and draft.lines:
            # One call compared with a programme period the registry does not hold ("how much higher is the max TT
            # grant in 2024 than under Europe for Citizens 2014-2020?"): the period's figure from its sentence.
            _compare_with_period(query, attributes[0], calls[0], index, draft)
        base = _success_base(query)
        if len(calls) == 1 and {base, "projects_funded"} <= set(attributes) and "share" in query.intents:
            counts = {s.attribute: s.number for _, cited in draft.lines for s in cited}
            received, funded = counts.get(base), counts.get("projects_funded")
            if received and funded is not None and funded <= received:
                share = format_share(funded / received, lang)
                key = "success_rate_eligible" if base == "proposals_eligible" else "success_rate"
                draft.notes.append((message(lang, key, share=share, funded=funded, received=received), []))
                draft.computed.append(share)
        outcomes = asked_outcomes(query)
        for whole, part, key in _subtractions(outcomes):
            if len(calls) == 1:
                counts = {s.attribute: s.number for _, cited in draft.lines for s in cited}
                total, counted = counts.get(_COUNT_OF_OUTCOME[whole]), counts.get(_COUNT_OF_OUTCOME[part])
                if total is not None and counted is not None and total >= counted:
                    draft.notes.append((message(lang, key, count=total - counted), []))
                    draft.computed.append(str(total - counted))
        if (query.operation == "difference" or "count" in query.intents) and len(dated) >= 2:
            # "How many days between the deadline and the results?": a count over two dates is their difference.
            first, last = sorted(d for s in dated[:2] if (d := _day(s.value)) is not None)
            days = (last - first).days
            draft.notes.append((message(lang, "compare_days", days=days), []))
            draft.computed.append(str(days))
        elif (query.operation == "difference" or "count" in query.intents) and dated_per_call:
            # "How many days were the NT 2025 and NT 2026 calls open?": each call's two dates, apart.
            spans: list[tuple[Call, int]] = []
            for call in calls:
                days_of = sorted(d for s in dated_per_call.get(call.call_id, [])[:2] if (d := _day(s.value)))
                if len(days_of) == 2:
                    days = (days_of[1] - days_of[0]).days
                    draft.notes.append((message(lang, "call_days", call=call_name(call, lang), days=days), []))
                    draft.computed.append(str(days))
                    spans.append((call, days))
            if query.operation == "difference" and len(spans) == 2:
                # "Which call kept applicants waiting longer, TT 2021 or NT 2023, and by how many days?"
                _compare_spans(spans, lang, draft)
        elif ("count" in query.intents or query.from_today) and len(dated) == 1 and len(attributes) == 1:
            # "How many days are left before the deadline?", "how many days ago did it close?": a count asked of one
            # date alone is the days between it and today.
            date = _day(dated[0].value)
            if date is not None:
                days, today = (date - now.date()).days, format_date(now, lang)
                key = "days_until" if days >= 0 else "days_since"
                draft.notes.append((message(lang, key, days=abs(days), today=today), []))
                draft.computed += [str(abs(days)), today]
        return draft if draft.lines else None

    # -- values ----------------------------------------------------------------------------------------------------
    def _stated(self, attribute: str, call: Call, index: LexicalIndex, lang: str) -> list[CitedValue]:
        """The values of one attribute with their sentences, most authoritative first; values no sentence of the
        call's document states are left out. A range (``_RANGES``) gives the minimum and then the maximum."""
        if attribute in _RANGES:
            low, high = (self._stated(part, call, index, lang) for part in _RANGES[attribute])
            return [*low[:1], *high[:1]] if low or high else []
        out: list[CitedValue] = []
        chunks = [c for c in index.chunks if c.metadata.get("doc_id") == call.doc_id]
        for value in getattr(call.facts, attribute, []):
            found = _sentence_stating(chunks, value)
            if found is None:
                continue
            chunk, position, sentence = found
            page = cited_source(Passage(chunk, 1.0), position)
            out.append(
                CitedValue(
                    attribute,
                    call,
                    _written(value, lang),
                    _number_of(value),
                    chunk,
                    position,
                    sentence,
                    rank(page.kind, page.confidence),
                    value,
                )
            )
        out.sort(key=lambda s: s.authority)
        return out

    def _line(
        self, attribute: str, call: Call, stated: list[CitedValue], lang: str, now: dt.datetime, draft: Draft
    ) -> tuple[str, list[CitedValue]]:
        """The direct sentence giving one attribute of one call, and the values it cites."""
        name = call_name(call, lang)
        lead = stated[0]
        if attribute in _RANGES:  # the smallest and the largest, or the one stated
            (lower, upper), (both, smallest, largest) = _RANGES[attribute], _RANGE_MESSAGES[attribute]
            low = next((s for s in stated if s.attribute == lower), None)
            high = next((s for s in stated if s.attribute == upper), None)
            if low and high:
                return message(lang, both, call=name, low=low.text, high=high.text), [low, high]
            if low:
                return message(lang, smallest, call=name, low=low.text), [low]
            return message(lang, largest, call=name, high=lead.text), [lead]
        if attribute == "deadline":
            closes = call.closes()
            if closes is not None and closes >= now:
                days = days_until(closes, now)
                draft.computed.append(str(days))
                return message(lang, "fact_deadline_future", call=name, when=lead.text, days=days), [lead]
            return message(lang, "fact_deadline_past", call=name, when=lead.text), [lead]
        if attribute == "opening":
            opens = call.opens()
            key = "fact_opening_future" if opens is not None and opens > now else "fact_opening_past"
            return message(lang, key, call=name, date=lead.text), [lead]
        if attribute == "results_date":
            return message(lang, "fact_results_date", call=name, date=lead.text), [lead]
        if attribute == "budget":
            return message(lang, "fact_budget", call=name, amount=lead.text), [lead]
        if attribute == "grant_max":
            return message(lang, "fact_grant_max", call=name, high=lead.text), [lead]
        key = f"fact_{attribute}"
        if lead.number == 1 and f"{key}_one" in MESSAGES["en"]:  # "at least one of the countries ... a Member State"
            return message(lang, f"{key}_one", call=name), [lead]
        return message(lang, key, call=name, count=lead.text), [lead]

    def _eligibility_draft(self, query: Query, index: LexicalIndex, now: dt.datetime) -> Draft | Answer | None:
        """Whether towns of the countries named can take part in the call asked (its year's, or the latest one),
        from its partnership rule and the countries' status that year (``answer/eligibility.py``); a refusal when
        none is a Member State and the sources say nothing of any of them."""
        registry, lang = index.calls, query.language
        if unknown := unknown_to_records(query, index):
            # No country named is a Member State and the sources say nothing of any: no rule answers for them.
            said = " ".join(message(lang, "elig_never", country=country_label(c, lang)) for c in unknown)
            return _refusal(query, said, COUNTRY)
        kind = next(t for t in query.topics if t in PARTNERSHIP_CALLS)
        calls = _calls_asked(query, registry, [kind], now)
        if not calls and not query.asked_years and set(query.years) <= set(query.context_years):
            calls = None  # a year of the context only ("a friendship since 2012"), no call's: none asked
        if calls is None:
            # No year asked: the latest call whose partnership rule is stated (the newest may not state it yet).
            by_year = sorted(registry.find(kind), key=lambda c: c.facts.year, reverse=True)  # type: ignore[arg-type]
            ruled = [c for c in by_year if c.facts.year <= now.year and c.facts.min_countries]
            calls = ruled[:1] or registry.relative("latest", now, kind)  # type: ignore[arg-type]
        if not calls:
            return None
        call = calls[0]
        draft = eligibility_draft(query, call, index, lambda a, c: self._stated(a, c, index, lang))
        return draft if draft is not None and draft.lines else None

    # -- the clock -------------------------------------------------------------------------------------------------
    def _clock_draft(
        self, query: Query, index: LexicalIndex, registry: CallRegistry, types: list[str], now: dt.datetime
    ) -> Draft | Answer | None:
        """ "Is it still open?", "when is the next call?": the next call to close (of the types asked), whether it
        has opened; else the latest one's deadline, past. "Is the 2024 call still open?" judges that year's call
        (and the registry says which calls it holds when it has none that year)."""
        lang = query.language
        kinds: list[str | None] = list(types) or [None]
        draft = Draft()
        none_ahead: list[tuple[str, list[CitedValue]]] = []  # call types with no deadline ahead, by their latest call
        today = format_date(now, lang)
        # "Is the 2024 call still open?", "is this year's call still open?": that year's call, not the next one.
        years = _years_asked(query, now) if query.relative == "open" and types else []
        for kind in kinds:
            upcoming = registry.relative("next", now, kind)  # type: ignore[arg-type]
            latest = registry.relative("latest", now, kind)  # type: ignore[arg-type]
            if years:
                latest = [c for y in years for c in registry.find(kind, y)]  # type: ignore[arg-type]
                if not latest:
                    return self._unknown_call(query, index, types, now)
                upcoming = [c for c in latest if (closes := c.closes()) is not None and closes >= now][:1]
            if upcoming:
                call = upcoming[0]
                stated = self._stated("deadline", call, index, lang)
                if not stated:
                    return None
                closes = call.closes()
                assert closes is not None
                days = days_until(closes, now)
                opens = call.opens()
                name = call_name(call, lang)
                if query.relative == "open" and opens is not None and opens > now:
                    opening = self._stated("opening", call, index, lang)
                    if not opening:
                        return None
                    text = message(lang, "still_open_not_yet", call=name, date=opening[0].text)
                    draft.lines.append((text, opening[:1]))
                    continue
                open_key = "time_left_yes" if query.time_left else "still_open_yes"
                key = open_key if query.relative == "open" else "next_call"
                draft.lines.append((message(lang, key, call=name, when=stated[0].text, days=days), stated[:1]))
                draft.computed.append(str(days))
                _disclose(stated, lang, draft)
                continue
            if not latest or (query.relative != "open" and not kind):
                return None
            call = latest[-1]
            stated = self._stated("deadline", call, index, lang)
            if not stated:
                return None
            if query.relative != "open":
                # "When is the next TT deadline?" after the last one the documents hold: there is none to give.
                text = message(lang, "no_next_call", call=call_name(call, lang), when=stated[0].text)
                none_ahead.append((text, stated[:1]))
                continue
            key = "time_left_none" if query.time_left else "still_open_no"
            text = message(lang, key, call=call_name(call, lang), when=stated[0].text)
            draft.lines.append((text, stated[:1]))
            _disclose(stated, lang, draft)
        if none_ahead and not draft.lines:
            return self._no_next_call(query, index, none_ahead, now)
        draft.notes += none_ahead
        if not draft.lines:
            return None
        draft.notes.append((message(lang, "today_is", today=today), []))
        draft.computed.append(today)
        return draft

    def _no_next_call(
        self, query: Query, index: LexicalIndex, lines: list[tuple[str, list[CitedValue]]], now: dt.datetime
    ) -> Answer:
        """A refusal of "the next call" when the documents hold none ahead: the latest call of each type asked and
        its past deadline, cited, with today's date and where to ask."""
        lang = query.language
        today = format_date(now, lang)
        draft = Draft(lines=lines, notes=[(message(lang, "today_is", today=today), [])], computed=[today])
        answer = self.render(query, index, draft, [])
        direct, _, support = answer.answer.partition("\n\n")
        answer.answer = f"{direct} {message(lang, 'where_to_ask')}" + (f"\n\n{support}" if support else "")
        answer.answered, answer.refused_by = False, FUTURE
        return answer

    def _unknown_call(self, query: Query, index: LexicalIndex, types: list[str], now: dt.datetime) -> Answer | None:
        """A call type and year from the programme's start on that the registry does not hold ("the 2028 call"):
        say so, and which calls it holds (an earlier year, "the 2001 twinning call", is left to the passages)."""
        first = CallFacts.model_fields["year"].metadata[0].ge  # the programme's first year
        years = _years_asked(query, now)
        if not (types and years) or query.call_ids or not all(y >= first for y in years):
            return None
        registry = index.calls
        missing = [(t, y) for t, y in _asked_pairs(query, types, years) if not registry.find(t, y)]  # type: ignore[arg-type]
        if not missing or any((c.metadata.get("topic"), c.metadata.get("year")) in missing for c in index.chunks):
            return None  # a document about it whose facts did not load: the passages answer
        lang = query.language
        held = {t: sorted({c.facts.year for c in registry.find(t)}) for t in CALL_TYPES}  # type: ignore[arg-type]
        calls = "; ".join(
            f"{message(lang, f'call_{t}')} {', '.join(map(str, years))}" for t, years in held.items() if years
        )
        (kind, year), *_ = missing
        text = message(lang, CALL_UNKNOWN, name=message(lang, f"call_{kind}"), year=year, calls=calls)
        return _refusal(query, text, CALL_UNKNOWN)

    def _not_given(self, query: Query, calls: list[Call]) -> Answer:
        """A refusal saying that the documents do not give what is asked of the calls named, and where to ask."""
        named = ", ".join(call_name(c, query.language) for c in calls)
        return _refusal(query, message(query.language, "not_given", call=named), NOT_GIVEN)

    # -- output ----------------------------------------------------------------------------------------------------
    def render(
        self,
        query: Query,
        index: LexicalIndex,
        draft: Draft,
        passages: list[Passage],
        extra: list[tuple[Passage, int, str]] = (),  # type: ignore[assignment]
    ) -> Answer:
        """The direct answer (each sentence cited), the disclosed other values and notes, then the supporting
        sentences in the question's language where translated: those stating the values, then ``extra`` ones
        (passage, position, sentence: the extractive composer's choice, for what else the question asks) up to
        ``max_support`` in all."""
        lang = query.language
        book = CitationBook()
        shown: dict[tuple[str, int], str] = {}
        numbers: dict[tuple[str, int], int] = {}

        def cite(passage: Passage, position: int, sentence: str) -> None:
            key = (passage.chunk.id, position)
            if key not in numbers:
                shown[key] = in_language(sentence, str(passage.metadata.get("doc_id", "")), lang, index)
                numbers[key] = book.number(book.cite(passage, position, shown[key]))

        for _, cited in [*draft.lines, *draft.notes]:
            for stated in cited:
                cite(Passage(stated.chunk, 1.0), stated.position, stated.sentence)
        calls = [stated.call for _, cited in draft.lines for stated in cited if stated.call is not None]
        for passage, position, sentence in extra:
            if len(shown) >= self.max_support:
                break
            if _about_calls(sentence, passage, calls):
                cite(passage, position, sentence)

        def marked(text: str, cited: list[CitedValue]) -> str:
            marks = dict.fromkeys(numbers[(s.chunk.id, s.position)] for s in cited)
            return " ".join([text, *(f"[{n}]" for n in marks)])

        body = " ".join(marked(text, cited) for text, cited in [*draft.lines, *draft.notes])
        # At most ``max_support`` quoted sentences; every value stays cited in the sources.
        support = [f"{text} [{numbers[key]}]" for key, text in list(shown.items())[: self.max_support]]
        if support:
            body += "\n\n" + " ".join(support)
        return Answer(
            answer=body,
            answered=True,
            sources=book.sources(lambda t: t),
            language=lang,
            retrieved=doc_order(passages),
            cited=book.docs,
            standalone=query.standalone,
            computed=draft.computed,
        )


def _refusal(query: Query, text: str, refused_by: str) -> Answer:
    """A refusal of the registry's: ``text`` and where to ask, in the question's language, citing nothing."""
    lang = query.language
    return Answer(
        answer=f"{text} {message(lang, 'where_to_ask')}",
        answered=False,
        language=lang,
        refused_by=refused_by,
        standalone=query.standalone,
    )


def _values(call: Call, attribute: str) -> list[Value]:
    """The registry's values of one attribute of a call (``grant_range``: its minimum and maximum)."""
    if attribute in _RANGES:
        return [value for part in _RANGES[attribute] for value in _values(call, part)]
    return list(getattr(call.facts, attribute, []))


def _plainly_asked(query: Query, attributes: list[str]) -> bool:
    """Whether each attribute is what the question plainly asks: a date by a date question, a count by a count
    question, an amount by an amount question with no sum or difference ("what did that add up to?" is no
    maximum, and "how many were selected?" no results date); a project's duration is asked by its own words."""
    intents = set(query.intents)
    if {"amount", "count"} <= intents:  # "combien de pays": an amount or a count, the cue does not say which
        return False
    need = {"date": set(_DATE_ATTRIBUTE.values()), "count": set(_COUNT_OF_OUTCOME.values())}
    amounts = {"budget", "grant_max", "grant_range"}
    return all(
        any(a in kinds and intent in intents for intent, kinds in need.items())
        or (a in amounts and "amount" in intents and query.operation is None)
        or a == "duration"  # asked only by its own words (``lasts``)
        for a in attributes
    )


def _about_calls(sentence: str, passage: Passage, calls: list[Call]) -> bool:
    """Whether a supporting sentence is about the calls answered: of one of their years (said, else its
    document's) and, when it names call types, of one of theirs. An answer about the 2026 call is not supported by
    the 2022 deadline."""
    if not calls:
        return True
    years = {c.facts.year for c in calls}
    said = {int(y) for y in YEARISH_ALL.findall(PERIOD.sub(" ", sentence))}
    doc_year = passage.metadata.get("year")
    if not (said & years if said else doc_year is None or doc_year in years):
        return False
    named = set(topics_named(sentence)) & set(CALL_TYPES)
    return not named or bool(named & {c.facts.type for c in calls})


def _names_only(query: Query) -> bool:
    """Whether a question names a call and asks nothing else ("CERV-2024-CITIZENS-TOWN-TT", "nt 2025?")."""
    if query.intents:
        return False
    # (A follow-up's own words may be none but a year: "were 2023's the same?" asks what its conversation asked.)
    rest = CALL_ID.sub(" ", fold(query.standalone if query.follow_up else query.text))
    for named in CALL_PATTERNS:
        rest = re.sub(named, " ", rest)
    return not [t for t in content_tokens(rest) if not t.isdigit() and t not in _call_words()]


@cache
def _call_words() -> frozenset[str]:
    """The tokens of the words that only name a call (``call_words`` of the English lexicon)."""
    return frozenset(content_tokens(" ".join(intent_words("call_words"))))


def _calls_asked(query: Query, registry: CallRegistry, types: list[str], now: dt.datetime) -> list[Call] | None:
    """The calls a question names, oldest first: by id, by type and year, or by type and the clock; None when it
    names none precisely enough (no type: "the deadline in 2024" could be any call's)."""
    if query.call_ids:
        ids = [c.upper() for c in query.call_ids]
        return [c for c in registry.calls if any(c.call_id.startswith(i) for i in ids)] or None
    if not types:
        return None
    if query.years:
        years = _years_asked(query, now)
        pairs = paired_types(query, types, years) if query.operation else None
        if pairs:  # "the 2024 remembrance call ... than the 2023 networks of towns call": each type with its year
            found = [c for t, y in pairs for c in registry.find(t, y)]  # type: ignore[arg-type]
            return sorted(found, key=lambda c: c.facts.year)
        return [c for t in types for y in years for c in registry.find(t, y)]  # type: ignore[arg-type]
    if query.relatives == ("latest",):
        latest = [c for t in types for c in registry.relative("latest", now, t)]  # type: ignore[arg-type]
        return sorted(latest, key=lambda c: c.facts.year) or None
    years = clock_years(query, now)
    return [c for t in types for y in years for c in registry.find(t, y)] if years else None  # type: ignore[arg-type]


def _beyond_registry(query: Query, registry: CallRegistry, types: list[str], now: dt.datetime) -> bool:
    """Whether a question asks about calls of the types it names in a year (written out, or by the clock: "next
    year's") after the latest call of each of them the registry holds."""
    if query.call_ids or not types:
        return False
    latest = [max((c.facts.year for c in registry.find(t)), default=0) for t in types]  # type: ignore[arg-type]
    return any(y > max(latest) for y in _years_asked(query, now)) and max(latest) > 0


def _asked_pairs(query: Query, types: list[str], years: list[int]) -> list[tuple[str, int]]:
    """The (type, year) of each call asked: each type with its own year where a comparison pairs them
    (``paired_types``), else every type in every year."""
    pairs = paired_types(query, types, years) if query.operation else None
    return pairs or [(t, y) for t in types for y in years]


def paired_types(query: Query, types: list[str], years: list[int]) -> list[tuple[str, int]] | None:
    """Two call types each written beside its own year ("REM 2024 vs NT 2023", "the 2024 remembrance call than the
    2023 networks of towns call"): each type with the year nearest to it, when that nearest is mutual; else None
    (the calls are every type in every year)."""
    if len(types) != 2 or len(years) != 2:
        return None
    text = fold(query.asked or query.text)
    at_type = {}
    for pattern, topic in CALL_PATTERNS.items():
        if topic in types and (m := re.search(pattern, text)):
            at_type[topic] = m.start()
    at_year = {y: m.start() for y in years if (m := re.search(rf"\b{y}\b", text))}
    if len(at_type) != 2 or len(at_year) != 2:
        return None
    nearest = {t: min(at_year, key=lambda y: abs(at_year[y] - at)) for t, at in at_type.items()}
    mutual = all(min(at_type, key=lambda t: abs(at_type[t] - at_year[y])) == t for t, y in nearest.items())
    return list(nearest.items()) if mutual and len(set(nearest.values())) == 2 else None


def _years_asked(query: Query, now: dt.datetime) -> list[int]:
    """The years a question asks about, oldest first: those written out (in its asking sentences when they name any:
    "advising towns that took part in NT 2024 ... what is the 2026 NT budget?" asks about 2026), and those named by
    the clock beside them ("last year's budget compared to 2024") or alone ("this year's deadline")."""
    years = query.asked_years or query.years
    if years and not query.clock_and_years:
        return sorted(years)
    return sorted({*years, *clock_years(query, now)})


def clock_years(query: Query, now: dt.datetime) -> list[int]:
    """The calendar years a question names by the clock ("last year's", "next year's", "five years ago"), oldest
    first."""
    back = [now.year - query.years_back] if query.years_back is not None else []
    return sorted({*back, *(now.year + YEAR_OFFSETS[r] for r in query.relatives if r in YEAR_OFFSETS)})


_DIGITS = re.compile(r"\d+")


def _sentence_stating(chunks: list[Chunk], value: Value) -> tuple[Chunk, int, str] | None:
    """The first sentence of a document that carries the value's source marker and states the value."""
    return next((found for found in sentences_citing(chunks, value.source) if _states(found[2], value)), None)


def _states(sentence: str, value: Value) -> bool:
    """Whether a sentence states a typed value (a date in English, an amount in euro, a count)."""
    if isinstance(value, DateValue | DeadlineValue):
        return format_date(value.date, "en") in sentence
    if isinstance(value, AmountValue):
        return str(value.amount) in values(sentence)["amount"]
    if str(value.count) in _DIGITS.findall(sentence.replace(",", "")):
        return True
    # Small counts are often written as words ("at least one of which is an EU Member State").
    word = NUMBER_WORDS[value.count] if value.count < len(NUMBER_WORDS) else None
    return word is not None and re.search(rf"\b{word}\b", sentence.lower()) is not None


def _written(value: Value, lang: str) -> str:
    """A typed value written for ``lang``: a date (with its hour, Brussels time), an amount in euro, a count."""
    if isinstance(value, DeadlineValue) and value.time is not None:
        return message(lang, "brussels_time", date=format_date(value.date, lang), time=format_time(value.time, lang))
    if isinstance(value, DateValue | DeadlineValue):
        return format_date(value.date, lang)
    if isinstance(value, AmountValue):
        return format_amount(value.amount, lang)
    return str(value.count)


def _number_of(value: Value) -> int | None:
    """An amount or a count, for differences and sums (a date has none)."""
    return value.amount if isinstance(value, AmountValue) else value.count if isinstance(value, CountValue) else None


def _disclose(stated: list[CitedValue], lang: str, draft: Draft) -> None:
    """Other values than the leading one, each as another source's, cited."""
    lead = stated[0]
    lead_site = cited_source(Passage(lead.chunk, 1.0), lead.position).site
    for other in stated[1:]:
        if other.attribute != lead.attribute or other.text == lead.text:
            continue
        site = cited_source(Passage(other.chunk, 1.0), other.position).site
        if site == lead_site and _day(other.value) is not None and _day(other.value) == _day(lead.value):
            continue  # the lead's own source giving the same day with its hour: no other source, no other value
        draft.notes.append((message(lang, "other_value", source=site, value=other.text), [other]))


def _day(value: Value | None) -> dt.date | None:
    """The day of a date or deadline value; None for other values."""
    return value.date if isinstance(value, DateValue | DeadlineValue) else None


def _operate(query: Query, calls: list[Call], leads: list[CitedValue], lang: str, draft: Draft) -> None:
    """The difference between the first and last of the values, or their sum, as the question asks."""
    numbers = [s.number for s in leads]
    if any(n is None for n in numbers):
        return
    money = leads[0].attribute in ("budget", "grant_max", "grant_min")

    def written(n: int) -> str:
        return format_amount(n, lang) if money else str(n)

    if query.operation == "sum":
        total = written(sum(numbers))  # type: ignore[arg-type]
        draft.notes.append((message(lang, "compare_sum", value=total), []))
        draft.computed.append(total)
        return
    first, last = numbers[0], numbers[-1]
    a, b = _label(calls[0], calls[-1], lang), _label(calls[-1], calls[0], lang)
    if asks_ratio(query.asked or query.text, lang) and first and last:  # "how many times the TT 2024 budget?"
        (big, big_label), (small, small_label) = sorted([(first, a), (last, b)], key=lambda p: p[0], reverse=True)
        times = format_ratio(big / small, lang)  # type: ignore[operator]
        draft.notes.append((message(lang, "compare_times", a=big_label, b=small_label, value=times), []))
        draft.computed.append(times)
        return
    diff = _note_difference(first, last, a, b, written, lang, draft)  # type: ignore[arg-type]
    if diff is not None:
        draft.computed.append(written(diff))


def _compare_spans(spans: list[tuple[Call, int]], lang: str, draft: Draft) -> None:
    """The difference between two calls' spans of days (each between two of its dates)."""
    (first, before), (last, after) = spans
    a, b = _label(first, last, lang), _label(last, first, lang)
    diff = _note_difference(before, after, a, b, lambda n: message(lang, "days_value", days=n), lang, draft)
    if diff is not None:
        draft.computed.append(str(diff))


def _note_difference(
    first: int, last: int, a: str, b: str, written: Callable[[int], str], lang: str, draft: Draft
) -> int | None:
    """Note how ``last`` (of ``b``) compares with ``first`` (of ``a``): the same value, or so much more or less
    (``written`` writes the difference); the difference, or None when there is none."""
    if first == last:
        draft.notes.append((message(lang, "compare_same", a=a, b=b), []))
        return None
    key = "compare_more" if last > first else "compare_less"
    draft.notes.append((message(lang, key, value=written(abs(last - first)), a=a, b=b), []))
    return abs(last - first)


# What a sentence giving a programme period's figure of an attribute says beside its one amount.
_PERIOD_WORDS = {
    "grant_max": re.compile(r"\b(maximum|max|up to|at most|ceiling)\b", re.I),
    "budget": re.compile(r"\bbudget\b", re.I),
}
# The CERV programme's own period: a call of the registry is of it.
_OWN_PERIOD = "2021-2027"


def _compare_with_period(query: Query, attribute: str, call: Call, index: LexicalIndex, draft: Draft) -> None:
    """The difference between one call's figure (the draft's first) and the same figure of the one other programme
    period the question names, when one sentence of that period about the call's type states it with one amount
    (and no other such sentence gives another)."""
    lead = draft.lines[0][1][0] if draft.lines[0][1] else None
    # The period its asking sentences name, else the one its context names ("Under Europe for Citizens 2014-2020 a
    # project was capped ... How much higher is the 2024 ceiling?").
    asked = periods_named(query.asked or query.text) - {_OWN_PERIOD}
    periods = sorted(asked or periods_named(query.text) - {_OWN_PERIOD})
    words = _PERIOD_WORDS.get(attribute)
    if lead is None or lead.number is None or len(periods) != 1 or words is None:
        return
    period, topic = periods[0], call.facts.type
    found: list[CitedValue] = []
    for chunk in index.chunks:
        if period[:4] not in chunk.body:
            continue
        for position, sentence in enumerate(split_sentences(chunk.body)):
            amounts = {int(v) for v in values(sentence)["amount"]}
            stated = period in periods_named(sentence) and len(amounts) == 1 and words.search(sentence)
            if stated and topic in topics_named(sentence):
                page = cited_source(Passage(chunk, 1.0), position)
                number = amounts.pop()
                written = format_amount(number, query.language)
                authority = rank(page.kind, page.confidence)
                found.append(CitedValue(attribute, None, written, number, chunk, position, sentence, authority))
    if len({f.number for f in found}) != 1:
        return  # none, or sources that disagree: no one operand
    other = min(found, key=lambda f: f.authority)
    lang = query.language
    draft.lines.append((message(lang, "fact_period_value", period=period, value=other.text), [other]))
    diff = format_amount(abs(lead.number - other.number), lang)  # type: ignore[operator]
    name = f"{message(lang, f'call_{call.facts.type}')} {call.facts.year}"
    key = "compare_more" if lead.number > other.number else "compare_less"  # type: ignore[operator]
    draft.notes.append((message(lang, key, value=diff, a=period, b=name), []))
    draft.computed.append(diff)


def _spread(stated: list[CitedValue], lang: str, draft: Draft) -> None:
    """The gap between the smallest and the largest grant of one call."""
    low = next((s for s in stated if s.attribute == "grant_min"), None)
    high = next((s for s in stated if s.attribute == "grant_max"), None)
    if low is None or high is None or low.number is None or high.number is None:
        return
    gap = format_amount(high.number - low.number, lang)
    draft.notes.append((message(lang, "compare_spread", value=gap), []))
    draft.computed.append(gap)


def _label(call: Call, other: Call, lang: str) -> str:
    """A short name telling ``call`` from ``other``: its year when only the years differ, else its type's name."""
    if call.facts.type == other.facts.type:
        return str(call.facts.year)
    name = message(lang, f"call_{call.facts.type}")
    return name if call.facts.year == other.facts.year else f"{name} {call.facts.year}"
