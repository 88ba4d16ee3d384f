"""Reading an application email: which posting, who the candidate is (the original sender of a
forwarded mail), which attachment is the CV, what the receiving server said about it.

Every way of failing is a ``Refusal`` with a reason a sender can act on; nothing else escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.policy import EmailPolicy
from email.utils import getaddresses, parseaddr
from typing import Any

from hirestream.contracts import Channel
from hirestream.intake.domain.mime_skeleton import decoded_payload, message_from_bytes
from hirestream.intake.domain.submission import (
    Attachment,
    Refusal,
    Submission,
    check_types,
    choose_cvs,
    classify,
    sniff_media_type,
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
_FORWARD_MARKERS = re.compile(
    r"^[ \t>]*(?:-{2,}\s*(?:Forwarded message|Original Message|Weitergeleitete Nachricht"
    r"|Mensaje reenviado|Message transféré)\s*-{2,}|Begin forwarded message:)",
    re.IGNORECASE | re.MULTILINE,
)
_FORWARDED_FROM = re.compile(r"^[ \t>]*(?:From|Von|De)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_VERDICT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)
_SCORE = re.compile(r"score\s*=\s*(-?\d+(?:\.\d+)?)", re.IGNORECASE)


@dataclass(frozen=True)
class MailLimits:
    max_total_bytes: int = 25 * 1024 * 1024
    max_attachments: int = 10
    max_depth: int = 10
    max_parts: int = 100
    # Authentication-Results are believed only from these authserv-ids (empty: from any).
    trusted_authserv_ids: tuple[str, ...] = ()


DEFAULT_LIMITS = MailLimits()


class _ParsePolicy(EmailPolicy):
    """``email.policy.default``, remembering each header's parsed value for the lifetime of
    one message: reading a part (content type, maintype, disposition, filename, transfer
    encoding) asks for the same few headers ~20 times, and each ask parsed the header again —
    half the time of parsing an application mail with a 150 KB CV. Parsed headers are
    immutable, so handing out the same one again changes nothing."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        object.__setattr__(self, "_parsed", {})  # policies are frozen; this is a cache

    def header_fetch_parse(self, name: str, value: str) -> Any:
        parsed: dict[tuple[str, str], Any] = self.__dict__["_parsed"]
        key = (name, value)
        found = parsed.get(key)
        if found is None:
            found = parsed[key] = super().header_fetch_parse(name, value)
        return found


@dataclass
class InboundMail:
    """A mail as any channel hands it over: raw MIME parsed here, or a provider's parsed form."""

    sender_name: str | None
    sender_email: str | None
    subject: str = ""
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    message_id: str | None = None
    auth_results: dict[str, str] = field(default_factory=dict)
    spam_score: float | None = None
    automated: bool = False
    # The sender of a message/rfc822 attached to this one (a forward "as attachment").
    inner_sender: tuple[str, str] | None = None


def posting_slug_from_recipient(recipient: str, mail_domain: str) -> str | None:
    """``<slug>@<domain>`` or plus-addressed ``jobs+<slug>@<domain>``."""
    _, address = parseaddr(recipient.strip())
    local, _, domain = (address or recipient).strip().strip("<>").lower().rpartition("@")
    if domain != mail_domain.lower() or not local:
        return None
    if "+" in local:
        local = local.split("+", 1)[1]
    return local if _SLUG.match(local) else None


def auth_verdicts(headers: list[str], trusted: tuple[str, ...] = ()) -> dict[str, str]:
    """SPF/DKIM/DMARC from ``Authentication-Results`` (first verdict of each method wins).
    With ``trusted`` authserv-ids, only those servers' headers count (RFC 8601 §5: a sender can
    write any header it likes; only our own receiving servers' verdicts mean something)."""
    found: dict[str, str] = {}
    for header in headers:
        authserv_id = header.split(";", 1)[0].strip().split(" ", 1)[0].lower()
        if trusted and authserv_id not in trusted:
            continue
        for method, verdict in _VERDICT.findall(header):
            found.setdefault(method.lower(), verdict.lower())
    return found


def spam_score(*values: str | None) -> float | None:
    for value in values:
        if not value:
            continue
        try:
            return float(value.strip())
        except ValueError:
            match = _SCORE.search(value)
            if match:
                return float(match.group(1))
    return None


