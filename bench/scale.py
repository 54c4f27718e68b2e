"""Scale: answer latency, BM25 index load time and memory with growing collections, embedded and server Chroma.

Embedding 100,000 chunks with the model would take most of an hour on 2 cores, so the synthetic chunks are
composed cheaply: a pool of synthetic sentences (words drawn at random from the real corpus' text, so with
its word frequencies) is embedded once; each synthetic chunk joins six pool sentences under a header line, and
its vector is the normalised mean of their vectors. The real corpus' chunks are embedded normally and written
too, so the dev questions have their real answers among the distractors. Everything is written with the
metadata schema ingestion uses. Writers and measurers run in subprocesses (``--worker``), so an embedded
Chroma folder is never open in two processes at once and each measurement starts from a clean process.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import hashlib
import json
import pickle
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from common import REPO, chroma_server, log, percentile, questions, rss_mib, scratch, spread  # noqa: E402

TITLE = "Scale"
QUICK = {"sizes": (1000, 3000), "pool": 300, "limit": 15, "runs": 1}
SENTENCES_PER_CHUNK = 6
CHUNKS_PER_DOC = 20
TOPICS = ("town-twinning", "networks-of-towns", "remembrance", "programme")
WRITE_BATCH = 2000


# -- preparation (the orchestrating process) ---------------------------------------------------------------------
def prepare(work: Path, pool_size: int) -> int:
    """Embed the real corpus' chunks and a sentence pool; save them for the workers; return the real chunk count."""
    from ingest import chunks_of

    from assistant.config import Settings
    from assistant.embeddings import SentenceTransformerEmbeddings
    from assistant.ingest.splitting import chunk_id

    settings = Settings(_env_file=None, corpus_dir=REPO / "corpus", data_dir=work / "unused")
    emb = SentenceTransformerEmbeddings.from_settings(settings)  # the backend the Assistant will query with
    texts, metas, _ = chunks_of(settings, emb)
    ids = [chunk_id(m["doc_id"], m["chunk_index"], t) for t, m in zip(texts, metas, strict=True)]
    words = [w for t in texts for w in re.findall(r"[A-Za-z][A-Za-z'-]+", t)]
    rng = random.Random(11)
    pool = [" ".join(rng.choice(words) for _ in range(rng.randint(8, 18))).capitalize() + "." for _ in range(pool_size)]
    started = time.perf_counter()
    vectors = emb.encode_passages(texts + pool)
    seconds = time.perf_counter() - started
    log(f"scale: embedded {len(texts)} real chunks and {pool_size} pool sentences in {seconds:.0f} s")
    data = {
        "real": (ids, texts, metas, vectors[: len(texts)]),
        "pool": (pool, vectors[len(texts) :]),
    }
    (work / "prepared.pickle").write_bytes(pickle.dumps(data))
    return len(texts)


def synthetic(i: int, pool: list[str], pool_vectors: np.ndarray) -> tuple[str, str, dict, np.ndarray]:
    """Synthetic chunk number ``i``: (id, text, metadata, vector), the same every time."""
    rng = random.Random(i)
    picks = [rng.randrange(len(pool)) for _ in range(SENTENCES_PER_CHUNK)]
    d, index = divmod(i, CHUNKS_PER_DOC)
    year = 2021 + d % 6
    title = f"Synthetic document {d} ({year})"
    header = f"{title} › Section {index}"
    text = header + "\n" + " ".join(pool[p] for p in picks)
    doc_id = f"synthetic/doc-{d:05d}.md"
    meta = {
        "doc_id": doc_id,
        "title": title,
        "programme": "CERV",
        "year": year,
        "topic": TOPICS[d % len(TOPICS)],
        "source_url": f"https://example.org/synthetic/{d}",
        "language": "en",
        "section": f"Section {index}",
        "chunk_index": index,
        "header_chars": len(header) + 1,
    }
    vector = pool_vectors[picks].mean(axis=0)
    vector /= np.linalg.norm(vector)
    chunk = hashlib.sha1(f"{doc_id}\x1f{index}\x1f{text}".encode()).hexdigest()
    return chunk, text, meta, vector


