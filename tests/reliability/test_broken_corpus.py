"""``assistant ingest --json`` (a real subprocess, as run by hand or cron) over the fixture corpus plus a corrupt
PDF, an empty file, a binary file and a Latin-1 text: every good document is ingested, each bad file is reported
exactly once in the JSON ``failures`` and exactly once in the log, and the exit status is 0 (1 with --strict).

Latin-1 is refused, not guessed: decoding is strict UTF-8 (docs/ingestion.md), because a fallback would ingest any
other 8-bit encoding silently mangled; the failure names the file and the offset of the first bad byte."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.reliability.conftest import assistant_env

BAD = {
    "corrupt.pdf": b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R",
    "empty.md": b"",
    "binary.txt": bytes(range(256)) * 16,
    "jumelage-latin1.md": "# Jumelage\n\nÉté à Besançon: les comités de jumelage se réunissent.\n".encode("latin-1"),
}


@pytest.mark.slow
def test_cli_ingests_good_files_and_reports_each_bad_one_once(tmp_path: Path) -> None:
    from assistant.config import Settings

    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", corpus)
    for name, data in BAD.items():
        (corpus / name).write_bytes(data)
    settings = Settings(_env_file=None, corpus_dir=corpus, data_dir=tmp_path / "data")

    def ingest(*flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "assistant", "ingest", "--json", *flags],
            env=assistant_env(settings),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    proc = ingest()
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (report["docs_added"], report["docs_failed"]) == (5, 4), report
    reported = [Path(f["path"]).name for f in report["failures"]]
    assert sorted(reported) == sorted(BAD), reported
    reasons = {Path(f["path"]).name: f["reason"] for f in report["failures"]}
    assert "UTF-8" in reasons["jumelage-latin1.md"] and "PDF" in reasons["corrupt.pdf"], reasons
    for name in BAD:
        assert sum(name in line for line in proc.stderr.splitlines()) == 1, proc.stderr

    strict = ingest("--strict")
    assert strict.returncode == 1 and json.loads(strict.stdout.strip().splitlines()[-1])["docs_unchanged"] == 5