def parse_mime(raw: bytes, limits: MailLimits = DEFAULT_LIMITS) -> InboundMail:
    if len(raw) > limits.max_total_bytes:
        raise Refusal("too_large", f"The message exceeds {limits.max_total_bytes} bytes.")
    if not raw.strip():
        raise Refusal("empty_message", "The message is empty.")
    try:
        # A fresh policy per message: its header cache lives and dies with the message.
        message = message_from_bytes(raw, _ParsePolicy())
    except Exception as exc:  # the stdlib parser is lenient; anything left is malformed input
        raise Refusal("malformed_message", f"The message cannot be parsed: {exc}") from exc
    assert isinstance(message, EmailMessage)
    if message.get_content_type() == "multipart/report" or _auto_submitted(message):
        raise Refusal(
            "automated_message",
            "This is an automatic reply or delivery report, not an application.",
        )
    name, address = _sender(message)
    walker = _Walker(limits)
    walker.walk(message, depth=0)
    if not walker.text and not walker.attachments:
        raise Refusal("missing_body", "The message has neither a text body nor attachments.")
    auth_headers = [str(v) for v in message.get_all("Authentication-Results") or []]
    received_spf = str(message.get("Received-SPF") or "").split(" ", 1)[0].lower()
    verdicts = auth_verdicts(auth_headers, limits.trusted_authserv_ids)
    if received_spf and "spf" not in verdicts:
        verdicts["spf"] = received_spf
    return InboundMail(
        sender_name=name or None,
        sender_email=address or None,
        subject=_header(message, "Subject"),
        text=walker.text,
        attachments=walker.attachments,
        message_id=_header(message, "Message-ID") or None,
        auth_results=verdicts,
        spam_score=spam_score(_header(message, "X-Spam-Score"), _header(message, "X-Spam-Status")),
        inner_sender=walker.inner_sender,
    )


def _header(message: Message, name: str) -> str:
    try:
        return str(message.get(name) or "").strip()
    except Exception:  # a header the policy cannot fold or decode: treat as absent
        return ""


def _auto_submitted(message: Message) -> bool:
    value = _header(message, "Auto-Submitted").lower()
    return bool(value) and value != "no"


def _sender(message: Message) -> tuple[str, str]:
    for header in ("Reply-To", "From", "Sender"):
        value = _header(message, header)
        if value:
            senders = [(n, a) for n, a in getaddresses([value]) if "@" in a]
            if senders:
                return senders[0]
    return "", ""


class _Walker:
    def __init__(self, limits: MailLimits) -> None:
        self.limits = limits
        self.parts = 0
        self.text = ""
        self.attachments: list[Attachment] = []
        self.inner_sender: tuple[str, str] | None = None

    def walk(self, part: Message, depth: int) -> None:
        self.parts += 1
        if self.parts > self.limits.max_parts:
            raise Refusal(
                "too_many_parts", f"The message has more than {self.limits.max_parts} MIME parts."
            )
        if depth > self.limits.max_depth:
            raise Refusal(
                "too_deep", f"The message nests MIME parts deeper than {self.limits.max_depth}."
            )
        content_type = part.get_content_type()
        if content_type == "message/rfc822" or (
            part.is_multipart() and content_type.startswith("message/")
        ):
            inner = part.get_payload()
            for message in inner if isinstance(inner, list) else [inner]:
                if isinstance(message, Message):
                    name, address = _sender(message)
                    if address and self.inner_sender is None:
                        self.inner_sender = (name, address)
                    self.walk(message, depth + 1)
            return
        if part.is_multipart() or part.get_content_maintype() == "multipart":
            payload = part.get_payload()  # a multipart without parts is a str: nothing in it
            for child in payload if isinstance(payload, list) else []:
                if isinstance(child, Message):
                    self.walk(child, depth + 1)
            return
        filename = _filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        is_body = (
            part.get_content_maintype() == "text"
            and disposition != "attachment"
            and filename is None
        )
        if is_body:
            self._body(part)
            return
        data = decoded_payload(part)
        if not isinstance(data, bytes):
            return
        if len(self.attachments) >= self.limits.max_attachments:
            raise Refusal(
                "too_many_attachments",
                f"The message has more than {self.limits.max_attachments} attachments.",
            )
        self.attachments.append(Attachment(filename, sniff_media_type(data, filename), data))

    def _body(self, part: Message) -> None:
        subtype = part.get_content_subtype()
        if self.text and subtype != "plain":
            return
        data = decoded_payload(part)
        if not isinstance(data, bytes):
            return
        charset = part.get_content_charset() or "us-ascii"
        if charset in ("us-ascii", "ascii") and not data.isascii():
            # 8-bit text under the default label is common; UTF-8 first, then Windows-1252.
            charset = "utf-8" if _is_utf8(data) else "cp1252"
        try:
            text = data.decode(charset, "replace" if charset == "cp1252" else "strict")
        except LookupError as exc:
            if data.isascii():  # an unknown label on plain ASCII text is harmless
                text = data.decode("ascii")
            else:
                raise Refusal(
                    "undecodable_charset",
                    f"The text is in an unknown character set '{charset}'; send it as UTF-8.",
                ) from exc
        except UnicodeDecodeError as exc:
            raise Refusal(
                "undecodable_charset", f"The text is not valid in its declared charset '{charset}'."
            ) from exc
        if subtype == "html":
            text = re.sub(r"<[^>]+>", " ", text)
        if subtype == "plain" or not self.text:
            self.text = text.strip()


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    return str(name) if name else None


