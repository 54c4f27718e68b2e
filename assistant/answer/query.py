"""Understand a question without an LLM: its language, years, calls, what it asks for, and its context.

``analyse(question, history)`` returns a ``Query``: a follow-up ("And for networks of towns?") is made
standalone by carrying the call, year, programme and subject of the earlier turns forward, and greetings or
thanks are recognised so they are never searched.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.answer.languages import LANGUAGES, detect_language, english_terms, english_word
from assistant.answer.paraphrases import related_terms
from assistant.answer.places import countries_named, names_a_country, strip_countries
from assistant.retrieval.text import STOPWORDS, content_tokens, fold, words

if TYPE_CHECKING:
    from assistant.retrieval.lexical import LexicalIndex

# Folded patterns for the calls and bodies a question can name -> the corpus topic they belong to.
CALL_PATTERNS: dict[str, str] = {
    r"\bnetworks? of (?:towns?|cities)\b|\bnt\b|\bcitizens-town-nt\b|town-nt": "networks-of-towns",
    r"\btown[- ]?twinn?ing\b|\btwinn?ing calls?\b|\btt\b|town-tt": "town-twinning",
    r"\bremembrance\b|\brem\b|\bcitizens-rem": "remembrance",
    r"\brealis[ez]e?\b|\bcemr\b|\bccre\b|\brgre\b|\bcmre\b": "cemr",
}
_YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
PERIOD = re.compile(r"\b(19|20)\d{2}\s*[-–/]\s*(19|20)\d{2}\b")
CALL_ID = re.compile(r"\bcerv-\d{4}-[a-z-]+\b")

# What a question asks for, by folded cue words in the seven languages.
INTENT_CUES: dict[str, tuple[str, ...]] = {
    "upcoming": (
        "still apply",
        "upcoming",
        "open now",
        "currently open",
        "next deadline",
        "apply now",
        "still open",
        "can we apply",
        "encore",
        "prochain",
        "ancora",
        "prossim",
        "meg palyaz",
        "kovetkezo",
        "inca ",
        "urmator",
        "noch ",
        "nachste",
        "todavia",
        "proxim",
        "open calls",
        "calls open",
    ),
    "date": (
        "when",
        "deadline",
        "date",
        "close",
        "closing",
        "open",
        "until",
        "deadine",
        "dealine",
        "last day",
        "final day",
        "cut-off",
        "cutoff",
        "quand",
        "limite",
        "echeance",
        "quando",
        "scadenza",
        "mikor",
        "hatarido",
        "cand ",
        "termen",
        "wann",
        "frist",
        "cuando",
        "plazo",
        "fecha",
        "results",
        "announced",
    ),
    "amount": (
        "how much",
        "budget",
        "amount",
        "eur",
        "euro",
        "grant size",
        "maximum grant",
        "maximum amount",
        "minimum grant",
        "minimum amount",
        "envelope",
        "combien",
        "montant",
        "quanto",
        "importo",
        "bilancio",
        "mennyi",
        "osszeg",
        "koltsegvetes",
        "cat ",
        "suma",
        "buget",
        "wie viel",
        "betrag",
        "cuanto ",
        "cuanta ",
        "importe",
        "presupuesto",
        "worth",
        "max",
        "per project",
        "contributo",
        "hochstbetrag",
        "ceiling",
        "per network",
        "per town",
        "per municipality",
    ),
    "count": (
        "how many",
        "number of",
        "combien de",
        "quanti",
        "quante",
        "hany",
        "cate",
        "cati",
        "wie viele",
        "cuantos",
        "cuantas",
    ),
    "who": (
        "who",
        "eligible",
        "apply",
        "applicant",
        "which countries",
        "what countries",
        "take part",
        "participate",
        "qui ",
        "chi ",
        "ki ",
        "kik",
        "cine",
        "wer ",
        "quien",
        "elig",
        "jogosult",
        "berechtigt",
        "received",
        "recipients",
    ),
    "list": (
        "list",
        "which",
        "what are",
        "name the",
        "strands",
        "priorities",
        "quels",
        "quelles",
        "quali",
        "elenc",
        "melyek",
        "care sunt",
        "welche",
        "cuales",
        "enumer",
        "all the",
        "every",
    ),
}

_SMALL_TALK: dict[str, tuple[str, ...]] = {
    "greeting": (
        "hi",
        "hello",
        "hey",
        "good morning",
        "good afternoon",
        "good evening",
        "bonjour",
        "salut",
        "bonsoir",
        "ciao",
        "buongiorno",
        "buonasera",
        "salve",
        "szia",
        "sziasztok",
        "jo napot",
        "hello there",
        "buna",
        "buna ziua",
        "hallo",
        "guten tag",
        "guten morgen",
        "servus",
        "hola",
        "buenos dias",
        "buenas tardes",
        "hi there",
    ),
    "thanks": (
        "thanks",
        "thank you",
        "thx",
        "merci",
        "merci beaucoup",
        "grazie",
        "grazie mille",
        "koszonom",
        "kosz",
        "multumesc",
        "mersi",
        "danke",
        "vielen dank",
        "danke schon",
        "gracias",
        "muchas gracias",
        "great thanks",
        "ok thanks",
        "perfect thanks",
        "thank you very much",
    ),
    "bye": (
        "bye",
        "goodbye",
        "see you",
        "au revoir",
        "arrivederci",
        "viszontlatasra",
        "la revedere",
        "tschuss",
        "auf wiedersehen",
        "adios",
        "hasta luego",
    ),
    "about": (
        "who are you",
        "what are you",
        "what can you do",
        "qui es tu",
        "qui etes vous",
        "chi sei",
        "ki vagy",
        "cine esti",
        "wer bist du",
        "quien eres",
        "help",
    ),
}

_FOLLOW_UP_START = re.compile(
    r"^(and|what about|how about|also|same|et|e|ed|es|si|und|y|mais|but|then|ok and|and the|and what|and who|"
    r"and when|and how)\b"
)
_ANAPHORA = re.compile(
    r"\b(it|its|that|this|those|these|they|them|there|same|previous|ce|cette|celui|cela|quello|quella|questo|"
    r"questa|az|ez|azt|ezt|acesta|aceasta|acel|acea|das|dies|dieser|diese|dem|eso|ese|esa|este|esta)\b"
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


_COUNT_CUE = re.compile(
    r"\b(?:how many|number of|combien d[e']?|quant[ie]|hany|cat[ie]|wie viele|cuant[oa]s)\s+([a-z\s-]+)"
)


# Auxiliaries that end what a count in another language counts ("combien de jeunes ont participé").
_FOREIGN_VERBS = frozenset(
    "ont sont etaient ete hanno sono erano stati state sunt au fost haben hatten sind waren wurden han fueron son "
    "eran volt voltak vannak kaptak".split()
)


def counted_terms(question: str, lang: str) -> list[str]:
    """What a "how many" question counts: the content words right after its cue, up to the first function
    word, in English ("how many TT projects were funded" -> tt, projects; "cuántos proyectos" -> projects).
    Empty when the cue is followed by a verb ("how many were given")."""
    match = _COUNT_CUE.search(fold(question))
    if not match:
        return []
    out: list[str] = []
    for word in match.group(1).split()[:3]:
        if word in STOPWORDS or (lang != "en" and word in _FOREIGN_VERBS):
            break
        # A foreign noun without an English equivalent is kept: no English count will then pass for it.
        out.append(english_word(word, lang))
    return out


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
    counted: list[str] = field(default_factory=list)
    related: dict[str, frozenset[str]] = field(default_factory=dict)
    countries: list[str] = field(default_factory=list)
    small_talk: str | None = None
    follow_up: bool = False

    @property
    def search_text(self) -> str:
        """What retrieval searches: the standalone question plus English equivalents of foreign terms."""
        return " ".join([self.standalone, *self.english]).strip()

    @property
    def search_tokens(self) -> list[str]:
        """The lexical search's tokens: those of ``search_text``, then the corpus's words for its everyday ones."""
        own = content_tokens(self.search_text)
        return own + [t for t in dict.fromkeys(t for alts in self.related.values() for t in alts) if t not in own]


# Words a "what can we still apply for?" question may hold besides its cue: calls, programmes, time.
_UPCOMING_WORDS = frozenset(
    content_tokens(
        "call calls apply application applications grant grants fund funding twinning town towns network networks "
        "cerv eu programme open now today year currently still deadline deadlines submit left available next "
        "upcoming remembrance citizens european opportunities right moment soon coming months weeks possible"
    )
)


def _asks_more(question: str) -> bool:
    """Whether a question naming an upcoming-calls cue also asks about something else (a condition, a subject)."""
    return any(not t.isdigit() and t not in _UPCOMING_WORDS for t in content_tokens(question))


def _cue_pattern(cue: str) -> str:
    """A cue matches at a word start; short cues ("max", "cat") and cues written with a final space ("cuanto ",
    not "cuantos") only as whole words."""
    whole = cue.endswith(" ")
    cue = cue.strip()
    end = r"\b" if len(cue) <= 4 or whole else ""
    return rf"\b{re.escape(cue)}{end}"


_INTENT_RES = {name: re.compile("|".join(_cue_pattern(c) for c in cues)) for name, cues in INTENT_CUES.items()}


# The event a date question asks about, read from the folded question (English or mapped English terms).
_DATE_EVENTS = {
    "date_results": re.compile(
        r"\b(results?|hear back|find out|informed|notified|notification|outcome|selected|announced|evaluation)\b"
    ),
    "date_open": re.compile(
        r"\b(open|opens|opened|opening|launch\w*|start (sending|submitting|applying|accepting)\w*|from what date)\b"
    ),
    "date_close": re.compile(r"\b(deadline|close|closes|closed|closing|until|due|last day)\b"),
}


_SIZED_GRANT = re.compile(
    r"\b(maximum|minimum|max|min|largest|biggest|smallest|highest|lowest|ceiling)\b(\s+[\w-]+){0,2}?\s+"
    r"(grants?|funding|amounts?|contributions?|awards?)\b"
)


# A maximum asked for, in any of the seven languages: maximum/maximal/maximă/máximo, massimo, Höchstbetrag, legfeljebb.
_MAXIMUM_ASKED = re.compile(
    r"\b(maximum|max|up to|at most|ceiling|the most|cap|highest|largest|biggest|maxim\w*|massim\w*|hochst\w*"
    r"|legfeljebb|legmagasabb)\b"
)


def _intents(folded: str) -> list[str]:
    # A budget line or heading is a place in the EU budget, not an amount.
    folded = re.sub(r"\bbudget (line|heading)", r"\1", folded)
    found = [name for name, pattern in _INTENT_RES.items() if pattern.search(folded)]
    if "amount" not in found and _SIZED_GRANT.search(folded):  # "the maximum twinning grant"
        found.append("amount")
    if "amount" in found and "count" in found:
        # "combien de projets", "cuantos": the amount cue is only the start of a count cue.
        counts = [m.span() for m in _INTENT_RES["count"].finditer(folded)]
        amounts = [m.span() for m in _INTENT_RES["amount"].finditer(folded)]
        if all(any(a <= x and y <= b for a, b in counts) for x, y in amounts):
            found.remove("amount")
    if re.search(
        r"\b(what time|which time|time of day|hour|uhrzeit|heure|ora |orario|hany orakor|ora exacta|hora)\b", folded
    ):
        found += [i for i in ("date", "time") if i not in found]
    if "date" in found and "upcoming" not in found:
        # Which date: a call's opening, its closing, or when results came out (each must be what is answered).
        found += [event for event, pattern in _DATE_EVENTS.items() if pattern.search(folded)][:1]
    if "amount" in found:
        # Which amount: the call's whole budget, or what one project gets.
        if re.search(
            r"\b(per[- ]project|each project|per (municipality|town|network)|grant size|maximum grant|max"
            r"|minimum|how much (can|could|does|do|did|will)|par projet|per progetto|por proyecto|pro projekt"
            r"|pe proiect|projektenkent|up to|maxim\w*|massim\w*|hochst\w*|legfeljebb|legmagasabb|ceiling|cap)\b",
            folded,
        ):
            found.append("per_project")
            if _MAXIMUM_ASKED.search(folded):
                found.append("maximum")
        elif re.search(
            r"\b(budget|overall|total|envelope|in total|whole call|bilancio|dotazione|koltsegvetes|keret"
            r"|buget|haushalt|presupuesto|gesamt)",
            folded,
        ):
            found.append("budget")
    return found


def _topics(folded: str) -> list[str]:
    found: list[str] = []
    for pattern, topic in CALL_PATTERNS.items():
        if re.search(pattern, folded) and topic not in found:
            found.append(topic)
    return found


def topics_named(text: str) -> list[str]:
    """The calls and the CEMR scheme an English text names ("the 2024 Networks of Towns call" -> networks-of-towns)."""
    return _topics(fold(text))


def _entities(text: str) -> tuple[list[int], list[str], list[str]]:
    folded = fold(text)
    # Calls named in any supported language ("redes de ciudades", "gemellaggio") count as the call.
    topics = _topics(" ".join([folded, *(t for lang in LANGUAGES[1:] for t in english_terms(text, lang))]))
    # "2021-2027" or "2014-2020" names a programme period, not a call year.
    years = [int(y) for y in dict.fromkeys(_YEAR.findall(PERIOD.sub(" ", folded)))]
    call_ids = [c.upper() for c in dict.fromkeys(CALL_ID.findall(folded))]
    return years, topics, call_ids


def small_talk_kind(text: str) -> str | None:
    """'greeting', 'thanks', 'bye' or 'about' when the whole message is small talk; else None."""
    folded = " ".join(re.sub(r"[^\w\s]", " ", fold(text)).split())
    if not folded or len(folded.split()) > 6:
        return None
    for kind, phrases in _SMALL_TALK.items():
        for phrase in phrases:
            if folded == phrase or (folded.startswith(phrase + " ") and len(folded.split()) <= len(phrase.split()) + 2):
                rest = folded[len(phrase) :].split()
                if all(w in {"there", "all", "you", "so", "much", "a", "lot", "again", "everyone", "!"} for w in rest):
                    return kind
    return None


def is_follow_up(text: str, history_present: bool) -> bool:
    """Whether a question leans on earlier turns (starts with "and", points back, or names too little)."""
    if not history_present:
        return False
    folded = " ".join(re.sub(r"[^\w\s-]", " ", fold(text)).split())
    if _FOLLOW_UP_START.match(folded) or _ANAPHORA.search(folded):
        return True
    content = [t for t in words(folded) if t not in _FILLER]
    years, topics, _ = _entities(text)
    return len(content) <= 4 and not (topics and _intents(folded))


def _strip(text: str, patterns: list[str]) -> str:
    for pattern in patterns:
        text = re.sub(pattern, " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def condense(question: str, history: list[dict[str, str]]) -> tuple[str, bool]:
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
            follows = previous is not None and is_follow_up(content, True)
            previous = _merge(content, previous) if follows else content
    if previous is None or not is_follow_up(question, True):
        return question, False
    return _merge(question, previous), True


def _merge(question: str, previous: str) -> str:
    years, topics, call_ids = _entities(question)
    remove: list[str] = []
    if years or call_ids:
        remove.append(r"\b(19[89]\d|20[0-4]\d)\b")
    if topics or call_ids:
        remove += [p for p, topic in CALL_PATTERNS.items() if topic not in ("cemr",) or "cemr" in topics]
        remove.append(CALL_ID.pattern)
    if names_a_country(question):
        # "And in Sweden?" after a question about France asks about Sweden only.
        previous = strip_countries(previous)
    own_intents = _intents(fold(question))
    if own_intents and not set(own_intents) <= {"list"}:
        # The new question asks its own thing: carry only the names of the previous one (its year, call,
        # programme or body: "CEMR", "REALISE", "2024 town twinning"), not what it asked about.
        return " ".join([question, *_context(_strip(previous, remove))]).strip()
    subject = [w for w in words(_strip(fold(question), [*CALL_PATTERNS, _YEAR.pattern])) if w not in _FILLER]
    if len([w for w in subject if w not in STOPWORDS]) >= 2:
        # A new subject ("And the Union values strand?"): carry what the previous question asked for (its cue
        # words: "how much") and its names, not its old subject.
        folded_previous = fold(previous)
        cues = [m.group(0).strip() for p in _INTENT_RES.values() if (m := p.search(folded_previous))]
        return " ".join([question, *dict.fromkeys(cues), *_context(_strip(previous, remove))]).strip()
    return f"{question} {_strip(fold(previous), remove)}".strip()


def _context(text: str) -> list[str]:
    """The names of a question: its years, calls, and capitalised names or acronyms (not its first word)."""
    names = re.findall(r"\b(?:[A-Z][\w-]*[A-Z][\w-]*|[A-Z][a-z]+(?:-[A-Z]\w+)*)\b", text)
    names = [n for i, n in enumerate(names) if not (i == 0 and text.startswith(n) and not n.isupper())]
    years, topics, _ = _entities(text)
    context = [str(y) for y in years] + [_TOPIC_WORDS.get(t, "") for t in topics] + names
    return list(dict.fromkeys(c for c in context if c))


def analyse(question: str, history: list[dict[str, str]] | None = None, language: str | None = None) -> Query:
    """Everything the retriever and composer need to know about ``question`` in its conversation."""
    history = history or []
    kind = small_talk_kind(question)
    previous_lang = next(
        (detect_language(t["content"]) for t in reversed(history) if t.get("role") == "user" and t.get("content")),
        "en",
    )
    lang = language or detect_language(question, default=previous_lang)
    if kind:
        return Query(question, question, lang, small_talk=kind)
    standalone, follow_up = condense(question, history)
    countries = countries_named(standalone, lang)
    english: list[str] = []
    if lang != "en":  # the English words of its domain terms and country names ("Deutschland" -> germany)
        english = english_terms(standalone, lang) + [c for c in countries if c not in fold(standalone)]
    search = " ".join([standalone, *english])
    years, topics, call_ids = _entities(search)
    own_intents = _intents(" ".join([fold(question), *english_terms(question, lang)]))
    intents = own_intents or _intents(fold(search))
    if "upcoming" in intents and lang == "en" and _asks_more(question):
        # "Our towns aren't officially twinned. Can we still apply?" asks whether they may, not what is open.
        intents = [i for i in intents if i != "upcoming"]
    if "duration" in " ".join(english).split() and "amount" in intents:
        # "quanto dura", "mennyi ideig", "cuánto dura": how long, not how much.
        intents = [i for i in intents if i not in ("amount", "per_project", "budget", "maximum")]
    counted = counted_terms(question, lang)
    if "count" in intents and {"money", "euro", "eur", "funding", "funds"} & set(counted):
        # "Quanti soldi", "how many euros": a count of money is an amount.
        intents = [i for i in intents if i != "count"] + (["amount"] if "amount" not in intents else [])
        counted = []
    return Query(
        text=question,
        standalone=standalone,
        language=lang,
        years=years,
        topics=topics,
        call_ids=call_ids,
        intents=intents,
        english=english,
        counted=counted,
        related=related_terms(search),
        countries=countries,
        follow_up=follow_up,
    )


def correct_typos(question: str, index: LexicalIndex, dictionary: Collection[str] = ()) -> str:
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
