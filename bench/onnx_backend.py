"""Embedding backends: torch against ONNX Runtime (fp32 and int8) for the packaged all-MiniLM-L6-v2.

In one process, for each backend: the offline export on first load, ingestion-style throughput (``encode`` of
synthetic ~110-word chunk texts, batch size 16), single-question latency (each dev question embedded alone), and
retrieval hit@5 on eval/dev.jsonl over corpus/ indexed with that backend (the evaluation's own runner and metric).
Throughput and latency runs alternate between backends, in a rotating order, so a busy neighbour hits all alike.
``python bench/onnx_backend.py [--runs N] [--texts N]`` prints the Markdown section; ``section()`` returns it.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from common import WORDS, machine, spread  # noqa: E402

from assistant.config import EmbeddingBackend, Settings  # noqa: E402
from assistant.embeddings import SentenceTransformerEmbeddings  # noqa: E402
from assistant.evaluation.metrics import summarise  # noqa: E402
from assistant.evaluation.runner import load_questions, run  # noqa: E402
from assistant.ingest.pipeline import run_ingest  # noqa: E402
from assistant.service import Assistant  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BACKENDS: tuple[EmbeddingBackend, ...] = ("torch", "onnx", "onnx-int8")
# A backend becomes the default if faster and its dev hit@5 is at most this far below torch's (issue 7).
MAX_HIT_DROP = 0.01
ANSWER_METRICS = ("fact_recall", "fully_correct", "refusal_accuracy", "false_refusals")
# Arguments of ``section()`` for a quick look (as the other bench modules offer).
QUICK = {"runs": 1, "texts": 200}


def chunk_texts(count: int, words: int = 110, seed: int = 7) -> list[str]:
    """Synthetic chunk texts of about ``words`` words, in the style of ``common.synthetic_corpus``."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        sentences: list[str] = []
        while sum(len(s.split()) for s in sentences) < words:
            sentences.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 18))).capitalize() + ".")
        texts.append(" ".join(sentences))
    return texts


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def throughput(emb: SentenceTransformerEmbeddings, texts: list[str]) -> float:
    """Texts per second of ``encode`` (as ingestion calls it)."""
    started = time.perf_counter()
    emb.encode_passages(texts)
    return len(texts) / (time.perf_counter() - started)


def latency(emb: SentenceTransformerEmbeddings, questions: list[str]) -> tuple[float, float]:
    """(p50, p95) in ms of embedding each question alone (as a query is embedded)."""
    times = []
    for q in questions:
        started = time.perf_counter()
        emb.embed_query(q)
        times.append((time.perf_counter() - started) * 1000)
    return _quantile(times, 0.5), _quantile(times, 0.95)


def retrieval(emb: SentenceTransformerEmbeddings, backend: str, work: Path, items: list[dict]) -> dict[str, float]:
    """Dev hit@5 (hybrid, the default mode, and dense alone) over corpus/ indexed with this backend, and the
    hybrid run's answer metrics (the refusal rules compare similarities, which quantisation shifts)."""
    settings = Settings(
        _env_file=None,
        corpus_dir=REPO / "corpus",
        data_dir=work / f"index-{backend}",
        embedding_backend=backend,
        retrieval_mode="hybrid",
        llm_base_url=None,
    )
    run_ingest(settings, embeddings=emb, progress=False)
    got = {}
    for mode in ("hybrid", "dense"):
        assistant = Assistant(settings.model_copy(update={"retrieval_mode": mode}), emb)
        summary = summarise(run(assistant.ask, items, progress=False))
        got[mode] = summary["hit@5"]
        if mode == "hybrid":
            got.update({k: summary[k] for k in ANSWER_METRICS})
    return got


