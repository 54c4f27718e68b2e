"""Helpers shared by the benchmarks: machine details and a synthetic corpus in the corpus' own style."""

from __future__ import annotations

import os
import platform
import random
import statistics
from importlib.metadata import version
from pathlib import Path

WORDS = """
town twinning networks of towns municipality citizens participants partner countries lump sum grant
call deadline budget eligible applicants priorities solidarity democratic engagement remembrance
European values activities workshops seminars exchange delegations committee association local
authority proposal portal
""".split()


def machine() -> str:
    """One line per fact about this machine and the library versions measured."""
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    mem_kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    libs = ", ".join(
        f"{name} {version(name)}" for name in ("torch", "sentence-transformers", "chromadb", "langchain-core")
    )
    return (
        f"- CPU: {cpu}, {os.cpu_count()} cores; memory {mem_kib / 1024 / 1024:.1f} GiB\n"
        f"- Python {platform.python_version()} on {platform.system()} {platform.release()}\n- {libs}"
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


def spread(values: list[float]) -> str:
    """Median and range of repeated measurements."""
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"
