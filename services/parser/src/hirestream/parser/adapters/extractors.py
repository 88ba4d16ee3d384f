"""CV file bytes → text, for PDF (text layer or OCR), DOCX, ODT, RTF, HTML, TXT and images.

Every failure is an ``ExtractionError`` with a stable ``code`` the caller can store and report:
``unsupported_type``, ``corrupt_file``, ``encrypted``, ``unsafe_xml``, ``too_large``,
``empty_text``, ``ocr_unavailable``, ``ocr_failed`` (and, from the worker, ``timeout``,
``cpu_limit``, ``memory_limit``, ``worker_crashed``).

This module does the work in the calling process; the service calls it through
``adapters.worker`` so that limits apply.
"""

from __future__ import annotations

import codecs
import html
import io
import re
import unicodedata
import zipfile

import charset_normalizer
import nh3
from striprtf.striprtf import rtf_to_text

from hirestream.parser.adapters import ocr
from hirestream.parser.adapters.office import (
    CFB_MAGIC,
    ENCRYPTED_PACKAGE,
    ODT_MIMETYPE,
    docx_text,
    odt_text,
)
from hirestream.parser.adapters.pdf import MAX_PDF_PAGES, pdf_pages
from hirestream.parser.domain.document import ExtractedText
from hirestream.parser.domain.errors import ExtractionError

__all__ = [
    "SUPPORTED",
    "ExtractedText",
    "ExtractionError",
    "extract_document",
    "extract_text",
    "sniff_media_type",
]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
RTF = "application/rtf"
HTML = "text/html"
TEXT = "text/plain"
PNG, JPEG, TIFF, BMP = "image/png", "image/jpeg", "image/tiff", "image/bmp"
OCTET_STREAM = "application/octet-stream"
IMAGES = (PNG, JPEG, TIFF, BMP)
SUPPORTED = (PDF, DOCX, ODT, RTF, HTML, TEXT, *IMAGES)
_ALIASES = {"text/rtf": RTF, "application/x-rtf": RTF, "application/xhtml+xml": HTML,
            "image/jpg": JPEG, "image/x-ms-bmp": BMP}  # fmt: skip

MAX_INPUT_BYTES = 50 * 1024 * 1024
__all__ += ["MAX_PDF_PAGES"]

_SNIFF_BYTES = 8192
_WESTERN = ("cp1252", "latin_1", "iso8859_15", "mac_roman")
_CID = re.compile(r"\(cid:\d+\)")  # glyphs pdfminer could not map to characters
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.IGNORECASE | re.DOTALL)  # fmt: skip
_IMAGE_MAGIC = ((b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG), (b"II*\x00", TIFF),
                (b"MM\x00*", TIFF), (b"BM", BMP))  # fmt: skip


def sniff_media_type(data: bytes, filename: str | None = None) -> str:
    """The media type by content; the file name only settles a damaged or encrypted DOCX."""
    name = (filename or "").lower()
    if b"%PDF-" in data[:1024]:  # the header may follow a little junk
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "word/document.xml" in names:
                    return DOCX
                mimetype = archive.getinfo("mimetype") if "mimetype" in names else None
                small = mimetype is not None and mimetype.file_size < 100
                if small and archive.read("mimetype").strip() == ODT_MIMETYPE:
                    return ODT
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            # A truncated DOCX is still a DOCX: extraction will report it as corrupt.
            return (
                DOCX if name.endswith(".docx") else ODT if name.endswith(".odt") else OCTET_STREAM
            )
        return OCTET_STREAM
    if data.startswith(CFB_MAGIC):
        return DOCX if name.endswith(".docx") and ENCRYPTED_PACKAGE in data else OCTET_STREAM
    if data.startswith(b"{\\rtf"):
        return RTF
    for magic, media_type in _IMAGE_MAGIC:
        if data.startswith(magic) and (media_type != BMP or name.endswith(".bmp")):
            return media_type
    if not _decodes(data[:_SNIFF_BYTES]):
        return OCTET_STREAM
    if _HTML_START.match(data[:_SNIFF_BYTES]) or name.endswith((".html", ".htm")):
        return HTML
    return TEXT


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
    """The text of a CV file, or an ``ExtractionError``."""
    return extract_document(data, media_type).text


