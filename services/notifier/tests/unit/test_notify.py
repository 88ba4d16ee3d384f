from __future__ import annotations

import uuid

import pytest
from hirestream.contracts import ApplicationScoredV1, Event, NotificationSentV1, Tier
from hirestream.notifier.handlers import PostingNotKnownYet, notify_hiring_team
from hirestream.notifier.ports import Email, PostingTarget


class FakeStore:
    def __init__(self) -> None:
        self.postings: dict[uuid.UUID, PostingTarget] = {}
        self.deliveries: dict[uuid.UUID, str] = {}
        self.events: list[Event] = []

    async def save_posting(self, posting: PostingTarget) -> None:
        self.postings[posting.posting_id] = posting

    async def posting(self, posting_id: uuid.UUID) -> PostingTarget | None:
        return self.postings.get(posting_id)

    async def delivery_exists(self, delivery_id: uuid.UUID) -> bool:
        return delivery_id in self.deliveries

    async def record_delivery(
        self,
        delivery_id: uuid.UUID,
        event_application: uuid.UUID,
        posting_id: uuid.UUID,
        channel: str,
        recipient: str,
        subject: str,
    ) -> None:
        self.deliveries[delivery_id] = recipient

    async def emit(self, event: Event) -> None:
        self.events.append(event)


class FakeSender:
    def __init__(self) -> None:
        self.sent: list[Email] = []

    async def send(self, email: Email) -> None:
        self.sent.append(email)


def scored(posting_id: uuid.UUID, application_id: uuid.UUID | None = None) -> ApplicationScoredV1:
    return ApplicationScoredV1(
        application_id=application_id or uuid.uuid4(),
        posting_id=posting_id,
        score=82,
        tier=Tier.STRONG,
        matched=["Python", "PostgreSQL"],
        missing=["Kafka"],
        requirements_version=1,
        rubric_version="r",
        parser_version="p",
    )


async def notify(store: FakeStore, sender: FakeSender, event: ApplicationScoredV1) -> None:
    await notify_hiring_team(
        store,
        event,
        sender,
        from_address="alerts@x",
        default_recipient="team@x",
        public_url="http://x",
    )


async def test_alert_goes_to_the_postings_team_with_evidence_once_per_application() -> None:
    store, sender = FakeStore(), FakeSender()
    posting_id = uuid.uuid4()
    await store.save_posting(
        PostingTarget(posting_id, "be", "Backend Engineer", "hiring-be@example.com")
    )
    event = scored(posting_id)
    await notify(store, sender, event)
    rescored = scored(posting_id, event.application_id)  # a later rescore of the same application
    await notify(store, sender, rescored)
    (email,) = sender.sent
    assert email.recipient == "hiring-be@example.com"
    assert "Python, PostgreSQL" in email.text and "Kafka" in email.text
    assert "82" in email.subject and "Strong" in email.subject
    assert str(event.application_id) in email.text
    (sent,) = store.events
    assert isinstance(sent, NotificationSentV1) and sent.delivery_id == uuid.uuid5(
        event.application_id, "delivery:email"
    )


async def test_unknown_posting_is_retried_not_dropped() -> None:
    with pytest.raises(PostingNotKnownYet):
        await notify(FakeStore(), FakeSender(), scored(uuid.uuid4()))
