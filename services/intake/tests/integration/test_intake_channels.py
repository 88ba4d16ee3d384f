"""Intake's channels against the real PostgreSQL: the application row, its blobs and its
outbox event commit together; SMTP answers per RFC 5321."""

from __future__ import annotations

import asyncio
import base64
import smtplib
import uuid
from collections.abc import AsyncIterator
from email.message import EmailMessage

import asyncpg
import httpx
import pytest
from aiosmtpd.smtp import SMTP
from hirestream.intake.config import IntakeSettings
from hirestream.intake.entrypoints.http import create_app
from hirestream.intake.entrypoints.smtp import ApplicationMailHandler
from hirestream.kit.db import create_pool
from hirestream.kit.devstack import free_port
from hirestream.kit.runtime import migrate

pytestmark = pytest.mark.integration
CV = b"%PDF-1.4\n% a tiny but sniffable CV"


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    await migrate(database_url, "intake", "hirestream.intake")
    pool = await create_pool(database_url, "intake")
    await pool.execute(
        "INSERT INTO postings (posting_id, slug, title) VALUES ($1, 'backend-engineer', 'Backend')",
        uuid.uuid4(),
    )
    yield pool
    await pool.close()


@pytest.fixture
def settings() -> IntakeSettings:
    return IntakeSettings(api_key="k", mail_domain="jobs.example.com")


async def client(pool: asyncpg.Pool, settings: IntakeSettings) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(pool, settings))
    return httpx.AsyncClient(transport=transport, base_url="http://intake")


async def test_json_api_with_idempotency_key_creates_one_application_and_one_event(
    pool: asyncpg.Pool, settings: IntakeSettings
) -> None:
    body = {
        "posting": "backend-engineer",
        "name": "Ana Pérez",
        "email": "ana@example.org",
        "cv": {"filename": "cv.pdf", "content_base64": base64.b64encode(CV).decode()},
    }
    async with await client(pool, settings) as http:
        headers = {"X-API-Key": "k", "Idempotency-Key": "req-1"}
        first = await http.post("/v1/applications", json=body, headers=headers)
        retry = await http.post("/v1/applications", json=body, headers=headers)
        unauthorised = await http.post("/v1/applications", json=body)
        assert first.status_code == 201, first.text
        status = await http.get(f"/v1/applications/{first.json()['application_id']}")
    assert first.status_code == 201 and retry.status_code == 200
    assert retry.json() == {"application_id": first.json()["application_id"], "duplicate": True}
    assert unauthorised.status_code == 401
    assert status.json()["status"] == "received"
    assert await pool.fetchval("SELECT count(*) FROM applications") == 1
    outbox = await pool.fetch("SELECT topic, payload FROM outbox")
    assert [r["topic"] for r in outbox] == ["application.received.v1"]
    assert "ana@example.org" not in str(outbox[0]["payload"])
    assert (
        await pool.fetchval(
            "SELECT data FROM blobstore.blobs WHERE sha256 = $1",
            outbox[0]["payload"]["cv"]["sha256"],
        )
        == CV
    )


async def test_apply_form_renders_validates_and_confirms(
    pool: asyncpg.Pool, settings: IntakeSettings
) -> None:
    async with await client(pool, settings) as http:
        page = await http.get("/apply/backend-engineer")
        missing = await http.get("/apply/no-such-posting")
        invalid = await http.post("/apply/backend-engineer", data={"name": "", "email": "nope"})
        ok = await http.post(
            "/apply/backend-engineer",
            data={"name": "Ana", "email": "ana@example.org", "consent": "yes"},
            files={"cv": ("cv.pdf", CV, "application/pdf")},
        )
    assert (
        page.status_code == 200
        and 'name="consent"' in page.text
        and '<label for="cv">' in page.text
    )
    assert missing.status_code == 404
    assert invalid.status_code == 422
    assert "Please enter your name." in invalid.text and "privacy notice" in invalid.text
    assert ok.status_code == 200 and "application-id" in ok.text
    assert await pool.fetchval("SELECT channel FROM applications") == "form"


@pytest.fixture
async def smtp_port(pool: asyncpg.Pool) -> AsyncIterator[int]:
    handler = ApplicationMailHandler(pool, "", "jobs.example.com")
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(handler), "127.0.0.1", port
    )
    yield port
    server.close()
    await server.wait_closed()


def send(port: int, to: str) -> tuple[int, bytes]:
    message = EmailMessage()
    message["From"] = "Ana <ana@example.org>"
    message["To"] = to
    message["Message-ID"] = "<m1@example.org>"
    message.set_content("My CV.")
    message.add_attachment(CV, maintype="application", subtype="pdf", filename="cv.pdf")
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        smtp.ehlo()
        code, reply = smtp.mail("ana@example.org")
        code, reply = smtp.rcpt(to)
        if code != 250:
            return code, reply
        return smtp.data(bytes(message))


async def test_smtp_accepts_known_posting_once_and_refuses_unknown_with_550(
    pool: asyncpg.Pool, smtp_port: int
) -> None:
    code, _ = await asyncio.to_thread(send, smtp_port, "jobs+backend-engineer@jobs.example.com")
    again, _ = await asyncio.to_thread(send, smtp_port, "backend-engineer@jobs.example.com")
    unknown, reply = await asyncio.to_thread(send, smtp_port, "no-such-posting@jobs.example.com")
    assert (code, again) == (250, 250)
    assert unknown == 550 and b"no open posting" in reply
    rows = await pool.fetch("SELECT channel, candidate_email FROM applications")
    assert [tuple(r) for r in rows] == [
        ("smtp", "ana@example.org")
    ]  # the resend is the same delivery


async def test_smtp_answers_451_when_the_database_is_unreachable() -> None:
    # A real asyncpg pool whose server is gone: nothing listens on the port.
    unreachable = await create_pool(
        f"postgresql://postgres@127.0.0.1:{free_port()}/none", "intake", min_size=0
    )
    handler = ApplicationMailHandler(unreachable, "", "jobs.example.com")
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(handler), "127.0.0.1", port
    )
    try:
        code, reply = await asyncio.to_thread(send, port, "backend-engineer@jobs.example.com")
    finally:
        server.close()
        await unreachable.close()
    assert code == 451, reply
