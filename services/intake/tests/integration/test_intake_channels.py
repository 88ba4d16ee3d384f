"""Intake's channels against the real PostgreSQL: the application row, its blobs and its
outbox event commit together; SMTP answers per RFC 5321."""

from __future__ import annotations

import asyncio
import base64
import re
import smtplib
import ssl
import uuid
from collections.abc import AsyncIterator
from email.message import EmailMessage

import asyncpg
import httpx
import pytest

from hirestream.intake.config import IntakeSettings
from hirestream.intake.entrypoints.http import create_app
from hirestream.intake.entrypoints.smtp import ApplicationMailHandler, ApplicationSMTP
from hirestream.kit.blobstore import get_blob
from hirestream.kit.db import create_pool
from hirestream.kit.devstack import free_port

pytestmark = pytest.mark.integration
CV = b"%PDF-1.4\n% a tiny but sniffable CV"


@pytest.fixture
def open_postings() -> tuple[str, ...]:
    return ("backend-engineer",)


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
    assert retry.json() == {
        "application_id": first.json()["application_id"],
        "duplicate": True,
        "reapplication": False,
    }
    assert unauthorised.status_code == 401
    assert status.json()["status"] == "received"
    assert await pool.fetchval("SELECT count(*) FROM applications") == 1
    outbox = await pool.fetch("SELECT topic, payload FROM outbox")
    assert [r["topic"] for r in outbox] == ["application.received.v1"]
    assert "ana@example.org" not in str(outbox[0]["payload"])
    assert await get_blob(pool, outbox[0]["payload"]["cv"]["sha256"]) == CV


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the form carries a CSRF token"
    return found.group(1)


async def test_apply_form_renders_validates_and_confirms(
    pool: asyncpg.Pool, settings: IntakeSettings
) -> None:
    async with await client(pool, settings) as http:
        page = await http.get("/apply/backend-engineer")
        missing = await http.get("/apply/no-such-posting")
        token = csrf_token(page.text)
        invalid = await http.post(
            "/apply/backend-engineer",
            data={"name": "", "email": "nope", "phone": "12", "csrf_token": token},
        )
        ok = await http.post(
            "/apply/backend-engineer",
            data={
                "name": "Ana",
                "email": "ana@example.org",
                "consent": "yes",
                "csrf_token": csrf_token(invalid.text),
            },
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
    assert 'value="nope"' in invalid.text and "country code" in invalid.text  # re-rendered
    assert ok.status_code == 200 and "application-id" in ok.text
    assert await pool.fetchval("SELECT channel FROM applications") == "form"


async def test_apply_form_refuses_a_browser_post_without_a_valid_csrf_token(
    pool: asyncpg.Pool, settings: IntakeSettings
) -> None:
    fields = {"name": "Ana", "email": "ana@example.org", "consent": "yes"}
    files = {"cv": ("cv.pdf", CV, "application/pdf")}
    async with await client(pool, settings) as http:
        page = await http.get("/apply/backend-engineer")
        token = csrf_token(page.text)
        forged_origin = {"Origin": "https://evil.example"}
        no_token = await http.post(
            "/apply/backend-engineer", data=fields, files=files, headers=forged_origin
        )
        http.cookies.clear()
        no_cookie = await http.post(
            "/apply/backend-engineer",
            data={**fields, "csrf_token": token},
            files=files,
            headers=forged_origin,
        )
        forged = "abc." + "0" * 32
        http.cookies.set("hirestream_csrf", forged)
        unsigned = await http.post(
            "/apply/backend-engineer",
            data={**fields, "csrf_token": forged},
            files=files,
            headers=forged_origin,
        )
    for refused in (no_token, no_cookie, unsigned):
        assert refused.status_code == 403 and "session expired" in refused.text
        assert 'value="ana@example.org"' in refused.text  # nothing typed is lost
    assert await pool.fetchval("SELECT count(*) FROM applications") == 0


async def test_apply_form_in_strict_mode_needs_the_token_from_every_client(
    pool: asyncpg.Pool,
) -> None:
    strict = IntakeSettings(api_key="k", mail_domain="jobs.example.com", form_csrf_strict=True)
    fields = {"name": "Ana", "email": "ana@example.org", "consent": "yes"}
    files = {"cv": ("cv.pdf", CV, "application/pdf")}
    async with await client(pool, strict) as http:
        bare = await http.post("/apply/backend-engineer", data=fields, files=files)
        token = csrf_token((await http.get("/apply/backend-engineer")).text)
        ok = await http.post(
            "/apply/backend-engineer", data={**fields, "csrf_token": token}, files=files
        )
    assert bare.status_code == 403
    assert ok.status_code == 200, ok.text


@pytest.fixture
async def smtp_port(pool: asyncpg.Pool) -> AsyncIterator[int]:
    handler = ApplicationMailHandler(pool, "", "jobs.example.com")
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: ApplicationSMTP(handler), "127.0.0.1", port
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
        lambda: ApplicationSMTP(handler), "127.0.0.1", port
    )
    try:
        code, reply = await asyncio.to_thread(send, port, "backend-engineer@jobs.example.com")
    finally:
        server.close()
        await unreachable.close()
    assert code == 451, reply