# -- workers (subprocesses) ----------------------------------------------------------------------------------------
def _settings(store: dict):  # noqa: ANN202
    from assistant.config import Settings

    return Settings(_env_file=None, corpus_dir=REPO / "corpus", data_dir=Path(store["data"]), chroma_url=store["url"])


def write(store: dict, work: Path, start: int, end: int, real: bool) -> dict:
    """Write synthetic chunks ``start``..``end`` (and the real ones if ``real``) into the store's collection."""
    from assistant.store import get_collection, make_client

    data = pickle.loads((work / "prepared.pickle").read_bytes())
    settings = _settings(store)
    collection = get_collection(make_client(settings), settings.collection, settings.embedding_model)
    started = time.perf_counter()
    if real:
        ids, texts, metas, vectors = data["real"]
        collection.upsert(ids=ids, documents=texts, metadatas=metas, embeddings=vectors)
    pool, pool_vectors = data["pool"]
    for low in range(start, end, WRITE_BATCH):
        rows = [synthetic(i, pool, pool_vectors) for i in range(low, min(end, low + WRITE_BATCH))]
        ids, texts, metas, vectors = (list(x) for x in zip(*rows, strict=True))
        collection.upsert(ids=ids, documents=texts, metadatas=metas, embeddings=np.array(vectors))
    # as ingestion does: a new generation tells running assistants to rebuild their BM25 index
    meta = {k: v for k, v in (collection.metadata or {}).items() if not k.startswith("hnsw:")}
    collection.modify(metadata={**meta, "generation": uuid.uuid4().hex})
    return {"seconds": time.perf_counter() - started, "count": collection.count()}


def breakdown(assistant, qs: list[dict]) -> list[float]:  # noqa: ANN001
    """Median ms of the retrieval steps alone: BM25 search, dense query (k=20), the restricted list ranked over the
    snapshot's vectors (what `search` does), and Chroma's own filtered query for the same filter (what it replaced)."""
    from assistant.question.query import analyse
    from assistant.question.text import content_tokens
    from assistant.retrieval.hybrid import _where

    searcher = assistant.searcher
    bm25, dense, filtered, chroma = [], [], [], []
    lexical = searcher.lexical
    for q in qs:
        query = analyse(q["question"], q["history"])
        if query.small_talk:
            continue
        vector = assistant.embeddings.embed_query(query.search_text)
        started = time.perf_counter()
        searcher.lexical.search(content_tokens(query.search_text), searcher.candidates)
        bm25.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        searcher._dense(vector, None, lexical)
        dense.append((time.perf_counter() - started) * 1000)
        where = _where(query)
        if where:
            started = time.perf_counter()
            searcher._dense(vector, where, lexical)
            filtered.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            searcher.collection.query(
                query_embeddings=[vector], n_results=searcher.candidates, where=where, include=["distances"]
            )
            chroma.append((time.perf_counter() - started) * 1000)
    return [statistics.median(x) if x else float("nan") for x in (bm25, dense, filtered, chroma)]


def measure(store: dict, limit: int | None, runs: int) -> dict:
    """Load the BM25 index (time, memory), then ``runs`` passes of floor and ``Assistant.ask`` over dev questions."""
    from ask_latency import measure as latency

    from assistant.question.languages import warm_up
    from assistant.retrieval.lexical import LexicalIndex
    from assistant.service import Assistant

    assistant = Assistant(_settings(store))
    assistant.embeddings.encode_queries(["warm up"])
    warm_up()
    gc.collect()
    rss_before = rss_mib()
    started = time.perf_counter()
    index = LexicalIndex.from_collection(assistant.searcher.collection)  # what the searcher does on first use
    load_s = time.perf_counter() - started
    rss_after = rss_mib()
    chunks = len(index)
    del index
    gc.collect()
    started = time.perf_counter()
    _ = assistant.searcher.lexical  # the searcher's own index, loaded a second time (pages cached)
    reload_s = time.perf_counter() - started
    qs = questions(limit)
    started = time.perf_counter()
    assistant.ask(qs[0]["question"], qs[0]["history"])  # pays any work the index defers to its first question
    first_ask_s = time.perf_counter() - started
    latency(assistant, qs[:5], 1)  # warm-up
    runs_out = []
    for _ in range(runs):
        floor_ms, ask_ms = latency(assistant, qs, 1)
        runs_out.append(
            [
                statistics.median(floor_ms),
                percentile(floor_ms, 0.95),
                statistics.median(ask_ms),
                percentile(ask_ms, 0.95),
            ]
        )
    return {
        "steps": breakdown(assistant, qs),
        "chunks": chunks,
        "load_s": load_s,
        "reload_s": reload_s,
        "first_ask_s": first_ask_s,
        "index_mib": rss_after - rss_before,
        "rss_mib": rss_mib(),
        "peak_mib": rss_mib("self", "VmHWM"),
        "runs": runs_out,
    }