def extract_document(data: bytes, media_type: str) -> ExtractedText:
    """The text of a CV file with its page offsets, or an ``ExtractionError``.

    A generic ``application/octet-stream`` claim is settled by sniffing the content.
    """
    kind = media_type.split(";", 1)[0].strip().lower()
    kind = _ALIASES.get(kind, kind)
    if kind == OCTET_STREAM:
        kind = sniff_media_type(data)
    if kind not in SUPPORTED:
        raise ExtractionError("unsupported_type", f"cannot read {media_type!r}")
    if len(data) > MAX_INPUT_BYTES:
        raise ExtractionError("too_large", f"{len(data)} bytes, limit {MAX_INPUT_BYTES}")
    ocr_pages: tuple[int, ...] = ()
    two_columns: tuple[int, ...] = ()
    if kind == PDF:
        read = pdf_pages(data)
        pages = read.pages
        ocr_pages, two_columns = read.ocr_pages, read.two_column_pages
    elif kind in IMAGES:
        pages = [ocr.ocr_image(ocr.open_image(data))]
        ocr_pages = (1,)
    elif kind == DOCX:
        pages = [docx_text(data)]
    elif kind == ODT:
        pages = [odt_text(data)]
    elif kind == RTF:
        pages = [_rtf_text(data)]
    elif kind == HTML:
        pages = [_html_text(_plain_text(data))]
    else:
        pages = [_plain_text(data)]
    return _assemble(pages, kind, ocr_pages, two_columns)


def _assemble(
    pages: list[str], kind: str, ocr_pages: tuple[int, ...], two_columns: tuple[int, ...]
) -> ExtractedText:
    starts: list[int] = []
    parts: list[str] = []
    offset = 0
    for page in pages:
        tidy = _tidy(page)
        starts.append(offset)
        parts.append(tidy)
        offset += len(tidy) + 2
    text = "\n\n".join(parts)
    if not any(c.isalnum() for c in text):
        if ocr_pages:
            raise ExtractionError("empty_text", "no text found, even by OCR (a blank scan?)")
        raise ExtractionError("empty_text", "no text found (a blank document?)")
    return ExtractedText(text, kind, tuple(starts), ocr_pages, two_columns)


def _tidy(text: str) -> str:
    text = unicodedata.normalize("NFC", _CID.sub("", text)).replace("\x00", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u00ad", "").replace("\ufffe", "").replace("\ufeff", "")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- RTF and HTML ---------------------------------------------------------------------------


def _rtf_text(data: bytes) -> str:
    if not data.lstrip().startswith(b"{\\rtf"):
        raise ExtractionError("corrupt_file", "not an RTF document")
    try:
        text = rtf_to_text(data.decode("latin-1"), errors="ignore")  # type: ignore[no-untyped-call]
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionError("corrupt_file", f"unreadable RTF: {exc!r}"[:300]) from exc
    return str(text)


_BLOCK = re.compile(
    r"<(?:br|/?p|/?div|/?h[1-6]|/?li|/?tr|/?table|/?section|/?article|/?header|/?footer|"
    r"/?ul|/?ol|/?dt|/?dd|/?blockquote|/?pre|hr)\b[^>]*>",
    re.IGNORECASE,
)
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)


def _html_text(markup: str) -> str:
    """Visible text of an HTML CV: scripts and styles dropped, blocks on their own lines."""
    markup = _CELL_END.sub(" | ", markup)
    markup = _BLOCK.sub("\n", markup)
    text = nh3.clean(markup, tags=set(), clean_content_tags={"script", "style", "head", "title"})
    text = html.unescape(text)
    lines = [" ".join(line.split()).strip(" |") for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


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
