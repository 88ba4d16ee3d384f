"""Reading an application email: which posting, who sent it, which attachment is the CV."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from email.utils import getaddresses

from hirestream.contracts import Channel
from hirestream.intake.domain.submission import (
    Attachment,
    Refusal,
    Submission,
    choose_cv,
    sniff_media_type,
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


def posting_slug_from_recipient(recipient: str, mail_domain: str) -> str | None:
    """``<slug>@<domain>`` or plus-addressed ``jobs+<slug>@<domain>``."""
    local, _, domain = recipient.strip().strip("<>").lower().rpartition("@")
    if domain != mail_domain.lower() or not local:
        return None
    if "+" in local:
        local = local.split("+", 1)[1]
    return local if _SLUG.match(local) else None


def parse_application_email(raw: bytes, posting_slug: str) -> Submission:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    senders = getaddresses([str(message.get("Reply-To") or message.get("From") or "")])
    name, address = senders[0] if senders else ("", "")
    attachments = [
        Attachment(
            filename=part.get_filename(),
            media_type=sniff_media_type(payload, part.get_filename()),
            data=payload,
        )
        for part in message.iter_attachments()
        if isinstance(payload := part.get_payload(decode=True), bytes)
    ]
    body = message.get_body(preferencelist=("plain",))
    cover_letter = body.get_content().strip() if body is not None else None
    return Submission(
        posting_slug=posting_slug,
        channel=Channel.SMTP,
        candidate_name=name or None,
        candidate_email=address or None,
        candidate_phone=None,
        cv=choose_cv(attachments),
        raw=raw,
        raw_media_type="message/rfc822",
        delivery_id=str(message.get("Message-ID") or "").strip() or None,
        cover_letter=cover_letter or None,
    )


__all__ = ["Refusal", "parse_application_email", "posting_slug_from_recipient"]
