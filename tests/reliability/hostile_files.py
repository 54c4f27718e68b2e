"""Hostile and broken corpus files, built in the test run (small on disk): what a volunteer might drop into the
corpus folder, or an attacker might send them."""

from __future__ import annotations

import io
import zipfile
import zlib


def docx(paragraphs: list[str], title: str = "") -> bytes:
    """A valid Word file (python-docx) with one heading and ``paragraphs``."""
    import docx as python_docx

    document = python_docx.Document()
    if title:
        document.core_properties.title = title
        document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _replace_member(data: bytes, name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, content if info.filename == name else source.read(info.filename))
    return out.getvalue()


def truncated_docx() -> bytes:
    """A DOCX whose document.xml stops in the middle of a tag (a broken download): lxml's XMLSyntaxError."""
    data = docx(["Twinning committees meet every spring."], title="Truncated")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml")
    return _replace_member(data, "word/document.xml", xml[: len(xml) // 2])


def docx_bomb(xml_bytes: int = 20_000_000) -> bytes:
    """A DOCX of about 100 KB whose document.xml unpacks to ``xml_bytes`` of paragraphs (python-docx parses it
    for minutes: a parser that must be stopped, or refused before parsing)."""
    data = docx(["seed"], title="Bomb")
    paragraph = b"<w:p><w:r><w:t>lol lol lol</w:t></w:r></w:p>"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml")
    head, tail = xml.split(b"<w:body>", 1)
    body = paragraph * (xml_bytes // len(paragraph))
    return _replace_member(data, "word/document.xml", head + b"<w:body>" + body + tail)


def pdf_with_stream(stream: bytes, filters: str = "/FlateDecode") -> bytes:
    """A one-page PDF whose page content is ``stream`` (already encoded with ``filters``), with a correct xref."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters.encode()) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf_bomb(unpacked: int = 200_000_000) -> bytes:
    """A PDF of about 200 KB whose content stream inflates to ``unpacked`` bytes (pypdf: LimitReachedError)."""
    compressor = zlib.compressobj(9)
    block = b" " * 1_000_000
    stream = b"".join(compressor.compress(block) for _ in range(unpacked // len(block))) + compressor.flush()
    return pdf_with_stream(stream)


def yaml_alias_bomb(levels: int = 9) -> str:
    """Markdown whose front matter is the "billion laughs": about 700 bytes standing for 9**levels strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        previous, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    last = chr(ord("a") + levels - 1)
    return "---\n" + "\n".join(lines) + f"\ntitle: *{last}\n---\n# Laughs\n\nTwinning text.\n"
