"""An email as MIME bytes, written directly: the same bytes the email package's compat32
classes and ``BytesGenerator`` produce for the shapes the notifier sends (a text part, or text
and HTML as alternatives; UTF-8, quoted-printable), without building and walking a ``Message``
tree, formatting each header through ``Header`` and scanning the bodies for the boundary.

Nothing is approximated: header values are folded by the very ``Header.encode`` call compat32
makes (cached for the values that recur: the sender, the hiring team's subjects), except short
printable ASCII values that fit on their line, which that call returns unchanged
(``test_mime.py`` checks both against the email package, and whole messages byte for byte).
"""

from __future__ import annotations

import functools
import random
import sys
from email import quoprimime
from email.header import Header
from email.utils import formataddr, formatdate, getaddresses

from hirestream.notifier.domain.messages import header_safe
from hirestream.notifier.ports import Email

# compat32's folding width and line separator (``Message.as_bytes`` with its default policy).
_MAX_LINE = 78
_NL = "\n"
_PART_HEADERS = (
    'Content-Type: text/{subtype}; charset="utf-8"' + _NL
    + "MIME-Version: 1.0" + _NL
    + "Content-Transfer-Encoding: quoted-printable" + _NL
)  # fmt: skip
# The generator's own boundary form with a token of 19 digits, so the Content-Type line is
# always folded the same way. A quoted-printable body never holds "==" (an "=" is written
# "=3D"), so the boundary cannot occur in either part: no scan needed.
_BOUNDARY_TOKENS = (10**18, sys.maxsize)


def fold(name: str, value: str, *, cached: bool = True) -> str:
    """The header line's value as compat32 writes it (``Compat32._fold``)."""
    if len(name) + 2 + len(value) <= _MAX_LINE and value.isascii() and value.isprintable():
        return value  # what Header.encode returns for it: checked in test_mime.py
    if name == "To" or not cached:  # may be a candidate's address or name: not kept
        return _header_encode(name, value)
    return _folded(name, value)


def _header_encode(name: str, value: str) -> str:
    return Header(value, header_name=name).encode(linesep=_NL, maxlinelen=_MAX_LINE)


@functools.lru_cache(maxsize=1024)
def _folded(name: str, value: str) -> str:
    return _header_encode(name, value)


def addresses(value: str) -> str:
    """An address list as a header value: display names in RFC 2047 words when not ASCII.
    Not cached: a candidate's own address (acknowledgements) is not kept in memory."""
    return ", ".join(formataddr(pair, charset="utf-8") for pair in getaddresses([value]))


@functools.lru_cache(maxsize=16)
def sender_address(value: str) -> str:
    """``addresses`` of the sender: one value for the process's life."""
    return addresses(value)


def encoded_words(value: str) -> str:
    """A header value in RFC 2047 words when it is not ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode()


@functools.lru_cache(maxsize=1024)
def _encoded_subject(value: str) -> str:
    return encoded_words(value)


def new_boundary() -> str:
    return "=" * 15 + str(random.randrange(*_BOUNDARY_TOKENS)) + "=="


def _body(text: str) -> str:
    # What MIMEText(text, subtype, Charset utf-8 with QP) stores: the UTF-8 bytes as latin-1
    # characters, quoted-printable encoded.
    return quoprimime.body_encode(text.encode("utf-8").decode("latin-1"))


def _part(text: str, subtype: str) -> str:
    return _PART_HEADERS.format(subtype=subtype) + _NL + _body(text)


def headers(email: Email, date: str) -> list[tuple[str, str]]:
    subject = header_safe(email.subject)
    return [
        ("From", sender_address(header_safe(email.sender))),
        ("To", addresses(header_safe(email.recipient))),
        ("Subject", (encoded_words if email.personal else _encoded_subject)(subject)),
        ("Message-ID", email.message_id),
        ("Date", date),
        ("Auto-Submitted", "auto-generated"),
    ]


def mime_bytes(email: Email, *, date: str | None = None, boundary: str | None = None) -> bytes:
    """The email as compat32's ``as_bytes()`` writes it: LF line ends (the SMTP client sends
    CRLF), text and HTML as multipart/alternative when there is HTML."""
    date = date or formatdate(usegmt=True)
    cached = not email.personal
    own = "".join(f"{n}: {fold(n, v, cached=cached)}{_NL}" for n, v in headers(email, date))
    if email.html is None:
        text = _part(email.text, "plain")
        head, _, body = text.partition(_NL * 2)
        return (head + _NL + own + _NL + body).encode("ascii")
    boundary = boundary or new_boundary()
    return (
        "Content-Type: multipart/alternative;" + _NL + f' boundary="{boundary}"' + _NL
        + "MIME-Version: 1.0" + _NL
        + own + _NL
        + f"--{boundary}{_NL}" + _part(email.text, "plain")
        + f"{_NL}--{boundary}{_NL}" + _part(email.html, "html")
        + f"{_NL}--{boundary}--{_NL}"
    ).encode("ascii")  # fmt: skip
