"""Helpers shared by the benchmarks: machine details, synthetic corpora, statistics, the real-corpus index,
and `assistant serve` / `chroma run` subprocesses on free loopback ports."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LIBRARIES = (
    "torch",
    "transformers",
    "sentence-transformers",
    "chromadb",
    "langchain-core",
    "langchain-chroma",
    "langchain-community",
    "bm25s",
    "numpy",
    "fastapi",
    "uvicorn",
    "onnxruntime",
    "optimum",
    "lingua-language-detector",
)

WORDS = """
town twinning networks of towns municipality citizens participants partner countries lump sum grant
call deadline budget eligible applicants priorities solidarity democratic engagement remembrance
European values activities workshops seminars exchange delegations committee association local
authority proposal portal
""".split()


def machine() -> str:
    """One line per fact about this machine and the library versions measured (those installed)."""
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    mem_kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    libs = []
    for name in LIBRARIES:
        with contextlib.suppress(PackageNotFoundError):
            libs.append(f"{name} {version(name)}")
    return (
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem_kib / 1024 / 1024:.1f} GiB\n"
        f"- Python {platform.python_version()} on {platform.system()} {platform.release()}\n"
        f"- {', '.join(libs)}"
    )


def synthetic_corpus(root: Path, docs: int, sections: int, words: int = 110, seed: int = 7) -> Path:
    """``docs`` Markdown files with front matter, each with ``sections`` sections of about ``words`` words."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for d in range(docs):
        year = 2021 + d % 6
        lines = [
            f"---\ntitle: Synthetic call {d} ({year})\nprogramme: CERV\nyear: {year}\ntopic: town-twinning\n"
            f"source_url: https://example.org/call/{d}\nlanguage: en\n---\n# Synthetic call {d} ({year})\n"
        ]
        for s in range(sections):
            sentences = []
            while sum(len(x.split()) for x in sentences) < words:
                n = rng.randint(8, 18)
                sentences.append(" ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".")
            lines.append(f"## Section {s}\n" + " ".join(sentences) + "\n")
        (root / f"call-{d:04d}.md").write_text("\n".join(lines))
    return root


def spread(values: list[float], digits: int = 2) -> str:
    """Median and range of repeated measurements."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return (
        f"{statistics.median(values):.{digits}f} "
        f"(min {min(values):.{digits}f}, max {max(values):.{digits}f}, n={len(values)})"
    )


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def questions(limit: int | None = None) -> list[dict]:
    """The questions of eval/dev.jsonl (with their histories), the first ``limit`` of them."""
    lines = (REPO / "eval" / "dev.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()][:limit]


def rss_mib(pid: int | str = "self", field: str = "VmRSS") -> float:
    """Resident memory of a process in MiB (``VmHWM``: its peak so far)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, timeout: float = 120.0, proc: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers 2xx; fail early if ``proc`` exits."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"process exited with {proc.returncode} before {url} answered") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def scratch(prefix: str) -> Path:
    """A temporary folder removed when the process exits."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, True)
    return path


_INDEX: dict[str, Path] = {}
INDEX_ENV = "BENCH_CORPUS_INDEX"


def corpus_index() -> Path:
    """A data folder holding corpus/ ingested into embedded Chroma (built once per process, then reused).

    Ingested by an `assistant ingest` subprocess, so no process keeps the folder open for writing afterwards.
    """
    if "data" not in _INDEX and os.environ.get(INDEX_ENV):  # built by the runner for all its sections
        _INDEX["data"] = Path(os.environ[INDEX_ENV])
    if "data" not in _INDEX:
        data = scratch("bench-index-") / "data"
        subprocess.run([str(BIN / "assistant"), "ingest"], env=assistant_env(data), cwd=data.parent, check=True,
                       capture_output=True)  # fmt: skip
        _INDEX["data"] = data
    return _INDEX["data"]


def corpus_settings(**overrides: object):  # noqa: ANN201
    """Settings over the real-corpus index, no .env read."""
    from assistant.config import Settings

    return Settings(_env_file=None, corpus_dir=REPO / "corpus", data_dir=corpus_index(), **overrides)


def assistant_env(data_dir: Path, corpus_dir: Path = REPO / "corpus", **extra: str) -> dict[str, str]:
    """The environment for an `assistant` subprocess: no inherited ASSISTANT_* settings, this index, no rate limit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        ASSISTANT_CORPUS_DIR=str(corpus_dir), ASSISTANT_DATA_DIR=str(data_dir), ASSISTANT_RATE_LIMIT="0", **extra
    )
    return env


@contextlib.contextmanager
def serve(data_dir: Path, log: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`assistant serve` on a free loopback port (started, not yet waited for); yields (base URL, process).

    It runs in an empty scratch folder so that no .env of the working folder is read.
    """
    port = free_port()
    out = log.open("wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [str(BIN / "assistant"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=assistant_env(data_dir),
        cwd=scratch("bench-cwd-"),
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        stop(proc)
        if log:
            out.close()


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """A Chroma server (`chroma run`) over ``path`` on a free loopback port; yields its URL once it answers."""
    port = free_port()
    log = (path.parent / f"{path.name}-chroma.log").open("wb")
    proc = subprocess.Popen(
        [str(BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{url}/api/v2/heartbeat", 60, proc)
        yield url
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen) -> None:
    """Terminate a child process, killing it if it does not exit within 15 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def log(message: str) -> None:
    """Progress on stderr (the sections' Markdown goes to the output file)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_cli(section: Callable[..., str], quick: dict[str, Any], doc: str | None) -> None:
    """A section module run as a script: print its Markdown section (``--quick``: smoke-size options)."""
    parser = argparse.ArgumentParser(description=doc)
    parser.add_argument("--quick", action="store_true", help="smoke-size run")
    args = parser.parse_args()
    print(section(**(quick if args.quick else {})))
