"""Ingestion benchmark: `assistant ingest` against the encoder alone, and re-runs against a full run.

Run by hand (``make bench`` or ``.venv/bin/python bench/ingest.py``); it prints a Markdown section to paste
into bench/RESULTS.md. Both sides use the same loaded model, the same chunk texts and the same batch size, in
the same process, so the ratio measures only what ingestion adds (reading, splitting, Chroma writes).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import machine, spread, synthetic_corpus  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.embeddings import SentenceTransformerEmbeddings  # noqa: E402
from assistant.ingest.pipeline import run_ingest  # noqa: E402
from assistant.store import get_collection, make_client  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--sections", type=int, default=21)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    try:
        corpus = synthetic_corpus(work / "corpus", args.docs, args.sections)
        base = Settings(_env_file=None, corpus_dir=corpus, data_dir=work / "data0")
        emb = SentenceTransformerEmbeddings(base.embedding_model, base.embedding_device, base.batch_size)
        emb.encode(["warm up"])

        ingest_rates, floor_rates, rerun_ratios, one_change_ratios = [], [], [], []
        for run in range(args.runs):
            settings = base.model_copy(update={"data_dir": work / f"data{run}"})
            full = run_ingest(settings, embeddings=emb, progress=False)
            texts = get_collection(make_client(settings), settings.collection).get(include=["documents"])["documents"]
            started = time.perf_counter()
            emb.model.encode(texts, batch_size=base.batch_size, normalize_embeddings=True, show_progress_bar=False)
            floor_seconds = time.perf_counter() - started
            rerun = run_ingest(settings, embeddings=emb, progress=False)
            changed = corpus / "call-0000.md"
            changed.write_text(changed.read_text() + f"\n## Note {run}\nA changed paragraph.\n")
            one = run_ingest(settings, embeddings=emb, progress=False)
            assert rerun.docs_unchanged == args.docs and one.docs_updated == 1

            ingest_rates.append(full.chunks / full.seconds)
            floor_rates.append(len(texts) / floor_seconds)
            rerun_ratios.append(100 * rerun.seconds / full.seconds)
            one_change_ratios.append(100 * one.seconds / full.seconds)
            print(
                f"run {run}: {full.chunks} chunks, ingest {full.seconds:.1f} s, encode {floor_seconds:.1f} s, "
                f"re-run {rerun.seconds:.2f} s, one changed {one.seconds:.2f} s",
                file=sys.stderr,
            )
        ratio = [i / f for i, f in zip(ingest_rates, floor_rates, strict=True)]
        print(f"## Ingestion ({time.strftime('%Y-%m-%d')})\n\n{machine()}\n")
        print(
            f"Synthetic corpus: {args.docs} documents, {full.chunks} chunks of ~110 words; "
            f"batch size {base.batch_size}."
        )
        print("Model loaded once beforehand for both sides (load time excluded from both).\n")
        print("| measure | value |\n|---|---|")
        print(f"| `assistant ingest` chunks/s | {spread(ingest_rates)} |")
        print(f"| `SentenceTransformer.encode` chunks/s (floor) | {spread(floor_rates)} |")
        print(f"| ingest / encode (target >= 0.85) | {spread(ratio)} |")
        print(f"| re-run, nothing changed, % of full run (target < 5%) | {spread(rerun_ratios)} |")
        print(f"| re-run, one document changed, % of full run | {spread(one_change_ratios)} |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
