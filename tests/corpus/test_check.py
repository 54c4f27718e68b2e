"""``assistant check-corpus``: the whole corpus validated; every problem is a line ``file:line: message`` and the
exit status is 1, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

CORPUS = Path(__file__).parents[2] / "corpus"


def check(path: Path) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(app, ["check-corpus", str(path)])
    return result.exit_code, result.stdout.splitlines(), result.stderr


def test_the_corpus_passes_every_check() -> None:
    code, problems, summary = check(CORPUS)
    assert (code, problems) == (0, [])
    assert "217 documents (186 translations)" in summary and "no problem" in summary


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A copy of the corpus with one problem of each kind."""
    root = tmp_path / "corpus"
    shutil.copytree(CORPUS, root)
    tt = root / "cerv" / "calls" / "tt-2026.md"
    text = tt.read_text(encoding="utf-8")
    text = text.replace("citing the EU Funds feed.[^dikaiousai-tt-2026]", "citing the EU Funds feed.", 1)
    text = text.replace("## Budget\n", "## Budget[^dikaiousai-tt-2026]\n", 1)
    text = text.replace("[^cyprus-portal-tt-2026] Because", "[^cyprus-portl] Because", 1)
    text = text.replace("language: en\n", "language: en\nsource_urls:\n  - https://example.org\n", 1)
    tt.write_text(text, encoding="utf-8")
    registry = root / "sources.yaml"
    text = registry.read_text(encoding="utf-8").replace(
        "url: https://euro-access.eu/en/calls/1711/Networks-of-Towns\n",
        "url: https://euro-access.eu/en/calls/1711/Networks-of-Towns?css=white\n",
    )
    registry.write_text(
        text + "  - id: unused-page\n    url: https://example.org/unused\n    kind: secondary\n    publisher: X\n"
        "    title: Y\n    confidence: low\n",
        encoding="utf-8",
    )
    nt = root / "cerv" / "calls" / "nt-2021.md"
    nt.write_text(nt.read_text(encoding="utf-8").replace("year: 2021\n", "year: 2021\ndeadline: 2021-13-45\n", 1))
    return root


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_each_problem_names_its_file_and_line(broken: Path) -> None:
    code, problems, summary = check(broken)
    assert code == 1 and f"{len(problems)} problems" in summary
    tt = broken / "cerv" / "calls" / "tt-2026.md"
    registry = broken / "sources.yaml"
    expected = {
        f"corpus/cerv/calls/tt-2026.md:{line_of(tt, 'citing the EU Funds feed.')}: sentence has no source marker",
        f"corpus/cerv/calls/tt-2026.md:{line_of(tt, '## Budget')}: a heading carries a source marker: markers "
        "follow sentences",
        f"corpus/cerv/calls/tt-2026.md:{line_of(tt, '[^cyprus-portl]')}: [^cyprus-portl] names no source of "
        "corpus/sources.yaml",
        f"corpus/cerv/calls/tt-2026.md:{line_of(tt, 'source_urls')}: source_urls is no longer used: name each "
        "sentence's source with a [^id] marker and the page in corpus/sources.yaml",
        f"corpus/sources.yaml:{line_of(registry, 'id: unused-page')}: source 'unused-page' is cited by no document",
        "corpus/cerv/calls/nt-2021.md:1: invalid YAML front matter: month must be in 1..12",
    }
    assert expected <= set(problems), "\n".join(problems)
    canonical = [p for p in problems if p.startswith("corpus/sources.yaml:") and "not canonical" in p]
    assert len(canonical) == 1 and "write https://euro-access.eu/en/calls/1711/Networks-of-Towns" in canonical[0]
    # The documents citing the entry that is no longer valid are named too, line by line.
    assert any(p.startswith("corpus/cerv/calls/nt-2025.md:") and "[^euroaccess-nt-2025]" in p for p in problems)
    assert not any("Traceback" in p for p in problems)


def test_a_folder_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    code, _, summary = check(tmp_path / "missing")
    assert code == 2 and "is not a folder" in summary
