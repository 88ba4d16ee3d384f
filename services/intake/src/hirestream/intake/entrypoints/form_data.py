"""A ``multipart/form-data`` body already in memory, split with ``bytes.split``.

Starlette's form parser drives python-multipart's byte-level state machine through callbacks
and spools every file into a temporary file object: right for streaming, but intake reads the
whole request first anyway (the raw input is kept unchanged). For the well-formed bodies every
client sends, this gives the same fields Starlette would (same header-parameter parser, same
decoding, the last value of a name wins); anything else — a charset parameter, a preamble,
padding after a delimiter, an unusual header line, a field over Starlette's part-size limit —
returns ``None`` and goes to Starlette's parser, errors and all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from python_multipart.multipart import parse_options_header

# Starlette's limits (MultiPartParser defaults): past them it refuses; let it.
_MAX_FIELD_BYTES = 1024 * 1024
_MAX_PARTS = 1000
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


@dataclass(frozen=True)
class FilePart:
    filename: str
    data: bytes


def _decode(value: bytes) -> str:
    """Starlette's ``_user_safe_decode`` with its default charset."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def parse_form(body: bytes, content_type: str) -> dict[str, str | FilePart] | None:
    _, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if not boundary or b"charset" in params:
        return None
    delimiter = b"--" + boundary
    if not body.startswith(delimiter + b"\r\n"):
        return None
    pieces = body[len(delimiter) :].split(b"\r\n" + delimiter)
    if len(pieces) < 2 or len(pieces) > _MAX_PARTS or not pieces[-1].startswith(b"--"):
        return None  # no close delimiter, or a form Starlette would refuse
    fields: dict[str, str | FilePart] = {}
    for piece in pieces[:-1]:
        if not piece.startswith(b"\r\n"):
            return None  # "--" mid-body, or padding after a delimiter
        headers_end = piece.find(b"\r\n\r\n", 2)
        if headers_end < 0:
            return None
        disposition: bytes | None = None
        for line in piece[2:headers_end].split(b"\r\n"):
            name, colon, value = line.partition(b":")
            if not colon or not _TOKEN.fullmatch(name):
                return None
            if name.lower() == b"content-disposition":
                disposition = value.lstrip(b" ")
        if disposition is None:
            return None
        _, options = parse_options_header(disposition)
        if b"name" not in options:
            return None
        data = piece[headers_end + 4 :]
        field = _decode(options[b"name"])
        if b"filename" in options:
            fields[field] = FilePart(_decode(options[b"filename"]), data)
        elif len(data) > _MAX_FIELD_BYTES:
            return None
        else:
            fields[field] = _decode(data)
    return fields
