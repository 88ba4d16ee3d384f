"""Provider webhooks against the real PostgreSQL, with provider-shaped payloads and real
signatures: HMAC (Mailgun), ECDSA (SendGrid), basic auth (Postmark)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from email.message import EmailMessage

import asyncpg
import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hirestream.intake.config import IntakeSettings
from hirestream.intake.entrypoints.http import create_app
from hirestream.kit.blobstore import get_blob

pytestmark = pytest.mark.integration
CV = b"%PDF-1.4\n% Ana's CV " + b"x" * 200
MAILGUN_KEY = "key-mailgun-signing"
SENDGRID_KEY = ec.generate_private_key(ec.SECP256R1())
SENDGRID_PUBLIC = base64.b64encode(
    SENDGRID_KEY.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
).decode()


@pytest.fixture
def settings() -> IntakeSettings:
    return IntakeSettings(
        api_key="k",
        mail_domain="jobs.example.com",
        mailgun_signing_key=MAILGUN_KEY,
        sendgrid_public_key=SENDGRID_PUBLIC,
        postmark_username="pm",
        postmark_password="secret",
    )


@pytest.fixture
async def http(intake_pool: asyncpg.Pool, settings: IntakeSettings) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(intake_pool, settings))
    return httpx.AsyncClient(transport=transport, base_url="http://intake")


def application_mime(
    sender: str = "Ana Pérez <ana@example.org>", message_id: str = "<m1@mail.example.org>"
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "backend-engineer@jobs.example.com"
    message["Subject"] = "Application"
    message["Message-ID"] = message_id
    message["Authentication-Results"] = (
        "mx.example.com; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org;"
        " dmarc=fail header.from=example.org"
    )
    message["X-Spam-Score"] = "1.5"
    message.set_content("Hello, my CV is attached.\n\nAna — ¡gracias!")
    message.add_attachment(CV, maintype="application", subtype="pdf", filename="Ana_CV.pdf")
    return bytes(message)


def mailgun_signature(timestamp: int | None = None, token: str = "tok-1") -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    digest = hmac.new(MAILGUN_KEY.encode(), f"{ts}{token}".encode(), hashlib.sha256).hexdigest()
    return {"timestamp": ts, "token": token, "signature": digest}


async def audit(pool: asyncpg.Pool) -> list[tuple[str, str, str]]:
    rows = await pool.fetch("SELECT provider, outcome, reason FROM inbound_audit ORDER BY id")
    return [tuple(r) for r in rows]


async def test_mailgun_raw_mime_is_verified_recorded_once_and_replays_create_nothing(
    intake_pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    mime = application_mime()
    form = {"recipient": "backend-engineer@jobs.example.com", **mailgun_signature()}
    async with http:
        first = await http.post("/v1/inbound/mailgun", data=form, files={"body-mime": (None, mime)})
        replay = await http.post(
            "/v1/inbound/mailgun", data=form, files={"body-mime": (None, mime)}
        )
        retry = await http.post(  # the provider retries the same message with a new token
            "/v1/inbound/mailgun",
            data={**form, **mailgun_signature(token="tok-2")},
            files={"body-mime": (None, mime)},
        )
        status = await http.get(
            f"/v1/applications/{first.json()['applications'][0]['application_id']}"
        )
    assert first.status_code == 200, first.text
    assert replay.status_code == 200 and replay.json()["replayed"] is True
    assert retry.json()["applications"][0]["duplicate"] is True
    assert await intake_pool.fetchval("SELECT count(*) FROM applications") == 1
    row = await intake_pool.fetchrow(
        "SELECT channel, candidate_email, raw_sha256, spam_score FROM applications"
    )
    assert (row["channel"], row["candidate_email"], row["spam_score"]) == (
        "mailgun",
        "ana@example.org",
        1.5,
    )
    raw = await get_blob(intake_pool, row["raw_sha256"])
    assert raw == mime  # the raw MIME kept byte for byte
    assert status.json()["authentication"] == {"spf": "pass", "dkim": "pass", "dmarc": "fail"}
    assert [s["stage"] for s in status.json()["stages"]] == ["received"]
    assert await audit(intake_pool) == [("mailgun", "replay", "token already used")]


@pytest.mark.parametrize(
    ("signature", "status", "reason"),
    [
        ({}, 401, "missing timestamp, token or signature"),
        ({**mailgun_signature(), "signature": "0" * 64}, 403, "signature does not match"),
        (mailgun_signature(timestamp=int(time.time()) - 3600), 403, "outside the ±300 s window"),
    ],
)
async def test_mailgun_wrong_or_missing_signature_is_refused_audited_and_creates_nothing(
    intake_pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    signature: dict[str, str],
    status: int,
    reason: str,
) -> None:
    form = {"recipient": "backend-engineer@jobs.example.com", **signature}
    async with http:
        response = await http.post(
            "/v1/inbound/mailgun", data=form, files={"body-mime": (None, application_mime())}
        )
    assert response.status_code == status
    assert await intake_pool.fetchval("SELECT count(*) FROM applications") == 0
    ((provider, outcome, recorded),) = await audit(intake_pool)
    assert (provider, outcome) == ("mailgun", "rejected_signature") and reason in recorded


async def test_mailgun_parsed_form_and_permanent_refusals_answer_406(
    intake_pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    parsed = {
        "recipient": "jobs+data-engineer@jobs.example.com",
        "from": "Bo Li <bo@example.net>",
        "subject": "Application",
        "body-plain": "Please see my CV.",
        "Message-Id": "<parsed-1@example.net>",
        "X-Mailgun-Spf": "Pass",
        "X-Mailgun-Dkim-Check-Result": "Fail",
        "X-Mailgun-Sscore": "0.3",
        "attachment-count": "2",
    }
    files = {
        "attachment-1": ("Bo_Li_resume.pdf", CV + b"bo", "application/pdf"),
        "attachment-2": ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "image/png"),
    }
    async with http:
        ok = await http.post(
            "/v1/inbound/mailgun", data={**parsed, **mailgun_signature(token="a")}, files=files
        )
        unknown = await http.post(
            "/v1/inbound/mailgun",
            data={
                **parsed,
                "recipient": "nope@jobs.example.com",
                **mailgun_signature(token="b"),
            },
            files=files,
        )
        no_cv = await http.post(
            "/v1/inbound/mailgun",
            data={**parsed, "Message-Id": "<x@y>", **mailgun_signature(token="c")},
            files={"attachment-1": files["attachment-2"]},
        )
    assert ok.status_code == 200, ok.text
    assert (unknown.status_code, unknown.json()["error"]) == (406, "unknown_posting")
    assert (no_cv.status_code, no_cv.json()["error"]) == (406, "no_cv")
    row = await intake_pool.fetchrow(
        "SELECT a.candidate_email, a.auth_results, a.spam_score, p.slug"
        " FROM applications a JOIN postings p USING (posting_id)"
    )
    assert tuple(row) == ("bo@example.net", {"spf": "pass", "dkim": "fail"}, 0.3, "data-engineer")
    roles = await intake_pool.fetch(
        "SELECT role, filename FROM application_attachments ORDER BY position"
    )
    assert [tuple(r) for r in roles] == [("cv", "Bo_Li_resume.pdf"), ("image", "photo.png")]


def sendgrid_headers(body: bytes, key: ec.EllipticCurvePrivateKey = SENDGRID_KEY) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signature = key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return {
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
    }


def signed_multipart(
    data: dict[str, str], files: dict[str, tuple[str | None, bytes, str]] | None = None
) -> tuple[bytes, dict[str, str]]:
    request = httpx.Request("POST", "http://intake/", data=data, files=files or {})
    body = request.read()
    return body, {"Content-Type": request.headers["Content-Type"], **sendgrid_headers(body)}


async def test_sendgrid_parsed_and_raw_modes_with_ecdsa_signatures(
    intake_pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    parsed_body, parsed_headers = signed_multipart(
        {
            "from": "Chen Wei <chen@example.cn>",
            "to": "backend-engineer@jobs.example.com",
            "envelope": json.dumps({"to": ["backend-engineer@jobs.example.com"]}),
            "subject": "CV",
            "text": "Attached.",
            "headers": "Message-ID: <sg-1@example.cn>\nAuthentication-Results: mx; spf=softfail",
            "dkim": "{@example.cn : pass}",
            "SPF": "softfail",
            "spam_score": "2.1",
            "attachments": "1",
        },
        {"attachment1": ("chen-cv.pdf", CV + b"chen", "application/pdf")},
    )
    raw_mime = application_mime("Dana <dana@example.org>", "<raw-1@example.org>")
    raw_body, raw_headers = signed_multipart(
        {"to": "backend-engineer@jobs.example.com", "email": raw_mime.decode()}
    )
    forged_headers = {
        **parsed_headers,
        **sendgrid_headers(parsed_body, ec.generate_private_key(ec.SECP256R1())),
    }
    async with http:
        parsed = await http.post(
            "/v1/inbound/sendgrid", content=parsed_body, headers=parsed_headers
        )
        raw = await http.post("/v1/inbound/sendgrid", content=raw_body, headers=raw_headers)
        forged = await http.post(
            "/v1/inbound/sendgrid", content=parsed_body, headers=forged_headers
        )
        unsigned = await http.post(
            "/v1/inbound/sendgrid",
            content=parsed_body,
            headers={"Content-Type": parsed_headers["Content-Type"]},
        )
    assert parsed.status_code == 200, parsed.text
    assert raw.status_code == 200, raw.text
    assert (forged.status_code, unsigned.status_code) == (403, 401)
    rows = await intake_pool.fetch(
        "SELECT candidate_email, channel, auth_results AS auth, spam_score FROM applications"
        " ORDER BY candidate_email"
    )
    assert [tuple(r) for r in rows] == [
        ("chen@example.cn", "sendgrid", {"spf": "softfail", "dkim": "pass"}, 2.1),
        ("dana@example.org", "sendgrid", {"spf": "pass", "dkim": "pass", "dmarc": "fail"}, 1.5),
    ]
    assert [o for _, o, _ in await audit(intake_pool)] == ["rejected_signature"] * 2


def postmark_payload(**overrides: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "FromFull": {"Email": "eve@example.org", "Name": "Eve Adams"},
        "From": "eve@example.org",
        "To": "backend-engineer@jobs.example.com",
        "ToFull": [{"Email": "backend-engineer@jobs.example.com", "Name": ""}],
        "OriginalRecipient": "backend-engineer@jobs.example.com",
        "Subject": "Application",
        "MessageID": "pm-1",
        "TextBody": "Hi, CV attached.",
        "Headers": [
            {"Name": "Received-SPF", "Value": "Pass (sender SPF authorized)"},
            {"Name": "X-Spam-Score", "Value": "-0.1"},
        ],
        "Attachments": [
            {
                "Name": "Eve Adams CV.pdf",
                "Content": base64.b64encode(CV + b"eve").decode(),
                "ContentType": "application/pdf",
                "ContentLength": len(CV) + 3,
            }
        ],
    }
    payload.update(overrides)
    return payload


async def test_postmark_json_with_basic_auth_and_403_for_permanent_refusals(
    intake_pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    auth = ("pm", "secret")
    async with http:
        ok = await http.post("/v1/inbound/postmark", json=postmark_payload(), auth=auth)
        again = await http.post("/v1/inbound/postmark", json=postmark_payload(), auth=auth)
        wrong = await http.post("/v1/inbound/postmark", json=postmark_payload(), auth=("pm", "x"))
        missing = await http.post("/v1/inbound/postmark", json=postmark_payload())
        bad_base64 = await http.post(
            "/v1/inbound/postmark",
            json=postmark_payload(
                MessageID="pm-2", Attachments=[{"Name": "cv.pdf", "Content": "!!not base64"}]
            ),
            auth=auth,
        )
        too_many = await http.post(
            "/v1/inbound/postmark",
            json=postmark_payload(
                MessageID="pm-3", Attachments=[{"Name": "a", "Content": ""}] * 11
            ),
            auth=auth,
        )
    assert ok.status_code == 200, ok.text
    assert again.json()["applications"][0]["duplicate"] is True
    assert (wrong.status_code, missing.status_code) == (403, 401)
    assert (bad_base64.status_code, bad_base64.json()["error"]) == (403, "bad_encoding")
    assert (too_many.status_code, too_many.json()["error"]) == (403, "too_many_attachments")
    row = await intake_pool.fetchrow(
        "SELECT candidate_name, auth_results AS auth, spam_score FROM applications"
    )
    assert tuple(row) == ("Eve Adams", {"spf": "pass"}, -0.1)
    assert [o for _, o, _ in await audit(intake_pool)] == [
        "rejected_signature",
        "rejected_signature",
        "refused",
        "refused",
    ]


async def test_a_forwarded_application_belongs_to_the_original_sender(
    intake_pool: asyncpg.Pool, http: httpx.AsyncClient
) -> None:
    text = (
        "FYI, a great candidate.\n\n---------- Forwarded message ---------\n"
        "From: Fatima Zahra <fatima@example.ma>\nDate: Mon, 2 Nov 2026\nSubject: Application\n\n"
        "Dear team, please find my CV attached."
    )
    payload = postmark_payload(
        FromFull={"Email": "recruiter@agency.example", "Name": "Recruiter"},
        Subject="Fwd: Application",
        TextBody=text,
        Attachments=[
            {"Name": "cv.pdf", "Content": base64.b64encode(CV + b"f").decode()},
            {"Name": "cover-letter.txt", "Content": base64.b64encode(b"Dear team,").decode()},
        ],
    )
    async with http:
        ok = await http.post("/v1/inbound/postmark", json=payload, auth=("pm", "secret"))
    assert ok.status_code == 200 and len(ok.json()["applications"]) == 1  # the letter is no one
    row = await intake_pool.fetchrow("SELECT candidate_email, forwarded_by FROM applications")
    assert tuple(row) == ("fatima@example.ma", "recruiter@agency.example")
