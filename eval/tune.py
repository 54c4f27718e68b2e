"""Grid search of the extractive composer's thresholds on eval/dev.jsonl + eval/dev-extra.jsonl (never on test).

Usage: .venv/bin/python eval/tune.py   (needs the corpus ingested: `assistant ingest`)
Retrieval runs once per question; only composition is repeated per setting, so a grid takes seconds.
Prints the best settings by a score that weighs fact recall and refusal accuracy equally.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from assistant.answer.extractive import FREQUENT_WORDS, ExtractiveComposer, Thresholds
from assistant.config import Settings
from assistant.evaluation.matching import fact_found
from assistant.service import Assistant

GRID = {
    "min_overlap": [0.2, 0.25, 0.3, 0.34],
    "strong_similarity": [0.55, 0.6, 0.65, 0.7],
    "min_similarity": [0.22],
    "misfit_overlap": [0.6],
    "relative_keep": [0.55],
}
FILES = ("eval/dev.jsonl", "eval/dev-extra.jsonl")


def main() -> None:
    assistant = Assistant(Settings())
    assistant.warm_up()
    questions = [
        json.loads(line) for f in FILES if Path(f).exists() for line in Path(f).read_text().splitlines() if line.strip()
    ]
    prepared = []
    for q in questions:
        query = assistant.understand(q["question"], q["history"])
        passages = [] if query.small_talk else assistant.searcher.search(query, assistant.settings.top_k)
        prepared.append((q, query, passages))
    index, now = assistant.searcher.lexical, assistant.now()
    frequent = assistant.embeddings.frequent_words(FREQUENT_WORDS)
    results = []
    for values in itertools.product(*GRID.values()):
        composer = ExtractiveComposer(Thresholds(**dict(zip(GRID, values, strict=True))), frequent_words=frequent)
        recall, refusals, false_refusals, answerable, unanswerable = 0.0, 0, 0, 0, 0
        for q, query, passages in prepared:
            if query.small_talk:
                answered = False
                text = ""
            else:
                answer = composer.compose(query, passages, index, now)
                answered, text = answer.answered, answer.answer
            if q["answerable"]:
                answerable += 1
                recall += sum(fact_found(f, text) for f in q["facts"]) / len(q["facts"])
                false_refusals += not answered
            else:
                unanswerable += 1
                refusals += not answered
        r, a = recall / answerable, refusals / unanswerable
        results.append((0.5 * r + 0.5 * a, r, a, false_refusals / answerable, dict(zip(GRID, values, strict=True))))
    results.sort(key=lambda x: x[0], reverse=True)
    for score, r, a, fr, values in results[:8]:
        print(f"score {score:.3f}  fact recall {r:.3f}  refusal accuracy {a:.3f}  false refusals {fr:.3f}  {values}")


if __name__ == "__main__":
    main()
