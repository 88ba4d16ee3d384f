"""Shared by the parser tests: a corpus of malformed and hostile files, generated and seeded.

Each entry is (name, bytes, claimed media type, the error codes it may end in). Codes are
precise where the failure is certain (an encrypted PDF is ``encrypted``); fuzzed files may also
still parse, which is fine as long as it is quick and clean.
"""

from __future__ import annotations

import io
import random
import zipfile
import zlib

import pytest
from docx import Document
from fpdf import FPDF
from PIL import Image

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
PNG = "image/png"
RTF = "application/rtf"

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)
XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"
)


def cv_pdf(pages: int = 2, user_password: str | None = None) -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    if user_password is not None:
        pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    for page in range(pages):
        pdf.add_page()
        pdf.cell(
            0,
            6,
            "Jane Doe - jane.doe@example.com - +44 20 7946 0958",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        for i in range(40):
            pdf.cell(
                0,
                5,
                f"{page}.{i} Senior Software Engineer, Acme Corp, 2019 - 2023, Python",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    return bytes(pdf.output())


def cv_docx() -> bytes:
    document = Document()
    document.add_paragraph("Jane Doe")
    document.add_paragraph("jane.doe@example.com")
    document.add_paragraph("Experience")
    document.add_paragraph("Software Engineer, Acme Corp, 2019 - 2023")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def replace_member(archive_bytes: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive_bytes)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, data if item.filename == name else source.read(item))
    return out.getvalue()


def zip_of(members: dict[str, bytes], stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            kind = zipfile.ZIP_STORED if name == stored_first else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=kind)
    return out.getvalue()


def png_bomb() -> bytes:
    """A PNG declaring 30,000 x 30,000 pixels in a few kilobytes."""
    buffer = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_stream_bomb() -> bytes:
    """A one-page PDF whose content stream inflates from ~100 KB to 100 MB of spaces."""
    stream = zlib.compress(b" " * (100 * 1024 * 1024), 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def fuzzed(data: bytes, seed: int, flips: int = 40) -> bytes:
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(flips):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def corpus() -> list[tuple[str, bytes, str, set[str]]]:
    pdf = cv_pdf()
    docx = cv_docx()
    odt = zip_of(
        {
            "mimetype": ODT.encode(),
            "content.xml": LAUGHS.replace(b"w:document", b"office:document"),
        },
        stored_first="mimetype",
    )
    any_error = {
        "corrupt_file",
        "empty_text",
        "encrypted",
        "timeout",
        "cpu_limit",
        "memory_limit",
        "worker_crashed",
        "too_large",
    }
    files: list[tuple[str, bytes, str, set[str]]] = [
        ("truncated.pdf", pdf[: len(pdf) // 2], PDF, {"corrupt_file"}),
        ("header-only.pdf", b"%PDF-1.7\n%%EOF\n", PDF, {"corrupt_file"}),
        (
            "garbage.pdf",
            b"%PDF-1.4\n" + random.Random(1).randbytes(20_000) + b"\n%%EOF",
            PDF,
            {"corrupt_file"},
        ),
        ("encrypted.pdf", cv_pdf(1, user_password="s3cret"), PDF, {"encrypted"}),
        (
            "stream-bomb.pdf",
            pdf_stream_bomb(),
            PDF,
            {"empty_text", "timeout", "memory_limit", "cpu_limit", "worker_crashed"},
        ),
        ("truncated.docx", docx[: len(docx) // 3], DOCX, {"corrupt_file"}),
        (
            "encrypted.docx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\0" * 600
            + "EncryptedPackage".encode("utf-16-le"),
            DOCX,
            {"encrypted"},
        ),
        (
            "zip-bomb.docx",
            zip_of(
                {
                    "word/document.xml": b"<w:document/>",
                    "word/media/x.bin": b"\0" * (80 * 1024 * 1024),
                }
            ),
            DOCX,
            {"too_large"},
        ),
        (
            "billion-laughs.docx",
            replace_member(docx, "word/document.xml", LAUGHS),
            DOCX,
            {"unsafe_xml"},
        ),
        ("xxe.docx", replace_member(docx, "word/document.xml", XXE), DOCX, {"unsafe_xml"}),
        ("billion-laughs.odt", odt, ODT, {"unsafe_xml"}),
        ("pixel-bomb.png", png_bomb(), PNG, {"too_large"}),
        ("not-an-image.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, PNG, {"corrupt_file"}),
        ("not-rtf.rtf", b"hello", RTF, {"corrupt_file"}),
    ]
    for seed in range(12):
        files.append((f"fuzzed-{seed}.pdf", fuzzed(pdf, seed), PDF, {"parsed"} | any_error))
    for seed in range(4):
        files.append(
            (
                f"fuzzed-{seed}.docx",
                fuzzed(docx, seed, 10),
                DOCX,
                {"parsed", "corrupt_file", "unsafe_xml", "too_large"},
            )
        )
    return files


@pytest.fixture(scope="session")
def malformed_corpus() -> list[tuple[str, bytes, str, set[str]]]:
    return corpus()
