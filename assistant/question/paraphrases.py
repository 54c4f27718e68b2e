"""Everyday English words for the corpus's terms: "money" for funding, "turned down" for rejected, "cut-off" for
the deadline.

Officers write the way they speak; the official pages use the programme's vocabulary. This thesaurus lets a
question's word count as covered when a sentence uses the programme's word for it, and lets the lexical search
look for that word too. It is a vocabulary of the domain (written from the corpus's terms, not from questions),
one entry per everyday phrase; the other languages' terms are mapped to English in ``languages.py`` first.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.question.text import content_tokens, fold

# Everyday phrase (folded) -> the corpus's words for it. Phrases match as whole words; longer phrases first.
PARAPHRASES: dict[str, str] = {
    # the programme's strands, numbered
    "first strand": "1",
    "second strand": "2",
    "third strand": "3",
    "fourth strand": "4",
    # money and amounts
    "money": "funding budget grant",
    "cash": "funding grant",
    "funds": "funding budget",
    "financing": "funding grant",
    "cofinancing": "funding rate",
    "co-financing": "funding rate",
    "cofunding": "funding rate",
    "co-funding": "funding rate",
    "co-financing rate": "funding rate",
    "cofinancing rate": "funding rate",
    "pot": "budget",
    "cap": "maximum",
    "ceiling": "maximum",
    "upper limit": "maximum",
    "max": "maximum",
    "biggest": "maximum",
    "largest": "maximum",
    "highest": "maximum",
    "min": "minimum",
    "smallest": "minimum",
    "lowest": "minimum",
    "least": "minimum",
    "reimburse": "costs lump sum",
    "refund": "costs lump sum",
    "receipts": "costs reporting",
    "invoices": "costs reporting",
    "expenses": "costs",
    # applying
    "bid": "proposal",
    "bids": "proposals",
    "application": "proposal",
    "applications": "proposals",
    "submission": "submitted",
    "entries": "proposals",
    "hand in": "submit",
    "send in": "submit",
    "send": "submit",
    "sent": "submitted",
    "file": "submit",
    "lodge": "submit",
    "step": "stage",
    "steps": "stages",
    "concept note": "stage submission",
    "register": "participant register pic",
    "registration": "participant register pic",
    "account": "eu login",
    "sign up": "eu login register",
    # dates
    "cut-off": "deadline",
    "cutoff": "deadline",
    "ddl": "deadline",
    "last day": "deadline",
    "final date": "deadline",
    "closing date": "deadline",
    "stop accepting": "deadline closes",
    "kick off": "opened",
    "start accepting": "opened",
    "hour": "time",
    "how long": "duration months",
    "length": "duration",
    "duration": "months lasted",
    # outcomes
    "turned down": "rejected",
    "refused": "rejected",
    "unsuccessful": "rejected",
    "failed": "rejected",
    "not good enough": "insufficient quality",
    "ran out": "lack of budget",
    "won": "funded awarded",
    "winners": "funded awarded selected",
    "successful": "funded awarded selected",
    "financed": "funded",
    "granted": "awarded",
    "got money": "funded awarded",
    "hear back": "results informed",
    "outcome": "results",
    "waiting list": "reserve list",
    # people and bodies
    "hq": "headquarters",
    "head office": "headquarters",
    "young people": "young",  # not the participants in general
    "people": "participants",
    "attendees": "participants",
    "guests": "participants invited",
    "visitors": "participants invited",
    "delegates": "participants",
    "mep": "vote member parliament",
    "meps": "votes members parliament",
    "abroad": "invited other countries",
    "foreign": "invited other countries",
    "city hall": "municipality",
    "town hall": "municipality",
    "council": "municipality local authority",
    "councils": "municipalities local authorities",
    "city": "town municipality",
    "cities": "towns municipalities",
    "villages": "towns municipalities",
    "ngo": "non-profit organisation",
    "ngos": "non-profit organisations",
    "charity": "non-profit organisation",
    "charities": "non-profit organisations",
    "club": "association",
    "answers": "responses",
    "replies": "responses",
    "take over from": "replaced predecessor repealed",
    "took over from": "replaced predecessor repealed",
    "replace": "repealed predecessor",
    "replaced": "repealed predecessor",
    "predecessor": "repealed replaced",
    "part of cerv": "strand",
    "bit of cerv": "strand",
    "section of cerv": "strand",
    "pillar": "strand",
    "partner": "co-applicant",
    "partners": "co-applicants",
    # several applicants together, or one alone (the grant's beneficiaries)
    "consortium": "multi-beneficiary mono-beneficiary",
    "several applicants": "multi-beneficiary mono-beneficiary",
    "member states": "eu member states",
    "about to join": "close joining",
    "become": "became renamed",
    "becomes": "became renamed",
    "turn into": "became renamed",
    "turned into": "became renamed",
    "sec gen": "secretary general",
    "secgen": "secretary general",
    "ncp": "national contact point",
    "ncps": "national contact points",
    "e-mail address": "mailbox",
    "email address": "mailbox",
    "mail address": "mailbox",
    "email": "mailbox",
    "e-mail": "mailbox",
    "mail": "mailbox",
    "helpdesk": "contact point",
    "help desk": "contact point",
    # what a project does
    "goal": "objective aim",
    "goals": "objectives aims",
    "purpose": "objective aim",
    "achieve": "objective aim",
    "focus": "priority theme",
    "topics": "themes priorities",
    "theme": "priority topic",
    "themes": "priorities topics",
    "happen": "take place held",
    "take place": "held",
    "runs": "manages managed implements",
    "ran": "managed implemented",
    "ends": "runs",
    "end": "runs",
    "run by": "managed implemented",
    "run": "manage managed implement",
    "in charge": "manages managed",
    "pay for": "fund funds finances",
    "pays for": "funds finances",
    "info session": "information day webinar",
    "briefing": "information day webinar",
    "worked out": "calculated",
    "set up": "established founded",
    "legal act": "regulation",
    "law": "regulation",
    "subjects": "themes priorities",
    "kind": "type",
    "sort": "type",
    "sorts": "types",
    "meeting": "event",
    "meetings": "events",
    "exchange": "event meeting",
    "exchanges": "events meetings",
    "rules": "eligibility conditions",
    "requirements": "eligibility conditions",
    "allowed": "eligible",
    "qualify": "eligible",
    # chat shorthand
    "efc": "europe citizens",
    "org": "organisation",
    "orgs": "organisations",
    "sept": "september",
    "lang": "language",
    "langs": "languages",
    "one go": "single-stage",
    "in one go": "single-stage",
    "comuni": "municipalities",
}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    phrases = sorted(PARAPHRASES, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in phrases) + r")(?![\w-])")


@lru_cache(maxsize=1)
def _expansions() -> dict[str, frozenset[str]]:
    return {phrase: frozenset(content_tokens(words)) for phrase, words in PARAPHRASES.items()}


def related_terms(text: str) -> dict[str, frozenset[str]]:
    """Each content token of the everyday phrases in ``text`` -> the corpus's tokens for it
    ("turned down" -> {"turn": {"reject"}})."""
    out: dict[str, frozenset[str]] = {}
    expansions = _expansions()
    for match in _pattern().finditer(fold(text)):
        for token in content_tokens(match.group(0)) or [match.group(0)]:
            out[token] = out.get(token, frozenset()) | expansions[match.group(0)]
    return out
