"""Bad input, attachment roles, forwards and provider signatures: pure rules, plain values."""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.message import EmailMessage

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from hirestream.intake.domain.inbound import (
    BadSignature,
    verify_basic,
    verify_mailgun,
    verify_sendgrid,
)
from hirestream.intake.domain.mail import MailLimits, parse_application_emails, parse_mime
from hirestream.intake.domain.submission import Refusal, normalise_phone, sniff_media_type

PDF = b"%PDF-1.4 a CV"


def mail(*attachments: tuple[bytes, str], text: str = "My application.", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Ana Pérez <ana@example.org>")
    message["To"] = "backend-engineer@jobs.example.com"
    message["Message-ID"] = "<m@example.org>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    for data, filename in attachments:
        media = sniff_media_type(data, filename)
        maintype, _, subtype = media.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def refusal_of(raw: bytes, limits: MailLimits | None = None) -> Refusal:
    with pytest.raises(Refusal) as refused:
        parse_application_emails(raw, "backend-engineer", limits or MailLimits())
    return refused.value


def test_limits_are_refused_precisely() -> None:
    big = mail((PDF + b"x" * 2000, "cv.pdf"))
    assert refusal_of(big, MailLimits(max_total_bytes=1000)).code == "too_large"
    many = mail(*[(PDF + bytes([i]), f"cv{i}.pdf") for i in range(4)])
    assert refusal_of(many, MailLimits(max_attachments=3)).code == "too_many_attachments"
    assert refusal_of(many, MailLimits(max_parts=3)).code == "too_many_parts"
    nested = mail((PDF, "cv.pdf"))
    for _ in range(3):
        outer = EmailMessage()
        outer["From"] = "ana@example.org"
        outer.set_content("fwd")
        outer.add_attachment(email_message(nested))
        nested = bytes(outer)
    assert refusal_of(nested, MailLimits(max_depth=2)).code == "too_deep"


def email_message(raw: bytes) -> EmailMessage:
    import email
    import email.policy

    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_types_are_decided_by_content_not_by_name() -> None:
    assert sniff_media_type(b"MZ\x90\x00", "cv.pdf") == "application/x-executable"
    assert refusal_of(mail((b"MZ\x90\x00binary", "cv.pdf"))).code == "forbidden_type"
    # a PDF named .txt is still a PDF, and becomes the CV
    (submission,) = parse_application_emails(mail((PDF, "resume.txt")), "backend-engineer")
    assert submission.cv.media_type == "application/pdf"
    # source code or a signature is not a CV
    assert refusal_of(mail((b"puts 'hi'", "api.rb"))).code == "no_cv"


def test_undecodable_charset_and_missing_body_are_refused() -> None:
    raw = (
        b"From: a@example.org\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n"
        b"\xff\xfe\xfd\r\n"
    )
    refusal = refusal_of(raw)
    assert refusal.code == "undecodable_charset" and "x-klingon" in refusal.message
    empty = b"From: a@example.org\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b--\r\n"
    assert refusal_of(empty).code == "missing_body"
    assert refusal_of(b"").code == "empty_message"


def test_bounces_and_auto_replies_are_not_applications() -> None:
    assert refusal_of(mail((PDF, "cv.pdf"), Auto_Submitted="auto-replied")).code == (
        "automated_message"
    )


def test_cover_letter_certificates_and_images_get_their_roles_and_never_a_candidate() -> None:
    raw = mail(
        (b"Dear hiring team, I would love to join.", "letter.txt"),
        (PDF + b"1", "Ana_Perez_CV.pdf"),
        (PDF + b"2", "diploma.pdf"),
        (b"\x89PNG\r\n\x1a\n0000", "me.png"),
    )
    (submission,) = parse_application_emails(raw, "backend-engineer")
    assert submission.cv.filename == "Ana_Perez_CV.pdf"
    assert [(a.role, a.filename) for a in submission.attachments] == [
        ("cover_letter", "letter.txt"),
        ("certificate", "diploma.pdf"),
        ("image", "me.png"),
    ]


def test_several_cvs_are_several_applications_only_for_clearly_different_people() -> None:
    agency = mail(
        (PDF + b"1", "CV - Ana Perez.pdf"),
        (PDF + b"2", "CV - Bo Li.pdf"),
        From="Talent Agency <jobs@agency.example>",
    )
    two = parse_application_emails(agency, "backend-engineer")
    assert len(two) == 2
    assert {s.candidate_email for s in two} == {None}  # the agency is neither of them
    assert {s.forwarded_by for s in two} == {"jobs@agency.example"}
    assert two[0].delivery_id != two[1].delivery_id
    versions = mail((PDF + b"1", "Ana_Perez_CV.pdf"), (PDF + b"2", "Ana_Perez_CV_de.pdf"))
    (one,) = parse_application_emails(versions, "backend-engineer")
    assert one.candidate_email == "ana@example.org"
    assert [a.role for a in one.attachments] == ["cv"]  # the other version is kept, not applied


def test_forwarded_mail_names_the_original_sender() -> None:
    text = (
        "Passing this on.\n\n-------- Original Message --------\n"
        "Subject: Application\nFrom: Bo Li <bo@example.net>\n\nHello, my CV is attached."
    )
    raw = mail((PDF, "cv.pdf"), text=text, From="Friend <friend@example.com>", Subject="Fwd: CV")
    (submission,) = parse_application_emails(raw, "backend-engineer")
    assert (submission.candidate_email, submission.candidate_name) == ("bo@example.net", "Bo Li")
    assert submission.forwarded_by == "friend@example.com"


def test_authentication_results_and_spam_score_are_read() -> None:
    raw = mail(
        (PDF, "cv.pdf"),
        Authentication_Results="mx.example.com; spf=pass; dkim=fail; dmarc=none",
        X_Spam_Status="No, score=2.7 required=5.0",
    )
    parsed = parse_mime(raw)
    assert parsed.auth_results == {"spf": "pass", "dkim": "fail", "dmarc": "none"}
    assert parsed.spam_score == 2.7


@pytest.mark.parametrize(
    ("given", "e164"),
    [("+34 612 345 678", "+34612345678"), ("+1 (415) 555-0134", "+14155550134"), ("12", None)],
)
def test_phone_numbers_are_normalised_to_e164(given: str, e164: str | None) -> None:
    assert normalise_phone(given) == e164


def test_mailgun_signature_window_and_mismatch() -> None:
    key, ts, token = "k", "1700000000", "t"
    good = hmac.new(key.encode(), f"{ts}{token}".encode(), hashlib.sha256).hexdigest()
    verify_mailgun(key, ts, token, good, now=1700000100, max_age=300)
    with pytest.raises(BadSignature) as late:
        verify_mailgun(key, ts, token, good, now=1700000400, max_age=300)
    with pytest.raises(BadSignature) as wrong:
        verify_mailgun(key, ts, token, "00" + good[2:], now=1700000000, max_age=300)
    with pytest.raises(BadSignature) as unconfigured:
        verify_mailgun("", ts, token, good, now=1700000000, max_age=300)
    assert (late.value.status, wrong.value.status, unconfigured.value.status) == (403, 403, 401)


def test_sendgrid_ecdsa_signature_over_timestamp_and_body() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    body, ts = b"payload", "1700000000"
    signature = base64.b64encode(private.sign(ts.encode() + body, ec.ECDSA(hashes.SHA256())))
    verify_sendgrid(pem, signature.decode(), ts, body, now=1700000000, max_age=300)
    with pytest.raises(BadSignature) as tampered:
        verify_sendgrid(pem, signature.decode(), ts, body + b"!", now=1700000000, max_age=300)
    assert tampered.value.status == 403


def test_basic_auth() -> None:
    header = "Basic " + base64.b64encode(b"u:p").decode()
    verify_basic(header, "u", "p")
    with pytest.raises(BadSignature) as missing:
        verify_basic(None, "u", "p")
    with pytest.raises(BadSignature) as wrong:
        verify_basic(header, "u", "q")
    assert (missing.value.status, wrong.value.status) == (401, 403)


def test_only_trusted_receiving_servers_verdicts_count_when_configured() -> None:
    raw = mail(
        (PDF, "cv.pdf"),
        Authentication_Results="forged.example; spf=pass; dkim=pass; dmarc=pass",
    )
    message = email_message(raw)
    message["Authentication-Results"] = "mx.jobs.example.com; spf=fail; dkim=none"
    trusted = MailLimits(trusted_authserv_ids=("mx.jobs.example.com",))
    assert parse_mime(bytes(message), trusted).auth_results == {"spf": "fail", "dkim": "none"}
    assert parse_mime(bytes(message)).auth_results["dmarc"] == "pass"  # no list: any server
