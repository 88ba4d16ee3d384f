from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from hirestream.contracts import Event
from hirestream.notifier.domain.planning import PlannedDelivery
from hirestream.notifier.domain.rules import PostingRules


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
    html: str | None = None
    # To a candidate (an acknowledgement): its subject may carry their name, so the MIME
    # writer keeps nothing of it in its caches.
    personal: bool = False


@dataclass(frozen=True)
class Contact:
    name: str
    email: str


@dataclass(frozen=True)
class Delivery:
    """A leased delivery record, as the worker sees it."""

    delivery_id: uuid.UUID
    application_id: uuid.UUID
    posting_id: uuid.UUID
    rule: str
    channel: str
    kind: str
    destination: dict[str, Any]
    target_key: str
    payload: dict[str, Any]
    attempts: int
    digest_key: str | None = None
    trace: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outgoing:
    """One message on the wire: a single delivery, or every delivery of one digest."""

    message_id: uuid.UUID  # idempotency key: Message-ID, webhook-id
    channel: str
    kind: str
    destination: dict[str, Any]
    items: list[dict[str, Any]]
    contact: Contact | None = None


class DeliveryFailed(Exception):
    """A send that did not succeed. ``transient`` ones are retried; others fail at once."""

    def __init__(self, reason: str, *, transient: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after


class Clock(Protocol):
    def now(self) -> datetime: ...


class ChannelSender(Protocol):
    async def send(self, message: Outgoing) -> None:
        """Returns once the receiver accepted the message; raises DeliveryFailed otherwise."""


class ContactDirectory(Protocol):
    async def contact(self, application_id: uuid.UUID) -> Contact:
        """The candidate's name and address, fetched by reference (raises DeliveryFailed)."""


class EmailSender(Protocol):
    async def send(self, email: Email) -> None: ...


class NotifierStore(Protocol):
    """The consumer's view, inside its transaction."""

    async def save_posting(self, posting: PostingTarget) -> None: ...
    async def posting(self, posting_id: uuid.UUID) -> PostingTarget | None: ...
    async def rules_for(self, slug: str) -> PostingRules | None: ...
    async def posting_and_rules(
        self, posting_id: uuid.UUID
    ) -> tuple[PostingTarget, PostingRules | None] | None:
        """The posting and its own rules (None: it has none) in one look-up; None when the
        posting is not known."""

    async def add_deliveries(
        self, planned: Sequence[PlannedDelivery], now: datetime
    ) -> list[PlannedDelivery]:
        """Records the deliveries not recorded before and wakes the delivery worker's lanes of
        their channels once the transaction commits; returns those it added."""

    async def emit(self, event: Event) -> None: ...


class DeliveryQueue(Protocol):
    """The delivery worker's view: each method is its own short transaction."""

    async def claim(
        self,
        channel: str,
        now: datetime,
        *,
        limit: int,
        in_flight: Mapping[str, int],
        per_target: int,
        lease_seconds: float,
        owner: str,
    ) -> list[Delivery]: ...
    async def claim_digest_rest(
        self, digest_key: str, now: datetime, *, lease_seconds: float, owner: str
    ) -> list[Delivery]: ...
    async def delivered(
        self, deliveries: Sequence[Delivery], now: datetime, events: Sequence[Event]
    ) -> None: ...
    async def retry_later(
        self, deliveries: Sequence[Delivery], due_at: datetime, error: str
    ) -> None: ...
    async def dead_letter(
        self, deliveries: Sequence[Delivery], reason: str, now: datetime, events: Sequence[Event]
    ) -> None: ...
