"""Email through SMTP with aiosmtplib."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
from hirestream.kit.telemetry import tracer
from hirestream.notifier.ports import Email


class SmtpEmailSender:
    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self._host = host
        self._port = port
        self._timeout = timeout

    async def send(self, email: Email) -> None:
        message = EmailMessage()
        message["From"] = email.sender
        message["To"] = email.recipient
        message["Subject"] = email.subject
        message["Message-ID"] = email.message_id
        message.set_content(email.text)
        with tracer().start_as_current_span("notifier.deliver email") as span:
            span.set_attribute("hirestream.delivery.channel", "email")
            await aiosmtplib.send(
                message, hostname=self._host, port=self._port, timeout=self._timeout
            )