def applications_from_mail(
    mail: InboundMail,
    posting_slug: str,
    *,
    channel: Channel,
    raw: bytes,
    raw_media_type: str,
    delivery_id: str | None,
    source: str | None = None,
) -> list[Submission]:
    """One submission per candidate: the original sender of a forward, one per CV only when the
    CVs clearly belong to different people; a cover letter never becomes a candidate."""
    if mail.automated:
        raise Refusal(
            "automated_message",
            "This is an automatic reply or delivery report, not an application.",
        )
    if not mail.text.strip() and not mail.attachments:
        raise Refusal("missing_body", "The message has neither a text body nor attachments.")
    check_types(mail.attachments)
    classified = [classify(a) for a in mail.attachments]
    name, address, forwarded_by = _candidate(mail)
    cvs = choose_cvs(classified, name)
    letter = next(
        (a for a in classified if a.role == "cover_letter" and a.media_type == "text/plain"), None
    )
    cover_letter = mail.text.strip() or (letter.data.decode("utf-8", "replace") if letter else "")
    several = len(cvs) > 1
    submissions = []
    for index, cv in enumerate(cvs):
        others = tuple(a for a in classified if a is not cv)
        submissions.append(
            Submission(
                posting_slug=posting_slug,
                channel=channel,
                # Several different people: the sender (an agency, a friend) is none of them.
                candidate_name=None if several else name or None,
                candidate_email=None if several else address or None,
                candidate_phone=None,
                cv=cv,
                raw=raw,
                raw_media_type=raw_media_type,
                delivery_id=f"{delivery_id}#{index}" if delivery_id and several else delivery_id,
                cover_letter=cover_letter[:20000] or None,
                attachments=others,
                forwarded_by=(forwarded_by or mail.sender_email) if several else forwarded_by,
                auth_results=dict(mail.auth_results),
                spam_score=mail.spam_score,
                source=source,
            )
        )
    return submissions


def _candidate(mail: InboundMail) -> tuple[str, str, str | None]:
    """(name, email, forwarded_by): the original sender when the mail is a forward."""
    sender = (mail.sender_name or "", mail.sender_email or "")
    subject = mail.subject.lower()
    marker = _FORWARD_MARKERS.search(mail.text)
    if marker:
        found = _FORWARDED_FROM.search(mail.text, marker.end())
        if found:
            candidates = [(n, a) for n, a in getaddresses([found.group(1)]) if "@" in a]
            if candidates and candidates[0][1].lower() != sender[1].lower():
                return candidates[0][0], candidates[0][1], sender[1] or None
    if mail.inner_sender and subject.startswith(("fwd:", "fw:", "wg:", "tr:", "rv:")):
        name, address = mail.inner_sender
        if address.lower() != sender[1].lower():
            return name, address, sender[1] or None
    return sender[0], sender[1], None


def parse_application_email(
    raw: bytes, posting_slug: str, limits: MailLimits = DEFAULT_LIMITS
) -> Submission:
    """The first (usually only) application in a raw MIME message."""
    return parse_application_emails(raw, posting_slug, limits)[0]


def parse_application_emails(
    raw: bytes,
    posting_slug: str,
    limits: MailLimits = DEFAULT_LIMITS,
    channel: Channel = Channel.SMTP,
    source: str | None = None,
) -> list[Submission]:
    mail = parse_mime(raw, limits)
    return applications_from_mail(
        mail,
        posting_slug,
        channel=channel,
        raw=raw,
        raw_media_type="message/rfc822",
        delivery_id=mail.message_id,
        source=source,
    )


__all__ = [
    "InboundMail",
    "MailLimits",
    "Refusal",
    "applications_from_mail",
    "parse_application_email",
    "parse_application_emails",
    "parse_mime",
    "posting_slug_from_recipient",
]
