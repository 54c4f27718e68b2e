"""``assistant ingest`` of added and changed documents in another process while ``assistant serve`` answers: every
request during the ingestion is answered, and afterwards the new and changed content is what the server answers
from, without restarting it (the server notices the collection's new ``generation`` stamp within seconds).

Both are real subprocesses over the default embedded Chroma folder, as ``make run`` sets them up; questions are
sent from 4 threads for the whole life of the ingest process. No fakes."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import ANSWER, QUESTION, ServeProcess, assistant_env, fixture_index, wait_until

NEW_DOC = """---
title: Town twinning helpdesk
source_url: https://example.org/helpdesk
---
# Town twinning helpdesk

## Opening hours
The town twinning helpdesk in Zagreb answers questions every Tuesday from 9:00 to 13:00.

## Telephone
Call the town twinning helpdesk on +385 1 555 0199.
"""
NEW_QUESTION = "What is the telephone number of the town twinning helpdesk?"
NEW_FACT = "555 0199"
BUDGET = "What was the budget of the 2025 networks of towns call?"


def _long_doc(sections: int = 150) -> str:
    """A document large enough that the ingest process spends a while writing while questions arrive."""
    parts = ["---\ntitle: Twinning practice notes\n---\n# Twinning practice notes\n"]
    parts += [
        f"## Practice {i}\nPartner towns in practice note {i} exchanged {i + 3} delegations about local democracy, "
        f"youth work and the memory of the town's {1900 + i} history, and met again the next spring.\n"
        for i in range(sections)
    ]
    return "\n".join(parts)


@pytest.mark.slow
def test_requests_during_ingestion_are_all_answered_and_new_content_follows(tmp_path: Path, embeddings) -> None:  # noqa: ANN001
    settings = fixture_index(tmp_path, embeddings)
    server = ServeProcess(settings, tmp_path)
    try:
        assert NEW_FACT not in server.ask(NEW_QUESTION).json()["answer"]
        corpus = settings.corpus_dir
        (corpus / "helpdesk.md").write_text(NEW_DOC)
        (corpus / "practice-notes.md").write_text(_long_doc())
        changed = corpus / "nt-2025.md"
        changed.write_text(changed.read_text().replace("EUR 10,000,000", "EUR 12,000,000"))

        ingest = subprocess.Popen(
            [sys.executable, "-m", "assistant", "ingest", "--json"],
            env=assistant_env(settings),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        results: list[tuple[int, str]] = []
        lock = threading.Lock()

        def ask_while_ingesting(question: str) -> None:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                while ingest.poll() is None:
                    try:
                        response = client.post("/api/ask", json={"question": question})
                        outcome = (question, response.status_code, response.text)
                    except httpx.HTTPError as exc:
                        outcome = (question, 0, f"{type(exc).__name__}: {exc}")
                    with lock:
                        results.append(outcome)

        # Two threads ask about an unchanged document, two about the one being replaced.
        threads = [threading.Thread(target=ask_while_ingesting, args=(q,)) for q in [QUESTION, BUDGET] * 2]
        for thread in threads:
            thread.start()
        out, err = ingest.communicate(timeout=300)
        for thread in threads:
            thread.join(60)
        assert ingest.returncode == 0, err.decode()[-2000:]
        assert b'"docs_added": 2' in out and b'"docs_updated": 1' in out, out

        expected = {QUESTION: (ANSWER,), BUDGET: ("EUR 10,000,000", "EUR 12,000,000")}  # before or after the change
        failed = [r for r in results if r[1] != 200 or not any(a in r[2] for a in expected[r[0]])]
        assert len(results) >= 20, f"only {len(results)} requests during the ingestion"
        assert not failed, f"{len(failed)} of {len(results)} requests failed, first: {failed[:3]}"

        # The running server picks the new generation up by itself (it checks every 2 s).
        assert wait_until(lambda: NEW_FACT in server.ask(NEW_QUESTION).json()["answer"], timeout=20), server.ask(
            NEW_QUESTION
        ).text
        reply = server.ask(BUDGET)
        assert reply.status_code == 200, reply.text + server.log_tail()
        budget = reply.json()["answer"]
        assert "12,000,000" in budget and "10,000,000" not in budget, budget
        assert server.alive()
    finally:
        server.stop()
