"""A local SMTP sink that captures what the notifier sends (the demo's stand-in for Mailpit)."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class CapturedMail:
    sender: str
    recipients: tuple[str, ...]
    subject: str
    message_id: str
    body: str
    received_at: float = 0.0  # time.time() when the sink accepted it


class _Capture:
    def __init__(self) -> None:
        self.messages: list[CapturedMail] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = email.message_from_bytes(
            envelope.original_content or b"", policy=email.policy.default
        )
        body = message.get_body(preferencelist=("plain",))
        with self.lock:
            self.messages.append(
                CapturedMail(
                    sender=str(envelope.mail_from),
                    recipients=tuple(envelope.rcpt_tos),
                    subject=str(message.get("Subject", "")),
                    message_id=str(message.get("Message-ID", "")),
                    body=body.get_content() if body is not None else "",
                    received_at=time.time(),
                )
            )
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
