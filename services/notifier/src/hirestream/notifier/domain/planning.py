"""From a scored application and the posting's rules to durable delivery records (pure)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hirestream.contracts import ApplicationScoredV1
from hirestream.notifier.domain.rules import ChannelConfig, EmailChannel, PostingRules, Rule
from hirestream.notifier.domain.schedule import next_digest, quiet_until

ACK_RULE = "acknowledgement"
ACK_CHANNEL = "acknowledgement"
TOP_EVIDENCE = 5


@dataclass(frozen=True)
class PlannedDelivery:
    delivery_id: uuid.UUID
    application_id: uuid.UUID
    posting_id: uuid.UUID
    rule: str
    channel: str
    kind: str  # instant | digest | acknowledgement
    destination: dict[str, Any]
    target_key: str
    payload: dict[str, Any]
    due_at: datetime
    digest_key: str | None = None


def delivery_id_for(application_id: uuid.UUID, rule: str, channel: str) -> uuid.UUID:
    """Deterministic: a redelivered or replayed event maps onto the same record (and the same
    Message-ID / webhook-id, so a receiver can drop a transport-level resend)."""
    return uuid.uuid5(application_id, f"delivery:{rule}:{channel}")


def alert_payload(
    event: ApplicationScoredV1, posting_title: str, posting_slug: str, link: str
) -> dict[str, Any]:
    """What every channel may say about the candidate: no name, address or phone."""
    return {
        "application_id": str(event.application_id),
        "posting_id": str(event.posting_id),
        "posting_slug": posting_slug,
        "posting_title": posting_title,
        "tier": event.tier.value,
        "score": event.score,
        "matched": list(event.matched[:TOP_EVIDENCE]),
        "matched_total": len(event.matched),
        "missing": list(event.missing[:TOP_EVIDENCE]),
        "link": link,
        "scored_at": event.occurred_at.isoformat(),
    }


def destination_of(channel: ChannelConfig, fallback_recipient: str) -> tuple[dict[str, Any], str]:
    """The channel's destination as stored with the delivery, and its concurrency key."""
    if isinstance(channel, EmailChannel):
        to = sorted(channel.to) or [fallback_recipient]
        return {"to": to, "include_contact": channel.include_contact}, "email:" + ",".join(to)
    destination: dict[str, Any] = {"url": channel.url}
    if channel.type == "webhook":
        destination["secrets"] = list(channel.secrets)
    digest = hashlib.sha256(channel.url.encode()).hexdigest()[:16]
    return destination, f"{channel.type}:{digest}"


def plan_alerts(
    event: ApplicationScoredV1,
    rules: PostingRules,
    payload: dict[str, Any],
    *,
    fallback_recipient: str,
    now: datetime,
) -> list[PlannedDelivery]:
    planned: list[PlannedDelivery] = []
    for rule in rules.rules:
        kind, due = _timing(rule, event, now)
        if kind is None:
            continue
        for channel in rule.channels:
            destination, target_key = destination_of(channel, fallback_recipient)
            digest_key = (
                f"{event.posting_id}:{rule.name}:{channel.type}:{due.isoformat()}"
                if kind == "digest"
                else None
            )
            planned.append(
                PlannedDelivery(
                    delivery_id=delivery_id_for(event.application_id, rule.name, channel.type),
                    application_id=event.application_id,
                    posting_id=event.posting_id,
                    rule=rule.name,
                    channel=channel.type,
                    kind=kind,
                    destination=destination,
                    target_key=target_key,
                    payload=payload,
                    due_at=due,
                    digest_key=digest_key,
                )
            )
    return planned


def _timing(rule: Rule, event: ApplicationScoredV1, now: datetime) -> tuple[str | None, datetime]:
    if event.tier in rule.instant:
        return "instant", quiet_until(now, rule.zone, rule.quiet_hours) or now
    if event.tier in rule.digest and rule.digest_schedule is not None:
        return "digest", next_digest(now, rule.zone, rule.digest_schedule)
    return None, now


def plan_acknowledgement(
    application_id: uuid.UUID,
    posting_id: uuid.UUID,
    payload: dict[str, Any],
    *,
    now: datetime,
) -> PlannedDelivery:
    """The candidate's address is not known here: it is fetched by reference at send time."""
    return PlannedDelivery(
        delivery_id=delivery_id_for(application_id, ACK_RULE, ACK_CHANNEL),
        application_id=application_id,
        posting_id=posting_id,
        rule=ACK_RULE,
        channel=ACK_CHANNEL,
        kind="acknowledgement",
        destination={"to": "candidate"},
        target_key=f"acknowledgement:{application_id}",  # one candidate each: no shared cap
        payload=payload,
        due_at=now,
    )
