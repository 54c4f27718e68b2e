"""Every corpus document follows the front-matter contract (docs/corpus.md)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

CORPUS = Path(__file__).parents[1] / "corpus"
FILES = sorted(CORPUS.rglob("*.md"))
TOPICS = {
    "programme",
    "strands",
    "town-twinning",
    "networks-of-towns",
    "remembrance",
    "cemr",
    "history",
    "faq",
    "how-to-apply",
}
PROGRAMMES = {"CERV", "Europe for Citizens", "REC", "CEMR", "History"}
ALLOWED = {
    "title",
    "source_url",
    "source_urls",
    "publisher",
    "programme",
    "call_id",
    "year",
    "topic",
    "deadline",
    "language",
}


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
    urls = meta.get("source_urls") or [meta.get("source_url")]
    assert urls and all(isinstance(u, str) and re.match(r"https?://", u) for u in urls)
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