def profile(size: int, pool: int, limit: int | None) -> None:
    """Print a pyinstrument profile of `Assistant.ask` over the dev questions with ``size`` chunks (embedded)."""
    from pyinstrument import Profiler

    work = scratch("bench-scale-profile-")
    real = prepare(work, pool)
    store = {"data": str(work / "data"), "url": None}
    worker("write", {"store": store, "work": str(work), "start": 0, "end": size - real, "real": True})
    from assistant.service import Assistant

    assistant = Assistant(_settings(store))
    assistant.warm_up()
    qs = questions(limit)
    profiler = Profiler(interval=0.002)
    profiler.start()
    for q in qs:
        assistant.ask(q["question"], q["history"])
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False))


def worker(kind: str, args: dict) -> dict:
    """Run one worker in a subprocess and return its JSON result."""
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, json.dumps(args)], capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"scale worker {kind} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the section ---------------------------------------------------------------------------------------------------
def section(
    sizes: tuple[int, ...] = (2000, 20000, 100000),
    modes: tuple[str, ...] = ("embedded", "server"),
    pool: int = 3000,
    limit: int | None = None,
    runs: int = 3,
) -> str:
    """Grow each store through ``sizes`` chunks, measuring at each size; return the Markdown section."""
    work = scratch("bench-scale-")
    real = prepare(work, pool)
    if min(sizes) <= real:
        raise ValueError(f"sizes must exceed the {real} real chunks")
    results: dict[tuple[str, int], dict] = {}
    writes: dict[tuple[str, int], float] = {}
    for mode in modes:
        data = work / f"data-{mode}"
        with contextlib.ExitStack() as stack:
            url = stack.enter_context(chroma_server(work / f"server-{mode}")) if mode == "server" else None
            store = {"data": str(data), "url": url}
            have = 0
            for size in sizes:
                got = worker("write", {"store": store, "work": str(work), "start": have, "end": size - real,
                                       "real": have == 0})  # fmt: skip
                assert got["count"] == size, got
                writes[(mode, size)] = got["seconds"]
                have = size - real
                results[(mode, size)] = worker("measure", {"store": store, "limit": limit, "runs": runs})
                r = results[(mode, size)]
                log(f"scale {mode} {size}: write {got['seconds']:.0f} s, BM25 load {r['load_s']:.1f} s, "
                    f"ask p50 {statistics.median(x[2] for x in r['runs']):.1f} ms")  # fmt: skip
    return report(results, writes, sizes, modes, pool, limit, runs, real)


