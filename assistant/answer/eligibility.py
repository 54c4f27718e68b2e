"""Whether towns of some countries can take part in a call, reasoned from the registry.

"Can a Serbian and an Albanian town do a TT project together?", "Can a town from Bosnia and Herzegovina join the
2023 call?": the answer weighs the call's partnership rule (at least N eligible countries, at least M of them EU
Member States: the call's typed facts) against each country named: an EU Member State, or what the sources state of
its part in CERV that year (``ProgrammeFacts``: associated, listed as eligible, signed, announced as close to
joining). The verdict leads: no when none of the countries named is a Member State and the rule needs one; yes when
the countries named meet the rule (each non-member associated or listed as eligible that year); else the rule and
what is known of each country, with no verdict (a status no source states for that year is said to be unknown,
never taken for a no). The rule and each status are cited by the sentence that states them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from assistant.answer.citations import cited_source
from assistant.answer.drafts import CitedValue, Draft, call_name, sentences_citing
from assistant.answer.messages import message
from assistant.calls.models import CountryStatus
from assistant.calls.registry import DEFINITE, Call, ProgrammeFacts, Stated
from assistant.corpus.kinds import rank
from assistant.dates import format_date
from assistant.ingest.splitting import Chunk
from assistant.question.lexicon import asks_eligibility
from assistant.question.places import (
    countries_named,
    country_label,
    covers_country,
    is_member_state,
    is_overseas,
)
from assistant.question.query import Query
from assistant.retrieval.hybrid import Passage
from assistant.retrieval.lexical import LexicalIndex
from assistant.sentences import split_sentences

# The call types whose partnership rule the registry holds (countries, Member States).
PARTNERSHIP_CALLS = ("town-twinning", "networks-of-towns")
# Statuses under which a non-member country's towns take part in a year's call.
_TAKING_PART = ("associated", "eligible")
# The intents an eligibility question may have: one asking anything else (a date, an amount, a count, a list of
# steps) is not one, whatever countries it names.
_ELIGIBILITY_INTENTS = frozenset({"who", "countries"})


def asks_about_countries(query: Query) -> bool:
    """Whether a question asks whether towns of the countries it names can take part in a call."""
    return (
        # A Member State's towns take part in every call: a question naming one asks nothing; one naming another
        # country asks whether it may, and one asking about several countries whether they may together.
        (
            any(not is_member_state(c) for c in countries_asked(query))
            or len(countries_named(query.asked or query.text, query.language)) >= 2
        )
        and bool(set(query.topics) & set(PARTNERSHIP_CALLS))
        and set(query.intents) <= _ELIGIBILITY_INTENTS
        and asks_eligibility(query.asked or query.text, query.language)
        # Calls of two years compared ("compare the 2022 and the 2025 minimum partnership") are compared, whoever
        # the context's partners are.
        and not (query.operation and len(query.asked_years) >= 2)
    )


def countries_asked(query: Query) -> list[str]:
    """The countries whose eligibility is asked: those of the asking sentences and of the context ("We are a
    municipality in Bosnia and Herzegovina. Could we apply with a Croatian town?" asks about both), and a
    follow-up's."""
    return list(dict.fromkeys([*query.countries, *countries_named(query.text, query.language)]))


def unknown_to_records(query: Query, index: LexicalIndex) -> list[str]:
    """The countries a question names when none is a Member State and the sources say nothing of any of them ("can
    a Swiss town take part?"), else []: the documents hold no answer."""
    countries = countries_asked(query)
    if not countries or any(is_member_state(c) or is_overseas(c) for c in countries):
        return []  # (the overseas territories are spoken of as a group: the call's rule may hold them)
    if any(index.programme.statuses(country_label(c, "en")) for c in countries):
        return []
    return countries


def eligibility_draft(
    query: Query,
    call: Call,
    index: LexicalIndex,
    stated: Callable[[str, Call], list[CitedValue]],  # FactAnswerer._stated bound to the index and language
) -> Draft | None:
    """The answer's sentences (each with the values it cites; a count of the Member States named is computed), or
    None when neither the call's rule nor anything of the countries is stated."""
    lang = query.language
    countries_rule, members_rule = stated("min_countries", call), stated("min_eu_member_states", call)
    name = call_name(call, lang)
    countries = countries_asked(query)
    labels = {c: country_label(c, lang) for c in countries}
    members = [c for c in countries if is_member_state(c)]
    programme: ProgrammeFacts = index.programme
    status_lines: list[tuple[str, list[CitedValue]]] = []
    all_take_part = True
    # Every country named is known to CERV's records (a Member State, or a country the sources speak of): a
    # territory CLDR names but the sources do not (an overseas one) gets no verdict.
    all_known = True
    for country in countries:
        if country in members:
            status_lines.append((message(lang, "elig_member", country=labels[country]), []))
            continue
        if is_overseas(country) and (overseas := _overseas_line(country, labels[country], call, lang, index)):
            # An overseas country or territory is eligible with its Member State, as the sentence saying so states.
            status_lines.append(overseas)
            continue
        all_known &= bool(programme.statuses(country_label(country, "en")))
        found = programme.status(country_label(country, "en"), call.facts.year)
        all_take_part &= found is not None and found.record.status in _TAKING_PART and _in_strand(found.record)
        status_lines += _status_lines(found, country, labels[country], call, lang, index)
    if not (countries_rule and members_rule):
        # The call's rule is not stated: what is known of each country, if anything is.
        return Draft(lines=status_lines) if any(cited for _, cited in status_lines) or members else None
    need_countries, need_members = countries_rule[0].number, members_rule[0].number
    rule_cited = [countries_rule[0], members_rule[0]]
    named = ", ".join(labels.values())
    rule = dict(call=name, countries=need_countries, members=need_members, named=named)
    computed: list[str] = []
    if not members and need_members and len(countries) >= 2 and all_known:
        # A partnership of these countries alone ("a Serbian and an Albanian town together") lacks a Member State.
        lead = (message(lang, _one("elig_no_member", need_members), **rule), rule_cited)
    elif 0 < len(members) < need_members and len(countries) >= 2 and all_known:
        # Too few Member States whatever the others' status ("towns in Serbia, Albania, Croatia and Slovenia" for a
        # rule of three Member States).
        lead = (message(lang, "elig_few_members", count=len(members), **rule), rule_cited)
        computed.append(str(len(members)))
    elif len(members) == len(countries) < need_countries and len(countries) >= 2:
        # Member States only, but fewer countries than the rule needs ("just a French and a German town" for a
        # network of at least 4 countries).
        lead = (message(lang, "elig_few_countries", count=len(countries), **rule), rule_cited)
        computed.append(str(len(countries)))
    elif len(members) >= need_members and len(countries) >= need_countries and all_take_part:
        lead = (message(lang, _one("elig_yes", need_members), **rule), rule_cited)
    else:
        lead = (message(lang, _one("elig_rule", need_members), **rule), rule_cited)
    return Draft(lines=[lead, *status_lines], computed=computed)


def _one(key: str, members: int) -> str:
    """The message for one Member State ("at least one of them an EU Member State": a count the sources write as a
    word), else ``key``."""
    return f"{key}_one" if members == 1 else key


def _in_strand(record: CountryStatus) -> bool:
    """Whether a status covers the strand of town twinning and networks of towns."""
    return "Citizens' engagement and participation" not in record.except_strands


def _status_lines(
    found: Stated[CountryStatus] | None,
    country: str,
    label: str,
    call: Call,
    lang: str,
    index: LexicalIndex,
) -> list[tuple[str, list[CitedValue]]]:
    """What the sources state of a non-member country's part in CERV in the call's year, cited; when no record holds
    for that year, that it is unknown, then the latest earlier status the sources state."""
    if found is not None and (line := _status_line(found, country, label, call, lang, index)):
        return [line]
    unknown = (message(lang, "elig_unknown", country=label, year=call.facts.year), [])
    earlier = [
        s
        for s in index.programme.statuses(country_label(country, "en"))
        if s.record.programme == "CERV" and (year := _year_of(s.record)) is not None and year < call.facts.year
    ]
    latest = max(earlier, key=lambda s: (_year_of(s.record), -DEFINITE.index(s.record.status)), default=None)
    line = _status_line(latest, country, label, call, lang, index) if latest is not None else None
    return [unknown, line] if line else [unknown]


def _overseas_line(
    country: str, label: str, call: Call, lang: str, index: LexicalIndex
) -> tuple[str, list[CitedValue]] | None:
    """That an overseas country or territory is one of the OCTs, cited by the first sentence of the documents saying
    that the OCTs' entities are eligible; None when none does."""
    for chunk in index.chunks:
        for position, sentence in enumerate(split_sentences(chunk.body)):
            if covers_country(sentence, country) and _ELIGIBLE.search(sentence):
                page = cited_source(Passage(chunk, 1.0), position)
                value = CitedValue(
                    "country", call, label, None, chunk, position, sentence, rank(page.kind, page.confidence)
                )
                return message(lang, "elig_overseas", country=label), [value]
    return None


_ELIGIBLE = re.compile(r"\beligible\b", re.I)


def _year_of(record: CountryStatus) -> int | None:
    """The year a status record is stated for: its year, the year it starts, or the day it was stated."""
    if record.year is not None:
        return record.year
    if record.since is not None:
        return record.since if isinstance(record.since, int) else record.since.year
    day = record.as_of or record.signed
    return day.year if day is not None else None


def _status_line(
    found: Stated[CountryStatus],
    country: str,
    label: str,
    call: Call,
    lang: str,
    index: LexicalIndex,
) -> tuple[str, list[CitedValue]] | None:
    """One status, cited by the sentence that states it; None when no sentence states it or it says too little."""
    record = found.record
    cited = _sentence_of(found, country, index)
    if cited is None:
        return None
    chunk, position, sentence = cited
    page = cited_source(Passage(chunk, 1.0), position)
    value = CitedValue("country", call, label, None, chunk, position, sentence, rank(page.kind, page.confidence))
    if record.status == "associated" and record.since is not None:
        since = record.since if isinstance(record.since, dt.date) else dt.date(record.since, 1, 1)
        return message(lang, "elig_associated", country=label, since=format_date(since, lang)), [value]
    if record.status == "eligible" and record.call is not None and record.year is not None:
        listed = index.calls.find(record.call, record.year)
        if listed:
            return message(lang, "elig_eligible", country=label, call=call_name(listed[0], lang)), [value]
    if record.status == "signed":
        return message(lang, "elig_signed", country=label), [value]
    if record.status == "close-to-joining" and record.as_of is not None:
        return message(lang, "elig_close", country=label, date=format_date(record.as_of, lang)), [value]
    return None


def _sentence_of(found: Stated[CountryStatus], country: str, index: LexicalIndex) -> tuple[Chunk, int, str] | None:
    """The sentence of the record's document that carries its source marker, names the country and states the
    record's day (the day its agreement applies from, or the day of the announcement) when it has one; else the
    first that carries the marker and names the country."""
    record = found.record
    day = record.since if isinstance(record.since, dt.date) else record.as_of
    chunks = [c for c in index.chunks if c.metadata.get("doc_id") == found.doc_id]
    candidates = [c for c in sentences_citing(chunks, found.source) if covers_country(c[2], country)]
    dated = [c for c in candidates if day is not None and format_date(day, "en") in c[2]]
    return next(iter(dated or candidates), None)
