from __future__ import annotations

import uuid

from hirestream.contracts import Event
from hirestream.kit.db import Connection
from hirestream.kit.outbox import add_to_outbox
from hirestream.notifier.ports import PostingTarget


class PostgresNotifierStore:
    def __init__(self, conn: Connection, topic_prefix: str = "") -> None:
        self._conn = conn
        self._prefix = topic_prefix

    async def save_posting(self, posting: PostingTarget) -> None:
        await self._conn.execute(
            "INSERT INTO postings (posting_id, slug, title, notify_email) VALUES ($1,$2,$3,$4)"
            " ON CONFLICT (posting_id) DO UPDATE SET slug = EXCLUDED.slug,"
            " title = EXCLUDED.title, notify_email = EXCLUDED.notify_email, updated_at = now()",
            posting.posting_id,
            posting.slug,
            posting.title,
            posting.notify_email,
        )

    async def posting(self, posting_id: uuid.UUID) -> PostingTarget | None:
        row = await self._conn.fetchrow(
            "SELECT posting_id, slug, title, notify_email FROM postings WHERE posting_id = $1",
            posting_id,
        )
        return PostingTarget(**dict(row)) if row else None

    async def delivery_exists(self, delivery_id: uuid.UUID) -> bool:
        return bool(
            await self._conn.fetchval(
                "SELECT 1 FROM deliveries WHERE delivery_id = $1", delivery_id
            )
        )

    async def record_delivery(
        self,
        delivery_id: uuid.UUID,
        event_application: uuid.UUID,
        posting_id: uuid.UUID,
        channel: str,
        recipient: str,
        subject: str,
    ) -> None:
        await self._conn.execute(
            "INSERT INTO deliveries (delivery_id, application_id, posting_id, channel, recipient,"
            " subject, status, sent_at) VALUES ($1,$2,$3,$4,$5,$6,'sent', now())",
            delivery_id,
            event_application,
            posting_id,
            channel,
            recipient,
            subject,
        )

    async def emit(self, event: Event) -> None:
        await add_to_outbox(self._conn, event, topic_prefix=self._prefix)
