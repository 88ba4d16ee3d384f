"""What arrived, whatever the channel, before it becomes an application. Pure values."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import phonenumbers

from hirestream.contracts import Channel

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
CV_MEDIA_TYPES = frozenset({"application/pdf", DOCX, "text/plain"})
DOCUMENT_MEDIA_TYPES = frozenset(
    {"application/pdf", DOCX, "text/plain", "application/msword", ODT, "application/rtf"}
)
IMAGE_MEDIA_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
FORBIDDEN_MEDIA_TYPES = frozenset({"application/x-executable", "text/x-script"})

_TEXT_NAMES = (".txt", ".text", ".md")
_CV_WORDS = ("cv", "resume", "résumé", "curriculum", "lebenslauf", "vitae")
_COVER_WORDS = ("cover", "letter", "motivation", "anschreiben", "lettre", "carta")
_CERT_WORDS = ("certificat", "diploma", "transcript", "zeugnis", "degree", "award", "reference")


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
    role: str = "other"  # cv | cover_letter | certificate | image | other


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
    # Every other file that came with it (cover letter, certificates, images), by role.
    attachments: tuple[Attachment, ...] = ()
    forwarded_by: str | None = None  # the forwarder's address when the candidate is not the sender
    auth_results: dict[str, str] = field(default_factory=dict)  # spf/dkim/dmarc verdicts
    spam_score: float | None = None
    # Where exactly it came in when the event's channel is coarser ("mailgun", "imap" …).
    source: str | None = None


def normalise_email(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    return address.strip().strip("<>").lower()


def normalise_phone(phone: str | None, default_region: str | None = None) -> str | None:
    """E.164 when the number can be understood, ``None`` otherwise (never a guess)."""
    if not phone or not phone.strip():
        return None
    try:
        number = phonenumbers.parse(phone, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def content_address(data: bytes) -> str:
    """A file's address in the blob store: its SHA-256, hex."""
    return hashlib.sha256(data).hexdigest()


def dedupe_key(submission: Submission) -> str | None:
    """Same delivery retried → same key; ``None`` when the sender gave no delivery id (then the
    person, not the delivery, decides: see ``receive_application``)."""
    if not submission.delivery_id:
        return None
    basis = f"{submission.channel}|{submission.posting_slug}|delivery|{submission.delivery_id}"
    return hashlib.sha256(basis.encode()).hexdigest()


def sniff_media_type(data: bytes, filename: str | None = None) -> str:
    """By content, not by the name the sender gave it."""
    head = data[:8192]
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument.text" in head[:200]:
            return ODT
        if b"word/" in head or (filename or "").lower().endswith(".docx"):
            return DOCX
        return "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    if head.startswith(b"{\\rtf"):
        return "application/rtf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")):
        return "application/x-executable"
    if head.startswith(b"#!"):
        return "text/x-script"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a multi-byte char cut at the 8 KiB boundary
            return "application/octet-stream"
    return "text/plain"


def _words(filename: str | None) -> str:
    return (filename or "").lower()


def classify(attachment: Attachment) -> Attachment:
    """Give a file its role from its content type first, then its name."""
    name, media = _words(attachment.filename), attachment.media_type
    role = "other"
    if media in IMAGE_MEDIA_TYPES:
        role = "image"
    elif media in DOCUMENT_MEDIA_TYPES:
        if media == "text/plain" and not name.endswith(_TEXT_NAMES):
            role = "other"  # source code, signatures, calendar files … are not documents
        elif any(w in name for w in _CV_WORDS):
            role = "cv"
        elif any(w in name for w in _COVER_WORDS) or _reads_like_letter(attachment):
            role = "cover_letter"
        elif any(w in name for w in _CERT_WORDS):
            role = "certificate"
        else:
            role = "document"
    return Attachment(attachment.filename, media, attachment.data, role)


def _reads_like_letter(attachment: Attachment) -> bool:
    if attachment.media_type != "text/plain":
        return False
    opening = attachment.data[:200].decode("utf-8", "replace").lstrip().lower()
    return opening.startswith(("dear ", "to whom", "hello", "hi ", "sehr geehrte", "estimad"))


def check_types(attachments: list[Attachment]) -> None:
    for a in attachments:
        if a.media_type in FORBIDDEN_MEDIA_TYPES:
            raise Refusal(
                "forbidden_type",
                f"Attachment '{a.filename or 'unnamed'}' is an executable or script; "
                "send your CV as PDF, DOCX, ODT, DOC, RTF or TXT.",
            )


def choose_cvs(attachments: list[Attachment], sender_name: str | None) -> list[Attachment]:
    """The CV(s) among classified attachments. Several CVs count as several people only when
    their names clearly name different people, none of them the sender."""
    named = [a for a in attachments if a.role == "cv" and a.data]
    if len(named) > 1:
        people = {_person_in_filename(a.filename) for a in named}
        sender = _normalise_name(sender_name or "")
        distinct = len(people) == len(named) and "" not in people and sender not in people
        if distinct:
            return named
        return [named[0]]
    if named:
        return named
    documents = [a for a in attachments if a.role == "document" and a.data]
    if documents:
        return [Attachment(documents[0].filename, documents[0].media_type, documents[0].data, "cv")]
    raise Refusal(
        "no_cv", "No CV attached: send a PDF, DOCX, ODT, DOC, RTF or TXT file as an attachment."
    )


def choose_cv(attachments: list[Attachment]) -> Attachment:
    """One CV out of unclassified attachments (the JSON API and form give exactly one)."""
    return choose_cvs([classify(a) for a in attachments], None)[0]


def _normalise_name(text: str) -> str:
    return " ".join(sorted(re.findall(r"[^\W\d_]{2,}", text.lower())))


def _person_in_filename(filename: str | None) -> str:
    stem = (filename or "").rsplit(".", 1)[0].lower()
    for word in (*_CV_WORDS, "final", "updated", "new", "en", "de", "es", "fr"):
        stem = re.sub(rf"(?<![^\W\d_]){re.escape(word)}(?![^\W\d_])", " ", stem)
    return _normalise_name(stem)
