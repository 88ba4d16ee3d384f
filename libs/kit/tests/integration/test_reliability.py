"""Reconciler re-drives and dead-letter replay, against the real PostgreSQL and broker."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from hirestream.contracts import PostingPublishedV1, topic_name
from hirestream.kit.consumer import EventConsumer, Subscription
from hirestream.kit.db import create_pool
from hirestream.kit.devstack import ensure_topics
from hirestream.kit.dlq import get_dead_letter, list_dead_letters, replay_dead_letter
from hirestream.kit.migrations import apply_migrations, kit_migrations
from hirestream.kit.outbox import OutboxRelay, acknowledge, add_to_outbox, redrive_unacknowledged
from hirestream.kit.runtime import build_broker, register, register_retries
from hirestream.kit.settings import ServiceSettings
from hirestream.kit.testing import Stack

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    conn = await asyncpg.connect(database_url)
    await apply_migrations(conn, "svc", kit_migrations())
    await conn.execute("CREATE TABLE svc.effects (slug text NOT NULL)")
    await conn.close()
    pool = await create_pool(database_url, "svc")
    yield pool
    await pool.close()


def posting(slug: str) -> PostingPublishedV1:
    return PostingPublishedV1(posting_id=uuid.uuid4(), slug=slug, title="T", requirements_version=1)


async def test_sent_rows_without_a_next_stage_answer_are_redriven_with_growing_waits(
    pool: asyncpg.Pool,
) -> None:
    answered, lost = posting("answered"), posting("lost")
    async with pool.acquire() as conn, conn.transaction():
        for event in (answered, lost):
            await add_to_outbox(conn, event)
        await conn.execute("UPDATE outbox SET sent_at = now() - interval '10 seconds'")
        assert await acknowledge(conn, answered.topic, answered.key()) == 1

    redriven = await redrive_unacknowledged(
        pool, [lost.topic], older_than_seconds=5, max_redrives=2
    )
    assert redriven == [(lost.topic, lost.key())]
    assert await pool.fetchval("SELECT sent_at FROM outbox WHERE key = $1", lost.key()) is None
    # Published again 10 s ago: the second re-drive now waits 2 × 5 s, so not yet...
    await pool.execute("UPDATE outbox SET sent_at = now() - interval '8 seconds'")
    assert (
        await redrive_unacknowledged(pool, [lost.topic], older_than_seconds=5, max_redrives=2) == []
    )
    # ...and after max_redrives the reconciler gives up on it.
    await pool.execute("UPDATE outbox SET sent_at = now() - interval '1 hour', redrives = 2")
    assert (
        await redrive_unacknowledged(pool, [lost.topic], older_than_seconds=5, max_redrives=2) == []
    )


async def test_dead_letter_is_listed_and_replayed_once_after_the_cause_is_fixed(
    stack: Stack, pool: asyncpg.Pool, topic_prefix: str
) -> None:
    broken = {"yes": True}

    async def handler(conn: asyncpg.Connection, event: PostingPublishedV1) -> None:
        if broken["yes"]:
            raise RuntimeError("downstream bug")
        await conn.execute("INSERT INTO effects VALUES ($1)", event.slug)

    event = posting("replay-me")
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, enable_idempotence=False)
    await producer.start()
    topic = topic_name(event.topic, topic_prefix)
    await producer.send_and_wait(topic, event.model_dump_json().encode(), key=event.key().encode())

    async def publish(t: str, key: bytes, body: bytes, headers: dict[str, str]) -> None:
        await producer.send_and_wait(
            t, body, key=key, headers=[(k, v.encode()) for k, v in headers.items()]
        )

    broker = build_broker(ServiceSettings(KAFKA_BOOTSTRAP_SERVERS=stack.kafka_bootstrap), "svc")
    consumer = EventConsumer(
        pool, "svc", topic_prefix=topic_prefix, max_attempts=2, backoff_base=0.01
    )
    await ensure_topics(stack.kafka_bootstrap, [consumer.retry_topic])
    register(
        broker, consumer, Subscription(PostingPublishedV1, handler), group_id=f"g{topic_prefix}"
    )
    register_retries(broker, consumer, group_id=f"r{topic_prefix}")
    await broker.start()
    relay = OutboxRelay(pool, publish)
    try:
        for _ in range(200):
            await relay.relay_once()  # the retry record travels through the outbox
            if await list_dead_letters(pool):  # type: ignore[arg-type]
                break
            await asyncio.sleep(0.05)
        (dead,) = await list_dead_letters(pool)  # type: ignore[arg-type]
        assert dead.topic == topic and dead.attempts == 2 and "downstream bug" in dead.error
        assert dead.event_id == str(event.event_id)

        broken["yes"] = False
        async with pool.acquire() as conn, conn.transaction():
            assert await replay_dead_letter(conn, dead.id)
            assert not await replay_dead_letter(conn, dead.id)  # a second replay is refused
        while await relay.relay_once():
            pass
        for _ in range(200):
            if await pool.fetchval("SELECT count(*) FROM effects"):
                break
            await asyncio.sleep(0.05)
    finally:
        await broker.stop()
        await producer.stop()
    assert [r["slug"] for r in await pool.fetch("SELECT slug FROM effects")] == ["replay-me"]
    assert await list_dead_letters(pool) == []  # type: ignore[arg-type]
    replayed = await get_dead_letter(pool, dead.id)  # type: ignore[arg-type]
    assert replayed is not None and replayed.replayed_at is not None