def report(results, writes, sizes, modes, pool, limit, runs, real) -> str:  # noqa: ANN001
    """The Markdown section from the measurements."""
    n_questions = len(questions(limit))
    rows = []
    for mode in modes:
        for size in sizes:
            r = results[(mode, size)]
            cols = [[x[i] for x in r["runs"]] for i in range(4)]
            rows.append(
                f"| {mode} | {size:,} | {spread(cols[0], 1)} | {spread(cols[1], 1)} | {spread(cols[2], 1)} | "
                f"{spread(cols[3], 1)} | {statistics.median(cols[2]) / statistics.median(cols[0]):.2f} | "
                f"{r['load_s']:.1f} / {r['reload_s']:.1f} | {r['first_ask_s']:.2f} | {r['index_mib']:.0f} | "
                f"{r['peak_mib']:.0f} | {writes[(mode, size)]:.0f} |"
            )
    steps = [
        f"| {mode} | {size:,} | " + " | ".join(f"{x:.1f}" for x in results[(mode, size)]["steps"]) + " |"
        for mode in modes
        for size in sizes
    ]
    growth = []
    for mode in modes:
        first, last = results[(mode, sizes[0])], results[(mode, sizes[-1])]
        ask = [statistics.median(x[2] for x in r["runs"]) for r in (first, last)]
        floor = [statistics.median(x[0] for x in r["runs"]) for r in (first, last)]
        growth.append(
            f"{mode}: from {sizes[0]:,} to {sizes[-1]:,} chunks ({sizes[-1] / sizes[0]:.0f}x), ask p50 x"
            f"{ask[1] / ask[0]:.2f}, floor p50 x{floor[1] / floor[0]:.2f}, BM25 index load "
            f"x{last['reload_s'] / first['reload_s']:.1f}, first answer after load "
            f"x{last['first_ask_s'] / first['first_ask_s']:.1f}"
        )
    return "\n".join(
        [
            f"Collections of {', '.join(f'{s:,}' for s in sizes)} chunks: the {real} chunks of corpus/, embedded "
            f"normally, and synthetic chunks. A pool of {pool:,} synthetic sentences (words drawn at random from "
            "the corpus' text) is embedded once; each synthetic chunk joins six pool sentences under a header line "
            "(`Synthetic document N (year) › Section i`, 20 chunks per document, years 2021-2026, four topics, the "
            "metadata schema of ingestion) and its vector is the normalised mean of their vectors. So the vectors "
            "are plausible neighbours of real ones, but not real embeddings of the chunk texts; the lexical side "
            "has the corpus' vocabulary and word frequencies. Each store grows through the sizes (writes are our "
            "own vectors, in upserts of 2,000). At each size a new process builds the `Assistant`, loads the BM25 "
            "index (the RSS growth while loading includes, with embedded Chroma, what Chroma itself keeps in the "
            "process), then times, per question, the floor (embed + one Chroma query, k=8) and `Assistant.ask` over "
            f"{n_questions} dev questions, {runs} passes (figures: median over passes of each pass's percentile).",
            "",
            "| store | chunks | floor p50 ms | floor p95 ms | ask p50 ms | ask p95 ms | ask/floor p50 | "
            "BM25 load s (first / again) | first answer after load, s | RSS growth in first BM25 load, MiB | "
            "peak RSS MiB | write s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Retrieval steps alone, median ms per question (one pass; the restricted list is built only for "
            "questions naming a year, topic or call, and `search` builds it only when the 20 candidates hold "
            "fewer than 8 matching chunks; Chroma's filtered query is timed for comparison, it is no longer used):",
            "",
            "| store | chunks | BM25 search | dense query, k=20 (ids and distances) | restricted list over the "
            "snapshot's vectors | Chroma's filtered query (not used) |",
            "|---|---|---|---|---|---|",
            *steps,
            "",
            ("Growth: " + "; ".join(growth) + ".") if len(sizes) > 1 else "",
            "",
            "The BM25 index is read from Chroma in pages of 5,000 (`collection.get` with offsets), tokenised and "
            "indexed in the serving process when it starts and whenever ingestion stamps a new generation; its "
            "load time and memory are paid at start-up and after each ingest, not per question. Work the index "
            "defers to its first use (built lazily, once per index) shows in the first-answer column: the first "
            "question after start-up or after an ingest waits for it. Per question, "
            "BM25 scores every chunk (a vector as long as the collection) and the dense side queries the HNSW "
            "index for ids and distances; when the question names a year or call, the matching chunks are ranked "
            "exactly over the snapshot's vectors (a matrix-vector product over the matching rows). The snapshot "
            "holds each chunk's text, metadata and vector (1.5 KiB per chunk for the vector).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smoke-size run")
    parser.add_argument("--profile", type=int, metavar="CHUNKS", help="profile ask with this many chunks instead")
    parser.add_argument("--worker", nargs=2, metavar=("KIND", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, params = args.worker[0], json.loads(args.worker[1])
        if kind == "write":
            out = write(params["store"], Path(params["work"]), params["start"], params["end"], params["real"])
        else:
            out = measure(params["store"], params["limit"], params["runs"])
        print(json.dumps(out))
        return
    if args.profile:
        profile(args.profile, 300 if args.quick else 3000, 30 if args.quick else None)
        return
    print(section(**(QUICK if args.quick else {})))


if __name__ == "__main__":
    main()
