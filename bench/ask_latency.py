"""Warm `ask` latency in extractive mode against its floor, measured side by side in one process.

The floor is what any dense RAG answer must pay: embedding the question plus one Chroma query (k=8). The
questions are those of eval/dev.jsonl (with their histories). Uses the index in ASSISTANT_DATA_DIR (default
.data, built by `make run` or `assistant ingest`). Prints a Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import machine  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.service import Assistant  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(rounds: int = 5) -> None:
    settings = Settings()
    assistant = Assistant(settings)
    assistant.warm_up()
    questions = [json.loads(line) for line in Path("eval/dev.jsonl").read_text().splitlines() if line.strip()]
    collection = assistant.searcher.collection
    floor_ms, ask_ms = [], []
    for _ in range(rounds):
        for q in questions:
            started = time.perf_counter()
            vector = assistant.embeddings.embed_query(q["question"])
            collection.query(query_embeddings=[vector], n_results=8, include=["documents", "metadatas", "distances"])
            floor_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            assistant.ask(q["question"], q["history"])
            ask_ms.append((time.perf_counter() - started) * 1000)
    f50, a50 = statistics.median(floor_ms), statistics.median(ask_ms)
    print(f"## Warm answer latency, extractive mode ({time.strftime('%Y-%m-%d')})\n\n{machine()}\n")
    print(
        f"{len(questions)} questions of eval/dev.jsonl x {rounds} rounds, {assistant.chunk_count} chunks, "
        f"{'Chroma server' if settings.chroma_url else 'embedded Chroma'}.\n"
    )
    print("| measure | p50 ms | p95 ms |\n|---|---|---|")
    print(f"| floor: embed question + one Chroma query | {f50:.1f} | {percentile(floor_ms, 0.95):.1f} |")
    print(f"| `Assistant.ask` | {a50:.1f} | {percentile(ask_ms, 0.95):.1f} |")
    print(f"\np50 ratio ask / floor: **{a50 / f50:.2f}** (target <= 1.5)")


if __name__ == "__main__":
    main()
