"""Parsing a mail with big attachments without pushing their bodies through the email
feedparser line by line.

The stdlib parser splits the whole message into lines and hands each one through a generator,
a few microseconds apiece: a 150 KB CV in base64 is ~2,700 lines, ~4 ms of CPU per mail spent
learning nothing but where the body ends. Here the top-level multipart is split on its
boundary with ``bytes.find``; each large leaf body is cut out, the remaining *skeleton*
(every header, every boundary, every small part, byte for byte) is parsed by the email package
as before, and each body is put back as the very string the feedparser would have stored as
that part's payload. Decoding (base64, quoted-printable) and everything after it stays the
stdlib's, so attachments are byte-identical by construction.

Anything this does not recognise with certainty (bare CR or LF, a header line of an unusual
form, no close boundary, doubled boundaries, a skeleton whose structure differs from what was
split) falls back to parsing the whole message the ordinary way.
"""

from __future__ import annotations

import binascii
import email
import email.parser
import email.policy
import itertools
import re
from email.message import Message
from email.policy import Policy
from typing import Any

# Where a cut base64 body's decoded bytes are kept on its part (see ``decoded_payload``).
_DECODED = "_hirestream_decoded"
# A body smaller than this is not worth cutting out: parsing it line by line costs little.
MIN_CUT_BYTES = 2048
# A header line the feedparser reads as a header for certain: a field name and a colon, or a
# folded continuation. (Its own pattern accepts more; such a block is simply not cut.)
_HEADER_LINE = re.compile(rb"(?:[!-9;-~]+:|[ \t])")
_DELIMITER_TAIL = re.compile(rb"(--)?[ \t]*")
_CRLF = b"\r\n"


def message_from_bytes(raw: bytes, policy: Policy) -> Message:
    """What ``email.message_from_bytes(raw, policy=policy)`` returns, faster for a multipart
    message with large parts."""
    cut = _cut(raw)
    if cut is None:
        return email.message_from_bytes(raw, policy=policy)
    skeleton, boundary, count, bodies = cut
    message = email.message_from_bytes(skeleton, policy=policy)
    parts = message.get_payload() if message.is_multipart() else None
    if not isinstance(parts, list) or len(parts) != count or message.get_boundary() != boundary:
        return email.message_from_bytes(raw, policy=policy)
    leaves: list[tuple[Message, bytes]] = []
    for index, body in bodies.items():
        part = parts[index]
        if (
            not isinstance(part, Message)
            or part.is_multipart()
            or part.get_content_maintype() in ("multipart", "message")
            or part.get_payload() != ""
        ):
            return email.message_from_bytes(raw, policy=policy)
        leaves.append((part, body))
    for part, body in leaves:
        # What BytesParser decodes the input as, and the feedparser joins the lines into.
        part.set_payload(body.decode("ascii", "surrogateescape"))
        if str(part.get("content-transfer-encoding", "")).lower() == "base64":
            _decode_base64(part, body)
    return message


def _decode_base64(part: Message, body: bytes) -> None:
    """Decode a cut base64 body now when the stdlib would take its first, strict branch
    (``email._encoded_words.decode_b``: ``b64decode(validate=True)`` on the lines joined,
    correct padding, no defect). Strict ``a2b_base64`` accepts exactly such input and gives
    the same bytes, without the regular expression 3.11's ``b64decode`` runs over it first.
    Anything else is left to ``get_payload(decode=True)``."""
    if not body.isascii():
        return
    joined = b"".join(body.splitlines())
    if len(joined) % 4:
        return
    try:
        part.__dict__[_DECODED] = binascii.a2b_base64(joined, strict_mode=True)
    except binascii.Error:
        return


def decoded_payload(part: Message) -> Any:
    """``part.get_payload(decode=True)``, already done for a body the skeleton decoded."""
    found = part.__dict__.get(_DECODED)
    return found if found is not None else part.get_payload(decode=True)


def _header_block(raw: bytes, start: int) -> int | None:
    """End of the header block starting at ``start`` (the index just past its blank line),
    when every line in it is certainly a header line; ``None`` otherwise."""
    end = raw.find(b"\r\n\r\n", start)
    if end < 0 or raw.startswith(_CRLF, start):
        return None
    for line in raw[start:end].split(_CRLF):
        if not _HEADER_LINE.match(line):
            return None
    return end + 4


def _leaf_type(headers: bytes) -> bool:
    """Whether a part with these header lines is a leaf (neither multipart nor message)."""
    part = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(headers)
    return part.get_content_maintype() not in ("multipart", "message")


def _cut(raw: bytes) -> tuple[bytes, str, int, dict[int, bytes]] | None:
    """(skeleton, boundary, number of parts, {part index: body cut out}), or ``None`` when the
    message is not one this can split with certainty or has nothing worth cutting."""
    if len(raw) < MIN_CUT_BYTES:
        return None
    line_ends = raw.count(_CRLF)  # every CR and every LF must be part of a CRLF
    if raw.count(b"\r") != line_ends or raw.count(b"\n") != line_ends:
        return None
    body_start = _header_block(raw, 0)
    if body_start is None:
        return None
    top = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw[:body_start])
    boundary = top.get_boundary()
    if top.get_content_maintype() != "multipart" or not boundary or not boundary.isascii():
        return None
    separator = b"--" + boundary.encode()
    # Every line that starts with the separator, with where the line after it starts.
    delimiters: list[tuple[int, int, bool]] = []  # (start, next line, is the close delimiter)
    search = body_start - 2  # the blank line's CRLF: a delimiter may open the body
    while True:
        found = raw.find(_CRLF + separator, search)
        if found < 0:
            return None  # no close delimiter: the feedparser's defect path, not ours
        start = found + 2
        line_end = raw.find(_CRLF, start)
        if line_end < 0:
            return None
        tail = _DELIMITER_TAIL.fullmatch(raw, start + len(separator), line_end)
        if tail is None:
            return None  # a line the feedparser would not take as a delimiter
        close = tail.group(1) is not None
        delimiters.append((start, line_end + 2, close))
        if close:
            break
        search = line_end
    bodies: dict[int, bytes] = {}
    pieces: list[bytes] = []
    position = 0
    for index, ((_, part_start, _), (next_start, _, _)) in enumerate(
        itertools.pairwise(delimiters)
    ):
        part_end = next_start - 2  # the CRLF before a delimiter belongs to the delimiter
        if part_end < part_start:
            return None  # two delimiters in a row: no part between them
        headers_end = _header_block(raw, part_start)
        if headers_end is None or part_end - headers_end < MIN_CUT_BYTES:
            continue
        if not _leaf_type(raw[part_start:headers_end]):
            continue
        pieces.append(raw[position:headers_end])
        bodies[index] = raw[headers_end:part_end]
        position = part_end
    if not bodies:
        return None
    pieces.append(raw[position:])
    return b"".join(pieces), boundary, len(delimiters) - 1, bodies
