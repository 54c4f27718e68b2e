"""Every corpus document follows the front-matter contract (docs/corpus.md), and every sentence names the public
page that holds its fact."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from assistant.corpus.check import OPTIONAL_KEYS, PROGRAMMES, REQUIRED_KEYS, TOPICS
from assistant.corpus.markers import attach, parse_markers
from assistant.corpus.registry import load_registry
from assistant.corpus.translations import load_plan
from assistant.ingest.loaders import load_document
from assistant.ingest.splitting import SKIPPED_SECTIONS, sections
from assistant.links import canonical_url

CORPUS = Path(__file__).parents[1] / "corpus"
PLAN = load_plan(CORPUS)
# The originals: translations (corpus/<language>/...) follow them and are checked against them (tests/corpus).
TRANSLATED = set(PLAN.languages if PLAN else ())
FILES = sorted(p for p in CORPUS.rglob("*.md") if p.relative_to(CORPUS).parts[0] not in TRANSLATED)
# The contract as `assistant check-corpus` enforces it (docs/corpus.md).
ALLOWED = set(REQUIRED_KEYS + OPTIONAL_KEYS)


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"\A---\n(.*?)\n---\n", text, re.S)
    assert match, f"{path} has no front matter"
    return yaml.safe_load(match.group(1))


def test_the_corpus_covers_every_call_year() -> None:
    names = {p.name for p in FILES}
    for year in range(2021, 2027):
        assert f"tt-{year}.md" in names and f"nt-{year}.md" in names


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_front_matter_follows_the_contract(path: Path) -> None:
    meta = front_matter(path)
    assert set(meta) <= ALLOWED, set(meta) - ALLOWED
    assert isinstance(meta["title"], str) and meta["title"].strip()
    assert meta["topic"] in TOPICS
    assert meta["programme"] in PROGRAMMES
    assert meta["language"] == "en"
    assert isinstance(meta.get("publisher"), str)
    if "year" in meta:
        assert isinstance(meta["year"], int) and 1988 <= meta["year"] <= 2027
    if "call_id" in meta:
        assert re.fullmatch(r"CERV-\d{4}-CITIZENS-[A-Z-]+", meta["call_id"])
        assert str(meta["year"]) in meta["call_id"]
    if "deadline" in meta:
        deadline = meta["deadline"]
        assert isinstance(deadline, dt.date), "deadline must be an ISO date or date-time"
        if isinstance(deadline, dt.datetime):
            assert deadline.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2)), "Brussels offset"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_body_starts_with_the_title_and_has_sections(path: Path) -> None:
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert re.search(r"^# .+", body, re.M) and len(re.findall(r"^## ", body, re.M)) >= 2


REGISTRY = load_registry(CORPUS / "sources.yaml")[0]


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_sentence_names_a_registered_source(path: Path) -> None:
    doc = load_document(path, path.relative_to(CORPUS).as_posix())
    for heading, body in sections(doc.text, doc.title):
        if heading and heading[-1].lower() in SKIPPED_SECTIONS:
            continue
        cited = parse_markers(body)
        spans, ids, orphans = attach(cited)
        assert not orphans, f"{path}: markers after no sentence: {orphans}"
        for (start, end), names in zip(spans, ids, strict=True):
            sentence = cited.text[start:end]
            assert names, f"{path} › {' › '.join(heading)}: no source for {sentence!r}"
            assert all(n in REGISTRY for n in names), f"{path}: unknown source in {names} for {sentence!r}"


def test_no_two_source_urls_differ_only_by_tracking_parameters() -> None:
    urls = [entry.url for entry in REGISTRY.entries.values()]
    assert len({canonical_url(u) for u in urls}) == len(urls) == len(set(urls))


def test_the_evaluation_facts_are_in_their_source_files() -> None:
    """eval/check_questions.py: every fact of every question file occurs in its corpus file (read without markers)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(CORPUS.parent / "eval" / "check_questions.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors, 0 unverified facts" in result.stdout
