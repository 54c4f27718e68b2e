"""Feedback on answers, stored in SQLite under the data folder; exported as CSV for evaluators."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import TextIO

_SCHEMA = """CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, site TEXT, rating TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, sources TEXT NOT NULL, comment TEXT)"""
COLUMNS = ["id", "time", "site", "rating", "question", "answer", "sources", "comment"]


class FeedbackStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(
        self, *, rating: str, question: str, answer: str, sources: list[dict], comment: str | None, site: str | None
    ) -> int:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (time, site, rating, question, answer, sources, comment) VALUES (?,?,?,?,?,?,?)",
                (now, site, rating, question, answer, json.dumps(sources, ensure_ascii=False), comment),
            )
            return int(cursor.lastrowid)

    def export_csv(self, out: TextIO) -> int:
        with self._connect() as db:
            rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id").fetchall()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        return len(rows)
