"""The same CV text as a PDF (fpdf2) and a DOCX (python-docx), to measure the whole file path."""

from __future__ import annotations

import io
import unicodedata
from functools import cache
from pathlib import Path

from docx import Document
from fpdf import FPDF

_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian: fonts-dejavu-core


@cache
def _has_unicode_font() -> bool:
    return _FONT.is_file()


def _latin1(text: str) -> str:
    text = text.replace("•", "-").replace("–", "-").replace("—", "-").replace("’", "'")
    text = unicodedata.normalize("NFKD", text)
    return text.encode("latin-1", "ignore").decode("latin-1")


def to_pdf(text: str, font_size: float = 10, pages: int | None = None) -> bytes:
    """The text as a PDF; with ``pages``, exactly that many full pages (the text is cut, or
    repeated when it is too short)."""
    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    if _has_unicode_font():
        pdf.add_font("DejaVu", "", str(_FONT))
        pdf.set_font("DejaVu", size=font_size)
    else:
        pdf.set_font("Helvetica", size=font_size)
        text = _latin1(text)
    pdf.add_page()
    height = font_size * 0.5
    lines = text.split("\n")
    if pages is not None:
        lines = lines * (1 + 400 // max(1, len(lines)))
    for line in lines:
        line = line.replace("\t", "    ")
        if pages is not None:
            wrapped = pdf.multi_cell(0, height, line or " ", dry_run=True, output="LINES")
            rows = len(wrapped) if isinstance(wrapped, list) else 1
            if pdf.page_no() == pages and pdf.get_y() + rows * height > pdf.h - pdf.b_margin:
                break
        if line.strip():
            pdf.multi_cell(0, height, line, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.ln(height)
    return bytes(pdf.output())


def to_docx(text: str) -> bytes:
    document = Document()
    for line in text.split("\n"):
        document.add_paragraph("".join(c for c in line if c == "\t" or ord(c) >= 32))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
