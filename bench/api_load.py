"""API load on loopback: /api/ask at concurrency 1, 8 and 32 against `assistant serve` in its own process.

Starts the server (rate limit off) on a free port with the index in ASSISTANT_DATA_DIR (default .data), sends
N requests per concurrency level with questions from eval/dev.jsonl, and prints requests per second, p50, p99
and errors as a Markdown section for bench/RESULTS.md. Bounded: N requests per level, 60 s timeout each.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from common import machine  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--levels", default="1,8,32")
    args = parser.parse_args()
    port = free_port()
    env = {**os.environ, "ASSISTANT_RATE_LIMIT": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    questions = [json.loads(x) for x in Path("eval/dev.jsonl").read_text().splitlines() if x.strip()]
    bodies = [{"question": q["question"], "history": q["history"]} for q in questions]
    rows = []
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=64)) as client:
            for level in [int(x) for x in args.levels.split(",")]:

                def one(i: int) -> tuple[float, bool]:
                    started = time.perf_counter()
                    try:
                        ok = client.post(f"{url}/api/ask", json=bodies[i % len(bodies)]).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    return (time.perf_counter() - started) * 1000, ok

                started = time.perf_counter()
                with ThreadPoolExecutor(level) as pool:
                    outcomes = list(pool.map(one, range(args.requests)))
                seconds = time.perf_counter() - started
                latencies = [ms for ms, _ in outcomes]
                errors = sum(not ok for _, ok in outcomes)
                rows.append(
                    (level, args.requests / seconds, percentile(latencies, 0.5), percentile(latencies, 0.99), errors)
                )
                print(f"concurrency {level}: {rows[-1]}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(15)
    print(f"## API load on loopback ({time.strftime('%Y-%m-%d')})\n\n{machine()}\n")
    print(
        f"`POST /api/ask`, {args.requests} requests per level, questions of eval/dev.jsonl (with histories), "
        "extractive mode, embedded Chroma, one uvicorn worker, client on the same machine.\n"
    )
    print("| concurrency | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|")
    for level, rps, p50, p99, errors in rows:
        print(f"| {level} | {rps:.1f} | {p50:.0f} | {p99:.0f} | {errors} |")


if __name__ == "__main__":
    main()
