"""The source registry: one entry per public page, canonical URLs, kinds and confidence checked at load, every
problem named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.corpus.registry import load_registry
from assistant.links import canonical_url

CORPUS = Path(__file__).parents[2] / "corpus"
ENTRY = "  - id: {id}\n    url: {url}\n    kind: {kind}\n    publisher: P\n    title: T\n    confidence: high\n"


def registry_file(tmp_path: Path, *entries: dict[str, str]) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n" + "".join(ENTRY.format(**{"kind": "official", **e}) for e in entries))
    return path


def test_the_corpus_registry_is_valid_and_its_urls_are_distinct_pages() -> None:
    registry, problems = load_registry(CORPUS / "sources.yaml")
    assert problems == [] and len(registry.entries) > 100
    urls = [e.url for e in registry.entries.values()]
    assert all(canonical_url(u) == u for u in urls)
    assert len({canonical_url(u) for u in urls}) == len(urls)  # no two differ only by tracking parameters


def test_every_kind_and_confidence_of_the_registry_is_used() -> None:
    entries = load_registry(CORPUS / "sources.yaml")[0].entries.values()
    assert {e.kind for e in entries} == {"official", "contact-point", "association", "secondary"}
    assert {e.confidence for e in entries} == {"high", "medium", "low"}


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "https://euro-access.eu/en/calls/1711/Networks-of-Towns?css=white",
            "https://euro-access.eu/en/calls/1711/Networks-of-Towns",
        ),
        (
            "https://EUR-Lex.europa.eu/legal-content/AUTO/?uri=CELEX:32021R0692&qid=1680106981413&rid=3#d1e32",
            "https://eur-lex.europa.eu/legal-content/AUTO/?uri=CELEX:32021R0692",
        ),
        (
            "https://example.org/page?id=7&utm_source=nl&utm_medium=mail&fbclid=x&gclid=y",
            "https://example.org/page?id=7",
        ),
        (
            "https://webgate.ec.europa.eu/funding-tenders-opportunities/pages/viewpage.action?pageId=1867798",
            "https://webgate.ec.europa.eu/funding-tenders-opportunities/pages/viewpage.action?pageId=1867798",
        ),
        (
            "https://www.euvillages.it/post/gemellaggi-di-citt%C3%A0?font=6",
            "https://www.euvillages.it/post/gemellaggi-di-citt%C3%A0",
        ),
    ],
)
def test_canonical_links_drop_tracking_and_display_parameters_but_keep_what_selects_the_page(
    url: str, canonical: str
) -> None:
    assert canonical_url(url) == canonical


def test_a_broken_registry_names_file_and_line_for_each_problem(tmp_path: Path) -> None:
    path = registry_file(
        tmp_path,
        {"id": "nt-2025", "url": "https://euro-access.eu/en/calls/1711/Networks-of-Towns?css=white"},
        {"id": "gateway", "url": "https://example.org/cerv", "kind": "aggregator"},
        {"id": "portal", "url": "https://example.org/portal"},
        {"id": "portal", "url": "https://example.org/other"},
        {"id": "same-page", "url": "https://example.org/portal"},
        {"id": "Bad Id", "url": "javascript:alert(1)"},
    )
    registry, problems = load_registry(path, "corpus/sources.yaml")
    assert list(registry.entries) == ["portal"]
    said = [str(p) for p in problems]
    assert said[0].startswith("corpus/sources.yaml:2: source 'nt-2025': url: not canonical")
    assert "write https://euro-access.eu/en/calls/1711/Networks-of-Towns" in said[0]
    assert said[1].startswith("corpus/sources.yaml:8: source 'gateway': kind:")
    assert said[2] == "corpus/sources.yaml:20: source 'portal': id already used on line 14"
    assert said[3] == "corpus/sources.yaml:26: source 'same-page': same page as source 'portal' (line 14)"
    assert {p.line for p in problems[4:]} == {32} and len(problems) == 6  # the bad id and the bad url


def test_a_registry_that_is_not_yaml_is_one_problem_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - id: a\n    url: [unclosed\n")
    registry, problems = load_registry(path, "corpus/sources.yaml")
    assert not registry.entries and len(problems) == 1
    assert str(problems[0]).startswith("corpus/sources.yaml:") and "invalid YAML" in str(problems[0])
