"""What arrived, whatever the channel, before it becomes an application. Pure values."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from hirestream.contracts import Channel

CV_MEDIA_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/plain",
    }
)


class Refusal(Exception):
    """A submission refused for a reason the sender must be told (maps to 4xx / 5xx SMTP)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Attachment:
    filename: str | None
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Submission:
    posting_slug: str
    channel: Channel
    candidate_name: str | None
    candidate_email: str | None
    candidate_phone: str | None
    cv: Attachment
    raw: bytes  # exactly what arrived (MIME message, request body), kept unchanged
    raw_media_type: str
    # A provider- or client-given id for this delivery (Message-ID, Idempotency-Key): a retry
    # of the same delivery returns the existing application.
    delivery_id: str | None = None
    cover_letter: str | None = None


def normalise_email(address: str | None) -> str | None:
    if not address:
        return None
    return address.strip().lower()


def dedupe_key(submission: Submission, cv_sha256: str) -> str:
    """Same delivery retried → same key. Without a delivery id, the same person sending the same
    CV to the same posting counts as the same delivery."""
    if submission.delivery_id:
        basis = f"{submission.channel}|delivery|{submission.delivery_id}"
    else:
        who = normalise_email(submission.candidate_email) or ""
        basis = f"{submission.posting_slug}|{who}|{cv_sha256}"
    return hashlib.sha256(basis.encode()).hexdigest()


def sniff_media_type(data: bytes, filename: str | None = None) -> str:
    """By content, not by the name the sender gave it."""
    if data.startswith(b"%PDF"):
        return "application/pdf"
    if data.startswith(b"PK\x03\x04") and b"word/" in data[:4096]:
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    if data.startswith(b"PK\x03\x04") and (filename or "").lower().endswith(".docx"):
        return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def choose_cv(attachments: list[Attachment]) -> Attachment:
    """The CV is the first document attachment; a file we cannot read is refused, not dropped."""
    documents = [a for a in attachments if a.media_type in CV_MEDIA_TYPES and a.data]
    if not documents:
        raise Refusal("no_cv", "No CV attached: send a PDF, DOCX or TXT file.")
    named_cv = [a for a in documents if a.filename and _looks_like_cv(a.filename)]
    return (named_cv or documents)[0]


def _looks_like_cv(filename: str) -> bool:
    lowered = filename.lower()
    return any(word in lowered for word in ("cv", "resume", "résumé", "curriculum"))
