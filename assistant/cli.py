"""The ``assistant`` command: ingest the corpus, ask questions, chat, serve, evaluate."""

from __future__ import annotations

import ctypes
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any

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


LOADING = "Loading the model and the index..."
M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def _cap_malloc_arenas(arenas: int = 2) -> None:
    """Let glibc's malloc keep at most ``arenas`` arenas in a process that answers questions.

    By default every thread that allocates (ONNX Runtime's pool, Chroma's runtime, the server's worker threads)
    may get an arena of its own, up to 8 per core, and each keeps the memory it freed: about 20 MiB of resident
    memory for ``assistant serve`` here, with no measurable change in latency or throughput under load
    (bench/RESULTS.md, Cold start). Called before those threads start; a ``MALLOC_ARENA_MAX`` in the
    environment wins; does nothing off glibc.
    """
    if os.environ.get("MALLOC_ARENA_MAX"):
        return
    with suppress(OSError, AttributeError):  # not glibc (musl, macOS, Windows)
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, arenas)


@contextmanager
def _loading(message: str = LOADING) -> Iterator[None]:
    """Say ``message`` on stderr while the block loads: a spinner on a terminal, erased after; else one line.

    Never on stdout, which carries the answers and the --json output that scripts parse.
    """
    if not sys.stderr.isatty():
        typer.echo(message, err=True)
        yield
        return
    from rich.console import Console
    from rich.live import Live
    from rich.spinner import Spinner

    spinner = Spinner("dots", text=message)
    # transient: the line is erased at the end; redirect_stdout=False: stdout stays the answers' alone.
    with Live(spinner, console=Console(stderr=True), refresh_per_second=12.5, transient=True, redirect_stdout=False):
        yield


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the corpus folder).")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the index and ingest everything again.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON on stdout.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Exit non-zero when any file was skipped.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Embed new and changed documents into Chroma; remove documents gone from the corpus."""
    _setup_logging(verbose)
    settings = _settings()
    # Only the pipeline here: the model is loaded when a document needs embedding, under the progress bar.
    with _loading("Loading the ingestion pipeline..."):
        from assistant.ingest.pipeline import IngestError, run_ingest
        from assistant.store import StoreUnavailable
    try:
        report = run_ingest(settings, paths or None, rebuild=rebuild, progress=not as_json and sys.stderr.isatty())
    except (IngestError, StoreUnavailable) as exc:  # no document, locked, corrupt manifest, disk full, store down
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        typer.echo(f"ingest: {report.summary()}", err=True)
    if report.docs_failed and (strict or report.docs_ingested == 0):
        raise typer.Exit(1)


@app.command("check-corpus")
def check_corpus(
    path: Annotated[Path | None, typer.Argument(help="The corpus folder (default: ASSISTANT_CORPUS_DIR).")] = None,
) -> None:
    """Validate the corpus: front matter, the source registry, a source marker after every sentence naming a
    registered page, canonical URLs, no unused source. Prints FILE:LINE: problem; exit 1 on any problem."""
    from assistant.corpus.check import check_corpus as run_checks

    root = path or _settings().corpus_dir
    if not root.is_dir():
        typer.echo(f"error: {root} is not a folder", err=True)
        raise typer.Exit(2)
    corpus, problems = run_checks(root)
    for problem in problems:
        typer.echo(str(problem))
    typer.echo(
        f"check-corpus: {len(corpus.documents)} documents ({corpus.translation_count} translations), "
        f"{len(corpus.registry.entries)} sources: " + (f"{len(problems)} problems" if problems else "no problem"),
        err=True,
    )
    if problems:
        raise typer.Exit(1)


@app.command("translation-template")
def translation_template(
    original: Annotated[str, typer.Argument(help="The document to translate (cerv/calls/tt-2024.md).")],
    language: Annotated[str, typer.Argument(help="The language code (fr, it, hu, ro, de, es).")],
    force: Annotated[bool, typer.Option("--force", help="Replace an existing translation.")] = False,
) -> None:
    """Start a translation: writes corpus/LANG/ORIGINAL with the original's body under the translation's front matter
    (the fingerprints of the English sentences). Translate the title and each sentence in place, keep every [^id]
    marker after its sentence, then run check-corpus."""
    from assistant.corpus.translations import template, translation_path

    root = _settings().corpus_dir
    if not (root / original).is_file():
        typer.echo(f"error: {root / original} is not a corpus document", err=True)
        raise typer.Exit(2)
    target = root / translation_path(original, language)
    if target.exists() and not force:
        typer.echo(f"error: {target} exists (--force replaces it)", err=True)
        raise typer.Exit(2)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(template(root, original, language), encoding="utf-8")
    typer.echo(str(target))


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=50, help="How many passages.")] = 5,
) -> None:
    """Show the passages the assistant retrieves for a question (its own retriever), with their sources."""
    _setup_logging()
    assistant = _assistant()
    # The question as the assistant reads it (language, years, calls, typing slips), then its own retriever.
    for rank, passage in enumerate(assistant.searcher.search(assistant.understand(query, []), k), 1):
        meta = passage.metadata
        similarity = f", cosine {passage.similarity:.2f}" if passage.similarity is not None else ""
        typer.echo(f"[{rank}] {meta.get('title')} › {meta.get('section', '')} (fused {passage.score:.4f}{similarity})")
        typer.echo(f"    {passage.chunk.body.strip().replace(chr(10), ' ')[:300]}")
        typer.echo(f"    {meta.get('source_url', meta.get('doc_id'))}")


