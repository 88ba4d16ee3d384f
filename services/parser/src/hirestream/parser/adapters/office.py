"""DOCX and ODT → text, after the archive and every XML part in it passed safety checks.

Zip bombs are refused from the archive's directory before anything is decompressed (Python's
zipfile never inflates a member past its declared size, so declared sizes are a real bound).
XML parts are parsed with defusedxml first: a DTD, an entity declaration or an external
reference ("billion laughs", XXE) is refused as ``unsafe_xml`` before python-docx sees the file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from docx import Document
from docx.document import Document as WordDocument
from docx.oxml.ns import qn
from docx.section import _Footer
from docx.table import Table
from docx.text.paragraph import Paragraph

from hirestream.parser.domain.errors import ExtractionError

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_MEMBERS = 5_000
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: legacy .doc, or an
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # encrypted Office document
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_MARKUP_COMPATIBILITY = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def check_archive(data: bytes, required: str) -> dict[str, zipfile.ZipInfo]:
    """The archive's members once sizes, ratio and XML safety are checked."""
    if data.startswith(CFB_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise ExtractionError("encrypted", "the document is password-protected")
        raise ExtractionError("unsupported_type", "a legacy Office (.doc) file, not DOCX/ODT")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            _check_sizes(members)
            names = {m.filename: m for m in members}
            if required not in names:
                raise ExtractionError("corrupt_file", f"no {required} in the archive")
            for member in members:
                if member.flag_bits & 0x1:
                    raise ExtractionError("encrypted", "the archive is password-protected")
                if member.filename.endswith((".xml", ".rels")):
                    _check_xml(member.filename, archive.read(member))
    except zipfile.BadZipFile as exc:
        raise ExtractionError("corrupt_file", f"not a readable zip archive: {exc}") from exc
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError) as exc:
        raise ExtractionError("corrupt_file", f"damaged archive: {exc!r}"[:300]) from exc
    return names


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise ExtractionError("too_large", f"{len(members)} archive members")
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise ExtractionError("too_large", f"{unpacked} bytes once decompressed (zip bomb?)")
    if unpacked > MAX_COMPRESSION_RATIO * max(packed, 1):
        ratio = unpacked / max(packed, 1)
        raise ExtractionError("too_large", f"compression ratio {ratio:.0f} (zip bomb?)")


def _check_xml(name: str, xml: bytes) -> None:
    head = xml[:4096].lower()
    if b"<!doctype" not in head and b"<!entity" not in xml.lower():
        return  # no DTD: nothing an entity trick could use; the real parser reports the rest
    try:
        SafeET.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ExtractionError("unsafe_xml", f"{name}: {type(exc).__name__}") from exc
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionError("corrupt_file", f"{name}: malformed XML: {exc}"[:300]) from exc
    raise ExtractionError("unsafe_xml", f"{name}: a document type declaration")


# --- DOCX ---------------------------------------------------------------------------------


def docx_text(data: bytes) -> str:
    check_archive(data, "word/document.xml")
    try:
        document = Document(io.BytesIO(data))
        return "\n".join(_docx_lines(document))
    except MemoryError:
        raise
    except Exception as exc:  # python-docx, lxml and zipfile errors on damaged input
        raise ExtractionError("corrupt_file", f"unreadable DOCX: {exc!r}"[:300]) from exc


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


# --- ODT ----------------------------------------------------------------------------------

_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_STYLE_NS = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_P, _H = f"{{{_TEXT_NS}}}p", f"{{{_TEXT_NS}}}h"
_SPACE, _TAB, _BREAK = f"{{{_TEXT_NS}}}s", f"{{{_TEXT_NS}}}tab", f"{{{_TEXT_NS}}}line-break"
_ROW, _CELL = f"{{{_TABLE_NS}}}table-row", f"{{{_TABLE_NS}}}table-cell"
_HEADER, _FOOTER = f"{{{_STYLE_NS}}}header", f"{{{_STYLE_NS}}}footer"


def odt_text(data: bytes) -> str:
    members = check_archive(data, "content.xml")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = SafeET.fromstring(archive.read("content.xml"), forbid_dtd=True)
            styles = (
                SafeET.fromstring(archive.read("styles.xml"), forbid_dtd=True)
                if "styles.xml" in members
                else None
            )
    except DefusedXmlException as exc:
        raise ExtractionError("unsafe_xml", f"{type(exc).__name__}") from exc
    except MemoryError:
        raise
    except Exception as exc:
        raise ExtractionError("corrupt_file", f"unreadable ODT: {exc!r}"[:300]) from exc
    lines: list[str] = []
    footers: list[str] = []
    if styles is not None:
        for header in styles.iter(_HEADER):
            lines.extend(_odt_lines(header))
        for footer in styles.iter(_FOOTER):
            footers.extend(_odt_lines(footer))
    lines.extend(_odt_lines(content))
    return "\n".join(lines + footers)


def _odt_lines(root: Element) -> Iterator[str]:
    for element in root:
        if element.tag in (_P, _H):
            yield _odt_inline(element)
        elif element.tag == _ROW:
            cells = ["\n".join(_odt_lines(cell)).strip() for cell in element.iter(_CELL)]
            yield " | ".join(c for c in cells if c)
        else:
            yield from _odt_lines(element)


def _odt_inline(element: Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == _SPACE:
            parts.append(" " * int(child.get(f"{{{_TEXT_NS}}}c", "1") or 1))
        elif child.tag == _TAB:
            parts.append("\t")
        elif child.tag == _BREAK:
            parts.append("\n")
        else:
            parts.append(_odt_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)
