"""The skeleton parse gives the same message as the email package's own parse, down to each
part's payload string: for mails it can cut, and for every mail it must leave alone."""

from __future__ import annotations

import base64
import email
import email.policy
import os
import quopri
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any

import pytest

from hirestream.intake.domain import mime_skeleton
from hirestream.intake.domain.mail import parse_application_emails, parse_mime
from hirestream.intake.domain.mime_skeleton import decoded_payload, message_from_bytes

CORPUS = Path("/work/shared/data/emails-mikel-mail")
PDF = b"%PDF-1.4\n" + os.urandom(150 * 1024) + b"\n%%EOF"
# Every byte value but CR and LF (a bare one anywhere sends the mail the ordinary way).
NO_EOL = bytes(b for b in range(256) if b not in (10, 13))


def tree(part: Message) -> Any:
    """Everything the parse decided: headers as read, preamble, epilogue, defects, and each
    leaf's payload exactly as stored."""
    payload = part.get_payload()
    return (
        [(name, str(value)) for name, value in part.items()],
        part.preamble,
        part.epilogue,
        [type(d).__name__ for d in part.defects],
        [tree(p) for p in payload] if isinstance(payload, list) else payload,
    )


def same_as_stdlib(raw: bytes) -> None:
    ours = message_from_bytes(raw, email.policy.default)
    theirs = email.message_from_bytes(raw, policy=email.policy.default)
    assert tree(ours) == tree(theirs)


def mail(
    body: bytes,
    *,
    boundary: str = "b-1",
    eol: bytes = b"\r\n",
    preamble: bytes = b"",
    epilogue: bytes = b"",
    extra: bytes = b"",
    cte: bytes = b"base64",
    close: bool = True,
) -> bytes:
    head = eol.join(
        [
            b"From: Ana <ana@example.org>",
            b"To: x@jobs.example.com",
            b"Subject: CV",
            b"MIME-Version: 1.0",
            b'Content-Type: multipart/mixed; boundary="' + boundary.encode() + b'"',
            b"",
            b"",
        ]
    )
    sep = b"--" + boundary.encode()
    text = eol.join([sep, b"Content-Type: text/plain", b"", b"My CV.", b""])
    cv = eol.join(
        [
            sep,
            b"Content-Type: application/pdf",
            b"Content-Transfer-Encoding: " + cte,
            b'Content-Disposition: attachment; filename="cv.pdf"',
            b"",
            body,
            b"",
        ]
    )
    e = eol
    end = sep + b"--" + e if close else b""
    return head + preamble + text + extra + cv + end + epilogue


def b64(data: bytes, eol: bytes = b"\r\n") -> bytes:
    return base64.encodebytes(data).rstrip(b"\n").replace(b"\n", eol)


CUT = {
    "bench-like": mail(b64(PDF)),
    "preamble and epilogue": mail(b64(PDF), preamble=b"This is MIME.\r\n", epilogue=b"bye\r\n"),
    "blank lines in the body": mail(b64(PDF) + b"\r\n\r\n\r\n"),
    "whitespace after delimiters": mail(b64(PDF), boundary="zz").replace(
        b"--zz\r\n", b"--zz \t\r\n"
    ),
    "quoted-printable": mail(
        quopri.encodestring(NO_EOL * 40).replace(b"\n", b"\r\n"), cte=b"quoted-printable"
    ),
    "8-bit bytes in a body": mail(NO_EOL * 20, cte=b"8bit"),
    "a nested multipart beside the CV": mail(
        b64(PDF),
        extra=b'--b-1\r\nContent-Type: multipart/alternative; boundary="in"\r\n\r\n'
        b"--in\r\nContent-Type: text/plain\r\n\r\nhi\r\n--in\r\nContent-Type: text/html\r\n\r\n"
        b"<p>hi</p>\r\n--in--\r\n",
    ),
    "a line that merely starts like the boundary inside a nested part": mail(
        b64(PDF),
        extra=b'--b-1\r\nContent-Type: multipart/alternative; boundary="in"\r\n\r\n'
        b"--in\r\nContent-Type: text/plain\r\n\r\n" + b"x" * 3000 + b"\r\n--in--\r\n",
    ),
}

BAD_BASE64 = {
    "a stray character": mail(b64(PDF)[:3000] + b"!" + b64(PDF)[3000:]),
    "missing padding": mail(b64(PDF[:-1])[:-1]),
    "data after the padding": mail(b64(PDF[:-1]) + b"QUJD"),
    "a space inside a line": mail(b64(PDF)[:3000] + b" " + b64(PDF)[3000:]),
}