async def test_internal_contact_endpoint_requires_the_api_key_and_returns_contact_details(
    pool: asyncpg.Pool, settings: IntakeSettings
) -> None:
    body = {
        "posting": "backend-engineer",
        "name": "Ana Pérez",
        "email": "ana@example.org",
        "phone": "+34 600 000 000",
        "cv": {"filename": "cv.pdf", "content_base64": base64.b64encode(CV).decode()},
    }
    async with await client(pool, settings) as http:
        created = await http.post("/v1/applications", json=body, headers={"X-API-Key": "k"})
        application_id = created.json()["application_id"]
        url = f"/internal/v1/applications/{application_id}/contact"
        by_header = await http.get(url, headers={"X-API-Key": "k"})
        by_bearer = await http.get(url, headers={"Authorization": "Bearer k"})
        anonymous = await http.get(url)
        wrong_key = await http.get(url, headers={"X-API-Key": "nope"})
        unknown = await http.get(
            f"/internal/v1/applications/{uuid.uuid4()}/contact", headers={"X-API-Key": "k"}
        )
    expected = {"name": "Ana Pérez", "email": "ana@example.org", "phone": "+34600000000"}
    assert by_header.status_code == 200 and by_header.json() == expected
    assert by_bearer.json() == expected
    assert (anonymous.status_code, wrong_key.status_code) == (401, 401)
    assert unknown.status_code == 404


async def test_json_api_refuses_invalid_multipart_fields_with_422(
    pool: asyncpg.Pool, settings: IntakeSettings
) -> None:
    async with await client(pool, settings) as http:
        response = await http.post(
            "/v1/applications",
            data={"posting": "backend-engineer", "name": "Ana", "email": "not-an-email"},
            files={"cv": ("cv.pdf", CV, "application/pdf")},
            headers={"X-API-Key": "k"},
        )
    assert response.status_code == 422 and "email" in response.json()["fields"]
    assert await pool.fetchval("SELECT count(*) FROM applications") == 0


