from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from hirestream.contracts import (
    ApplicationReceivedV1,
    ApplicationScoredV1,
    BlobRef,
    Channel,
    Event,
    NotificationSentV1,
    Tier,
)
from hirestream.notifier.domain.planning import PlannedDelivery
from hirestream.notifier.domain.retry import RetryPolicy
from hirestream.notifier.domain.rules import PostingRules
from hirestream.notifier.handlers import (
    PostingNotKnownYet,
    deliver,
    plan_candidate_acknowledgement,
    plan_notifications,
)
from hirestream.notifier.ports import Contact, Delivery, DeliveryFailed, Outgoing, PostingTarget


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class FakeStore:
    def __init__(self) -> None:
        self.postings: dict[uuid.UUID, PostingTarget] = {}
        self.rules: dict[str, PostingRules] = {}
        self.deliveries: dict[tuple[uuid.UUID, str, str], PlannedDelivery] = {}
        self.events: list[Event] = []

    async def save_posting(self, posting: PostingTarget) -> None:
        self.postings[posting.posting_id] = posting

    async def posting(self, posting_id: uuid.UUID) -> PostingTarget | None:
        return self.postings.get(posting_id)

    async def rules_for(self, slug: str) -> PostingRules | None:
        return self.rules.get(slug)

    async def posting_and_rules(
        self, posting_id: uuid.UUID
    ) -> tuple[PostingTarget, PostingRules | None] | None:
        posting = self.postings.get(posting_id)
        return None if posting is None else (posting, self.rules.get(posting.slug))

    async def add_deliveries(
        self, planned: Sequence[PlannedDelivery], now: datetime
    ) -> list[PlannedDelivery]:
        added = []
        for p in planned:
            key = (p.application_id, p.rule, p.channel)
            if key not in self.deliveries:
                self.deliveries[key] = p
                added.append(p)
        return added

    async def emit(self, event: Event) -> None:
        self.events.append(event)


def as_delivery(p: PlannedDelivery, attempts: int = 0) -> Delivery:
    return Delivery(
        delivery_id=p.delivery_id,
        application_id=p.application_id,
        posting_id=p.posting_id,
        rule=p.rule,
        channel=p.channel,
        kind=p.kind,
        destination=p.destination,
        target_key=p.target_key,
        payload=p.payload,
        attempts=attempts,
        digest_key=p.digest_key,
    )


class FakeQueue:
    def __init__(self) -> None:
        self.delivered_ids: list[uuid.UUID] = []
        self.events: list[Event] = []
        self.retries: list[tuple[list[uuid.UUID], datetime, str]] = []
        self.dead: list[tuple[list[uuid.UUID], str]] = []

    async def claim(self, *args: object, **kwargs: object) -> list[Delivery]:
        return []

    async def claim_digest_rest(self, *args: object, **kwargs: object) -> list[Delivery]:
        return []

    async def delivered(
        self, deliveries: Sequence[Delivery], now: datetime, events: Sequence[Event]
    ) -> None:
        self.delivered_ids += [d.delivery_id for d in deliveries]
        self.events += events

    async def retry_later(
        self, deliveries: Sequence[Delivery], due_at: datetime, error: str
    ) -> None:
        self.retries.append(([d.delivery_id for d in deliveries], due_at, error))

    async def dead_letter(
        self, deliveries: Sequence[Delivery], reason: str, now: datetime, events: Sequence[Event]
    ) -> None:
        self.dead.append(([d.delivery_id for d in deliveries], reason))
        self.events += events


class FakeSender:
    def __init__(self, failures: list[DeliveryFailed] | None = None) -> None:
        self.sent: list[Outgoing] = []
        self.failures = list(failures or [])

    async def send(self, message: Outgoing) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message)


class FakeContacts:
    def __init__(self, contact: Contact | None = None) -> None:
        self.contact_value = contact or Contact("Ada Lovelace", "ada@example.org")
        self.asked: list[uuid.UUID] = []

    async def contact(self, application_id: uuid.UUID) -> Contact:
        self.asked.append(application_id)
        return self.contact_value


def scored(
    posting_id: uuid.UUID,
    application_id: uuid.UUID | None = None,
    tier: Tier = Tier.STRONG,
    score: int = 82,
) -> ApplicationScoredV1:
    return ApplicationScoredV1(
        application_id=application_id or uuid.uuid4(),
        posting_id=posting_id,
        score=score,
        tier=tier,
        matched=["Python", "PostgreSQL"],
        missing=["Kafka"],
        requirements_version=1,
        rubric_version="r",
        parser_version="p",
    )


# --- planning -------------------------------------------------------------------------------

POSTING = uuid.UUID("11111111-1111-4111-8111-111111111111")


def store_with_posting(rules: PostingRules | None = None) -> FakeStore:
    store = FakeStore()
    store.postings[POSTING] = PostingTarget(POSTING, "be", "Backend Engineer", "hiring-be@ex.com")
    if rules is not None:
        store.rules["be"] = rules
    return store


