import io
import zipfile

import pytest
from docx import Document
from fpdf import FPDF

from hirestream.parser.adapters.extractors import (
    DOCX,
    OCTET_STREAM,
    PDF,
    TEXT,
    ExtractionError,
    extract_text,
    sniff_media_type,
)


def make_pdf(lines: list[str], user_password: str | None = None) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    if user_password is not None:
        pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def make_docx() -> bytes:
    document = Document()
    document.sections[0].header.paragraphs[0].text = "Jean Dupont - jean.dupont@exemple.fr"
    document.add_paragraph("Expérience professionnelle")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "2019 - 2021"
    table.cell(0, 1).text = "Comptable, Acme SA"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Clôture mensuelle sous SAP"
    document.add_paragraph("Langues : anglais (courant)")
    document.sections[0].footer.paragraphs[0].text = "Références sur demande"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def assert_refused(data: bytes, media_type: str, code: str) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract_text(data, media_type)
    assert caught.value.code == code
    assert caught.value.message


# --- sniffing -------------------------------------------------------------------------------


def test_sniff_by_magic_bytes_not_by_name():
    assert sniff_media_type(make_pdf(["x"]), "cv.docx") == PDF
    assert sniff_media_type(make_docx(), "cv.pdf") == DOCX
    assert sniff_media_type(b"Jane Doe\nNurse", None) == TEXT
    assert sniff_media_type("Café crème".encode("cp1252")) == TEXT
    assert sniff_media_type(bytes(range(256)) * 4) == OCTET_STREAM
    assert sniff_media_type(zip_bytes({"photo.jpg": b"\xff\xd8"})) == OCTET_STREAM


def test_a_damaged_docx_is_still_sniffed_as_docx_when_named_so():
    truncated = make_docx()[:200]
    assert sniff_media_type(truncated, "CV.DOCX") == DOCX
    assert sniff_media_type(truncated, "cv.zip") == OCTET_STREAM


# --- PDF ------------------------------------------------------------------------------------


def test_pdf_text_is_extracted():
    data = make_pdf(["Jane Doe", "jane.doe@example.com", "Registered Nurse - Jan 2019 - Present"])
    text = extract_text(data, PDF)
    assert "Jane Doe" in text
    assert "jane.doe@example.com" in text
    assert "Registered Nurse - Jan 2019 - Present" in text


def test_corrupt_pdf_is_refused():
    assert_refused(b"%PDF-1.7\n1 0 obj <<>> garbage without a trailer", PDF, "corrupt_file")


def test_truncated_pdf_is_refused():
    data = make_pdf(["Jane Doe"] * 30)
    assert_refused(data[: len(data) // 2], PDF, "corrupt_file")


def test_empty_pdf_is_refused():
    assert_refused(make_pdf([]), PDF, "empty_text")


def test_password_protected_pdf_is_refused():
    assert_refused(make_pdf(["Confidential"], user_password="s3cret"), PDF, "encrypted")


# --- DOCX -----------------------------------------------------------------------------------


def test_docx_text_includes_paragraphs_tables_headers_and_footers():
    text = extract_text(make_docx(), DOCX)
    lines = text.splitlines()
    assert lines[0] == "Jean Dupont - jean.dupont@exemple.fr"  # header first
    assert "Expérience professionnelle" in lines
    assert "2019 - 2021 | Comptable, Acme SA" in lines  # a table row reads as one line
    assert "Clôture mensuelle sous SAP" in lines  # a merged cell once, not twice
    assert "Langues : anglais (courant)" in lines
    assert lines[-1] == "Références sur demande"  # footer last


def test_docx_zip_bomb_is_refused_before_parsing():
    bomb = zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/media/filler.bin": b"\0" * (60 * 1024 * 1024),
        }
    )
    assert len(bomb) < 1024 * 1024
    assert_refused(bomb, DOCX, "too_large")


def test_docx_with_an_extreme_compression_ratio_is_refused():
    small_bomb = zip_bytes(
        {"word/document.xml": b"<w:document>" + b" " * (5 * 1024 * 1024) + b"</w:document>"}
    )
    assert_refused(small_bomb, DOCX, "too_large")


def test_corrupt_docx_is_refused():
    assert_refused(make_docx()[:300], DOCX, "corrupt_file")
    assert_refused(zip_bytes({"word/document.xml": b"<not xml"}), DOCX, "corrupt_file")
    assert_refused(zip_bytes({"readme.txt": b"hello"}), DOCX, "corrupt_file")


def test_encrypted_and_legacy_word_files():
    compound = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    encrypted = compound + "EncryptedPackage".encode("utf-16-le")
    assert sniff_media_type(encrypted, "cv.docx") == DOCX
    assert_refused(encrypted, DOCX, "encrypted")
    assert_refused(compound, DOCX, "unsupported_type")


# --- plain text and others ---------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_text_in_common_encodings(encoding):
    text = "María José García López\nEnfermera con 10 años de experiencia en cuidados intensivos."
    assert extract_text(text.encode(encoding), "text/plain; charset=unknown") == text


def test_blank_text_is_refused():
    assert_refused(b"  \n\t\n ", TEXT, "empty_text")


def test_unsupported_types_are_refused():
    assert_refused(b"GIF89a....", "image/gif", "unsupported_type")
    assert_refused(b"\xd0\xcf\x11\xe0", "application/msword", "unsupported_type")


def test_oversized_input_is_refused(monkeypatch):
    monkeypatch.setattr("hirestream.parser.adapters.extractors.MAX_INPUT_BYTES", 1000)
    assert_refused(b"a" * 1001, TEXT, "too_large")
