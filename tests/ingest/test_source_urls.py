"""Source URLs that are not http(s) never enter the index (issue 13, finding 6): the document is ingested without
them, with a warning naming the file."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant.ingest.loaders import load_document


def test_front_matter_javascript_url_is_dropped_with_a_warning_naming_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "hostile-note.md"
    path.write_text(
        "---\ntitle: Twinning note\nsource_url: javascript:alert(document.cookie)\n---\n"
        "# Note\n\nThe twinning note deadline is 5 May 2025.\n"
    )
    with caplog.at_level(logging.WARNING):
        doc = load_document(path, "hostile-note.md")
    assert "5 May 2025" in doc.text
    assert "source_url" not in doc.metadata
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(path) in warnings[0] and "javascript:" in warnings[0], warnings


def test_only_unsafe_url_leaves_the_document_without_one(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "page.md"
    path.write_text("---\ntitle: Page\nsource_url: ' JaVaScRiPt:alert(1)'\n---\nText of the page.\n")
    with caplog.at_level(logging.WARNING):
        doc = load_document(path, "page.md")
    assert "source_url" not in doc.metadata and doc.text.strip() == "Text of the page."
    assert any(str(path) in r.getMessage() for r in caplog.records)
