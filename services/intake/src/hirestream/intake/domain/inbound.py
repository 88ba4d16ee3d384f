"""Email providers' inbound webhooks: verifying each provider's own scheme, and turning their
parsed payloads into an ``InboundMail``. Pure: the caller passes the clock and the secrets."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from email.utils import getaddresses
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

from hirestream.intake.domain.mail import InboundMail, MailLimits, auth_verdicts, spam_score
from hirestream.intake.domain.submission import Attachment, Refusal, sniff_media_type


class BadSignature(Exception):
    """The request is not provably from the provider: 401 (missing) or 403 (wrong)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def verify_mailgun(
    signing_key: str, timestamp: str, token: str, signature: str, *, now: float, max_age: int
) -> None:
    if not signing_key:
        raise BadSignature(401, "mailgun signing key not configured")
    if not (timestamp and token and signature):
        raise BadSignature(401, "missing timestamp, token or signature")
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature(403, "timestamp is not a number") from None
    if abs(now - sent) > max_age:
        raise BadSignature(403, f"timestamp outside the ±{max_age} s window")
    expected = hmac.new(
        signing_key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise BadSignature(403, "signature does not match")


def _public_key(text: str) -> ec.EllipticCurvePublicKey:
    text = text.strip()
    key = (
        load_pem_public_key(text.encode())
        if text.startswith("-----BEGIN")
        else load_der_public_key(base64.b64decode(text))
    )
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("the SendGrid verification key must be an ECDSA public key")
    return key


def verify_sendgrid(
    public_key: str, signature: str, timestamp: str, payload: bytes, *, now: float, max_age: int
) -> None:
    """SendGrid's signed webhooks: ECDSA (P-256, SHA-256) over timestamp + raw body."""
    if not (signature and timestamp):
        raise BadSignature(401, "missing signature or timestamp header")
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature(403, "timestamp is not a number") from None
    if abs(now - sent) > max_age:
        raise BadSignature(403, f"timestamp outside the ±{max_age} s window")
    try:
        _public_key(public_key).verify(
            base64.b64decode(signature), timestamp.encode() + payload, ec.ECDSA(hashes.SHA256())
        )
    except (InvalidSignature, binascii.Error, ValueError):
        raise BadSignature(403, "signature does not verify") from None


def verify_basic(authorization: str | None, username: str, password: str) -> None:
    if not (username and password):
        raise BadSignature(401, "basic-auth credentials not configured")
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise BadSignature(401, "missing basic auth")
    try:
        given_user, _, given_password = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise BadSignature(403, "malformed basic auth") from None
    ok_user = hmac.compare_digest(given_user.encode(), username.encode())
    ok_password = hmac.compare_digest(given_password.encode(), password.encode())
    if not (ok_user and ok_password):
        raise BadSignature(403, "wrong basic-auth credentials")


def _attachment(data: bytes, filename: str | None) -> Attachment:
    return Attachment(filename or None, sniff_media_type(data, filename), data)


def _limit_attachments(files: Sequence[Attachment], limits: MailLimits) -> list[Attachment]:
    if len(files) > limits.max_attachments:
        raise Refusal(
            "too_many_attachments",
            f"The message has more than {limits.max_attachments} attachments.",
        )
    return list(files)


def _sender(value: str) -> tuple[str | None, str | None]:
    found = [(n, a) for n, a in getaddresses([value]) if "@" in a]
    return (found[0][0] or None, found[0][1]) if found else (None, None)


def mailgun_mail(
    fields: Mapping[str, str], files: Sequence[tuple[str | None, bytes]], limits: MailLimits
) -> InboundMail:
    """Mailgun's parsed form (``body-plain``, ``attachment-N``, ``message-headers``)."""
    headers: list[list[str]] = []
    try:
        parsed = json.loads(fields.get("message-headers") or "[]")
        headers = [[str(p[0]), str(p[1])] for p in parsed if isinstance(p, list) and len(p) == 2]
    except (ValueError, TypeError):
        headers = []
    by_name: dict[str, list[str]] = {}
    for header_name, value in headers:
        by_name.setdefault(header_name.lower(), []).append(value)
    verdicts = auth_verdicts(by_name.get("authentication-results", []))
    for method, field in (("spf", "X-Mailgun-Spf"), ("dkim", "X-Mailgun-Dkim-Check-Result")):
        value = fields.get(field) or next(iter(by_name.get(field.lower(), [])), "")
        if value and method not in verdicts:
            verdicts[method] = value.strip().lower()
    name, address = _sender(fields.get("from") or fields.get("sender") or "")
    text = fields.get("body-plain") or fields.get("stripped-text") or ""
    return InboundMail(
        sender_name=name,
        sender_email=address,
        subject=fields.get("subject", ""),
        text=text,
        attachments=_limit_attachments([_attachment(d, n) for n, d in files], limits),
        message_id=fields.get("Message-Id") or next(iter(by_name.get("message-id", [])), None),
        auth_results=verdicts,
        spam_score=spam_score(
            fields.get("X-Mailgun-Sscore"), next(iter(by_name.get("x-mailgun-sscore", [])), None)
        ),
    )


_SENDGRID_DKIM = re.compile(r":\s*([a-z]+)", re.IGNORECASE)


def sendgrid_mail(
    fields: Mapping[str, str], files: Sequence[tuple[str | None, bytes]], limits: MailLimits
) -> InboundMail:
    """SendGrid's parsed mode (``text``, ``headers``, ``attachmentN``, ``SPF``, ``dkim``)."""
    header_lines = fields.get("headers", "")
    auth_lines = re.findall(r"^Authentication-Results:(.*)$", header_lines, re.MULTILINE)
    verdicts = auth_verdicts(auth_lines)
    if fields.get("SPF") and "spf" not in verdicts:
        verdicts["spf"] = fields["SPF"].strip().lower()
    dkim = _SENDGRID_DKIM.search(fields.get("dkim", ""))
    if dkim and "dkim" not in verdicts:
        verdicts["dkim"] = dkim.group(1).lower()
    message_id = re.search(r"^Message-ID:\s*(.+)$", header_lines, re.MULTILINE | re.IGNORECASE)
    name, address = _sender(fields.get("from", ""))
    return InboundMail(
        sender_name=name,
        sender_email=address,
        subject=fields.get("subject", ""),
        text=fields.get("text") or re.sub(r"<[^>]+>", " ", fields.get("html", "")),
        attachments=_limit_attachments([_attachment(d, n) for n, d in files], limits),
        message_id=message_id.group(1).strip() if message_id else None,
        auth_results=verdicts,
        spam_score=spam_score(fields.get("spam_score")),
    )


def sendgrid_recipients(fields: Mapping[str, str]) -> list[str]:
    try:
        envelope = json.loads(fields.get("envelope") or "{}")
        recipients = envelope.get("to") if isinstance(envelope, dict) else None
    except ValueError:
        recipients = None
    if isinstance(recipients, list) and recipients:
        return [str(r) for r in recipients]
    return [fields.get("to", "")]


def postmark_mail(payload: Mapping[str, Any], limits: MailLimits) -> InboundMail:
    """Postmark's inbound JSON (``FromFull``, ``TextBody``, base64 ``Attachments``)."""
    raw_attachments = payload.get("Attachments") or []
    if not isinstance(raw_attachments, list):
        raise Refusal("malformed_payload", "Attachments must be a list.")
    if len(raw_attachments) > limits.max_attachments:
        raise Refusal(
            "too_many_attachments",
            f"The message has more than {limits.max_attachments} attachments.",
        )
    files = []
    for item in raw_attachments:
        if not isinstance(item, dict):
            raise Refusal("malformed_payload", "Each attachment must be an object.")
        try:
            data = base64.b64decode(str(item.get("Content") or ""), validate=True)
        except binascii.Error as exc:
            raise Refusal(
                "bad_encoding", f"Attachment '{item.get('Name')}' is not valid base64."
            ) from exc
        files.append(_attachment(data, str(item.get("Name") or "") or None))
    headers = payload.get("Headers") or []
    by_name: dict[str, list[str]] = {}
    for header in headers if isinstance(headers, list) else []:
        if isinstance(header, dict):
            by_name.setdefault(str(header.get("Name", "")).lower(), []).append(
                str(header.get("Value", ""))
            )
    verdicts = auth_verdicts(by_name.get("authentication-results", []))
    received_spf = next(iter(by_name.get("received-spf", [])), "")
    if received_spf and "spf" not in verdicts:
        verdicts["spf"] = received_spf.split(" ", 1)[0].lower()
    sender = payload.get("FromFull") if isinstance(payload.get("FromFull"), dict) else {}
    assert isinstance(sender, dict)
    name, address = _sender(str(payload.get("From") or ""))
    return InboundMail(
        sender_name=str(sender.get("Name") or "") or name,
        sender_email=str(sender.get("Email") or "") or address,
        subject=str(payload.get("Subject") or ""),
        text=str(payload.get("TextBody") or "")
        or re.sub(r"<[^>]+>", " ", str(payload.get("HtmlBody") or "")),
        attachments=files,
        message_id=str(payload.get("MessageID") or "") or None,
        auth_results=verdicts,
        spam_score=spam_score(
            next(iter(by_name.get("x-spam-score", [])), None),
            next(iter(by_name.get("x-spam-status", [])), None),
        ),
    )


def postmark_recipients(payload: Mapping[str, Any]) -> list[str]:
    found = [str(payload.get("OriginalRecipient") or "")]
    for entry in payload.get("ToFull") or []:
        if isinstance(entry, dict):
            found.append(str(entry.get("Email") or ""))
    found.append(str(payload.get("To") or ""))
    return [r for r in found if r]
