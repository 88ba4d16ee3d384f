"""CV file bytes → plain text, for PDF, DOCX and plain text, refusing what cannot be read safely.

Every failure is an ``ExtractionError`` with a stable ``code`` the caller can store and report:
``unsupported_type``, ``corrupt_file``, ``encrypted``, ``empty_text`` or ``too_large``.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from collections.abc import Iterator

import charset_normalizer
from docx import Document
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.section import _Footer
from docx.table import Table
from docx.text.paragraph import Paragraph
from hirestream.parser.domain.errors import ExtractionError
from pdfminer.high_level import extract_text as pdf_extract_text
from pdfminer.layout import LAParams
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

__all__ = ["ExtractionError", "extract_text", "sniff_media_type"]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"
OCTET_STREAM = "application/octet-stream"

MAX_INPUT_BYTES = 50 * 1024 * 1024
# Zip-bomb guard, checked on the archive's directory before anything is decompressed. Python's
# zipfile never inflates a member past its declared size, so the declared sizes are a real bound.
MAX_DOCX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_DOCX_COMPRESSION_RATIO = 100
MAX_DOCX_MEMBERS = 5_000
# A CV longer than this is not a CV; reading stops there instead of parsing a whole book.
MAX_PDF_PAGES = 100

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: legacy .doc, or an
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # encrypted Office document
_SNIFF_BYTES = 8192
_WESTERN = ("cp1252", "latin_1", "iso8859_15", "mac_roman")
_MARKUP_COMPATIBILITY = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_CID = re.compile(r"\(cid:\d+\)")  # glyphs pdfminer could not map to characters


def sniff_media_type(data: bytes, filename: str | None = None) -> str:
    """The media type by content; the file name only settles a damaged or encrypted DOCX."""
    claims_docx = (filename or "").lower().endswith(".docx")
    if b"%PDF-" in data[:1024]:  # the header may follow a little junk
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if "word/document.xml" in archive.namelist():
                    return DOCX
        except zipfile.BadZipFile:
            # A truncated DOCX is still a DOCX: extraction will report it as corrupt.
            return DOCX if claims_docx else OCTET_STREAM
        return OCTET_STREAM
    if data.startswith(_CFB_MAGIC):
        return DOCX if claims_docx and _ENCRYPTED_PACKAGE in data else OCTET_STREAM
    return TEXT if _decodes(data[:_SNIFF_BYTES]) else OCTET_STREAM


def _decodes(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return True
    except UnicodeDecodeError:
        return charset_normalizer.from_bytes(head).best() is not None


def extract_text(data: bytes, media_type: str) -> str:
    """The text of a PDF, DOCX or plain-text CV, or an ``ExtractionError``."""
    kind = media_type.split(";", 1)[0].strip().lower()
    if kind not in (PDF, DOCX, TEXT):
        raise ExtractionError("unsupported_type", f"cannot read {media_type!r}")
    if len(data) > MAX_INPUT_BYTES:
        raise ExtractionError("too_large", f"{len(data)} bytes, limit {MAX_INPUT_BYTES}")
    if kind == PDF:
        text = _pdf_text(data)
    elif kind == DOCX:
        text = _docx_text(data)
    else:
        text = _plain_text(data)
    text = _tidy(text)
    if not any(c.isalnum() for c in text):
        raise ExtractionError("empty_text", "no text found (a scanned or blank document?)")
    return text


def _tidy(text: str) -> str:
    text = _CID.sub("", text).replace("\x00", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- PDF ----------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    try:
        return pdf_extract_text(io.BytesIO(data), laparams=LAParams(), maxpages=MAX_PDF_PAGES)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ExtractionError("encrypted", "the PDF needs a password") from exc
    except Exception as exc:  # pdfminer raises many types on damaged input
        raise ExtractionError("corrupt_file", f"unreadable PDF: {exc!r}"[:300]) from exc


# --- DOCX ---------------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    if data.startswith(_CFB_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise ExtractionError("encrypted", "the document is password-protected")
        raise ExtractionError("unsupported_type", "a legacy Word (.doc) file, not DOCX")
    _check_archive(data)
    try:
        document = Document(io.BytesIO(data))
        return "\n".join(_docx_lines(document))
    except Exception as exc:  # python-docx, lxml and zipfile errors on damaged input
        raise ExtractionError("corrupt_file", f"unreadable DOCX: {exc!r}"[:300]) from exc


def _check_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ExtractionError("corrupt_file", f"not a readable zip archive: {exc}") from exc
    if len(members) > MAX_DOCX_MEMBERS:
        raise ExtractionError("too_large", f"{len(members)} archive members")
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > MAX_DOCX_UNCOMPRESSED_BYTES:
        raise ExtractionError("too_large", f"{unpacked} bytes once decompressed")
    if unpacked > MAX_DOCX_COMPRESSION_RATIO * max(packed, 1):
        raise ExtractionError("too_large", f"compression ratio {unpacked / max(packed, 1):.0f}")
    if "word/document.xml" not in {m.filename for m in members}:
        raise ExtractionError("corrupt_file", "no word/document.xml in the archive")


def _docx_lines(document: WordDocument) -> Iterator[str]:
    # Headers first: templates often put the name and contacts there.
    seen_parts: set[int] = set()
    footers: list[_Footer] = []
    for section in document.sections:
        for header in (section.first_page_header, section.header):
            if not header.is_linked_to_previous and id(header.part) not in seen_parts:
                seen_parts.add(id(header.part))
                yield from _blocks(header.iter_inner_content())
        for footer in (section.first_page_footer, section.footer):
            if not footer.is_linked_to_previous and id(footer.part) not in seen_parts:
                seen_parts.add(id(footer.part))
                footers.append(footer)
    yield from _blocks(document.iter_inner_content())
    yield from _text_boxes(document)
    for footer in footers:
        yield from _blocks(footer.iter_inner_content())


def _blocks(blocks: Iterator[Paragraph | Table]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        else:
            yield from _table_lines(block)


def _table_lines(table: Table) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is listed once per grid column
                continue
            seen.add(id(cell._tc))
            text = "\n".join(_blocks(cell.iter_inner_content())).strip()
            if text:
                cells.append(text)
        # Cells side by side become one line with a visible separator, as a reader sees them.
        yield " | ".join(cells)


def _text_boxes(document: WordDocument) -> Iterator[str]:
    """Text boxes (common in CV templates) that python-docx does not list as paragraphs."""
    fallback = f"{{{_MARKUP_COMPATIBILITY}}}Fallback"
    for box in document.element.body.iter(qn("w:txbxContent")):
        # Word stores each box twice (a drawing and a VML fallback); read the first only.
        if any(ancestor.tag == fallback for ancestor in box.iterancestors()):
            continue
        for paragraph in box.iter(qn("w:p")):
            yield "".join(t.text or "" for t in paragraph.iter(qn("w:t")))


# --- plain text ---------------------------------------------------------------------------


def _plain_text(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guesses = list(charset_normalizer.from_bytes(data))
    if not guesses:
        raise ExtractionError("corrupt_file", "not text in any known encoding")
    best = guesses[0]
    # Short texts often fit several code pages equally well ("años" is as plausible as "ańos"
    # to the detector); ties go to the Western European ones most CVs here are written in.
    tied = [g for g in guesses if (g.chaos, g.coherence) == (best.chaos, best.coherence)]
    chosen = next((g for g in tied if g.encoding in _WESTERN), best)
    return str(chosen)
