from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from hirestream.contracts import Event


@dataclass(frozen=True)
class PostingTarget:
    posting_id: uuid.UUID
    slug: str
    title: str
    notify_email: str | None


@dataclass(frozen=True)
class Email:
    message_id: str
    sender: str
    recipient: str
    subject: str
    text: str


class EmailSender(Protocol):
    async def send(self, email: Email) -> None: ...


class NotifierStore(Protocol):
    async def save_posting(self, posting: PostingTarget) -> None: ...
    async def posting(self, posting_id: uuid.UUID) -> PostingTarget | None: ...
    async def delivery_exists(self, delivery_id: uuid.UUID) -> bool: ...
    async def record_delivery(
        self,
        delivery_id: uuid.UUID,
        event_application: uuid.UUID,
        posting_id: uuid.UUID,
        channel: str,
        recipient: str,
        subject: str,
    ) -> None: ...
    async def emit(self, event: Event) -> None: ...
