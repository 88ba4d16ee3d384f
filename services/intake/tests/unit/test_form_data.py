"""The in-memory multipart splitter gives exactly Starlette's fields, or leaves the body to
Starlette."""

from __future__ import annotations

import os
from collections.abc import AsyncGenerator

import httpx
import pytest
from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartParser

from hirestream.intake.entrypoints.form_data import FilePart, parse_form

CV = b"%PDF-1.4\n" + os.urandom(150 * 1024)


def encode(data: dict[str, str], files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """The body and content type httpx sends (what real clients produce)."""
    request = httpx.Request("POST", "http://x/", data=data, files=files)
    return request.read(), request.headers["content-type"]


async def starlette_fields(body: bytes, content_type: str) -> dict[str, str | FilePart]:
    async def stream() -> AsyncGenerator[bytes, None]:
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    form = await MultiPartParser(Headers({"content-type": content_type}), stream()).parse()
    fields: dict[str, str | FilePart] = {}
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            fields[name] = FilePart(value.filename or "", await value.read())
        else:
            fields[name] = value
    return fields


SAME = {
    "the bench's form": encode(
        {"posting": "backend-engineer", "name": "Ana", "email": "ana@example.org"},
        {"cv": ("cv.pdf", CV, "application/pdf")},
    ),
    "unicode names, values and filename": encode(
        {"name": "José Ñúñez 李", "cover_letter": "Línea 1\r\nLínea 2\n\n"},
        {"cv": ("Lebenslauf Müller.pdf", CV, "application/pdf")},
    ),
    "empty values and an empty file": encode(
        {"posting": "", "phone": ""}, {"cv": ("", b"", "application/octet-stream")}
    ),
    "a file that holds CRLFs and dashes": encode(
        {"posting": "p"}, {"cv": ("cv.txt", b"--\r\n\r\n--x\r\n" * 1000, "text/plain")}
    ),
    "several files": encode(
        {"posting": "p"},
        {
            "cv": ("cv.pdf", CV, "application/pdf"),
            "letter": ("letter.txt", b"Dear team", "text/plain"),
        },
    ),
}


def body_with(boundary: bytes, *parts: bytes, close: bytes = b"--\r\n") -> bytes:
    delimiter = b"--" + boundary
    return b"".join(delimiter + b"\r\n" + p + b"\r\n" for p in parts) + delimiter + close


HAND_MADE_SAME = {
    "repeated field: the last one wins": body_with(
        b"b",
        b'Content-Disposition: form-data; name="name"\r\n\r\nfirst',
        b'Content-Disposition: form-data; name="name"\r\n\r\nsecond',
    ),
    "no space after the colon, more headers": body_with(
        b"b",
        b'content-disposition:form-data; name="cv"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\nX-Extra: 1\r\n\r\n" + CV,
    ),
    "anything after the close delimiter": body_with(
        b"b", b'Content-Disposition: form-data; name="a"\r\n\r\nx', close=b"--\r\nepilogue"
    ),
    "latin-1 fallback for bytes that are not UTF-8": body_with(
        b"b", b'Content-Disposition: form-data; name="name"\r\n\r\nJos\xe9'
    ),
}

LEFT_TO_STARLETTE = {
    "charset parameter": ("multipart/form-data; boundary=b; charset=latin-1", body_with(b"b")),
    "no boundary": ("multipart/form-data", body_with(b"b")),
    "a preamble": (
        "multipart/form-data; boundary=b",
        b"preamble\r\n" + body_with(b"b", b'Content-Disposition: form-data; name="a"\r\n\r\nx'),
    ),
    "no close delimiter": (
        "multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n',
    ),
    "padding after a delimiter": (
        "multipart/form-data; boundary=b",
        body_with(b"b", b'Content-Disposition: form-data; name="a"\r\n\r\nx').replace(
            b"--b\r\n", b"--b  \r\n"
        ),
    ),
    "a part without a name": (
        "multipart/form-data; boundary=b",
        body_with(b"b", b"Content-Disposition: form-data\r\n\r\nx"),
    ),
    "a part without headers": ("multipart/form-data; boundary=b", body_with(b"b", b"\r\nx")),
    "a header line that is not a header": (
        "multipart/form-data; boundary=b",
        body_with(b"b", b'Content-Disposition: form-data; name="a"\r\nnot a header\r\n\r\nx'),
    ),
    "a field over Starlette's 1 MB part limit": (
        "multipart/form-data; boundary=b",
        body_with(
            b"b", b'Content-Disposition: form-data; name="a"\r\n\r\n' + b"x" * ((1 << 20) + 1)
        ),
    ),
}


@pytest.mark.parametrize(("body", "content_type"), SAME.values(), ids=SAME.keys())
async def test_a_client_form_splits_into_starlettes_fields(body: bytes, content_type: str) -> None:
    fields = parse_form(body, content_type)
    assert fields is not None
    assert fields == await starlette_fields(body, content_type)


@pytest.mark.parametrize("body", HAND_MADE_SAME.values(), ids=HAND_MADE_SAME.keys())
async def test_unusual_but_certain_forms_split_into_starlettes_fields(body: bytes) -> None:
    content_type = "multipart/form-data; boundary=b"
    fields = parse_form(body, content_type)
    assert fields is not None
    assert fields == await starlette_fields(body, content_type)


@pytest.mark.parametrize(
    ("content_type", "body"), LEFT_TO_STARLETTE.values(), ids=LEFT_TO_STARLETTE.keys()
)
def test_a_form_it_cannot_split_with_certainty_is_left_to_starlette(
    content_type: str, body: bytes
) -> None:
    assert parse_form(body, content_type) is None


def test_the_cv_comes_out_byte_identical() -> None:
    body, content_type = SAME["the bench's form"]
    fields = parse_form(body, content_type)
    assert fields is not None and fields["cv"] == FilePart("cv.pdf", CV)
