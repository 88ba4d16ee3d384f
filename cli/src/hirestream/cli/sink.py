"""A local SMTP sink that captures what the notifier sends (the demo's stand-in for Mailpit)."""

from __future__ import annotations

import email
import email.message
import email.policy
import functools
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class CapturedMail:
    sender: str
    recipients: tuple[str, ...]
    raw: bytes  # the message as it arrived
    received_at: float = 0.0  # time.time() when the sink accepted it

    # Parsed when first read, not while the sink answers: the load bench counts arrivals by
    # scanning ``raw``, and parsing every message with the email package cost its process CPU
    # on the cores the pipeline it measures runs on.
    @functools.cached_property
    def _message(self) -> email.message.EmailMessage:
        message = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(message, email.message.EmailMessage)
        return message

    @property
    def subject(self) -> str:
        return str(self._message.get("Subject", ""))

    @property
    def message_id(self) -> str:
        return str(self._message.get("Message-ID", ""))

    @property
    def body(self) -> str:
        body = self._message.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""


class _Capture:
    def __init__(self) -> None:
        self.messages: list[CapturedMail] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        mail = CapturedMail(
            sender=str(envelope.mail_from),
            recipients=tuple(envelope.rcpt_tos),
            raw=envelope.original_content or b"",
            received_at=time.time(),
        )
        with self.lock:
            self.messages.append(mail)
        return "250 OK"


class SmtpSink:
    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self._capture = _Capture()
        self._controller = Controller(self._capture, hostname=host, port=port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[CapturedMail]:
        with self._capture.lock:
            return list(self._capture.messages)
