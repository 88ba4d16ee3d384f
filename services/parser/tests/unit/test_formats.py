"""ODT, RTF, HTML, images and scanned PDFs (OCR), two-column PDFs, page offsets."""

from __future__ import annotations

import io
import shutil
import zipfile

import pypdfium2 as pdfium
import pytest
from fpdf import FPDF

from hirestream.parser.adapters.extractors import (
    HTML,
    ODT,
    PDF,
    PNG,
    RTF,
    extract_document,
    sniff_media_type,
)
from hirestream.parser.domain.errors import ExtractionError
from hirestream.parser.domain.sections import fold

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract-ocr is not installed (system-packages.txt; scripts/system-deps.sh)",
)


def odt(paragraphs: list[str], header: str = "") -> bytes:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    )
    body = "".join(f"<text:p>{p}</text:p>" for p in paragraphs)
    table = (
        "<table:table><table:table-row><table:table-cell><text:p>2019 - 2021</text:p>"
        "</table:table-cell><table:table-cell><text:p>Comptable, Acme SA</text:p>"
        "</table:table-cell></table:table-row></table:table>"
    )
    content = f"<office:document-content {ns}><office:body><office:text>{body}{table}"
    content += "</office:text></office:body></office:document-content>"
    styles = (
        f"<office:document-styles {ns}><office:master-styles><style:master-page>"
        f"<style:header><text:p>{header}</text:p></style:header>"
        "</style:master-page></office:master-styles></office:document-styles>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", ODT, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("styles.xml", styles, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_odt_text_with_header_table_and_spaces() -> None:
    data = odt(['Expérience<text:s text:c="2"/>professionnelle', "Python"], "Jean Dupont")
    assert sniff_media_type(data, None) == ODT
    text = extract_document(data, ODT).text
    assert text.splitlines() == [
        "Jean Dupont",
        "Expérience  professionnelle",
        "Python",
        "2019 - 2021 | Comptable, Acme SA",
    ]


def test_rtf_text_with_code_page_escapes() -> None:
    data = rb"{\rtf1\ansi\ansicpg1252{\fonttbl\f0 Arial;}"
    data += rb"Mar\'eda Jos\'e9 Garc\'eda\par Formaci\'f3n\par}"
    assert sniff_media_type(data) == RTF
    assert extract_document(data, RTF).text.splitlines() == ["María José García", "Formación"]


def test_html_text_without_scripts_styles_or_tags() -> None:
    data = (
        b"<!DOCTYPE html><html><head><title>CV</title><style>p{color:red}</style></head><body>"
        b"<h1>Ana L&oacute;pez</h1><script>alert('x')</script><p>ana@example.es</p>"
        b"<table><tr><td>2019</td><td>Enfermera</td></tr></table></body></html>"
    )
    assert sniff_media_type(data) == HTML
    lines = extract_document(data, HTML).text.splitlines()
    assert lines == ["Ana López", "ana@example.es", "2019 | Enfermera"]


def test_an_octet_stream_claim_is_settled_by_the_content() -> None:
    data = rb"{\rtf1 Jane Doe\par}"
    assert extract_document(data, "application/octet-stream").media_type == RTF


def two_column_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    pdf.cell(0, 8, "Jane Doe  jane@example.com", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y() + 4
    left = ["SKILLS", "Python", "Kubernetes", "PostgreSQL", "LANGUAGES", "English (native)",
            "French (B2)"]  # fmt: skip
    right = ["EXPERIENCE", "Senior Engineer, Acme Corp", "Jan 2019 - Present",
             "Built the billing platform", "Engineer, Globex Ltd", "Mar 2015 - Dec 2018",
             "Ran the data pipeline", "EDUCATION", "BSc Computer Science, MIT, 2015"]  # fmt: skip
    for i, line in enumerate(left):
        pdf.set_xy(10, top + i * 9)
        pdf.cell(55, 6, line)
    for i, line in enumerate(right):
        pdf.set_xy(80, top + 3 + i * 7)
        pdf.cell(110, 6, line)
    return bytes(pdf.output())


def test_a_two_column_pdf_reads_left_column_then_right_column() -> None:
    document = extract_document(two_column_pdf(), PDF)
    text = document.text
    assert document.two_column_pages == (1,)
    assert text.startswith("Jane Doe")
    assert text.index("French (B2)") < text.index("EXPERIENCE")
    assert "Senior Engineer, Acme Corp\nJan 2019 - Present" in text


def test_a_one_column_pdf_with_right_aligned_dates_keeps_its_lines() -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    for i in range(12):
        pdf.cell(90, 6, f"Job title {i}, Company {i}")
        pdf.cell(0, 6, f"201{i % 10} - 2020", align="R", new_x="LMARGIN", new_y="NEXT")
    document = extract_document(bytes(pdf.output()), PDF)
    assert document.two_column_pages == ()
    assert "Job title 3, Company 3  2013 - 2020" in document.text.splitlines()


def test_page_offsets_map_characters_to_pages() -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    for page in ("first page text", "second page text"):
        pdf.add_page()
        pdf.cell(0, 6, page)
    document = extract_document(bytes(pdf.output()), PDF)
    assert document.page_count == 2
    assert document.page_of(document.text.index("first")) == 1
    assert document.page_of(document.text.index("second")) == 2


def scanned_pdf(lines: list[str]) -> bytes:
    """A PDF holding only a picture of the text: no text layer, like a scanner's output."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    for line in lines:
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    rendered = pdfium.PdfDocument(bytes(pdf.output()))[0].render(scale=200 / 72).to_pil()
    scan = FPDF()
    scan.add_page()
    scan.image(rendered, x=0, y=0, w=210)
    return bytes(scan.output())


CV_LINES = ["Jean Dupont", "jean.dupont@exemple.fr", "Expérience professionnelle",
            "Comptable chez Acme SA depuis 2019"]  # fmt: skip


@needs_tesseract
def test_a_scanned_pdf_is_read_by_ocr() -> None:
    document = extract_document(scanned_pdf(CV_LINES), PDF)
    assert document.ocr_pages == (1,)
    assert "Jean Dupont" in document.text
    assert "jean.dupont@exemple.fr" in document.text
    assert "Expérience professionnelle" in document.text


@needs_tesseract
def test_an_image_cv_is_read_by_ocr() -> None:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=16)
    pdf.add_page()
    pdf.cell(0, 10, "Formación: Grado en Enfermería, 2018")
    image = pdfium.PdfDocument(bytes(pdf.output()))[0].render(scale=200 / 72).to_pil()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    assert sniff_media_type(buffer.getvalue()) == PNG
    text = extract_document(buffer.getvalue(), PNG).text
    assert "grado en enfermeria, 2018" in fold(text)


@needs_tesseract
def test_a_blank_scan_is_empty_text_not_a_guess() -> None:
    blank = FPDF()
    blank.add_page()
    with pytest.raises(ExtractionError) as caught:
        extract_document(bytes(blank.output()), PDF)
    assert caught.value.code == "empty_text"
