"""Feedback on answers, stored in SQLite under the data folder, bounded; exported as CSV for evaluators.

Bounded: every field is capped by the request model (``schemas.FeedbackRequest``), the site is a configured site id,
and the store keeps at most ``feedback_max_rows`` rows and ``feedback_max_bytes`` bytes of text. Retention: past
either cap, the oldest rows are deleted as a new one is added (SQLite reuses their pages, so the file stops
growing near the cap). A store that cannot be written (disk full, read-only folder) raises ``FeedbackUnavailable``,
which the API answers with 503; the service starts and answers questions without it.

The CSV export neutralises spreadsheet formulas (OWASP "CSV injection"): a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, TextIO

from assistant.config import Settings

log = logging.getLogger(__name__)

_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, site TEXT, rating TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, sources TEXT NOT NULL, comment TEXT,
    bytes INTEGER NOT NULL DEFAULT 0)"""
_SIZE_INDEX = "CREATE INDEX IF NOT EXISTS feedback_size ON feedback (id, bytes)"  # the pruning reads only this
# The newest rows are kept while they fit both caps; every older row is deleted.
_PRUNE = """DELETE FROM feedback WHERE id <= (
    SELECT max(id) FROM (
        SELECT id, ROW_NUMBER() OVER newest AS n, SUM(bytes) OVER newest AS total FROM feedback
        WINDOW newest AS (ORDER BY id DESC))
    WHERE n > ? OR total > ?)"""
COLUMNS = ["id", "time", "site", "rating", "question", "answer", "sources", "comment"]
DEMO_SITE = "demo"  # data-site of the demo page served at / (static/demo.html): always a known site
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class FeedbackUnavailable(Exception):
    """The feedback store cannot be opened or written (disk full, read-only data folder, ...)."""


def known_sites(settings: Settings) -> frozenset[str]:
    """Site ids feedback may name: the configured widget sites and the built-in demo page."""
    return frozenset(settings.sites) | {DEMO_SITE}


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula (text starting with = + - @ tab or CR gets a ')."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class FeedbackStore:
    def __init__(self, path: Path, max_rows: int = 10_000, max_bytes: int = 50 * 1024 * 1024) -> None:
        self.path, self.max_rows, self.max_bytes = path, max_rows, max_bytes
        self._ready = False
        self._lock = threading.Lock()
        try:
            self._prepare()
        except FeedbackUnavailable as exc:
            log.warning("feedback store %s unavailable (%s): /api/feedback answers 503 until it is", path, exc)

    @classmethod
    def for_settings(cls, settings: Settings) -> FeedbackStore:
        return cls(settings.data_dir / "feedback.sqlite", settings.feedback_max_rows, settings.feedback_max_bytes)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A connection in a transaction (committed on success, closed always); SQLite and OS errors become
        ``FeedbackUnavailable``."""
        try:
            with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
                yield db
        except (sqlite3.Error, OSError) as exc:
            raise FeedbackUnavailable(f"{type(exc).__name__}: {exc}") from exc

    def _prepare(self) -> None:
        """Create the folder, table and index, once (retried by later calls while it fails)."""
        if self._ready:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FeedbackUnavailable(f"cannot create {self.path.parent}: {exc.strerror or exc}") from exc
        with self._transaction() as db:
            db.execute(_SCHEMA)
            if "bytes" not in {row[1] for row in db.execute("PRAGMA table_info(feedback)")}:  # a store before caps
                db.execute("ALTER TABLE feedback ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0")
                db.execute(
                    "UPDATE feedback SET bytes = length(CAST(coalesce(site, '') || question || answer || sources"
                    " || coalesce(comment, '') AS BLOB))"
                )
            db.execute(_SIZE_INDEX)
        self._ready = True

    def add(
        self, *, rating: str, question: str, answer: str, sources: list[dict], comment: str | None, site: str | None
    ) -> int:
        """Store one row, then delete the oldest rows past the caps; ``FeedbackUnavailable`` if it cannot."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        sources_json = json.dumps(sources, ensure_ascii=False)
        size = sum(len(text.encode()) for text in (site or "", question, answer, sources_json, comment or ""))
        with self._lock:  # one writer at a time: the pruning sees every insert
            self._prepare()
            with self._transaction() as db:
                cursor = db.execute(
                    "INSERT INTO feedback (time, site, rating, question, answer, sources, comment, bytes)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    (now, site, rating, question, answer, sources_json, comment, size),
                )
                db.execute(_PRUNE, (self.max_rows, self.max_bytes))
                return int(cursor.lastrowid)

    def export_csv(self, out: TextIO) -> int:
        """Write every row as CSV (formulas neutralised); return how many."""
        self._prepare()
        with self._transaction() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
        return len(rows)
