"""Notifier use cases.

Planning runs inside the consumer's transaction: it applies the posting's rules and writes one
durable ``pending`` delivery per (application, rule, channel), with no network I/O, so a
redelivered event or a restarted notifier finds the records already there. Delivering runs in
the delivery worker: it sends one leased record (or one digest of them), then records the
outcome — delivered (with ``notification.sent.v1`` through the outbox), retry later, or dead
letter.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

from hirestream.contracts import (
    ApplicationReceivedV1,
    ApplicationScoredV1,
    NotificationSentV1,
    PostingPublishedV1,
)
from hirestream.notifier.domain.planning import (
    ACK_CHANNEL,
    PlannedDelivery,
    alert_payload,
    plan_acknowledgement,
    plan_alerts,
)
from hirestream.notifier.domain.retry import RetryPolicy, retry_delay
from hirestream.notifier.domain.rules import DEFAULT_RULES
from hirestream.notifier.ports import (
    ChannelSender,
    Clock,
    Contact,
    ContactDirectory,
    Delivery,
    DeliveryFailed,
    DeliveryQueue,
    NotifierStore,
    Outgoing,
    PostingTarget,
)

_DIGEST_NAMESPACE = uuid.UUID("6b1f9a52-4f4e-4c55-9a0e-0d4f1c2b7e11")


class PostingNotKnownYet(Exception):
    """The posting's own event has not reached the notifier yet: retry later."""


async def record_posting(store: NotifierStore, event: PostingPublishedV1) -> None:
    await store.save_posting(
        PostingTarget(event.posting_id, event.slug, event.title, event.notify_email)
    )


async def plan_notifications(
    store: NotifierStore,
    event: ApplicationScoredV1,
    clock: Clock,
    *,
    default_recipient: str,
    public_url: str,
) -> int:
    """Records the hiring team's deliveries for one scored application; returns how many were
    new (a rescore or a redelivery of an application already planned adds none)."""
    found = await store.posting_and_rules(event.posting_id)
    if found is None:
        raise PostingNotKnownYet(str(event.posting_id))
    posting, own_rules = found
    rules = own_rules or DEFAULT_RULES
    link = f"{public_url.rstrip('/')}/v1/applications/{event.application_id}"
    payload = alert_payload(event, posting.title, posting.slug, link)
    now = clock.now()
    planned = plan_alerts(
        event,
        rules,
        payload,
        fallback_recipient=posting.notify_email or default_recipient,
        now=now,
    )
    added = await store.add_deliveries(planned, now)
    for delivery in added:
        if delivery.due_at > now:
            # A digest or quiet hours defer it: say so at once (the scorer's reconciler takes
            # any notification.sent.v1 as the sign that its application.scored arrived).
            await store.emit(_status(delivery, "scheduled"))
    return len(added)


async def plan_candidate_acknowledgement(
    store: NotifierStore,
    event: ApplicationReceivedV1,
    clock: Clock,
    *,
    withdraw_url_template: str,
    public_url: str,
) -> int:
    """Records the candidate's acknowledgement when the posting has it switched on. The
    candidate's address is not in the event: the worker fetches it by reference."""
    rules = await store.rules_for(event.posting_slug)
    if rules is None or not rules.acknowledgement.enabled:
        return 0
    posting = await store.posting(event.posting_id)
    ack = rules.acknowledgement
    payload = {
        "application_id": str(event.application_id),
        "posting_id": str(event.posting_id),
        "posting_slug": event.posting_slug,
        "posting_title": posting.title if posting else event.posting_slug,
        "subject": ack.subject,
        "template": ack.template,
        "withdraw_url": withdraw_url_template.format(
            public_url=public_url.rstrip("/"),
            application_id=event.application_id,
            posting_slug=event.posting_slug,
        ),
    }
    now = clock.now()
    planned = plan_acknowledgement(event.application_id, event.posting_id, payload, now=now)
    return len(await store.add_deliveries([planned], now))


def message_id_of(deliveries: Sequence[Delivery]) -> uuid.UUID:
    first = deliveries[0]
    if first.kind == "digest" and first.digest_key:
        return uuid.uuid5(_DIGEST_NAMESPACE, first.digest_key)
    return first.delivery_id


def _needs_contact(delivery: Delivery) -> bool:
    if delivery.channel == ACK_CHANNEL:
        return True
    return (
        delivery.channel == "email"
        and delivery.kind == "instant"
        and bool(delivery.destination.get("include_contact"))
    )


async def deliver(
    queue: DeliveryQueue,
    senders: Mapping[str, ChannelSender],
    contacts: ContactDirectory,
    clock: Clock,
    deliveries: Sequence[Delivery],
    *,
    policy: RetryPolicy,
    rand: Callable[[], float] = random.random,
) -> str:
    """Sends one message for ``deliveries`` (one record, or one digest's records) and records
    the outcome: ``delivered``, ``retry`` or ``dead_lettered``."""
    first = deliveries[0]
    try:
        contact: Contact | None = None
        if _needs_contact(first):
            contact = await contacts.contact(first.application_id)
        sender = senders.get(first.channel)
        if sender is None:
            raise DeliveryFailed(f"no sender for channel {first.channel}", transient=False)
        await sender.send(
            Outgoing(
                message_id=message_id_of(deliveries),
                channel=first.channel,
                kind=first.kind,
                destination=first.destination,
                items=[d.payload for d in deliveries],
                contact=contact,
            )
        )
    except DeliveryFailed as exc:
        return await _failed(queue, clock, deliveries, exc, policy, rand)
    except Exception as exc:  # a bug or an unforeseen error: retried, then dead-lettered
        failure = DeliveryFailed(f"{type(exc).__name__}: {exc}", transient=True)
        return await _failed(queue, clock, deliveries, failure, policy, rand)
    await queue.delivered(deliveries, clock.now(), [_status(d, "sent") for d in deliveries])
    return "delivered"


async def _failed(
    queue: DeliveryQueue,
    clock: Clock,
    deliveries: Sequence[Delivery],
    exc: DeliveryFailed,
    policy: RetryPolicy,
    rand: Callable[[], float],
) -> str:
    now = clock.now()
    attempt = max(d.attempts for d in deliveries) + 1
    delay = retry_delay(attempt, policy, rand, exc.retry_after) if exc.transient else None
    if delay is None:
        reason = (
            f"retry budget spent after {attempt} attempts: {exc.reason}"
            if exc.transient
            else f"permanent failure: {exc.reason}"
        )
        await queue.dead_letter(
            deliveries, reason[:2000], now, [_status(d, "failed") for d in deliveries]
        )
        return "dead_lettered"
    await queue.retry_later(deliveries, now + timedelta(seconds=delay), exc.reason[:2000])
    return "retry"


def _status(delivery: Delivery | PlannedDelivery, status: str) -> NotificationSentV1:
    # "sent" and "scheduled" happen once per delivery: a deterministic event id lets the outbox
    # drop a second one (a worker whose lease ran out while its send still succeeded).
    once = status in ("sent", "scheduled")
    return NotificationSentV1.model_validate(
        {
            "event_id": uuid.uuid5(delivery.delivery_id, status) if once else uuid.uuid4(),
            "application_id": delivery.application_id,
            "posting_id": delivery.posting_id,
            "delivery_id": delivery.delivery_id,
            "channel": delivery.channel,
            "status": status,
        }
    )
