"""Per-file bounds of ingestion, each against the real part: Chroma's batch limit, a parser stopped in its
child process, front matter and deadlines that would blow up later."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from assistant.dates import BRUSSELS, days_until, parse_deadline
from assistant.ingest.loaders import LoadError, parse_front_matter
from assistant.ingest.pipeline import upsert_in_batches
from assistant.ingest.worker import ParserProcess
from tests.reliability import hostile_files


def test_a_write_larger_than_chromas_batch_limit_is_split(tmp_path: Path) -> None:
    """A document can have more chunks than Chroma takes in one call ("Batch size of 6098 is greater than max
    batch size"); the writer splits by the client's own limit. Two-number vectors keep this quick."""
    client = chromadb.PersistentClient(
        path=str(tmp_path / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = client.get_or_create_collection("batch_test", embedding_function=None)
    limit = client.get_max_batch_size()
    count = limit + 7
    with pytest.raises(Exception, match="max batch size"):  # what a single upsert does
        collection.upsert(ids=[str(i) for i in range(count)], embeddings=[[1.0, 0.0]] * count)

    upsert_in_batches(
        collection,
        limit,
        ids=[f"c{i}" for i in range(count)],
        embeddings=[[float(i), 1.0] for i in range(count)],
        documents=[f"chunk {i}" for i in range(count)],
        metadatas=[{"doc_id": "big.md"}] * count,
    )
    assert collection.count() == count


def test_a_parser_that_runs_too_long_is_stopped_and_the_next_file_parses() -> None:
    """A 90 KB DOCX holding 2 MB of paragraphs keeps python-docx busy for about 30 s; its child process is
    killed at the time limit, and a fresh one parses the next file."""
    slow = hostile_files.docx_bomb(2_000_000)
    good = hostile_files.docx(["Towns from three countries meet."], title="Good")
    with ParserProcess(timeout=1.5) as parser:
        parser.parse(".docx", good)  # starts the child; its imports are not part of any file's time
        started = time.monotonic()
        with pytest.raises(LoadError, match="longer than 1.5 s"):
            parser.parse(".docx", slow)
        assert time.monotonic() - started < 10
        meta, text = parser.parse(".docx", good)
    assert meta["title"] == "Good" and "three countries" in text


def test_front_matter_aliases_are_refused_before_they_expand() -> None:
    started = time.monotonic()
    with pytest.raises(LoadError, match="aliases"):
        parse_front_matter(hostile_files.yaml_alias_bomb())
    assert time.monotonic() - started < 1
    with pytest.raises(LoadError, match="nested data"):
        parse_front_matter("---\ntitle: A call\nextra: {a: {b: 1}}\n---\nText.\n")
    meta, _ = parse_front_matter("---\ntitle: A call\nkeywords: [twinning, CERV]\n---\nText.\n")
    assert meta["keywords"] == ["twinning", "CERV"]


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "9999-12-31"])
def test_an_extreme_deadline_never_reaches_date_arithmetic(value: str) -> None:
    """Such a deadline made every question that retrieved its call a 500 (OverflowError in days_until)."""
    now = dt.datetime(2026, 11, 21, 12, tzinfo=BRUSSELS)
    assert parse_deadline(value) is None
    when = dt.datetime.fromisoformat(value)
    days_until(when if when.tzinfo else when.replace(tzinfo=BRUSSELS), now)  # does not raise
