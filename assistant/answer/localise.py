"""A quoted corpus sentence in the question's language: its aligned translation when the corpus has one
(``LexicalIndex.sentence_translations``), else the English sentence between “ ” marked as quoted from the English
source (the evaluation's answer-language metric leaves text between “ ” out)."""

from __future__ import annotations

from assistant.answer.messages import message
from assistant.retrieval.lexical import LexicalIndex


def in_language(sentence: str, doc_id: str, lang: str, index: LexicalIndex) -> str:
    """``sentence`` of the original document ``doc_id`` as an officer asking in ``lang`` reads it."""
    if lang == "en":
        return sentence
    translated = index.sentence_translations.translate(doc_id, sentence, lang)
    return translated or f"“{sentence}” {message(lang, 'quoted_english')}"
