"""API load on loopback: POST /api/ask at several concurrency levels against `assistant serve` in its own process.

Starts the server (rate limit off, one uvicorn worker) on a free port over corpus/ ingested into a scratch
folder, then, in each run, sends N requests per level with the questions of eval/dev.jsonl. Bounded: N
requests per level, 60 s timeout each. ``python bench/api_load.py [--quick]`` prints the Markdown section.
"""

from __future__ import annotations

import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from common import corpus_index, log, percentile, questions, run_cli, serve, spread, wait_http  # noqa: E402

TITLE = "API load on loopback"
QUICK = {"runs": 2, "requests": 40}


def load(client: httpx.Client, url: str, bodies: list[dict], level: int, requests: int) -> tuple[float, ...]:
    """(requests/s, p50 ms, p99 ms, errors) of ``requests`` requests sent by ``level`` concurrent clients."""

    def one(i: int) -> tuple[float, bool]:
        started = time.perf_counter()
        try:
            ok = client.post(f"{url}/api/ask", json=bodies[i % len(bodies)]).status_code == 200
        except httpx.HTTPError:
            ok = False
        return (time.perf_counter() - started) * 1000, ok

    started = time.perf_counter()
    with ThreadPoolExecutor(level) as pool:
        outcomes = list(pool.map(one, range(requests)))
    seconds = time.perf_counter() - started
    latencies = [ms for ms, _ in outcomes]
    errors = sum(not ok for _, ok in outcomes)
    return requests / seconds, percentile(latencies, 0.5), percentile(latencies, 0.99), errors


def section(runs: int = 3, requests: int = 500, levels: tuple[int, ...] = (1, 8, 32)) -> str:
    """``runs`` runs of ``requests`` requests at each concurrency level; return the Markdown section."""
    bodies = [{"question": q["question"], "history": q["history"]} for q in questions()]
    results: dict[int, list[tuple[float, ...]]] = {level: [] for level in levels}
    with serve(corpus_index()) as (url, proc), httpx.Client(timeout=60, limits=httpx.Limits(max_connections=64)) as c:
        wait_http(f"{url}/api/health", 180, proc)
        for body in bodies[:10]:  # warm-up, not counted
            c.post(f"{url}/api/ask", json=body)
        for run in range(runs):
            for level in levels:
                results[level].append(load(c, url, bodies, level, requests))
                rps, p50, p99, errors = results[level][-1]
                log(f"api run {run}, concurrency {level}: {rps:.1f} req/s, p50 {p50:.0f} ms, {errors} errors")
    rows = []
    for level, got in results.items():
        rps, p50, p99, errors = (list(x) for x in zip(*got, strict=True))
        rows.append(f"| {level} | {spread(rps, 1)} | {spread(p50, 0)} | {spread(p99, 0)} | {int(sum(errors))} |")
    total_errors = sum(r[3] for got in results.values() for r in got)
    saturated = statistics.median(r[0] for r in results[levels[-1]])
    return "\n".join(
        [
            f"`POST /api/ask`, {requests} requests per level and run, {runs} runs (each run goes through every "
            "level), questions of eval/dev.jsonl with their histories, extractive mode, embedded Chroma, one "
            "uvicorn worker, rate limit off, client threads on the same machine. Figures: median over runs "
            "(range, n); errors: total over all runs (any non-200 or transport error).",
            "",
            "| concurrency | requests/s | p50 ms | p99 ms | errors |",
            "|---|---|---|---|---|",
            *rows,
            "",
            f"{sum(len(g) for g in results.values()) * requests} requests, {int(total_errors)} errors "
            f"(target: none). At concurrency {levels[-1]}: {saturated:.1f} requests/s.",
            "",
            "Throughput is bound by the CPU cores: embedding the question and composing the answer run on them, and "
            "client and server share the machine. Once the cores are busy, more concurrency only queues requests: "
            "latency grows with the queue while throughput stays flat. More throughput means more cores or more "
            "processes (the API is stateless; several `assistant serve` processes can share a Chroma server).",
        ]
    )


def main() -> None:
    run_cli(section, QUICK, __doc__)


if __name__ == "__main__":
    main()
