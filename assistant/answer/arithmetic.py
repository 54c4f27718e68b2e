"""The difference of two amounts the quoted sentences state, when the question asks for its amount.

"How much more did the Parliament approve than the Commission proposed?", "how much of the 14 million was not used?":
the registry computes such answers for call facts (``answer/facts.py``); for figures found only in passages the
extractive composer asks this module. It computes only when the operands are unambiguous: exactly two different euro
amounts between the question's own figures and the first two of the best four quoted sentences that each state one new
amount (repeats of a figure at hand are passed over, a figure two of them state beside another is their context and
not an operand, a later sentence stating two figures is no operand; when the best
sentence states a range, or a third figure appears among them, nothing is computed), and only for a question asking the
amount of a difference ("how much more", "by how much", "left over": ``difference_amount`` in the lexicons), not one
merely comparing ("compare", "vs": which figure is which is then not known) or adding ("together" asks a sum as often as
it says "jointly"). The result is written with its operands ("EUR 14,000,000 − EUR 13,958,147 = EUR 41,853"), so the
reader sees what was computed.
"""

from __future__ import annotations

from assistant.answer.citations import values
from assistant.answer.messages import message
from assistant.dates import format_amount
from assistant.question.lexicon import asks_difference_amount
from assistant.question.query import Query

# How many of the quoted sentences, best first, may state the operands.
_READ = 4


def operate(query: Query, sentences: list[str]) -> tuple[str, str] | None:
    """The sentence giving the difference asked for, and the computed value as written; None when the question
    asks none or the operands are not exactly two amounts."""
    if not asks_difference_amount(query.text, query.language):
        return None
    found: list[int] = [int(v) for v in values(query.text)["amount"]]
    stating = 0
    read = [{int(v) for v in values(sentence)["amount"]} for sentence in sentences[:_READ]]
    # A figure several of them state beside another is their common context ("within the CERV legal envelope of
    # EUR 641,705,000, the Union values strand receives ..."), not an operand.
    context = {a for amounts in read for a in amounts if sum(a in other for other in read if len(other) > 1) >= 2}
    for amounts in read:
        amounts = (amounts - context) or amounts if len(amounts) > 1 else amounts
        if not amounts or amounts <= set(found):  # no figure, or a repeat of one already at hand
            continue
        if len(amounts) > 1:  # a range, or two figures in one sentence: which is which?
            if not stating:
                return None  # the best sentence itself: its figures are what is asked about
            continue  # a later one: not an operand
        found += amounts
        stating += 1
        if stating == 2:
            break
    operands = sorted(set(found), reverse=True)
    if len(operands) != 2 or not stating:
        return None
    lang = query.language
    high, low = (format_amount(n, lang) for n in operands)
    value = format_amount(operands[0] - operands[1], lang)
    return message(lang, "difference_of", high=high, low=low, value=value), value
