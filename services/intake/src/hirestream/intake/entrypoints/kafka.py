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
from hirestream.intake.handlers import StageEvent, record_posting, record_stages
from hirestream.kit.consumer import Subscription
from hirestream.kit.db import Connection
from hirestream.kit.outbox import acknowledge

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
    (one row per application and stage), so a redelivery needs no inbox. What one poll returned
    is recorded in one transaction and one statement, and offsets are committed only after it;
    any failure re-joins from the last commit.

    The same transaction acknowledges our ``application.received`` rows for every
    ``profile.parsed`` key (the reconciler's "the next stage answered"), which spares the
    service a second consumer of that topic.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        bootstrap: str,
        topic_prefix: str,
        group: str,
        *,
        acknowledges: str | None = None,
    ) -> None:
        self._pool = pool
        self._bootstrap = bootstrap
        self._group = group
        self._types = {topic_name(t.topic, topic_prefix): t for t in STAGE_EVENTS}
        self._parsed_topic = topic_name(ProfileParsedV1.topic, topic_prefix)
        self._acknowledges = acknowledges

    async def apply(self, topic: str, body: bytes) -> bool:
        """One event on its own (tests, tools); False if undecodable."""
        return await self.apply_batch([(topic, None, body)]) == 1

    async def apply_batch(self, messages: list[tuple[str, str | None, bytes]]) -> int:
        """(topic, key, body) of one poll; returns how many were decodable."""
        events: list[StageEvent] = []
        parsed_keys: set[str] = set()
        for topic, key, body in messages:
            try:
                events.append(self._types[topic].model_validate_json(body))
            except (KeyError, ValidationError):
                log.warning("undecodable stage event on %s skipped", topic)
                continue
            if topic == self._parsed_topic and key:
                parsed_keys.add(key)
        if events or parsed_keys:
            async with self._pool.acquire() as conn, conn.transaction():
                await record_stages(PostgresIntakeStore(conn), events)
                if self._acknowledges is not None and parsed_keys:
                    await acknowledge(conn, self._acknowledges, sorted(parsed_keys))
        return len(events)

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
                    messages = [
                        (m.topic, _key(m.key), m.value or b"")
                        for records in batch.values()
                        for m in records
                    ]
                    if messages:
                        await self.apply_batch(messages)
                        await consumer.commit()
            except Exception:
                log.warning("stage recorder failed; re-joining", exc_info=True)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), 2.0)
            finally:
                await consumer.stop()


def _key(key: bytes | str | None) -> str | None:
    return key.decode() if isinstance(key, bytes) else key