def _history(path: Path | None) -> list[dict[str, str]]:
    if path is None:
        return []
    try:
        turns = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(turns, list) and all(isinstance(t, dict) and {"role", "content"} <= t.keys() for t in turns)
    except (OSError, ValueError, AssertionError) as exc:
        typer.echo(f'error: --history must be a JSON list of {{"role", "content"}} turns ({exc})', err=True)
        raise typer.Exit(2) from exc
    return turns


def _assistant():  # noqa: ANN202 - imported lazily to keep `assistant --help` fast
    """The Assistant of the settings, with its model and indexes loaded under a status on stderr."""
    _cap_malloc_arenas()
    settings = _settings()
    with _loading():
        from assistant.embeddings import EmbeddingUnavailable
        from assistant.service import Assistant
        from assistant.store import StoreUnavailable

        try:
            assistant = Assistant(settings)
            assistant.warm_up()
        except (StoreUnavailable, EmbeddingUnavailable) as exc:  # store down; model missing, broken, unreachable
            failure = exc
        else:
            return assistant
    # Said once the status is gone, so the error is not drawn into the spinner's line.
    typer.echo(f"error: {failure}", err=True)
    raise typer.Exit(1) from failure


def _print_answer(answer) -> None:  # noqa: ANN001
    from assistant.answer.messages import message

    typer.echo(answer.answer)
    if answer.sources:
        typer.echo(f"\n{message(answer.language, 'sources')}:")
        for i, source in enumerate(answer.sources, 1):
            typer.echo(f"[{i}] {source.title} - {source.url or ''}".rstrip(" -"))


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the /api/ask response object.")] = False,
    history: Annotated[Path | None, typer.Option("--history", help="JSON file: earlier turns.")] = None,
) -> None:
    """Answer one question, with its sources."""
    _setup_logging()
    turns = _history(history)
    answer = _assistant().ask(question, turns)
    if as_json:
        typer.echo(json.dumps(answer.model_dump(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)


@app.command()
def chat() -> None:
    """An interactive conversation: /reset starts over; /quit, /exit, Ctrl-D or Ctrl-C leaves (not an empty line)."""
    _setup_logging()
    assistant = _assistant()
    turns: list[dict[str, str]] = []
    typer.echo("Ask about EU town-twinning funding. /reset starts over; /quit, Ctrl-D or Ctrl-C leaves.")
    while True:
        try:
            question = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            break
        if not question:
            continue
        if question.lower() in ("/quit", "/exit"):
            break
        if question == "/reset":
            turns = []
            continue
        answer = assistant.ask(question, turns)
        _print_answer(answer)
        typer.echo("")
        turns += [{"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        turns = turns[-20:]


def _writable(path: Path | None, option: str) -> None:
    """Fail at once (exit 2, one line) when the report cannot be written to ``path``: a folder, or a parent folder
    that cannot be created or written to."""
    if path is None:
        return
    try:
        if path.is_dir():
            raise OSError("it is a folder")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise OSError("permission denied")
    except OSError as exc:
        typer.echo(f"error: {option} {path} cannot be written ({exc.strerror or exc})", err=True)
        raise typer.Exit(2) from None


@app.command("eval")
def evaluate(
    questions: Annotated[Path, typer.Option("--questions", help="JSONL question file.")] = Path("eval/dev.jsonl"),
    retrieval: Annotated[str, typer.Option("--retrieval", help="dense, lexical or hybrid.")] = "",
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report as JSON here.")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
    compare: Annotated[bool, typer.Option("--compare", help="Also run dense, lexical and the naive baseline.")] = False,
) -> None:
    """Run a question set and report retrieval, answer and refusal quality, and latency."""
    import platform
    import time

    from assistant.evaluation.report import build_report, render_html
    from assistant.evaluation.runner import QuestionClock, load_questions, run

    _setup_logging()
    settings = _settings()
    if retrieval:
        if retrieval not in ("dense", "lexical", "hybrid"):
            typer.echo("error: --retrieval must be dense, lexical or hybrid", err=True)
            raise typer.Exit(2)
        settings = settings.model_copy(update={"retrieval_mode": retrieval})
    _writable(json_out, "--json")
    _writable(html_out, "--html")
    try:
        items = load_questions(questions)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    with _loading():
        from assistant.evaluation.baseline import NaiveBaseline
        from assistant.service import Assistant

        clock = QuestionClock()  # each question asked on its asked_on day
        main_assistant = Assistant(settings, clock=clock)
        main_assistant.warm_up()
    main = settings.retrieval_mode
    bar = sys.stderr.isatty()  # without a terminal, one plain line per configuration instead of a progress bar

    def run_one(name: str, ask: Callable[..., Any], clock: QuestionClock | None = None) -> list[Any]:
        """One configuration's results."""
        if not bar:
            typer.echo(f"evaluating {name}: {len(items)} questions", err=True)
        return run(ask, items, progress=bar, clock=clock)

    runs = {main: run_one(main, main_assistant.ask, clock)}
    if compare:
        for mode in ("hybrid", "dense", "lexical"):
            if mode not in runs:
                update = {"retrieval_mode": mode}
                other = Assistant(settings.model_copy(update=update), main_assistant.embeddings, clock=clock)
                runs[mode] = run_one(mode, other.ask, clock)
        runs["naive baseline"] = run_one("naive baseline", NaiveBaseline(settings, main_assistant.embeddings).ask)
    meta = {
        "questions": str(questions),
        "date": time.strftime("%Y-%m-%d"),
        "chunks": main_assistant.chunk_count,
        "model": settings.embedding_model,
        "python": platform.python_version(),
    }
    report = build_report(runs, main, meta, items)
    for name, summary in report["configurations"].items():
        typer.echo(f"{name}: " + ", ".join(f"{k} {v}" for k, v in summary.items()), err=True)
    answerable = {"en": sum(q["answerable"] and q["lang"] == "en" for q in items)}
    answerable["other"] = sum(bool(q["answerable"]) for q in items) - answerable["en"]
    recall = report["fact_recall_by_language_group"]
    typer.echo(
        "fact recall by language group: "
        + ", ".join(f"{group} {recall[group]} ({answerable[group]} answerable)" for group in ("en", "other")),
        err=True,
    )
    for path, render in ((json_out, lambda r: json.dumps(r, ensure_ascii=False, indent=1)), (html_out, render_html)):
        if path:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(render(report), encoding="utf-8")
            except OSError as exc:
                typer.echo(f"error: the report cannot be written to {path} ({exc.strerror or exc})", err=True)
                raise typer.Exit(1) from None
            typer.echo(f"report written to {path}", err=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Default: ASSISTANT_HOST (127.0.0.1).")] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", min=0, max=65535, help="Default: ASSISTANT_PORT (8000); 0: any free port."),
    ] = None,
) -> None:
    """Run the HTTP API, the widget (/widget.js) and its demo page (/) with uvicorn (limits: assistant.api.server);
    prints the address once it listens."""
    from assistant.api.server import serve as run_server

    _cap_malloc_arenas()
    _setup_logging()
    logging.getLogger("assistant.api").setLevel(logging.INFO)
    run_server(_settings(), host=host, port=port)


feedback_app = typer.Typer(help="Feedback given on answers.", no_args_is_help=True)
app.add_typer(feedback_app, name="feedback")


@feedback_app.command("export")
def feedback_export(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="CSV file (default: standard output).")] = None,
) -> None:
    """Write all feedback as CSV for evaluators (cells that a spreadsheet would run as formulas start with ')."""
    from assistant.api.feedback import FeedbackStore, FeedbackUnavailable

    store = FeedbackStore.for_settings(_settings())
    try:
        if out is None:
            count = store.export_csv(sys.stdout)
        else:
            with out.open("w", newline="", encoding="utf-8") as handle:
                count = store.export_csv(handle)
    except FeedbackUnavailable as exc:
        typer.echo(f"error: cannot read the feedback store {store.path}: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{count} feedback rows exported", err=True)


@app.command()
def telegram() -> None:
    """Run the Telegram bot by long polling (ASSISTANT_TELEGRAM_TOKEN; see the README for BotFather).

    The token is tried first (getMe): a wrong or revoked one ends the command with one line, before the model loads,
    and so does one revoked while polling. The token never reaches the output or the log."""
    import asyncio

    from assistant.bots.telegram import BotUnavailable, TokenGuard, bot_username, build_application, poll

    _setup_logging()
    logging.getLogger("assistant.bots").setLevel(logging.INFO)
    settings = _settings()
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value().strip():
        typer.echo("error: set ASSISTANT_TELEGRAM_TOKEN (create a bot with BotFather; see the README)", err=True)
        raise typer.Exit(2)
    guard = TokenGuard(settings.telegram_token.get_secret_value())
    guard.install()
    try:
        asyncio.run(bot_username(settings))
        application = build_application(settings, _assistant())
        poll(application, guard, lambda name: typer.echo(f"Polling Telegram as @{name} (Ctrl-C stops).", err=True))
    except BotUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
