"""Idempotent inbox: claiming an event id in the consumer's transaction makes redelivery a no-op."""

from __future__ import annotations

import uuid

from hirestream.kit.db import Connection


async def claim(
    conn: Connection,
    consumer: str,
    event_id: uuid.UUID,
    topic: str,
    *,
    outcome: str = "processed",
) -> bool:
    """True the first time ``consumer`` sees ``event_id``; False for every redelivery.

    Must run inside the transaction that applies the event's effects, so the claim and the
    effects commit or roll back together.
    """
    row = await conn.fetchrow(
        "INSERT INTO inbox (consumer, event_id, topic, outcome) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT DO NOTHING RETURNING event_id",
        consumer,
        event_id,
        topic,
        outcome,
    )
    return row is not None
