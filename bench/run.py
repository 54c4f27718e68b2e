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
import re
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import log, machine  # noqa: E402

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
# Smoke-size options for modules that define no QUICK of their own.
QUICK_FALLBACK = {"onnx": {"runs": 1, "texts": 200}}
_BLOCK = re.compile(r"<!-- bench:(\w+) -->\n.*?<!-- /bench:\1 -->", re.DOTALL)


def block(name: str, body: str) -> str:
    return f"<!-- bench:{name} -->\n{body.strip()}\n<!-- /bench:{name} -->"


def run_section(name: str, module_name: str, quick: bool, runs: int | None) -> str | None:
    """The section's block, or None when it failed (the failure is logged; the old block is kept)."""
    started = time.perf_counter()
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        log(f"{name}: cannot import bench/{module_name}.py ({exc}); skipped")
        return None
    accepted = inspect.signature(module.section).parameters
    options = dict(getattr(module, "QUICK", QUICK_FALLBACK.get(name, {}))) if quick else {}
    if runs is not None:
        options["runs"] = runs
    options = {k: v for k, v in options.items() if k in accepted}
    title = getattr(module, "TITLE", name)
    log(f"{name}: starting {options or ''}")
    try:
        body = module.section(**options)
    except Exception:
        log(f"{name}: failed\n{traceback.format_exc()}")
        return None
    minutes = (time.perf_counter() - started) / 60
    note = " — quick smoke run, figures not for comparison" if quick else ""
    log(f"{name}: done in {minutes:.1f} min")
    body = body.strip()
    if body.startswith("## "):  # the section brings its own heading
        heading, _, body = body.partition("\n")
        heading += note
    else:
        heading = f"## {title} ({time.strftime('%Y-%m-%d')}{note})"
    command = f"bench/run.py --only {name}{' --quick' if quick else ''}"
    return block(name, f"{heading}\n\n{body.strip()}\n\n_Produced by `{command}` in {minutes:.1f} min._")


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
        "--out", type=Path, default=HERE / "RESULTS.md", help="the file to write (default: %(default)s)"
    )
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else names
    unknown = set(chosen) - set(names)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    fresh = {"machine": block("machine", f"## Machine ({time.strftime('%Y-%m-%d')})\n\n{machine()}")}
    failed = []
    for name, module_name in SECTIONS:
        if name in chosen:
            got = run_section(name, module_name, args.quick, args.runs)
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
