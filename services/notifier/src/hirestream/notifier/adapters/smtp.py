"""Email through SMTP with aiosmtplib: hiring-team alerts, digests and acknowledgements."""

from __future__ import annotations

import contextlib
import time
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, getaddresses, parseaddr
from typing import cast

import aiosmtplib

from hirestream.kit.telemetry import tracer
from hirestream.notifier.adapters.render import (
    render_acknowledgement,
    render_alert,
    render_digest,
)
from hirestream.notifier.domain.messages import header_safe
from hirestream.notifier.domain.planning import ACK_CHANNEL
from hirestream.notifier.ports import DeliveryFailed, Email, Outgoing

# The message is built with the compat32 classes: EmailMessage's default policy parses and
# refolds every header through its registry, which cost more CPU than the whole SMTP exchange.
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP
_UTF8.header_encoding = QP


def _addresses(value: str) -> str:
    return ", ".join(formataddr(pair, charset="utf-8") for pair in getaddresses([value]))


def _header(value: str) -> str:
    return value if value.isascii() else Header(value, "utf-8").encode()


def _text(text: str, subtype: str) -> MIMEText:
    # MIMEText takes a Charset too (it is what set_payload receives; its str() is the name):
    # the stubs only say str.
    return MIMEText(text, subtype, cast(str, _UTF8))


def render_mime(email: Email) -> Message:
    """The email as MIME: text, and HTML as its alternative when there is one; headers in
    RFC 2047 words when not ASCII, bodies quoted-printable UTF-8."""
    message: Message
    if email.html is None:
        message = _text(email.text, "plain")
    else:
        message = MIMEMultipart("alternative")
        message.attach(_text(email.text, "plain"))
        message.attach(_text(email.html, "html"))
    message["From"] = _addresses(header_safe(email.sender))
    message["To"] = _addresses(header_safe(email.recipient))
    message["Subject"] = _header(header_safe(email.subject))
    message["Message-ID"] = email.message_id
    message["Date"] = formatdate(usegmt=True)
    message["Auto-Submitted"] = "auto-generated"
    return message


class SmtpEmailSender:
    """Sends over a few kept-open SMTP connections instead of one connection per message
    (connect, EHLO and QUIT were most of a send's round trips and CPU, ours and the
    server's). A connection goes back for reuse only after a successful send; after any error
    it is closed. One that the server dropped while idle (seen as disconnected when taken, or
    failing before it could be used) is replaced by a fresh one for the same send, which is no
    worse than the retry that would follow: the Message-ID stays the same."""

    def __init__(
        self,
        host: str,
        port: int,
        timeout: float = 10.0,
        *,
        keep_open: int = 8,
        idle_seconds: float = 20.0,
    ) -> None:
        self._host = host
        self._port = port
        self._timeout = timeout
        self._keep_open = keep_open
        self._idle_seconds = idle_seconds
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []

    async def send(self, email: Email) -> None:
        message = render_mime(email)
        sender = parseaddr(message["From"])[1]
        recipients = [address for _, address in getaddresses([email.recipient]) if address]
        client, reused = self._take()
        if client is None:
            client = await self._connect()
        try:
            await client.sendmail(sender, recipients, message.as_bytes())
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
            _close(client)
            if not reused:
                raise
            client = await self._connect()  # the kept connection had gone stale
            try:
                await client.sendmail(sender, recipients, message.as_bytes())
            except BaseException:
                _close(client)
                raise
        except BaseException:
            _close(client)
            raise
        self._give_back(client)

    def _take(self) -> tuple[aiosmtplib.SMTP | None, bool]:
        now = time.monotonic()
        while self._idle:
            client, since = self._idle.pop()
            if client.is_connected and now - since < self._idle_seconds:
                return client, True
            _close(client)
        return None, False

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(hostname=self._host, port=self._port, timeout=self._timeout)
        await client.connect()
        return client

    def _give_back(self, client: aiosmtplib.SMTP) -> None:
        if len(self._idle) < self._keep_open and client.is_connected:
            self._idle.append((client, time.monotonic()))
        else:
            _close(client)

    def close(self) -> None:
        while self._idle:
            _close(self._idle.pop()[0])


def _close(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        client.close()


class EmailChannelSender:
    """The ``email`` and ``acknowledgement`` channels: renders, sends, classifies failures."""

    def __init__(self, smtp: SmtpEmailSender, from_address: str) -> None:
        self._smtp = smtp
        self._from = from_address

    async def send(self, message: Outgoing) -> None:
        if message.channel == ACK_CHANNEL:
            if message.contact is None:
                raise DeliveryFailed("no contact for the acknowledgement", transient=False)
            subject, text, html = render_acknowledgement(message.items[0], message.contact)
            recipient = message.contact.email
        elif message.kind == "digest":
            subject, text, html = render_digest(message.items)
            recipient = ", ".join(message.destination["to"])
        else:
            subject, text, html = render_alert(message.items[0], message.contact)
            recipient = ", ".join(message.destination["to"])
        email = Email(
            message_id=f"<{message.message_id}@hirestream>",
            sender=self._from,
            recipient=recipient,
            subject=subject,
            text=text,
            html=html,
        )
        with tracer().start_as_current_span(f"notifier.deliver {message.channel}") as span:
            span.set_attribute("hirestream.delivery.channel", message.channel)
            span.set_attribute("hirestream.delivery.id", str(message.message_id))
            try:
                await self._smtp.send(email)
            except aiosmtplib.SMTPResponseException as exc:
                # 4xx replies are the server's "try again later"; 5xx are final.
                raise DeliveryFailed(
                    f"SMTP {exc.code}: {exc.message}", transient=exc.code < 500
                ) from exc
            except aiosmtplib.SMTPRecipientsRefused as exc:
                codes = [r.code for r in exc.recipients]
                raise DeliveryFailed(
                    f"SMTP recipients refused {codes}", transient=all(c < 500 for c in codes)
                ) from exc
            except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
                raise DeliveryFailed(f"SMTP {type(exc).__name__}: {exc}", transient=True) from exc
