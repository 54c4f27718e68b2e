"""Loaders turn each supported format into text with metadata, and refuse broken files with a reason."""

from pathlib import Path

import pytest

from assistant.ingest.loaders import LoadError, load_document

FIXTURES = Path(__file__).parents[1] / "fixtures" / "corpus"


def _make_pdf(path: Path, lines: list[str]) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    for line in lines:
        pdf.multi_cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def _make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "Networks of Towns guide"
    document.add_heading("Networks of Towns guide", level=1)
    document.add_heading("Partnership", level=2)
    document.add_paragraph("A network needs towns from at least 4 eligible countries.")
    document.save(str(path))
    return path


def test_markdown_front_matter_becomes_metadata() -> None:
    doc = load_document(FIXTURES / "tt-2024.md", "tt-2024.md")
    assert doc.metadata["call_id"] == "CERV-2024-CITIZENS-TOWN-TT"
    assert doc.metadata["year"] == 2024
    # YAML reads the deadline as a datetime; it is kept as an ISO string with its Brussels offset.
    assert doc.metadata["deadline"] == "2024-09-19T17:00:00+02:00"
    assert doc.title == "Town Twinning 2024 (CERV-2024-CITIZENS-TOWN-TT)"
    assert not doc.text.startswith("---")
    assert "## Deadline" in doc.text


def test_markdown_without_front_matter_takes_title_from_first_heading(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("Intro line.\n\n# Golden Stars of Town Twinning\n\nAn annual award.\n")
    assert load_document(path, "note.md").title == "Golden Stars of Town Twinning"


def test_text_file_title_comes_from_file_name() -> None:
    doc = load_document(FIXTURES / "programme.txt", "programme.txt")
    assert doc.title == "Programme"
    assert "Regulation (EU) 2021/692" in doc.text


def test_a_source_url_is_kept_in_its_canonical_form() -> None:
    text = "---\ntitle: T\nsource_url: https://Euro-Access.eu/en/calls/1711/x?css=white&utm_source=nl#top\n---\nBody.\n"
    doc = load_document(FIXTURES.parent / "x.md", "x.md", text.encode())
    assert doc.metadata["source_url"] == "https://euro-access.eu/en/calls/1711/x"


def test_citation_markers_stay_in_the_text_and_leave_its_plain_form() -> None:
    text = "---\ntitle: T\n---\n# T\n\nThe call closed on 5 May 2025.[^portal] It had EUR 4,000,000.[^a][^b]\n"
    doc = load_document(FIXTURES.parent / "x.md", "x.md", text.encode())
    assert "[^portal]" in doc.text and doc.first_line == 4
    assert doc.plain_text == "# T\n\nThe call closed on 5 May 2025. It had EUR 4,000,000.\n"


def test_html_keeps_main_text_and_drops_menus() -> None:
    doc = load_document(FIXTURES / "history.html", "history.html")
    assert doc.title == "The first EU twinning programme"
    assert "Fontaine report" in doc.text and "26 January 2004" in doc.text
    assert "menu item" not in doc.text and "Cookie settings" not in doc.text


def test_pdf_text_is_extracted(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "call.pdf", ["Town Twinning 2026", "The deadline is 23 September 2026."])
    doc = load_document(path, "call.pdf")
    assert "23 September 2026" in doc.text
    assert doc.title == "Call"


def test_docx_headings_become_markdown_headings(tmp_path: Path) -> None:
    doc = load_document(_make_docx(tmp_path / "guide.docx"), "guide.docx")
    assert doc.title == "Networks of Towns guide"
    assert "## Partnership" in doc.text
    assert "at least 4 eligible countries" in doc.text


def _truncated_pdf(tmp_path: Path) -> Path:
    whole = _make_pdf(tmp_path / "whole.pdf", ["Some text " * 40]).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    return path


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.md", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.md", bytes(range(256)) * 4, "binary"),
        ("latin1.txt", "Jumelage à Besançon, été 2024".encode("latin-1"), "UTF-8"),
        ("random.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8, "PDF"),
        ("fake.docx", b"PK\x03\x04 not really a zip archive", "DOCX"),
        ("bad-front-matter.md", b"---\ntitle: [unclosed\n---\nBody\n", "front matter"),
        ("image.png", b"\x89PNG\r\n\x1a\n....", "unsupported"),
    ],
)
def test_broken_files_raise_load_error_with_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason):
        load_document(path, name)


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="PDF"):
        load_document(_truncated_pdf(tmp_path), "truncated.pdf")


def test_unreadable_path_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.md"
    folder.mkdir()
    with pytest.raises(LoadError, match="cannot read"):
        load_document(folder, "folder.md")
