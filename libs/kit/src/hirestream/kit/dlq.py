"""Dead letters: inspect and replay events a service gave up on.

Replaying removes the event's ``dead_lettered`` inbox claim and its failure count, then queues
the original message again on its original topic through the service's own outbox, with the
same event id, so the consumer sees it as new once and the inbox guards against doubles.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hirestream.kit.db import Connection
from hirestream.kit.outbox import add_raw_to_outbox


@dataclass(frozen=True)
class DeadLetter:
    id: int
    consumer: str
    topic: str
    event_id: str
    key: str | None
    error: str
    attempts: int
    created_at: datetime
    replayed_at: datetime | None
    body: str
    headers: dict[str, str]


def _row(row: Any) -> DeadLetter:
    return DeadLetter(**{**dict(row), "event_id": str(row["event_id"])})


async def list_dead_letters(
    conn: Connection, *, include_replayed: bool = False
) -> list[DeadLetter]:
    rows = await conn.fetch(
        "SELECT * FROM dead_letters WHERE $1 OR replayed_at IS NULL ORDER BY id", include_replayed
    )
    return [_row(r) for r in rows]


async def get_dead_letter(conn: Connection, dead_letter_id: int) -> DeadLetter | None:
    row = await conn.fetchrow("SELECT * FROM dead_letters WHERE id = $1", dead_letter_id)
    return _row(row) if row else None


async def replay_dead_letter(conn: Connection, dead_letter_id: int) -> bool:
    """Queue the dead letter again; False when unknown or already replayed. Run in a transaction."""
    row = await conn.fetchrow(
        "UPDATE dead_letters SET replayed_at = now() WHERE id = $1 AND replayed_at IS NULL"
        " RETURNING *",
        dead_letter_id,
    )
    if row is None:
        return False
    await conn.execute(
        "DELETE FROM inbox WHERE consumer = $1 AND event_id = $2", row["consumer"], row["event_id"]
    )
    await conn.execute(
        "DELETE FROM consumer_failures WHERE consumer = $1 AND event_id = $2",
        row["consumer"],
        row["event_id"],
    )
    await conn.execute("DELETE FROM outbox WHERE event_id = $1", row["event_id"])
    body = row["body"]
    try:
        payload = json.loads(body)
    except json.JSONDecodeError:
        payload = {"unparseable_body": body}
    await add_raw_to_outbox(
        conn,
        event_id=str(row["event_id"]),
        topic=row["topic"],
        key=row["key"] or str(row["event_id"]),
        payload=payload,
        headers=dict(row["headers"]),
    )
    return True
