"""Load: 2,000 mixed requests at concurrency 32 against a real ``assistant serve`` on loopback (the package's
shared server, rate limit off): mostly questions (plain, follow-ups, streamed, OpenAI-compatible), with health,
widget and feedback requests between them. No errors, every question answered, and the server's memory does not
grow with the number of requests served. No fakes: real HTTP, the real model and index."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.reliability.conftest import ServeProcess

QUESTIONS = [
    "When did the 2024 town twinning call close?",
    "How many countries must a networks of towns project involve?",
    "Which national associations received REALISE grants?",
    "What is the CERV programme?",
    "Quand la date limite de l'appel jumelage de villes 2024 était-elle?",
    "What is the capital of Australia?",
]
CONCURRENCY = 32
WARM_UP = 300
REQUESTS = 2_000
TIME_LIMIT = 240  # seconds for the measured run; about 70 s at ~30 answers/s on 2 shared cores


def _request(i: int) -> tuple[str, str, dict | None]:
    """The i-th request of the mix: three quarters /api/ask (some follow-ups), then the other routes in turn."""
    question = QUESTIONS[i % len(QUESTIONS)]
    kind = i % 20
    if kind == 14:
        return "POST", "/api/ask/stream", {"question": question}
    if kind == 15:
        return "POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": question}]}
    if kind == 16:
        return "GET", "/api/health", None
    if kind == 17:
        return "GET", "/widget.js", None
    if kind == 18:
        return "POST", "/api/feedback", {"rating": "up", "question": question, "answer": "…", "sources": []}
    body: dict = {"question": question}
    if kind % 5 == 0:  # some follow-ups, which take the history path
        body["history"] = [{"role": "user", "content": QUESTIONS[0]}, {"role": "assistant", "content": "…"}]
    return "POST", "/api/ask", body


async def _hammer(url: str, count: int) -> tuple[list[str], float]:
    """Send ``count`` requests with CONCURRENCY in flight; return the problems seen and the seconds taken."""
    problems: list[str] = []
    next_index = iter(range(count))
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def worker() -> None:
            for i in next_index:
                method, path, body = _request(i)
                try:
                    response = await client.request(method, path, json=body)
                except httpx.HTTPError as exc:
                    problems.append(f"{i} {path}: {type(exc).__name__}: {exc}")
                    continue
                if response.status_code != 200 or (path == "/api/ask" and not response.json().get("answer")):
                    problems.append(f"{i} {path}: {response.status_code} {response.text[:200]}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return problems, time.perf_counter() - started


@pytest.mark.slow
def test_2000_mixed_requests_at_concurrency_32_without_errors_or_memory_growth(served: ServeProcess) -> None:
    problems, _ = asyncio.run(_hammer(served.url, WARM_UP))
    assert not problems, problems[:5]
    before = served.rss
    problems, seconds = asyncio.run(asyncio.wait_for(_hammer(served.url, REQUESTS), TIME_LIMIT))
    after = served.rss
    assert not problems, f"{len(problems)} failed requests, first: {problems[:5]}"
    assert served.alive(), served.log_tail()
    assert after <= before * 1.10, f"RSS grew from {before / 2**20:.0f} MB to {after / 2**20:.0f} MB"
    print(
        f"{REQUESTS} requests in {seconds:.1f} s ({REQUESTS / seconds:.0f}/s); RSS {before >> 20} -> {after >> 20} MB"
    )
