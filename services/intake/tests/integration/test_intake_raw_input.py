"""The raw input of every channel is kept unchanged — read back byte for byte by its hash —
while the CV inside it is stored once: the raw blob holds only the envelope around it."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import smtplib
import uuid
from email.message import EmailMessage

import asyncpg
import httpx
import pytest

from hirestream.intake.config import IntakeSettings
from hirestream.intake.entrypoints.http import create_app
from hirestream.intake.entrypoints.smtp import ApplicationMailHandler, ApplicationSMTP
from hirestream.kit.blobstore import get_blob, stored_bytes
from hirestream.kit.devstack import free_port

pytestmark = pytest.mark.integration
CV = b"%PDF-1.4\n" + os.urandom(60_000) + b"\n%%EOF"


@pytest.fixture
def open_postings() -> tuple[str, ...]:
    return ("backend-engineer",)


async def post(pool: asyncpg.Pool, content: bytes, content_type: str) -> httpx.Response:
    app = create_app(pool, IntakeSettings(api_key="k", mail_domain="jobs.example.com"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://intake"
    ) as http:
        return await http.post(
            "/v1/applications",
            content=content,
            headers={"Content-Type": content_type, "X-API-Key": "k"},
        )


async def kept(pool: asyncpg.Pool, application_id: str) -> tuple[bytes | None, int, bytes | None]:
    """(raw input read back, bytes its own row holds, the CV read back)."""
    row = await pool.fetchrow(
        "SELECT raw_sha256, cv_sha256 FROM applications WHERE application_id = $1",
        uuid.UUID(application_id),
    )
    assert row is not None
    own = await stored_bytes(pool, row["raw_sha256"])
    assert own is not None
    return (
        await get_blob(pool, row["raw_sha256"]),
        own,
        await get_blob(pool, row["cv_sha256"]),
    )


def multipart(boundary: str) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in (("posting", "backend-engineer"), ("name", "Ana"), ("email", "a@b.org"))
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="cv"; filename="cv.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + CV
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(parts)


async def test_multipart_request_is_kept_byte_for_byte_without_a_second_cv(
    pool: asyncpg.Pool,
) -> None:
    body = multipart("b0undary")
    response = await post(pool, body, "multipart/form-data; boundary=b0undary")
    assert response.status_code == 201, response.text
    raw, own, cv = await kept(pool, response.json()["application_id"])
    assert raw == body and cv == CV
    assert own < 1_000 < len(CV)  # the envelope only


async def test_json_request_with_base64_cv_is_kept_byte_for_byte_without_a_second_cv(
    pool: asyncpg.Pool,
) -> None:
    body = json.dumps(
        {
            "posting": "backend-engineer",
            "name": "Ana",
            "email": "ana@example.org",
            "cv": {"filename": "cv.pdf", "content_base64": base64.b64encode(CV).decode()},
        }
    ).encode()
    response = await post(pool, body, "application/json")
    assert response.status_code == 201, response.text
    raw, own, cv = await kept(pool, response.json()["application_id"])
    assert raw == body and cv == CV
    assert own < 1_000


async def test_smtp_message_is_kept_byte_for_byte_without_a_second_cv(pool: asyncpg.Pool) -> None:
    handler = ApplicationMailHandler(pool, "", "jobs.example.com")
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: ApplicationSMTP(handler), "127.0.0.1", port
    )
    message = EmailMessage()
    message["From"] = "Ana <ana@example.org>"
    message["To"] = "backend-engineer@jobs.example.com"
    message["Message-ID"] = "<raw-1@example.org>"
    message.set_content("My CV.\n.A line with a leading dot.\n")
    message.add_attachment(CV, maintype="application", subtype="pdf", filename="cv.pdf")
    sent = bytes(message).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # smtplib sends CRLF

    def deliver() -> None:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            refused = smtp.sendmail("ana@example.org", ["backend-engineer@jobs.example.com"], sent)
        assert not refused

    try:
        await asyncio.to_thread(deliver)
    finally:
        server.close()
    application_id = await pool.fetchval("SELECT application_id::text FROM applications")
    raw, own, cv = await kept(pool, application_id)
    assert raw == sent and cv == CV
    assert own < 2_000


async def test_a_damaged_cv_blob_is_detected_when_the_raw_input_is_read(
    pool: asyncpg.Pool,
) -> None:
    response = await post(pool, multipart("x"), "multipart/form-data; boundary=x")
    row = await pool.fetchrow(
        "SELECT raw_sha256, cv_sha256 FROM applications WHERE application_id = $1",
        uuid.UUID(response.json()["application_id"]),
    )
    assert row is not None
    raw_sha256, cv_sha256 = row["raw_sha256"], row["cv_sha256"]
    await pool.execute(
        "UPDATE blobstore.blobs SET data = $2 WHERE sha256 = $1", cv_sha256, CV[:-1] + b"!"
    )
    with pytest.raises(ValueError, match="corrupt"):
        await get_blob(pool, raw_sha256)
