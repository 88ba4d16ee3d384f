"""Intake's channels against the running stack (four service processes, real broker, real
PostgreSQL) with real clients: smtplib, and httpx with provider-shaped, really signed payloads.
Intake records the later stages it hears about, so an application's history reaches "scored"."""

from __future__ import annotations

import base64
import hashlib
import hmac
import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from hirestream.cli.client import media_type_of
from hirestream.cli.demo_data import generate_demo_applications
from hirestream.cli.testing import EXAMPLE_POSTINGS, Pipeline
from hirestream.scorer.domain.posting import read_posting

MAILGUN_KEY = "e2e-mailgun-signing-key"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.pipeline_env(
        INTAKE_MAILGUN_SIGNING_KEY=MAILGUN_KEY,
        INTAKE_POSTMARK_USERNAME="postmark",
        INTAKE_POSTMARK_PASSWORD="pm-secret",
    ),
]


def application_mail(slug: str, domain: str, cv: Path, name: str, email: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"{name} <{email}>"
    message["To"] = f"{slug}@{domain}"
    message["Subject"] = "Application"
    message["Message-ID"] = f"<{hashlib.sha1(email.encode()).hexdigest()}@e2e.example>"
    message["Authentication-Results"] = "mx.e2e.example; spf=pass; dkim=pass; dmarc=pass"
    message.set_content(f"Hello,\n\nplease find my CV attached.\n\n{name}")
    maintype, _, subtype = media_type_of(cv).partition("/")
    message.add_attachment(cv.read_bytes(), maintype=maintype, subtype=subtype, filename=cv.name)
    return message


def mailgun_fields(token: str) -> dict[str, str]:
    timestamp = str(int(time.time()))
    signature = hmac.new(
        MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": signature}


def test_smtp_mailgun_and_postmark_applications_flow_and_refusals_are_precise(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    path = EXAMPLE_POSTINGS / "backend-engineer.md"
    text = path.read_text("utf-8")
    slug = pipeline.api.load_posting(text, read_posting(text, path.stem).slug)["slug"]
    pipeline.wait_for(lambda: pipeline.api.intake_knows(slug), "posting at intake")
    people = generate_demo_applications(tmp_path / "cvs")[:3]
    domain = pipeline.config.mail_domain
    intake = httpx.Client(base_url=pipeline.config.intake_url, timeout=30)

    # SMTP: accepted once durable; unknown posting refused with 550 at RCPT.
    smtp_person = people[0]
    message = application_mail(
        slug, domain, smtp_person.cv_path, smtp_person.name, smtp_person.email
    )
    with smtplib.SMTP("127.0.0.1", pipeline.config.ports.intake_smtp, timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("size")
        code, reply = smtp.mail(smtp_person.email)
        code, reply = smtp.rcpt(f"no-such-posting@{domain}")
        assert code == 550 and b"no open posting" in reply
        smtp.rset()
        smtp.send_message(message)

    # Mailgun: raw MIME with a real HMAC signature; an unsigned call creates nothing.
    mailgun_person = people[1]
    mime = bytes(
        application_mail(
            slug, domain, mailgun_person.cv_path, mailgun_person.name, mailgun_person.email
        )
    )
    signed = intake.post(
        "/v1/inbound/mailgun",
        data={"recipient": f"{slug}@{domain}", **mailgun_fields("e2e-token")},
        files={"body-mime": (None, mime)},
    )
    unsigned = intake.post(
        "/v1/inbound/mailgun",
        data={"recipient": f"{slug}@{domain}"},
        files={"body-mime": (None, mime)},
    )
    assert signed.status_code == 200, signed.text
    assert unsigned.status_code == 401

    # Postmark: JSON with base64 attachments behind basic auth; unknown posting → 403.
    postmark_person = people[2]
    payload = {
        "FromFull": {"Email": postmark_person.email, "Name": postmark_person.name},
        "OriginalRecipient": f"jobs+{slug}@{domain}",
        "Subject": "Application",
        "MessageID": "postmark-e2e-1",
        "TextBody": "My CV.",
        "Attachments": [
            {
                "Name": postmark_person.cv_path.name,
                "Content": base64.b64encode(postmark_person.cv_path.read_bytes()).decode(),
                "ContentType": media_type_of(postmark_person.cv_path),
            }
        ],
    }
    auth = ("postmark", "pm-secret")
    postmark = intake.post("/v1/inbound/postmark", json=payload, auth=auth)
    unknown = intake.post(
        "/v1/inbound/postmark",
        json={**payload, "OriginalRecipient": f"nope@{domain}", "MessageID": "x"},
        auth=auth,
    )
    assert postmark.status_code == 200, postmark.text
    assert (unknown.status_code, unknown.json()["error"]) == (403, "unknown_posting")

    # The same person again through the form: linked to the first application, not a new one.
    pipeline.api.apply_form(
        slug,
        postmark_person.cv_path,
        name=postmark_person.name,
        email=postmark_person.email.upper(),
        phone=postmark_person.phone,
    )

    ids = [
        signed.json()["applications"][0]["application_id"],
        postmark.json()["applications"][0]["application_id"],
    ]

    def scored() -> bool:
        return all(
            "scored" in {s["stage"] for s in pipeline.api.application(i)["stages"]} for i in ids
        )

    pipeline.wait_for(scored, "intake to record the scored stage", timeout=120)
    ranking = pipeline.api.ranking(slug)["items"]
    assert len(ranking) == 3  # smtp + mailgun + postmark; the re-application is not a fourth
    history = pipeline.api.application(ids[1])
    assert history["reapplications"] == 1
    assert [s["stage"] for s in history["stages"]][:3] == ["received", "parsed", "scored"]
    assert pipeline.api.application(ids[0])["authentication"] == {
        "spf": "pass",
        "dkim": "pass",
        "dmarc": "pass",
    }
    contact = intake.get(
        f"/internal/v1/applications/{ids[1]}/contact",
        headers={"X-API-Key": pipeline.config.api_key},
    )
    assert contact.json()["email"] == postmark_person.email
