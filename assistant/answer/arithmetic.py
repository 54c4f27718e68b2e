"""The difference of two amounts the quoted sentences state, when the question asks for its amount.

"How much more did the Parliament approve than the Commission proposed?", "how much of the 14 million was not
used?": the registry computes such answers for call facts (``answer/facts.py``); for figures found only in passages
the extractive composer asks this module. It computes only when the operands are unambiguous: exactly two different
euro amounts between the question's own figures and the first two quoted sentences that state an amount (a
sentence stating a range, or a third figure anywhere among them, and nothing is computed), and only for a question
asking the amount of a difference ("how much more", "by how much", "left over": ``difference_amount`` in the
lexicons), not one merely comparing ("compare", "vs": which figure is which is then not known) or adding ("together"
asks a sum as often as it says "jointly"). The result is written with its operands ("EUR 14,000,000 − EUR
13,958,147 = EUR 41,853"), so the reader sees what was computed.
"""

from __future__ import annotations

from assistant.answer.citations import values
from assistant.answer.messages import message
from assistant.dates import format_amount
from assistant.question.lexicon import asks_difference_amount
from assistant.question.query import Query


def operate(query: Query, sentences: list[str]) -> tuple[str, str] | None:
    """The sentence giving the difference asked for, and the computed value as written; None when the question
    asks none or the operands are not exactly two amounts."""
    if not asks_difference_amount(query.text, query.language):
        return None
    found: list[int] = [int(v) for v in values(query.text)["amount"]]
    stating = [amounts for s in sentences if (amounts := values(s)["amount"])][:2]
    if any(len(amounts) > 1 for amounts in stating):  # a range, or two figures in one sentence: which is which?
        return None
    for amounts in stating:
        found += [int(v) for v in amounts]
    operands = sorted(set(found), reverse=True)
    if len(operands) != 2 or not stating:
        return None
    lang = query.language
    high, low = (format_amount(n, lang) for n in operands)
    value = format_amount(operands[0] - operands[1], lang)
    return message(lang, "difference_of", high=high, low=low, value=value), value
