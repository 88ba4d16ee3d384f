from __future__ import annotations

from email.message import EmailMessage

import pytest

from hirestream.intake.domain.mail import parse_application_email, posting_slug_from_recipient
from hirestream.intake.domain.submission import Refusal

PDF = b"%PDF-1.4 fake but sniffable"


@pytest.mark.parametrize(
    ("recipient", "slug"),
    [
        ("backend-engineer@jobs.example.com", "backend-engineer"),
        ("<Backend-Engineer@JOBS.example.com>", "backend-engineer"),
        ("jobs+registered-nurse@jobs.example.com", "registered-nurse"),
        ("backend-engineer@other.example.com", None),
        ("../etc@jobs.example.com", None),
    ],
)
def test_recipient_names_the_posting(recipient: str, slug: str | None) -> None:
    assert posting_slug_from_recipient(recipient, "jobs.example.com") == slug


def application_mail(*attachments: tuple[bytes, str, str]) -> bytes:
    message = EmailMessage()
    message["From"] = "Ana Pérez <ana@example.org>"
    message["To"] = "backend-engineer@jobs.example.com"
    message["Message-ID"] = "<abc@mail.example.org>"
    message.set_content("Please find my CV attached.")
    for data, filename, subtype in attachments:
        maintype, _, sub = subtype.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=sub, filename=filename)
    return bytes(message)


def test_email_with_cover_letter_and_cv_picks_the_cv_and_the_sender() -> None:
    raw = application_mail(
        (b"Dear team, I am applying...", "cover-letter.txt", "text/plain"),
        (PDF, "Ana_Perez_CV.pdf", "application/pdf"),
    )
    submission = parse_application_email(raw, "backend-engineer")
    assert submission.cv.filename == "Ana_Perez_CV.pdf"
    assert submission.cv.media_type == "application/pdf"
    assert submission.candidate_email == "ana@example.org"
    assert submission.candidate_name == "Ana Pérez"
    assert submission.delivery_id == "<abc@mail.example.org>"
    assert submission.raw == raw  # kept unchanged


def test_email_without_a_document_is_refused_with_a_reason() -> None:
    with pytest.raises(Refusal) as refusal:
        parse_application_email(application_mail(), "backend-engineer")
    assert refusal.value.code == "no_cv"
