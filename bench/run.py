"""The benchmark runner behind `make bench`: runs the sections in order and writes bench/RESULTS.md.

Each section module exposes ``section(**options) -> str`` (its Markdown body, several runs with medians and
ranges), ``TITLE`` and ``QUICK`` (the options of a smoke-size run). Sections sit between stable markers,
``<!-- bench:NAME -->`` ... ``<!-- /bench:NAME -->``, so ``--only`` replaces just those in an existing file;
text after the last section (the evaluation report's summary) is kept as it is.

    .venv/bin/python bench/run.py                      # everything (see each section for its size)
    .venv/bin/python bench/run.py --only ingest,scale  # re-run two sections, keep the others
    .venv/bin/python bench/run.py --quick --out /tmp/RESULTS.md   # smoke run, figures not for comparison
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import INDEX_ENV, corpus_index, log, machine  # noqa: E402

# (name in --only and in the markers, module) in the order they run and appear.
SECTIONS = [
    ("ingest", "ingest"),
    ("ask_latency", "ask_latency"),
    ("api_load", "api_load"),
    ("cold_start", "cold_start"),
    ("scale", "scale"),
    ("onnx", "onnx_backend"),
]
PREFACE = (
    "# Benchmark results\n\n"
    "Written by `make bench` (`bench/run.py`; `--only NAME[,NAME]` re-runs some sections and keeps the others). "
    "Every figure is a median over several runs with its range and n, unless a section says otherwise; ratios "
    "are measured side by side in the same run. Each section says how it was produced."
)
# Sections that answer over corpus/: the runner ingests it once for all of them.
NEEDS_INDEX = {"ask_latency", "api_load", "cold_start"}
# Smoke-size options for modules that define no QUICK of their own.
QUICK_FALLBACK = {"onnx": {"runs": 1, "texts": 200}}
_BLOCK = re.compile(r"<!-- bench:(\w+) -->\n.*?<!-- /bench:\1 -->", re.DOTALL)


def block(name: str, body: str) -> str:
    return f"<!-- bench:{name} -->\n{body.strip()}\n<!-- /bench:{name} -->"


def run_section(name: str, quick: bool, runs: int | None, sets: list[str] = ()) -> str | None:
    """The section's block, or None when it failed (the failure is logged; the old block is kept).

    Each section runs in a fresh process, so no section inherits another's loaded models, Chroma clients,
    threads or memory.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        out = Path(tmp) / "body.md"
        command = [sys.executable, __file__, "--section", name, "--body", str(out)]
        command += ["--quick"] if quick else []
        command += ["--runs", str(runs)] if runs is not None else []
        command += [arg for item in sets for arg in ("--set", item)]
        done = subprocess.run(command, cwd=HERE.parent)
        body = out.read_text() if done.returncode == 0 and out.exists() else None
    if body is None:
        log(f"{name}: failed (exit status {done.returncode}); the previous block is kept")
        return None
    minutes = (time.perf_counter() - started) / 60
    log(f"{name}: done in {minutes:.1f} min")
    heading, _, body = body.strip().partition("\n")
    heading += " — quick smoke run, figures not for comparison" if quick else ""
    command_line = f"bench/run.py --only {name}{' --quick' if quick else ''}" + "".join(f" --set {i}" for i in sets)
    return block(name, f"{heading}\n\n{body.strip()}\n\n_Produced by `{command_line}` in {minutes:.1f} min._")


def section_body(name: str, quick: bool, runs: int | None, sets: list[str] = ()) -> str:
    """Import one section's module and run it (in the child process)."""
    module = importlib.import_module(dict(SECTIONS)[name])
    accepted = inspect.signature(module.section).parameters
    options = dict(getattr(module, "QUICK", QUICK_FALLBACK.get(name, {}))) if quick else {}
    if runs is not None:
        options["runs"] = runs
    for item in sets:  # --set docs=30: a section option, as an integer
        key, _, value = item.partition("=")
        options[key] = int(value)
    options = {k: v for k, v in options.items() if k in accepted}
    log(f"{name}: starting {options or ''}")
    body = module.section(**options).strip()
    if not body.startswith("## "):  # sections may bring their own heading
        body = f"## {getattr(module, 'TITLE', name)} ({time.strftime('%Y-%m-%d')})\n\n{body}"
    return body


def merge(existing: str, fresh: dict[str, str]) -> str:
    """The whole file: preface, machine, every section (fresh, else as it was), then the kept trailing text."""
    old = {m.group(1): m.group(0) for m in _BLOCK.finditer(existing)}
    if old:
        trailer = existing[max(m.end() for m in _BLOCK.finditer(existing)) :].strip()
    else:  # the hand-written file before the runner: keep its evaluation summary
        at = existing.find("\n## Evaluation")
        trailer = existing[at:].strip() if at >= 0 else ""
    parts = [PREFACE, fresh.get("machine") or old.get("machine", "")]
    for name, _ in SECTIONS:
        parts.append(fresh.get(name) or old.get(name) or block(name, f"## {name}\n\n_Not run yet._"))
    if trailer:
        parts.append(trailer)
    return "\n\n".join(p for p in parts if p) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    names = [n for n, _ in SECTIONS]
    parser.add_argument("--only", help=f"comma-separated sections ({', '.join(names)})")
    parser.add_argument("--quick", action="store_true", help="smoke-size runs (not for RESULTS.md)")
    parser.add_argument("--runs", type=int, help="runs per section (default: each section's own)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=N", help="a section option, e.g. --set docs=30 (ingest)"
    )
    parser.add_argument("--section", choices=names, help=argparse.SUPPRESS)  # child: run one section
    parser.add_argument("--body", type=Path, help=argparse.SUPPRESS)  # child: where to write its Markdown
    parser.add_argument(
        "--out", type=Path, default=HERE / "RESULTS.md", help="the file to write (default: %(default)s)"
    )
    args = parser.parse_args()
    if args.section:
        args.body.write_text(section_body(args.section, args.quick, args.runs, args.set))
        return 0
    chosen = args.only.split(",") if args.only else names
    unknown = set(chosen) - set(names)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    if NEEDS_INDEX & set(chosen) and not os.environ.get(INDEX_ENV):
        log("ingesting corpus/ into a scratch folder for the sections that answer over it")
        os.environ[INDEX_ENV] = str(corpus_index())
    fresh = {"machine": block("machine", f"## Machine ({time.strftime('%Y-%m-%d')})\n\n{machine()}")}
    failed = []
    for name, _ in SECTIONS:
        if name in chosen:
            got = run_section(name, args.quick, args.runs, args.set)
            if got is None:
                failed.append(name)
            else:
                fresh[name] = got
            # written after every section, so a long run that fails late keeps what it measured
            existing = args.out.read_text() if args.out.exists() else ""
            args.out.write_text(merge(existing, fresh))
    log(
        f"wrote {args.out} in {(time.perf_counter() - started) / 60:.1f} min"
        + (f"; failed: {failed}" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