def measure(runs: int, count: int) -> dict:
    """Every figure of the section, per backend."""
    work = Path(tempfile.mkdtemp(prefix="bench-onnx-"))
    try:
        texts = chunk_texts(count)
        items = load_questions(REPO / "eval" / "dev.jsonl")
        questions = [q["question"] for q in items]
        embs, first_load, reload, size = {}, {}, {}, {}
        for backend in BACKENDS:
            emb = SentenceTransformerEmbeddings(backend=backend, cache_dir=work / "models")
            started = time.perf_counter()
            emb.encode_queries(["warm up"])
            first_load[backend] = time.perf_counter() - started
            embs[backend] = emb
            if backend != "torch":
                reload[backend] = _reload_seconds(backend, work / "models")
                onnx = work / "models" / f"all-MiniLM-L6-v2-{backend}" / "model.onnx"
                size[backend] = onnx.stat().st_size / 2**20
            _log(f"{backend}: first load {first_load[backend]:.1f} s")
        rates: dict[str, list[float]] = {b: [] for b in BACKENDS}
        p50: dict[str, list[float]] = {b: [] for b in BACKENDS}
        p95: dict[str, list[float]] = {b: [] for b in BACKENDS}
        for r in range(runs):
            order = BACKENDS[r % len(BACKENDS) :] + BACKENDS[: r % len(BACKENDS)]
            for backend in order:
                rates[backend].append(throughput(embs[backend], texts))
                a, b = latency(embs[backend], questions)
                p50[backend].append(a)
                p95[backend].append(b)
                _log(f"run {r} {backend}: {rates[backend][-1]:.1f} texts/s, p50 {a:.1f} ms, p95 {b:.1f} ms")
        hits = {}
        for backend in BACKENDS:
            hits[backend] = retrieval(embs[backend], backend, work, items)
            _log(f"{backend}: hit@5 {hits[backend]}")
        ref = embs["torch"].encode_passages(texts[:200])
        cosine = {b: float((embs[b].encode_passages(texts[:200]) * ref).sum(1).min()) for b in BACKENDS}
        return {
            "runs": runs,
            "texts": count,
            "words": statistics.median(len(t.split()) for t in texts),
            "questions": len(questions),
            "rates": rates,
            "p50": p50,
            "p95": p95,
            "hits": hits,
            "first_load": first_load,
            "reload": reload,
            "size": size,
            "cosine": cosine,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _reload_seconds(backend: str, cache: Path) -> float:
    """Load time of a backend whose export is already cached (a new process would pay this)."""
    from assistant.embeddings import load_encoder

    started = time.perf_counter()
    load_encoder.__wrapped__("all-MiniLM-L6-v2", "cpu", backend, cache)
    return time.perf_counter() - started


def decide(m: dict) -> tuple[str, str]:
    """(backend the measurements pick, why): faster than torch in throughput and latency, hit@5 within bounds."""
    med = {k: {b: statistics.median(v) for b, v in m[k].items()} for k in ("rates", "p50")}
    reasons, candidates = [], []
    for b in BACKENDS[1:]:
        faster = med["rates"][b] > med["rates"]["torch"] and med["p50"][b] < med["p50"]["torch"]
        drop = max(m["hits"]["torch"][mode] - m["hits"][b][mode] for mode in ("hybrid", "dense"))
        ok = faster and drop <= MAX_HIT_DROP
        verdict = "qualifies" if ok else "does not qualify"
        reasons.append(
            f"{b}: throughput {med['rates'][b] / med['rates']['torch']:.2f}x torch, p50 latency "
            f"{med['p50'][b] / med['p50']['torch']:.2f}x, largest hit@5 drop {drop:+.3f} -> {verdict}"
        )
        if ok:
            candidates.append(b)
    pick = max(candidates, key=lambda b: med["rates"][b]) if candidates else "torch"
    return pick, "; ".join(reasons)


def render(m: dict) -> str:
    """The Markdown section for measurements ``m``."""
    pick, why = decide(m)
    default = Settings.model_fields["embedding_backend"].default
    rows = []
    for b in BACKENDS:
        rows.append(
            f"| {b} | {spread(m['rates'][b], 1)} | {spread(m['p50'][b])} | {spread(m['p95'][b])} | "
            f"{m['hits'][b]['hybrid']:.3f} | {m['hits'][b]['dense']:.3f} | {m['cosine'][b]:.4f} | "
            f"{m['first_load'][b]:.1f}"
            + (f" ({m['reload'][b]:.1f} cached)" if b in m["reload"] else "")
            + " | "
            + (f"{m['size'][b]:.0f}" if b in m["size"] else "-")
            + " |"
        )
    agreed = "agrees with" if pick == default else "differs from"
    return "\n".join(
        [
            f"## ONNX backend ({time.strftime('%Y-%m-%d')})",
            "",
            machine(),
            f"- onnxruntime {_version('onnxruntime')}, onnx {_version('onnx')}; torch threads "
            f"{torch.get_num_threads()}, ONNX Runtime intra-op threads: its default (physical cores)",
            "",
            f"All in one process, packaged all-MiniLM-L6-v2, batch size 16. Throughput: `encode` of {m['texts']} "
            f"synthetic chunk texts (median {m['words']:.0f} words). Latency: each of the {m['questions']} dev "
            "questions embedded alone. Median (min, max, n) over "
            f"{m['runs']} runs alternating between backends in rotating order. hit@5: eval/dev.jsonl through the "
            "Assistant (extractive) over corpus/ indexed with that backend. Cosine: lowest cosine similarity to "
            "torch's vector over 200 chunk texts. First load includes the export (ONNX) into an empty cache.",
            "",
            "| backend | texts/s | query p50 ms | query p95 ms | hit@5 hybrid | hit@5 dense | min cosine | "
            "first load s | model MiB |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Answers on dev (hybrid, extractive) with each backend's index: "
            + "; ".join(
                f"{b}: " + ", ".join(f"{k} {m['hits'][b][k]}" for k in ANSWER_METRICS if k in m["hits"][b])
                for b in BACKENDS
            )
            + ".",
            "",
            f"Rule: a backend becomes the default if its median throughput and p50 latency beat torch and its dev "
            f"hit@5 (hybrid and dense) drops by at most {MAX_HIT_DROP}. {why}.",
            "",
            f"**Decision:** these measurements pick `{pick}`; the configured default is `{default}` ({agreed} them). "
            "See docs/embeddings.md for the reasoning.",
        ]
    )


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def section(runs: int = 3, texts: int = 2000) -> str:
    """Measure and return the Markdown section."""
    return render(measure(runs, texts))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--json", type=Path, help="Also write the raw measurements here.")
    args = parser.parse_args()
    m = measure(args.runs, args.texts)
    if args.json:
        args.json.write_text(json.dumps(m, indent=1))
    print(render(m))


if __name__ == "__main__":
    main()
