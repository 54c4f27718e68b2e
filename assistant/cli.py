"""The ``assistant`` command: ingest the corpus, ask questions, chat, serve, evaluate."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import Settings

app = typer.Typer(help="twinning-assistant: answers about EU town-twinning funding (CERV, CEMR).", no_args_is_help=True)


@app.callback()
def _main() -> None:
    """twinning-assistant: answers about EU town-twinning funding (CERV, CEMR)."""


def _setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    # Libraries that are chatty at INFO/WARNING about things a user cannot act on.
    for name in ("chromadb", "httpx", "sentence_transformers", "transformers", "trafilatura", "pypdf"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError: show the reason, not a traceback
        typer.echo(f"error: invalid settings: {exc}", err=True)
        raise typer.Exit(2) from exc


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the corpus folder).")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the index and ingest everything again.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit non-zero when any file was skipped.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Embed new and changed documents into Chroma; remove documents gone from the corpus."""
    from assistant.ingest.pipeline import NothingToIngest, run_ingest
    from assistant.store import StoreUnavailable

    _setup_logging(verbose)
    settings = _settings()
    try:
        report = run_ingest(settings, paths or None, rebuild=rebuild, progress=not as_json and sys.stderr.isatty())
    except (NothingToIngest, StoreUnavailable) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        typer.echo(f"ingest: {report.summary()}", err=True)
    if report.docs_failed and (strict or report.docs_ingested == 0):
        raise typer.Exit(1)


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50, help="How many passages.")] = 5,
) -> None:
    """Show the passages nearest to a question, with their sources (dense retrieval only)."""
    from assistant.embeddings import SentenceTransformerEmbeddings
    from assistant.retrieval.dense import dense_search, vector_store

    _setup_logging()
    settings = _settings()
    embeddings = SentenceTransformerEmbeddings(settings.embedding_model, settings.embedding_device)
    for rank, hit in enumerate(dense_search(vector_store(settings, embeddings), query, k=k), 1):
        body = hit.text[hit.metadata.get("header_chars", 0) :].strip().replace("\n", " ")
        typer.echo(f"[{rank}] {hit.metadata.get('title')} › {hit.metadata.get('section', '')} ({hit.score:.2f})")
        typer.echo(f"    {body[:300]}")
        typer.echo(f"    {hit.metadata.get('source_url', hit.metadata.get('doc_id'))}")
