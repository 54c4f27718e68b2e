"""Grid search of the extractive composer's thresholds on the tuning files (FILES; never on test, nor on the
check file eval/dev-check3.jsonl, nor on a newer check file not yet read).

Usage: .venv/bin/python eval/tune.py   (needs the corpus ingested: `assistant ingest`; with the embedding model's
settings, e.g. ASSISTANT_EMBEDDING_MODEL=multilingual-e5-small and its own ASSISTANT_DATA_DIR, to tune for that
model: the best values go into assistant/answer/thresholds.json under the model's name)
Retrieval runs once per question; only composition is repeated per setting (a few seconds each). The search is
coordinate descent from the current thresholds: each threshold in turn takes its best candidate while the others
stay, until a round changes nothing (tens of settings, minutes). `--grid` tries every combination instead (over two
thousand settings: hours on two cores).
Prints the best settings by a score that weighs fact recall, refusal accuracy and answering (1 - false refusals)
equally: fact recall alone barely sees a false refusal, whose "nearby" text often holds the facts.
"""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path

from assistant.answer.extractive import FREQUENT_WORDS, ExtractiveComposer, Thresholds
from assistant.config import Settings
from assistant.evaluation.matching import fact_found
from assistant.service import Assistant

GRID = {
    "min_overlap": [0.3, 0.38, 0.46, 0.55],
    "misfit_overlap": [0.6],
    "relative_keep": [0.55],
    "semantic_weight": [0.0, 0.5, 1.0],
    "similarity_overlap": [0.6, 1.01],
    "part_overlap": [0.8, 1.01],
}
# The similarity thresholds are on the embedding model's own scale (MiniLM: unrelated text about 0; e5: about 0.7),
# so their candidates are quantiles of the top similarity that answerable tuning questions get with this model:
# of a passage (strong_similarity, min_similarity), or of a sentence (sentence_similarity; 1.01 = never).
SIMILARITY_QUANTILES = {
    "strong_similarity": [0.6, 0.9],
    "min_similarity": [0.0, 0.05],
}
SENTENCE_QUANTILES = {"sentence_similarity": [0.05, 0.15, 0.3]}
NEVER = 1.01
# How many of the language's most frequent words count as chat when no retrieved sentence holds them (tuned
# alone, at the best thresholds: it barely interacts with them).
FREQUENT = [500, 1000, 2000]
FILES = (
    "eval/dev.jsonl",
    "eval/dev-extra.jsonl",
    "eval/dev-check.jsonl",
    "eval/dev-check2.jsonl",
    "eval/dev-check4.jsonl",
    "eval/dev-check5.jsonl",
    "eval/dev-check6.jsonl",
    "eval/dev-check7.jsonl",
    "eval/dev-check8.jsonl",
    "eval/dev-check9.jsonl",
    "eval/dev-check10.jsonl",
    "eval/dev-check11.jsonl",
    "eval/dev-check12.jsonl",
    "eval/dev-check13.jsonl",
    "eval/dev-check14.jsonl",
    "eval/dev-check15.jsonl",
    "eval/dev-check16.jsonl",
    "eval/dev-check17.jsonl",
    "eval/dev-check18.jsonl",
)


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
    tops = sorted(
        max(sims)
        for q, _, passages in prepared
        if q["answerable"] and (sims := [p.similarity for p in passages if p.similarity is not None])
    )
    sentence_tops = sorted(
        max(sims)
        for q, _, passages in prepared
        if q["answerable"]
        and (sims := [x for p in passages if p.sentence_similarities is not None for x in p.sentence_similarities])
    )
    current_thresholds = Thresholds.for_model(assistant.settings.embedding_model)
    grid = {
        **GRID,
        **_candidates(SIMILARITY_QUANTILES, tops, current_thresholds),
        **_candidates(SENTENCE_QUANTILES, sentence_tops, current_thresholds, {NEVER}),
    }
    print(
        f"model {assistant.settings.embedding_model}; similarity candidates: "
        + str({k: grid[k] for k in [*SIMILARITY_QUANTILES, *SENTENCE_QUANTILES]})
    )

    def score(setting: dict[str, float], n: int) -> tuple:
        composer = ExtractiveComposer(Thresholds(**setting), frequent_words=assistant.embeddings.frequent_words(n))
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
        fr = false_refusals / answerable
        return (r + a + 1.0 - fr) / 3, r, a, fr, {**setting, "frequent_words": n}

    start = {name: getattr(current_thresholds, name) for name in grid}
    if "--grid" in sys.argv:
        results = [
            score(dict(zip(grid, values, strict=True)), FREQUENT_WORDS) for values in itertools.product(*grid.values())
        ]
    else:
        results = _coordinate_descent(grid, start, lambda setting: score(setting, FREQUENT_WORDS))
    best = max(results, key=lambda x: x[0])[4]
    thresholds = {k: v for k, v in best.items() if k != "frequent_words"}
    results += [score(thresholds, n) for n in FREQUENT if n != FREQUENT_WORDS]
    results.sort(key=lambda x: x[0], reverse=True)
    current = {**{name: getattr(current_thresholds, name) for name in grid}, "frequent_words": FREQUENT_WORDS}
    shown = results[:8] + [row for row in results[8:] if row[4] == current]
    for score, r, a, fr, values in shown:
        mark = "  (current)" if values == current else ""
        figures = f"fact recall {r:.3f}  refusal accuracy {a:.3f}  false refusals {fr:.3f}"
        print(f"score {score:.3f}  {figures}  {values}{mark}")


def _coordinate_descent(
    grid: dict[str, list[float]], start: dict[str, float], score: Callable[[dict[str, float]], tuple]
) -> list[tuple]:
    """Every setting scored on the way: from ``start``, each threshold in turn takes its best candidate (the current
    value kept on a tie) while the others stay, round after round until a round changes nothing."""
    seen: dict[tuple, tuple] = {}

    def scored(setting: dict[str, float]) -> tuple:
        key = tuple(setting[name] for name in grid)
        if key not in seen:
            seen[key] = score(setting)
            print(f"  {seen[key][0]:.4f}  {setting}", flush=True)
        return seen[key]

    current = dict(start)
    best = scored(current)
    changed = True
    while changed:
        changed = False
        for name, candidates in grid.items():
            for value in candidates:
                trial = scored({**current, name: value})
                if trial[0] > best[0] + 1e-9:
                    current, best, changed = {**current, name: value}, trial, True
    return list(seen.values())


def _candidates(
    quantiles: dict[str, list[float]], tops: list[float], current: Thresholds, extra: frozenset[float] = frozenset()
) -> dict[str, list[float]]:
    """Each threshold's candidates: the quantiles of ``tops``, its current value and ``extra``."""
    return {
        name: sorted(
            ({round(float(tops[int(q * (len(tops) - 1))]), 3) for q in qs} if tops else set())
            | {getattr(current, name)}
            | set(extra)
        )
        for name, qs in quantiles.items()
    }


if __name__ == "__main__":
    main()