async def plan(store: FakeStore, event: ApplicationScoredV1, clock: FixedClock) -> int:
    return await plan_notifications(
        store, event, clock, default_recipient="team@ex.com", public_url="http://intake/"
    )


async def test_default_rule_is_one_instant_email_to_the_postings_team_with_the_evidence() -> None:
    store, clock = store_with_posting(), FixedClock()
    event = scored(POSTING)
    assert await plan(store, event, clock) == 1
    (planned,) = store.deliveries.values()
    assert planned.channel == "email" and planned.kind == "instant"
    assert planned.destination == {"to": ["hiring-be@ex.com"], "include_contact": False}
    assert planned.due_at == clock.now()
    assert planned.payload["matched"] == ["Python", "PostgreSQL"]
    assert planned.payload["link"] == f"http://intake/v1/applications/{event.application_id}"


async def test_a_redelivered_or_rescored_application_plans_nothing_new() -> None:
    store, clock = store_with_posting(), FixedClock()
    event = scored(POSTING)
    await plan(store, event, clock)
    assert await plan(store, event, clock) == 0
    assert await plan(store, scored(POSTING, event.application_id, score=90), clock) == 0
    assert len(store.deliveries) == 1


async def test_unknown_posting_is_retried_not_dropped() -> None:
    with pytest.raises(PostingNotKnownYet):
        await plan(FakeStore(), scored(uuid.uuid4()), FixedClock())


RULES = PostingRules.model_validate(
    {
        "rules": [
            {
                "name": "chat",
                "instant": ["strong"],
                "digest": ["possible"],
                "digest_schedule": {"cadence": "daily", "at": "09:00"},
                "timezone": "Europe/Berlin",
                "quiet_hours": {"start": "22:00", "end": "07:00"},
                "channels": [
                    {"type": "slack", "url": "https://hooks.example/slack/T1"},
                    {"type": "webhook", "url": "https://ats.example/hook", "secrets": ["s1"]},
                ],
            },
            {"name": "mail", "instant": ["strong", "possible", "weak"]},
        ]
    }
)


async def test_rules_pick_channels_per_tier_and_defer_to_quiet_hours_and_digests() -> None:
    # 22:30 in Berlin (UTC+1 in March before DST): quiet until 07:00 local = 06:00 UTC.
    clock = FixedClock(datetime(2026, 3, 2, 21, 30, tzinfo=UTC))
    store = store_with_posting(RULES)
    strong, possible, weak = (
        scored(POSTING, tier=t) for t in (Tier.STRONG, Tier.POSSIBLE, Tier.WEAK)
    )
    for event in (strong, possible, weak):
        await plan(store, event, clock)
    by = {(d.application_id, d.rule, d.channel): d for d in store.deliveries.values()}
    slack = by[(strong.application_id, "chat", "slack")]
    assert slack.kind == "instant"
    assert slack.due_at == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    digest = by[(possible.application_id, "chat", "webhook")]
    assert digest.kind == "digest" and digest.due_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert digest.digest_key and digest.digest_key.endswith(digest.due_at.isoformat())
    assert (weak.application_id, "chat", "slack") not in by  # weak is not the chat's business
    assert by[(weak.application_id, "mail", "email")].due_at == clock.now()  # no quiet hours
    assert len(store.deliveries) == 2 + 2 + 3
    # The deferred ones are announced as scheduled at once; the instant ones when sent.
    scheduled = [e for e in store.events if isinstance(e, NotificationSentV1)]
    assert {e.status for e in scheduled} == {"scheduled"} and len(scheduled) == 4


async def test_acknowledgement_is_planned_only_when_the_posting_switches_it_on() -> None:
    clock = FixedClock()
    received = ApplicationReceivedV1(
        application_id=uuid.uuid4(),
        posting_id=POSTING,
        posting_slug="be",
        channel=Channel.FORM,
        cv=BlobRef(sha256="a" * 64, media_type="application/pdf", size=1),
    )
    kwargs = {"withdraw_url_template": "{public_url}/w/{application_id}", "public_url": "http://i"}
    store = store_with_posting()
    assert await plan_candidate_acknowledgement(store, received, clock, **kwargs) == 0
    store.rules["be"] = PostingRules.model_validate({"acknowledgement": {"enabled": True}})
    assert await plan_candidate_acknowledgement(store, received, clock, **kwargs) == 1
    assert await plan_candidate_acknowledgement(store, received, clock, **kwargs) == 0
    (ack,) = store.deliveries.values()
    assert ack.channel == "acknowledgement"
    assert ack.payload["withdraw_url"] == f"http://i/w/{received.application_id}"
    assert "@" not in json.dumps(ack.payload) and "@" not in json.dumps(ack.destination)


# --- delivering -----------------------------------------------------------------------------

POLICY = RetryPolicy(max_attempts=3, base_seconds=10, max_seconds=100)


