"""Run a question set through the Assistant (or the naive baseline) and collect per-question results."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.answer.answer import Answer
from assistant.dates import BRUSSELS, Clock, system_clock
from assistant.evaluation.matching import fact_found, own_words, ungrounded
from assistant.evaluation.metrics import Result
from assistant.question.languages import detect_text_language

REQUIRED = {"id", "question", "history", "facts", "answerable", "lang", "topic", "sources"}


def load_questions(path: Path) -> list[dict[str, Any]]:
    """Questions of a JSONL file in the contract's format; a malformed line is an error naming the line."""
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc})") from exc
        missing = REQUIRED - item.keys()
        if missing:
            raise ValueError(f"{path}:{number}: missing {sorted(missing)}")
        questions.append(item)
    return questions


class QuestionClock:
    """An assistant's clock during an evaluation: noon (Brussels) on the day the current question is asked on (its
    ``asked_on``: "is this year's call still open?" has the answer of that day), else ``fallback``."""

    def __init__(self, fallback: Clock = system_clock) -> None:
        self.fallback = fallback
        self.day: dt.date | None = None

    def __call__(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(12), BRUSSELS) if self.day else self.fallback()


def run(
    ask: Callable[[str, list[dict[str, str]]], Answer],
    questions: list[dict[str, Any]],
    progress: bool = True,
    clock: QuestionClock | None = None,
) -> list[Result]:
    """Ask every question (with its history) and score its answer (``score``). With ``clock`` (the assistant's),
    each question is asked on its ``asked_on`` day."""
    results = []
    for q in tqdm(questions, desc="evaluating", unit="q", disable=not progress):
        if clock is not None:
            clock.day = dt.date.fromisoformat(q["asked_on"]) if q.get("asked_on") else None
        started = time.perf_counter()
        answer = ask(q["question"], q["history"])
        results.append(score(q, answer, time.perf_counter() - started))
    return results


def score(q: dict[str, Any], answer: Answer, seconds: float = 0.0) -> Result:
    """One question's result: its facts found, the stated ones (``facts``) and the computed ones (``derived``: a
    difference, a sum, days left); which check refused it; the language of the answer's own words; and, when
    answered, the answer's values that neither its sources' snippets, the question nor ``Answer.computed`` state."""
    facts = [*q["facts"], *q.get("derived", [])]
    backing = [*(s.snippet for s in answer.sources), q["question"], *answer.computed]
    return Result(
        id=q["id"],
        question=q["question"],
        lang=q["lang"],
        topic=q["topic"],
        answerable=bool(q["answerable"]),
        follow_up=bool(q["history"]),
        expected_sources=list(q["sources"]),
        facts=facts,
        answer=answer.answer,
        answered=answer.answered,
        retrieved=answer.retrieved,
        cited=answer.cited,
        facts_found=[fact_found(alts, answer.answer, q["lang"]) for alts in facts],
        seconds=seconds,
        refused_by=None if answer.answered else answer.refused_by,
        answer_lang=detect_text_language(own_words(answer.answer)),
        ungrounded=ungrounded(answer.answer, backing) if answer.answered else [],
    )