LEFT_ALONE = {
    "bare LF": mail(b64(PDF, b"\n"), eol=b"\n"),
    "a bare CR": mail(b64(PDF)).replace(b"My CV.", b"My\rCV."),
    "no close delimiter": mail(b64(PDF), close=False),
    "doubled delimiter": mail(b64(PDF)).replace(b"--b-1\r\n", b"--b-1\r\n--b-1\r\n", 1),
    "boundary-like line in a body": mail(b64(PDF)[:5000] + b"\r\n--b-1garbage\r\n" + b64(PDF)),
    "not multipart": b"From: a@b.c\r\nSubject: x\r\n\r\n" + b64(PDF),
    "no boundary parameter": mail(b64(PDF)).replace(b'; boundary="b-1"', b""),
    "a header line of unusual form": mail(b64(PDF)).replace(b"Subject: CV", b"Subject : CV"),
    "mbox From line": b"From ana@example.org Tue Dec  1 10:00:00 2026\r\n" + mail(b64(PDF)),
    "small": mail(b"aGk="),
}


@pytest.mark.parametrize("raw", CUT.values(), ids=CUT.keys())
def test_a_cut_mail_parses_exactly_as_the_stdlib_parses_it(raw: bytes) -> None:
    assert mime_skeleton._cut(raw) is not None  # the fast path is really taken
    same_as_stdlib(raw)


@pytest.mark.parametrize("raw", LEFT_ALONE.values(), ids=LEFT_ALONE.keys())
def test_a_mail_it_cannot_split_with_certainty_is_parsed_the_ordinary_way(raw: bytes) -> None:
    assert mime_skeleton._cut(raw) is None
    same_as_stdlib(raw)


def test_a_skeleton_whose_structure_differs_falls_back_to_the_whole_parse() -> None:
    # compat32 and the default policy read this boundary differently (RFC 2231 continuation):
    # the split used one, the skeleton parse sees the other.
    raw = mail(b64(PDF)).replace(
        b'boundary="b-1"', b'boundary*0="b-"; boundary*1="1"; boundary="b-1"'
    )
    same_as_stdlib(raw)


def leaves(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [leaf for child in payload for leaf in leaves(child)]
    return [part]


@pytest.mark.parametrize(
    "raw", [*CUT.values(), *BAD_BASE64.values()], ids=[*CUT.keys(), *BAD_BASE64.keys()]
)
def test_every_part_decodes_to_the_stdlibs_bytes(raw: bytes) -> None:
    assert mime_skeleton._cut(raw) is not None
    ours = leaves(message_from_bytes(raw, email.policy.default))
    theirs = leaves(email.message_from_bytes(raw, policy=email.policy.default))
    assert [decoded_payload(p) for p in ours] == [p.get_payload(decode=True) for p in theirs]


def test_a_clean_base64_cv_is_decoded_once_by_the_skeleton() -> None:
    (_, cv) = leaves(message_from_bytes(CUT["bench-like"], email.policy.default))
    assert cv.__dict__.get(mime_skeleton._DECODED) == PDF
    (_, damaged) = leaves(message_from_bytes(BAD_BASE64["a stray character"], email.policy.default))
    assert mime_skeleton._DECODED not in damaged.__dict__  # left to the stdlib's lenient path


def test_the_cv_of_a_cut_mail_is_byte_identical() -> None:
    raw = CUT["bench-like"]
    assert mime_skeleton._cut(raw) is not None
    (submission,) = parse_application_emails(raw, "backend-engineer")
    assert submission.cv.data == PDF
    assert submission.cv.filename == "cv.pdf"
    assert submission.raw == raw


def test_an_email_message_built_by_the_stdlib_with_a_big_attachment_is_cut() -> None:
    message = EmailMessage()
    message["From"] = "Ana <ana@example.org>"
    message["To"] = "x@jobs.example.com"
    message.set_content("My CV.")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="cv.pdf")
    raw = message.as_bytes(policy=email.policy.SMTP)
    assert mime_skeleton._cut(raw) is not None
    same_as_stdlib(raw)
    assert parse_mime(raw).attachments[0].data == PDF


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (no ../shared)")
def test_every_corpus_mail_parses_as_the_stdlib_parses_it() -> None:
    files = sorted(CORPUS.rglob("*.eml"))
    assert files
    for path in files:
        raw = path.read_bytes()
        for variant in (raw, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")):
            try:
                same_as_stdlib(variant)
            except AssertionError as exc:
                raise AssertionError(path.name) from exc
