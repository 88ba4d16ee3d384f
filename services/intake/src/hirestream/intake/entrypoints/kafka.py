from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer
from pydantic import ValidationError

from hirestream.contracts import (
    ApplicationScoredV1,
    NotificationSentV1,
    PostingPublishedV1,
    ProfileParsedV1,
    topic_name,
)
from hirestream.intake.adapters.postgres import PostgresIntakeStore
from hirestream.intake.handlers import StageEvent, record_posting, record_stage
from hirestream.kit.consumer import Subscription
from hirestream.kit.db import Connection

log = logging.getLogger(__name__)
STAGE_EVENTS: tuple[type[StageEvent], ...] = (
    ProfileParsedV1,
    ApplicationScoredV1,
    NotificationSentV1,
)


async def on_posting_published(conn: Connection, event: PostingPublishedV1) -> None:
    await record_posting(PostgresIntakeStore(conn), event)


def subscriptions() -> list[Subscription[Any]]:
    return [Subscription(PostingPublishedV1, on_posting_published)]


class StageRecorder:
    """Listens to the later stages' events and records one timestamp per stage.

    One consumer for the three topics, in a group of its own (``intake.stages``), run as a
    background task: every extra subscriber in the service's main group would cost one more
    consumer-group rebalance before the service starts serving. Recording a stage is idempotent
    (one row per application and stage), so a redelivery needs no inbox; offsets are committed
    only after the batch is durable, and any failure re-joins from the last commit.
    """

    def __init__(self, pool: asyncpg.Pool, bootstrap: str, topic_prefix: str, group: str) -> None:
        self._pool = pool
        self._bootstrap = bootstrap
        self._group = group
        self._types = {topic_name(t.topic, topic_prefix): t for t in STAGE_EVENTS}

    async def apply(self, topic: str, body: bytes) -> bool:
        try:
            event = self._types[topic].model_validate_json(body)
        except (KeyError, ValidationError):
            log.warning("undecodable stage event on %s skipped", topic)
            return False
        async with self._pool.acquire() as conn, conn.transaction():
            await record_stage(PostgresIntakeStore(conn), event)
        return True

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            consumer = AIOKafkaConsumer(
                *self._types,
                bootstrap_servers=self._bootstrap,
                group_id=self._group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            try:
                await consumer.start()
                while not stop.is_set():
                    batch = await consumer.getmany(timeout_ms=500, max_records=500)
                    for messages in batch.values():
                        for message in messages:
                            await self.apply(message.topic, message.value or b"")
                    if batch:
                        await consumer.commit()
            except Exception:
                log.warning("stage recorder failed; re-joining", exc_info=True)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 2.0)
            finally:
                await consumer.stop()