async def test_smtp_refusals_are_precise_and_a_rate_limited_sender_is_told_to_retry(
    pool: asyncpg.Pool,
) -> None:
    from hirestream.intake.domain.mail import MailLimits
    from hirestream.intake.handlers import RateLimit

    await pool.execute(
        "INSERT INTO postings (posting_id, slug, title) VALUES ($1, 'data-engineer', 'Data')",
        uuid.uuid4(),
    )
    handler = ApplicationMailHandler(
        pool,
        "",
        "jobs.example.com",
        MailLimits(max_total_bytes=4000),
        RateLimit(max_applications=1, window_seconds=3600),
    )
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: ApplicationSMTP(handler, data_size_limit=4000), "127.0.0.1", port
    )

    def deliver(to: str, attachment: bytes, message_id: str) -> tuple[int, bytes]:
        message = EmailMessage()
        message["From"] = "Ana <ana@example.org>"
        message["To"] = to
        message["Message-ID"] = message_id
        message.set_content("My CV.")
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="cv.pdf")
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.ehlo()
            assert smtp.has_extn("size") and smtp.esmtp_features["size"] == "4000"
            code, reply = smtp.mail("ana@example.org", [f"SIZE={len(bytes(message))}"])
            if code != 250:  # SIZE: refused before a byte of data is sent
                return code, reply
            smtp.rcpt(to)
            try:
                return smtp.data(bytes(message))
            except smtplib.SMTPResponseException as exc:
                return exc.smtp_code, exc.smtp_error

    try:
        first = await asyncio.to_thread(deliver, "backend-engineer@jobs.example.com", CV, "<1@a>")
        limited = await asyncio.to_thread(deliver, "data-engineer@jobs.example.com", CV, "<2@a>")
        again = await asyncio.to_thread(
            deliver, "backend-engineer@jobs.example.com", CV + b"v2", "<3@a>"
        )
        no_cv = await asyncio.to_thread(
            deliver, "backend-engineer@jobs.example.com", b"MZ\x90exe", "<4@a>"
        )
        too_big = await asyncio.to_thread(
            deliver, "backend-engineer@jobs.example.com", b"%PDF" + b"x" * 5000, "<5@a>"
        )
    finally:
        server.close()
        await server.wait_closed()
    assert first[0] == 250
    assert limited[0] == 450 and b"try again later" in limited[1]  # temporary: retried
    assert again[0] == 250  # the same person again for the same posting: linked, not limited
    assert no_cv[0] == 550 and b"executable" in no_cv[1]
    assert too_big[0] == 552
    assert await pool.fetchval("SELECT count(*) FROM applications") == 1
    assert await pool.fetchval("SELECT reapplications FROM applications") == 1


async def test_smtp_offers_starttls_when_a_certificate_is_configured(
    pool: asyncpg.Pool, smtp_tls: ssl.SSLContext
) -> None:
    tls = smtp_tls
    handler = ApplicationMailHandler(pool, "", "jobs.example.com")
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: ApplicationSMTP(handler, tls_context=tls), "127.0.0.1", port
    )

    def send_over_tls() -> tuple[bool, int]:
        message = EmailMessage()
        message["From"] = "Ana <ana@example.org>"
        message["To"] = "backend-engineer@jobs.example.com"
        message.set_content("My CV.")
        message.add_attachment(CV, maintype="application", subtype="pdf", filename="cv.pdf")
        client_context = ssl.create_default_context()
        client_context.check_hostname = False
        client_context.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.ehlo()
            offered = smtp.has_extn("starttls")
            smtp.starttls(context=client_context)
            smtp.ehlo()
            smtp.send_message(message)
            return offered, smtp.sock.version() is not None  # type: ignore[union-attr]

    try:
        offered, encrypted = await asyncio.to_thread(send_over_tls)
    finally:
        server.close()
        await server.wait_closed()
    assert offered and encrypted
    assert await pool.fetchval("SELECT count(*) FROM applications") == 1


async def test_candidate_withdraws_from_the_acknowledgement_link_and_later_stages_keep_it(
    pool: asyncpg.Pool, settings: IntakeSettings
) -> None:
    from datetime import UTC, datetime

    from hirestream.intake.adapters.postgres import unit_of_work

    body = {
        "posting": "backend-engineer",
        "name": "Ana Pérez",
        "email": "ana@example.org",
        "cv": {"filename": "cv.pdf", "content_base64": base64.b64encode(CV).decode()},
    }
    async with await client(pool, settings) as http:
        created = await http.post("/v1/applications", json=body, headers={"X-API-Key": "k"})
        application_id = created.json()["application_id"]
        page = await http.get(f"/applications/{application_id}/withdraw")
        before = (await http.get(f"/v1/applications/{application_id}")).json()["status"]
        done = await http.post(f"/applications/{application_id}/withdraw")
        unknown = await http.post(f"/applications/{uuid.uuid4()}/withdraw")
        async with unit_of_work(pool, "") as store:  # the scorer's answer arrives afterwards
            await store.record_stage(uuid.UUID(application_id), "scored", datetime.now(UTC), {})
        after = (await http.get(f"/v1/applications/{application_id}")).json()
    assert page.status_code == 200 and '<form method="post">' in page.text
    assert before == "received"  # following the link alone changes nothing
    assert done.status_code == 200 and "was withdrawn" in done.text
    assert unknown.status_code == 404
    assert after["status"] == "withdrawn"
