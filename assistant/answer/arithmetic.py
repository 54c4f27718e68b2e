"""The difference or the sum of figures the quoted sentences state, when the question asks for it.

"How much more did the Parliament approve than the Commission proposed?", "how much of the 14 million was not used?",
"how many proposals were rejected for lack of budget or quality combined?": the registry computes such answers for
call facts (``answer/facts.py``); for figures found only in passages the extractive composer asks this module. The
figures are euro amounts, or, for a question asking how many, counts of things (not years, days of dates, amounts,
percentages or the numbers of ids, articles and strands).

- **A difference** is computed only when the operands are unambiguous: exactly two different figures between the
  question's own figures and the first two of the best four quoted sentences that each state one new figure (repeats
  of a figure at hand are passed over, a figure two of them state beside another is their context and not an
  operand, a later sentence stating two figures is no operand; when the best sentence states a range, or a third
  figure appears among them, nothing is computed), and only for a question asking the size of a difference ("how
  much more", "how many fewer", "by how much", "left over": ``difference_amount`` in the lexicons), not one merely
  comparing ("compare", "vs": which figure is which is then not known).
- **An average** is computed for a question asking one ("the average grant per network") from the first of the best
  quoted sentences that states one count and the total amount of what it counts ("30 grants were awarded for a
  total of EUR 5,984,775": EUR 5,984,775 ÷ 30 = EUR 199,493, rounded to the euro).
- **A sum** is computed for a question asking how many in total ("combined", "altogether", "in total") when the best
  sentence states two or more counts side by side ("472 votes in favour, 129 against and 41 abstentions"), states no
  total of its own, and none of its counts is part of another ("524 proposals, 209 of them ...").

The result is written with its operands ("EUR 14,000,000 − EUR 13,958,147 = EUR 41,853", "27 + 43 = 70"), so the
reader sees what was computed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answer.citations import values
from assistant.answer.gates import YEARISH_ALL, event_words
from assistant.answer.messages import message
from assistant.dates import format_amount, format_count
from assistant.question.intents import word_pattern
from assistant.question.lexicon import asks_difference_amount, asks_years_between, left_out
from assistant.question.query import CALL_PATTERNS, PERIOD, PROGRAMME_PATTERNS, Query
from assistant.question.text import fold, tokens

# How many of the quoted sentences, best first, may state the operands.
_READ = 4

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
# What is no count: a date, a time, an amount in euro, a percentage, a programme period or a year.
_NOT_COUNTS = re.compile(
    rf"\b\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?\b|\b\d{{1,2}}[:.]\d{{2}}\b"
    r"|(?:EUR|€)\s*[\d.,]+(?:\s*(?:million|billion))?|[\d.,]+\s*(?:million|billion)?\s*(?:EUR|€|euros?)"
    r"|\b[\d.,]+\s*(?:%|per ?cent)|\b(?:19|20)\d{2}\s*[-–/]\s*(?:19|20)\d{2}\b|\b(?:19|20)\d{2}\b",
    re.I,
)
# A number that counts: written alone (not inside an id such as "CERV-2024-..." or "B.3", nor after a word that
# numbers something: "strand 3", "Article 4", "COM(2011) 884").
_COUNT = re.compile(r"(?<![\w.\-/)])(\d{1,3}(?:,\d{3})+|\d+)(?![\w\-/]|[.,]\d)")
_NUMBERING = re.compile(
    r"\b(?:strand|action|topic|article|version|unit|no|number|level|step|phase|annex|point|section)\s*$|\)\s*$",
    re.I,
)
# Words of a sentence that state a part of a whole it counts ("524 proposals, 209 of them ...").
_PART_WORDS = ("of them", "of which", "out of")
_PART = re.compile(rf"\b(?:{'|'.join(_PART_WORDS)})\b", re.I)
# Words of a sentence that relate its counts as part and whole, or state their total itself.
_PART_OF = re.compile(rf"\b(?:{'|'.join([*_PART_WORDS, 'of the', 'among them', 'including', 'total'])})\b|%", re.I)


def counts(sentence: str) -> list[int]:
    """The counts of things a sentence states, in order ("472 votes in favour, 129 against" -> [472, 129])."""
    text = _NOT_COUNTS.sub(" ", sentence)
    return [int(m.group(1).replace(",", "")) for m in _COUNT.finditer(text) if not _NUMBERING.search(text[: m.start()])]


def operate(query: Query, sentences: list[str]) -> tuple[str, str] | None:
    """The sentence giving the difference or sum asked for, and the computed value as written; None when the
    question asks none or the operands are not unambiguous."""
    lang = query.language
    if asks_years_between(query.asked or query.text, lang) and (between := _years_between(query, sentences)):
        return between
    if averaged := _average(query, sentences):
        return averaged
    if "count" in query.intents and (summed := _sum(query, sentences)):
        return summed
    if "count" in query.intents and (rest := _rest(query, sentences)):
        return rest
    # "How much of the budget was not awarded?" asks the size of a difference as "how much more" does.
    denied = "amount" in query.intents and word_pattern("negation").search(fold(query.asked or query.text))
    if not (asks_difference_amount(query.text, lang) or denied):
        return None
    if "count" in query.intents and "amount" not in query.intents:
        read: Callable[[str], set[int]] = lambda text: set(counts(text))  # noqa: E731
        write: Callable[[int, str], str] = format_count
    else:
        read, write = (lambda text: {int(v) for v in values(text)["amount"]}), format_amount
    operands = _two_operands(read(query.text), [_restated(read(s)) for s in sentences[:_READ]])
    if operands is None:
        return None
    high, low = (write(n, lang) for n in operands)
    value = write(operands[0] - operands[1], lang)
    return message(lang, "difference_of", high=high, low=low, value=value), value


def _years_between(query: Query, sentences: list[str]) -> tuple[str, str] | None:
    """The years between two events, for a question asking how many ("how many years between CEMR's founding and
    its renaming?": 1984 − 1951 = 33 years). The operands are the question's own years and those of the best quoted
    sentences, each sentence's read in its clauses naming one of the events asked (``event_words``: "its founding
    on 28 January 1951", not "its 75th anniversary on 28 January 2026"), then chosen as for a difference
    (``_two_operands``)."""
    question = query.asked or query.text
    asked = {int(y) for y in YEARISH_ALL.findall(PERIOD.sub(" ", question))}
    # Another language's question names its events by their English terms ("fondazione": founded), not its bodies.
    named = [*CALL_PATTERNS, *PROGRAMME_PATTERNS]
    english = [term for term in query.english if not any(re.search(p, term) for p in named)]
    event = event_words(question) | {t for term in english for t in tokens(term)}
    read = []
    for sentence in sentences[:_READ]:
        clauses = [c for c in _CLAUSE.split(sentence) if event & set(tokens(c))]
        read.append({int(y) for c in clauses for y in YEARISH_ALL.findall(PERIOD.sub(" ", c))})
    operands = _two_operands(asked, read)
    if operands is None:
        return None
    value = str(operands[0] - operands[1])
    return message(query.language, "years_between", high=operands[0], low=operands[1], value=value), value


# Where a sentence's clauses part: a comma, semicolon or colon before a space.
_CLAUSE = re.compile(r"[,;:](?=\s)")


# How near two figures of one sentence are when one is the other rounded ("EUR 187,718,000, also written as EUR 187.7
# million"): a share of the larger.
_ROUNDED = 0.005


def _restated(figures: set[int]) -> set[int]:
    """A sentence's figures with a figure written again rounded counted once, in full."""
    out: set[int] = set()
    for figure in sorted(figures, key=lambda f: len(str(f)) - len(str(f).rstrip("0"))):  # the most precise first
        if not any(abs(figure - kept) <= _ROUNDED * max(figure, kept) for kept in out):
            out.add(figure)
    return out


def _two_operands(asked: set[int], read: list[set[int]]) -> tuple[int, int] | None:
    """The two figures of a difference, the larger first: the question's own and those of the quoted sentences
    (``read``: each one's figures, best first), or None when they are not exactly two."""
    found: list[int] = list(asked)
    stating = 0
    # A figure several of them state beside another is their common context ("within the CERV legal envelope of
    # EUR 641,705,000, the Union values strand receives ..."), not an operand.
    context = {a for figures in read for a in figures if sum(a in other for other in read if len(other) > 1) >= 2}
    for figures in read:
        figures = (figures - context) or figures if len(figures) > 1 else figures
        if not figures or figures <= set(found):  # no figure, or a repeat of one already at hand
            continue
        if len(figures) > 1:  # a range, or two figures in one sentence: which is which?
            if not stating:
                return None  # the best sentence itself: its figures are what is asked about
            continue  # a later one: not an operand
        found += figures
        stating += 1
        if stating == 2:
            break
    operands = sorted(set(found), reverse=True)
    if len(operands) != 2 or not stating:
        return None
    return operands[0], operands[1]


def _rest(query: Query, sentences: list[str]) -> tuple[str, str] | None:
    """The whole less its part, for a question counting what is not in the part ("how many were NOT under the
    Holocaust topic?") when the best sentence states a whole and a part of it ("524 proposals, 209 of them under
    the Holocaust remembrance topic")."""
    text = fold(query.asked or query.text)
    if not sentences or not (word_pattern("negation").search(text) or left_out(text, query.language)):
        return None
    best = sentences[0]
    found = counts(best)
    if len(found) != 2 or not _PART.search(best):
        return None
    whole, part = max(found), min(found)
    lang = query.language
    high, low, value = format_count(whole, lang), format_count(part, lang), format_count(whole - part, lang)
    return message(lang, "difference_of", high=high, low=low, value=value), value


def _average(query: Query, sentences: list[str]) -> tuple[str, str] | None:
    """A total amount shared out over the count it is the total of, for a question asking an average ("the average
    grant per network"), from the first of the best quoted sentences stating one count and one total amount ("30
    grants were awarded for a total of EUR 5,984,775")."""
    if not word_pattern("average").search(fold(query.asked or query.text)):
        return None
    for sentence in sentences[:_READ]:
        found, amounts = counts(sentence), _restated({int(v) for v in values(sentence)["amount"]})
        if len(found) == 1 and len(amounts) == 1 and found[0] and word_pattern("total").search(fold(sentence)):
            lang, total = query.language, amounts.pop()
            value = format_amount(int(total / found[0] + 0.5), lang)
            return message(lang, "average_of", total=format_amount(total, lang), count=found[0], value=value), value
    return None


def _sum(query: Query, sentences: list[str]) -> tuple[str, str] | None:
    """The sum of the counts the best sentence states side by side, for a question asking how many in total."""
    text = query.asked or query.text
    if not sentences or (query.operation != "sum" and not word_pattern("total").search(fold(text))):
        return None
    best = sentences[0]
    found = counts(best)
    if len(found) < 2 or _PART_OF.search(best):
        return None
    lang = query.language
    value = format_count(sum(found), lang)
    terms = " + ".join(format_count(n, lang) for n in found)
    return message(lang, "compare_sum", value=f"{terms} = {value}"), value