async def one_delivery(channel_rules: PostingRules | None = None) -> Delivery:
    store = store_with_posting(channel_rules)
    await plan(store, scored(POSTING), FixedClock())
    return as_delivery(next(iter(store.deliveries.values())))


async def test_a_delivered_message_emits_notification_sent_through_the_outbox() -> None:
    queue, sender, clock = FakeQueue(), FakeSender(), FixedClock()
    delivery = await one_delivery()
    outcome = await deliver(
        queue, {"email": sender}, FakeContacts(), clock, [delivery], policy=POLICY
    )
    assert outcome == "delivered" and queue.delivered_ids == [delivery.delivery_id]
    (message,) = sender.sent
    assert message.message_id == delivery.delivery_id and message.contact is None
    (event,) = queue.events
    assert isinstance(event, NotificationSentV1) and event.status == "sent"
    assert event.channel == "email" and event.delivery_id == delivery.delivery_id


async def test_transient_failures_back_off_exponentially_with_jitter() -> None:
    queue, clock = FakeQueue(), FixedClock()
    delivery = await one_delivery()
    sender = FakeSender([DeliveryFailed("HTTP 503", transient=True)] * 2)
    await deliver(
        queue, {"email": sender}, FakeContacts(), clock, [delivery], policy=POLICY, rand=lambda: 0.0
    )
    await deliver(
        queue,
        {"email": sender},
        FakeContacts(),
        clock,
        [as_delivery_with(delivery, attempts=1)],
        policy=POLICY,
        rand=lambda: 1.0,
    )
    (_, first_due, error), (_, second_due, _) = queue.retries
    assert error == "HTTP 503"
    assert first_due == clock.now() + timedelta(seconds=5)  # half of 10 s, no jitter drawn
    assert second_due == clock.now() + timedelta(seconds=20)  # full 20 s with the most jitter


async def test_retry_after_is_honoured() -> None:
    queue, clock = FakeQueue(), FixedClock()
    delivery = await one_delivery()
    sender = FakeSender([DeliveryFailed("HTTP 429", transient=True, retry_after=42)])
    assert (
        await deliver(queue, {"email": sender}, FakeContacts(), clock, [delivery], policy=POLICY)
        == "retry"
    )
    assert queue.retries[0][1] == clock.now() + timedelta(seconds=42)


async def test_a_permanent_failure_dead_letters_at_once_with_the_reason() -> None:
    queue, clock = FakeQueue(), FixedClock()
    delivery = await one_delivery()
    sender = FakeSender([DeliveryFailed("HTTP 404: no such hook", transient=False)])
    outcome = await deliver(
        queue, {"email": sender}, FakeContacts(), clock, [delivery], policy=POLICY
    )
    assert outcome == "dead_lettered" and not queue.retries
    assert queue.dead == [([delivery.delivery_id], "permanent failure: HTTP 404: no such hook")]
    (event,) = queue.events
    assert isinstance(event, NotificationSentV1) and event.status == "failed"


async def test_the_retry_budget_ends_in_a_dead_letter() -> None:
    queue, clock = FakeQueue(), FixedClock()
    delivery = as_delivery_with(await one_delivery(), attempts=2)
    sender = FakeSender([DeliveryFailed("timeout", transient=True)])
    outcome = await deliver(
        queue, {"email": sender}, FakeContacts(), clock, [delivery], policy=POLICY
    )
    assert outcome == "dead_lettered"
    assert queue.dead[0][1] == "retry budget spent after 3 attempts: timeout"


async def test_an_unexpected_error_is_retried_not_lost() -> None:
    class Broken:
        async def send(self, message: Outgoing) -> None:
            raise RuntimeError("bug")

    queue = FakeQueue()
    outcome = await deliver(
        queue,
        {"email": Broken()},
        FakeContacts(),
        FixedClock(),
        [await one_delivery()],
        policy=POLICY,
    )
    assert outcome == "retry" and "RuntimeError: bug" in queue.retries[0][2]


async def test_contact_details_are_fetched_only_for_email_that_allows_them() -> None:
    rules = PostingRules.model_validate(
        {
            "rules": [
                {
                    "channels": [
                        {"type": "email", "include_contact": True},
                        {"type": "slack", "url": "https://hooks.example/s"},
                    ]
                }
            ]
        }
    )
    store = store_with_posting(rules)
    await plan(store, scored(POSTING), FixedClock())
    contacts, email, slack, queue = FakeContacts(), FakeSender(), FakeSender(), FakeQueue()
    for planned in store.deliveries.values():
        await deliver(
            queue,
            {"email": email, "slack": slack},
            contacts,
            FixedClock(),
            [as_delivery(planned)],
            policy=POLICY,
        )
    assert email.sent[0].contact == contacts.contact_value
    assert slack.sent[0].contact is None and len(contacts.asked) == 1


def as_delivery_with(delivery: Delivery, *, attempts: int) -> Delivery:
    return dataclasses.replace(delivery, attempts=attempts)
