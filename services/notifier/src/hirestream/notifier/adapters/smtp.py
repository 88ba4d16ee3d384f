"""Email through SMTP with aiosmtplib: hiring-team alerts, digests and acknowledgements."""

from __future__ import annotations

import contextlib
import functools
import time
from email.utils import getaddresses, parseaddr

import aiosmtplib

from hirestream.kit.telemetry import tracer
from hirestream.notifier.adapters.mime import mime_bytes, sender_address
from hirestream.notifier.adapters.render import (
    render_acknowledgement,
    render_alert,
    render_digest,
)
from hirestream.notifier.domain.messages import header_safe
from hirestream.notifier.domain.planning import ACK_CHANNEL
from hirestream.notifier.ports import DeliveryFailed, Email, Outgoing


@functools.lru_cache(maxsize=16)
def envelope_sender(sender: str) -> str:
    """MAIL FROM: the address of the From header."""
    return parseaddr(sender_address(header_safe(sender)))[1]


def envelope_recipients(recipient: str) -> list[str]:
    """RCPT TO: every address of the recipient list."""
    return [address for _, address in getaddresses([recipient]) if address]


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
        # The MIME bytes are written directly (adapters/mime.py): building them with the email
        # package's classes cost more CPU than the whole SMTP exchange.
        message = mime_bytes(email)
        sender = envelope_sender(email.sender)
        recipients = envelope_recipients(email.recipient)
        client, reused = self._take()
        if client is None:
            client = await self._connect()
        try:
            await client.sendmail(sender, recipients, message)
        except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
            _close(client)
            if not reused:
                raise
            client = await self._connect()  # the kept connection had gone stale
            try:
                await client.sendmail(sender, recipients, message)
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
            personal=message.channel == ACK_CHANNEL,
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
