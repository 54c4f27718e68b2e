"""Cold start: process start to first answer (`assistant serve`, `assistant ask`), and peak memory of the server.

Each run starts a new process over corpus/ ingested into a scratch folder (the operating system's file cache
is warm after the first run, as on a server restarted in place). ``python bench/cold_start.py [--quick]``
prints the Markdown section; ``bench/run.py`` puts it into RESULTS.md.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from common import BIN, assistant_env, corpus_index, log, questions, rss_mib, run_cli, scratch, serve, spread  # noqa: E402

TITLE = "Cold start and memory"
QUICK = {"runs": 2, "load_questions": 20}
QUESTION = "When is the deadline of the 2024 Town Twinning call?"


def serve_to_answer(data: Path, load_questions: int | None) -> tuple[float, float, float]:
    """(s to first answer, RSS MiB after it, peak RSS MiB after ``load_questions`` more answers)."""
    started = time.perf_counter()
    with serve(data) as (url, proc), httpx.Client(timeout=60) as client:
        while True:
            try:
                response = client.post(f"{url}/api/ask", json={"question": QUESTION})
                if response.status_code == 200:
                    break
            except httpx.TransportError:
                if proc.poll() is not None:
                    raise RuntimeError(f"assistant serve exited with {proc.returncode}") from None
            time.sleep(0.02)
        first = time.perf_counter() - started
        rss_first = rss_mib(proc.pid)
        if load_questions != 0:
            for q in questions(load_questions):
                client.post(f"{url}/api/ask", json={"question": q["question"], "history": q["history"]})
        peak = rss_mib(proc.pid, "VmHWM")
    return first, rss_first, peak


def cli_to_answer(data: Path) -> float:
    """Seconds from starting `assistant ask` to its exit with the answer printed."""
    started = time.perf_counter()
    subprocess.run([str(BIN / "assistant"), "ask", QUESTION], env=assistant_env(data), cwd=scratch("bench-cwd-"),
                   check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - started


def imports_only() -> float:
    """Seconds for a process that only imports what `assistant serve` imports (torch included), then exits."""
    started = time.perf_counter()
    code = "import sentence_transformers, chromadb, uvicorn, assistant.api.app, assistant.service"
    subprocess.run([sys.executable, "-c", code], cwd=scratch("bench-cwd-"), check=True, capture_output=True)
    return time.perf_counter() - started


def section(runs: int = 5, load_questions: int | None = None) -> str:
    """``runs`` cold starts of each kind; return the Markdown section."""
    data = corpus_index()
    first, rss_first, peak, cli, imports = [], [], [], [], []
    for run in range(runs):
        # the peak after load is read in the last run only; the others measure start-up alone
        got = serve_to_answer(data, load_questions if run == runs - 1 else 0)
        first.append(got[0])
        rss_first.append(got[1])
        cli.append(cli_to_answer(data))
        imports.append(imports_only())
        if run == runs - 1:
            peak.append(got[2])
        log(f"cold start run {run}: serve first answer {got[0]:.1f} s, cli {cli[-1]:.1f} s, RSS {got[1]:.0f} MiB")
    answered = "all" if load_questions is None else str(load_questions)
    return "\n".join(
        [
            f"{runs} runs, each a new process over corpus/ (embedded Chroma), extractive mode. Serve: from "
            "`Popen` to the first 200 of `POST /api/ask` (polled every 20 ms); the server loads the model, the "
            "language detector and the BM25 index before it listens, so its first connection gets the answer. "
            'CLI: `assistant ask "..."` from start to exit.',
            "",
            "| measure | median (range, n) |",
            "|---|---|",
            f"| `assistant serve`: start to first answer, s | {spread(first)} |",
            f"| `assistant ask`: start to answer printed, s | {spread(cli)} |",
            f"| imports alone (a process importing what serve imports), s | {spread(imports)} |",
            f"| `assistant serve` RSS after the first answer, MiB | {spread(rss_first, 0)} |",
            f"| `assistant serve` peak RSS (VmHWM) after answering {answered} dev questions, MiB | {spread(peak, 0)} |",
            "",
            "The imports-alone row is the part of start-up that is Python importing torch, transformers, chromadb "
            "and the service; the rest is loading the model, the language detector and the index (see Scale for "
            "how the index load grows with large collections).",
        ]
    )


def main() -> None:
    run_cli(section, QUICK, __doc__)


if __name__ == "__main__":
    main()
