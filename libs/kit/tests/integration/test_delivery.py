"""Outbox, relay, inbox and consumer against the real PostgreSQL and broker."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from hirestream.contracts import DEAD_LETTER_TOPIC, PostingPublishedV1, topic_name
from hirestream.kit.consumer import EventConsumer, Subscription
from hirestream.kit.db import create_pool
from hirestream.kit.migrations import apply_migrations, kit_migrations
from hirestream.kit.outbox import OutboxRelay, add_to_outbox
from hirestream.kit.runtime import build_broker, register
from hirestream.kit.settings import ServiceSettings
from hirestream.kit.testing import Stack

pytestmark = pytest.mark.integration

SCHEMA = "svc"


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    conn = await asyncpg.connect(database_url)
    await apply_migrations(conn, SCHEMA, kit_migrations())
    await conn.execute("CREATE TABLE svc.effects (posting_id uuid NOT NULL, slug text NOT NULL)")
    await conn.close()
    pool = await create_pool(database_url, SCHEMA)
    yield pool
    await pool.close()


def posting(slug: str = "backend-engineer") -> PostingPublishedV1:
    return PostingPublishedV1(posting_id=uuid.uuid4(), slug=slug, title="T", requirements_version=1)


async def producer(stack: Stack) -> AIOKafkaProducer:
    prod = AIOKafkaProducer(
        bootstrap_servers=stack.kafka_bootstrap, acks="all", enable_idempotence=False
    )
    await prod.start()
    return prod


async def wait_until(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.1)


async def test_relay_publishes_outbox_rows_with_trace_context_and_marks_them_sent(
    stack: Stack, pool: asyncpg.Pool, topic_prefix: str
) -> None:
    event = posting()
    async with pool.acquire() as conn, conn.transaction():
        await add_to_outbox(conn, event, topic_prefix=topic_prefix)
    prod = await producer(stack)

    async def publish(topic: str, key: bytes, body: bytes, headers: dict[str, str]) -> None:
        await prod.send_and_wait(
            topic, body, key=key, headers=[(k, v.encode()) for k, v in headers.items()]
        )

    relay = OutboxRelay(pool, publish)
    assert await relay.relay_once() == 1
    assert await relay.relay_once() == 0  # sent rows are not sent again
    await prod.stop()
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0

    consumer = AIOKafkaConsumer(
        topic_name(event.topic, topic_prefix),
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        group_id=f"g{uuid.uuid4().hex[:6]}",
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), 10)
    finally:
        await consumer.stop()
    assert record.key == str(event.posting_id).encode()
    assert PostingPublishedV1.model_validate(json.loads(record.value)) == event


async def test_rolled_back_transaction_leaves_no_outbox_row(pool: asyncpg.Pool) -> None:
    with pytest.raises(RuntimeError):
        async with pool.acquire() as conn, conn.transaction():
            await add_to_outbox(conn, posting())
            raise RuntimeError("state change failed")
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


async def run_consumer(
    stack: Stack, pool: asyncpg.Pool, prefix: str, handler, *, max_attempts: int = 5
):  # type: ignore[no-untyped-def]
    settings = ServiceSettings(KAFKA_BOOTSTRAP_SERVERS=stack.kafka_bootstrap)
    broker = build_broker(settings, "svc-test")
    consumer = EventConsumer(
        pool, "svc", topic_prefix=prefix, max_attempts=max_attempts, backoff_base=0.01
    )
    register(
        broker,
        consumer,
        Subscription(PostingPublishedV1, handler),
        group_id=f"svc-{prefix}",
        topic_prefix=prefix,
    )
    await broker.start()
    return broker


async def record_effect(conn: asyncpg.Connection, event: PostingPublishedV1) -> None:
    await conn.execute("INSERT INTO effects VALUES ($1, $2)", event.posting_id, event.slug)


async def test_duplicate_delivery_is_applied_once(
    stack: Stack, pool: asyncpg.Pool, topic_prefix: str
) -> None:
    event = posting()
    prod = await producer(stack)
    topic = topic_name(event.topic, topic_prefix)
    for _ in range(2):  # the same event delivered twice, as a relay crash would
        await prod.send_and_wait(topic, event.model_dump_json().encode(), key=event.key().encode())
    marker = posting("after-the-duplicates")
    await prod.send_and_wait(topic, marker.model_dump_json().encode(), key=event.key().encode())
    await prod.stop()

    broker = await run_consumer(stack, pool, topic_prefix, record_effect)
    try:
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 2 FROM effects"))
        await asyncio.sleep(0.5)  # give a wrongly applied duplicate time to show up
    finally:
        await broker.stop()
    rows = await pool.fetch("SELECT slug FROM effects ORDER BY slug")
    assert [r["slug"] for r in rows] == ["after-the-duplicates", "backend-engineer"]
    assert await pool.fetchval("SELECT count(*) FROM inbox") == 2


async def test_failed_handler_rolls_back_and_poison_event_is_dead_lettered_while_partition_flows(
    stack: Stack, pool: asyncpg.Pool, topic_prefix: str
) -> None:
    poison, healthy = posting("poison"), posting("healthy")
    calls: list[str] = []

    async def handler(conn: asyncpg.Connection, event: PostingPublishedV1) -> None:
        calls.append(event.slug)
        await record_effect(conn, event)
        if event.slug == "poison":
            raise ValueError("cannot handle this posting")

    prod = await producer(stack)
    topic = topic_name(poison.topic, topic_prefix)
    for event in (poison, healthy):  # same key: same partition, healthy waits behind poison
        await prod.send_and_wait(topic, event.model_dump_json().encode(), key=b"same-key")
    await prod.stop()

    broker = await run_consumer(stack, pool, topic_prefix, handler, max_attempts=3)
    try:
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 1 FROM effects"))
    finally:
        await broker.stop()
    assert calls.count("poison") == 3
    assert [r["slug"] for r in await pool.fetch("SELECT slug FROM effects")] == ["healthy"]
    dead = await pool.fetchrow("SELECT topic, payload FROM outbox")
    assert dead["topic"] == topic_name(DEAD_LETTER_TOPIC, topic_prefix)
    assert dead["payload"]["original_event_id"] == str(poison.event_id)
    assert dead["payload"]["attempts"] == 3
    assert "cannot handle this posting" in dead["payload"]["error"]
