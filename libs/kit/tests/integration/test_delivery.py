"""Outbox, relay, inbox and consumer against the real PostgreSQL and broker."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from opentelemetry.trace import get_current_span

from hirestream.contracts import DEAD_LETTER_TOPIC, PostingPublishedV1, topic_name
from hirestream.kit.consumer import EventConsumer, PermanentError, Subscription
from hirestream.kit.db import create_pool
from hirestream.kit.devstack import ensure_topics
from hirestream.kit.migrations import apply_migrations, kit_migrations
from hirestream.kit.outbox import OutboxRelay, add_to_outbox, redrive_unacknowledged
from hirestream.kit.runtime import build_broker, register, register_retries
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


async def test_running_relay_sends_notified_rows_at_once_and_silent_rows_on_its_poll(
    pool: asyncpg.Pool,
) -> None:
    published: list[str] = []

    async def publish(topic: str, key: bytes, body: bytes, headers: dict[str, str]) -> None:
        published.append(json.loads(body)["slug"])

    async def sent(slug: str) -> bool:
        return slug in published

    relay = OutboxRelay(pool, publish, poll_seconds=0.5)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(0.7)  # idle polls found nothing to send
        async with pool.acquire() as conn, conn.transaction():
            await add_to_outbox(conn, posting("notified"))  # wakes the relay (NOTIFY)
        await wait_until(lambda: sent("notified"), timeout=0.4)
        # A row written without a NOTIFY (e.g. a listener connection lost meanwhile).
        await pool.execute(
            "INSERT INTO outbox (event_id, topic, key, payload, headers)"
            " VALUES ($1, 't', 'k', $2, '{}')",
            uuid.uuid4(),
            {"slug": "silent"},
        )
        await wait_until(lambda: sent("silent"), timeout=2)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    assert published == ["notified", "silent"]
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0


async def test_rolled_back_transaction_leaves_no_outbox_row(pool: asyncpg.Pool) -> None:
    with pytest.raises(RuntimeError):
        async with pool.acquire() as conn, conn.transaction():
            await add_to_outbox(conn, posting())
            raise RuntimeError("state change failed")
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 0


class Running:
    """The consumer side of a service as ``run_service`` wires it: the main subscriber and the
    retry subscriber (batches), plus an outbox relay publishing retry and dead-letter rows."""

    def __init__(self, broker, relay_task, stop, dropped):  # type: ignore[no-untyped-def]
        self.broker, self.relay_task, self.stop, self.dropped = broker, relay_task, stop, dropped

    async def close(self) -> None:
        self.stop.set()
        await self.relay_task
        await self.broker.stop()


async def run_consumer(
    stack: Stack,
    pool: asyncpg.Pool,
    prefix: str,
    handler,  # type: ignore[no-untyped-def]
    *,
    max_attempts: int = 5,
    backoff_base: float = 0.01,
    batch_max: int = 100,
    drop_first_retry: bool = False,
    batch_seconds: float = 20.0,
    prefetch=None,  # type: ignore[no-untyped-def]
) -> Running:
    consumer = EventConsumer(
        pool,
        "svc",
        topic_prefix=prefix,
        max_attempts=max_attempts,
        backoff_base=backoff_base,
        outage_backoff=0.1,
        batch_seconds=batch_seconds,
    )
    await ensure_topics(stack.kafka_bootstrap, [consumer.retry_topic])
    settings = ServiceSettings(KAFKA_BOOTSTRAP_SERVERS=stack.kafka_bootstrap)
    broker = build_broker(settings, "svc-test")
    register(
        broker,
        consumer,
        Subscription(PostingPublishedV1, handler, prefetch),
        group_id=f"svc-{prefix}",
        batch_max=batch_max,
    )
    register_retries(broker, consumer, group_id=f"svc-retry-{prefix}")
    await broker.start()
    dropped: list[str] = []

    async def publish(topic: str, key: bytes, body: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
        if drop_first_retry and topic == consumer.retry_topic and not dropped:
            dropped.append(json.loads(body)["retry_id"])  # "acknowledged", then lost
            return None
        return await broker.publish(body, topic, key=key, headers=headers, no_confirm=True)

    stop = asyncio.Event()
    relay = OutboxRelay(pool, publish, poll_seconds=0.1)
    return Running(broker, asyncio.create_task(relay.run(stop)), stop, dropped)


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

    running = await run_consumer(stack, pool, topic_prefix, record_effect)
    try:
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 2 FROM effects"))
        await asyncio.sleep(0.5)  # give a wrongly applied duplicate time to show up
    finally:
        await running.close()
    rows = await pool.fetch("SELECT slug FROM effects ORDER BY slug")
    assert [r["slug"] for r in rows] == ["after-the-duplicates", "backend-engineer"]
    assert await pool.fetchval("SELECT count(*) FROM inbox") == 2


async def test_poison_event_goes_through_the_retry_topic_and_is_dead_lettered_while_partition_flows(
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
    for event in (poison, healthy):  # same key: same partition, healthy is behind poison
        await prod.send_and_wait(topic, event.model_dump_json().encode(), key=b"same-key")
    await prod.stop()

    # Retries wait 0.5 s then 1 s: the healthy event must not wait for any of that.
    running = await run_consumer(
        stack, pool, topic_prefix, handler, max_attempts=3, backoff_base=0.5
    )
    try:
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 1 FROM dead_letters"))
    finally:
        await running.close()
    assert calls[:2] == ["poison", "healthy"], "healthy waited behind the poison's retries"
    assert calls.count("poison") == 3
    assert [r["slug"] for r in await pool.fetch("SELECT slug FROM effects")] == ["healthy"]
    retries = await pool.fetch(
        "SELECT payload, acked_at FROM outbox WHERE topic = $1 ORDER BY id",
        topic_name("svc.retry.v1", topic_prefix),
    )
    assert [r["payload"]["attempt"] for r in retries] == [1, 2]
    assert all(r["acked_at"] is not None for r in retries), "taken retries are acknowledged"
    first = retries[0]["payload"]
    assert first["original_topic"] == topic and first["original_key"] == "same-key"
    assert first["event_id"] == str(poison.event_id)
    # Attempt 2 waits twice as long, counted from when attempt 2 failed (after the first wait).
    gap = datetime.fromisoformat(retries[1]["payload"]["not_before"]) - datetime.fromisoformat(
        first["not_before"]
    )
    assert gap >= timedelta(seconds=0.95)
    dead = await pool.fetchrow(
        "SELECT payload FROM outbox WHERE topic = $1", dead_letter_topic(topic_prefix)
    )
    assert dead["payload"]["original_event_id"] == str(poison.event_id)
    assert dead["payload"]["original_topic"] == topic
    assert dead["payload"]["attempts"] == 3
    assert "cannot handle this posting" in dead["payload"]["error"]
    row = await pool.fetchrow("SELECT topic, attempts, key FROM dead_letters")
    assert (row["topic"], row["attempts"], row["key"]) == (topic, 3, "same-key")


def dead_letter_topic(prefix: str) -> str:
    return topic_name(DEAD_LETTER_TOPIC, prefix)


async def test_retry_honours_its_delay_and_a_redelivered_retry_costs_no_extra_attempt(
    stack: Stack, pool: asyncpg.Pool, topic_prefix: str
) -> None:
    event = posting("flaky")
    seen: list[float] = []

    async def handler(conn: asyncpg.Connection, e: PostingPublishedV1) -> None:
        seen.append(asyncio.get_running_loop().time())
        if len(seen) == 1:
            raise RuntimeError("transient")
        await record_effect(conn, e)

    prod = await producer(stack)
    topic = topic_name(event.topic, topic_prefix)
    await prod.send_and_wait(topic, event.model_dump_json().encode(), key=event.key().encode())
    running = await run_consumer(stack, pool, topic_prefix, handler, backoff_base=1.0)
    try:
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 1 FROM effects"))
        # The broker hands the retry record out again (a relay or reconciler re-send).
        (record,) = await pool.fetch(
            "SELECT key, payload FROM outbox WHERE topic = $1",
            topic_name("svc.retry.v1", topic_prefix),
        )
        await prod.send_and_wait(
            topic_name("svc.retry.v1", topic_prefix),
            json.dumps(record["payload"]).encode(),
            key=record["key"].encode(),
        )
        await asyncio.sleep(1.0)
    finally:
        await running.close()
        await prod.stop()
    assert len(seen) == 2, "the repeated retry record ran the handler again"
    assert seen[1] - seen[0] >= 0.95, "retried before its not-before time"
    assert await pool.fetchval("SELECT attempts FROM consumer_failures") == 1
    assert await pool.fetchval("SELECT count(*) FROM effects") == 1


async def test_retry_lost_by_the_broker_is_redriven_from_postgres_and_applied_once(
    stack: Stack, pool: asyncpg.Pool, topic_prefix: str
) -> None:
    event = posting("lost-retry")
    attempts: list[str] = []

    async def handler(conn: asyncpg.Connection, e: PostingPublishedV1) -> None:
        attempts.append(e.slug)
        if len(attempts) == 1:
            raise RuntimeError("transient")
        await record_effect(conn, e)

    prod = await producer(stack)
    topic = topic_name(event.topic, topic_prefix)
    await prod.send_and_wait(topic, event.model_dump_json().encode(), key=event.key().encode())
    await prod.stop()
    retry = topic_name("svc.retry.v1", topic_prefix)
    running = await run_consumer(stack, pool, topic_prefix, handler, drop_first_retry=True)
    try:
        await wait_until(lambda: pool.fetchval("SELECT sent_at IS NOT NULL FROM outbox"))
        assert running.dropped, "the retry record was not lost as the test intended"
        await asyncio.sleep(0.5)
        assert await pool.fetchval("SELECT count(*) FROM effects") == 0
        # The reconciler's pass: the retry row was sent, never taken, so it is sent again.
        assert await redrive_unacknowledged(
            pool, [retry], older_than_seconds=0.1, max_redrives=5
        ) == [(retry, event.key())]
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 1 FROM effects"))
    finally:
        await running.close()
    assert attempts == ["lost-retry", "lost-retry"]
    assert await pool.fetchval("SELECT acked_at IS NOT NULL FROM outbox WHERE topic = $1", retry)


async def test_a_batch_commits_together_and_one_failing_event_rolls_back_alone(
    stack: Stack, pool: asyncpg.Pool, topic_prefix: str
) -> None:
    events = [posting(f"p{i}") for i in range(30)]
    failing_calls = 0

    async def handler(conn: asyncpg.Connection, event: PostingPublishedV1) -> None:
        nonlocal failing_calls
        await record_effect(conn, event)
        if event.slug == "p7":
            failing_calls += 1
            raise PermanentError("bad posting")

    prod = await producer(stack)
    topic = topic_name(PostingPublishedV1.topic, topic_prefix)
    for event in events:
        await prod.send_and_wait(topic, event.model_dump_json().encode(), key=b"k")
    await prod.stop()
    running = await run_consumer(stack, pool, topic_prefix, handler)
    try:
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 29 FROM effects"))
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 1 FROM dead_letters"))
    finally:
        await running.close()
    slugs = {r["slug"] for r in await pool.fetch("SELECT slug FROM effects")}
    assert slugs == {e.slug for e in events} - {"p7"}
    assert await pool.fetchval("SELECT attempts FROM dead_letters") == 1
    outcomes = await pool.fetch("SELECT outcome, count(*) AS n FROM inbox GROUP BY outcome")
    assert {r["outcome"]: r["n"] for r in outcomes} == {"processed": 29, "dead_lettered": 1}
    # The batch ran again without it: the failing handler ran once, not once per attempt.
    assert failing_calls == 1


async def test_a_batch_over_its_time_budget_commits_a_prefix_and_the_rest_follows_in_order(
    stack: Stack, pool: asyncpg.Pool, topic_prefix: str
) -> None:
    events = [posting(f"s{i:02d}") for i in range(20)]
    transactions: list[int] = []

    async def slow(conn: asyncpg.Connection, event: PostingPublishedV1) -> None:
        transactions.append(await conn.fetchval("SELECT txid_current()"))
        await asyncio.sleep(0.02)
        await record_effect(conn, event)

    prod = await producer(stack)
    topic = topic_name(PostingPublishedV1.topic, topic_prefix)
    for event in events:
        await prod.send_and_wait(topic, event.model_dump_json().encode(), key=b"one-partition")
    await prod.stop()
    await pool.execute("ALTER TABLE effects ADD COLUMN n bigserial")
    running = await run_consumer(stack, pool, topic_prefix, slow, batch_seconds=0.05)
    try:
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 20 FROM effects"))
        await asyncio.sleep(0.5)  # a wrongly re-applied or skipped event would show by now
    finally:
        await running.close()
    rows = await pool.fetch("SELECT slug FROM effects ORDER BY n")
    assert [r["slug"] for r in rows] == [e.slug for e in events]
    assert len(transactions) == 20, "an event ran twice (the rewind went too far back)"
    assert len(set(transactions)) > 1, "the budget never split the batch"


async def test_a_prefetch_hook_sees_each_batch_before_its_handlers_and_cannot_break_it(
    stack: Stack, pool: asyncpg.Pool, topic_prefix: str
) -> None:
    events = [posting(f"f{i:02d}") for i in range(12)]
    traces = {e.slug: uuid.uuid4().int for e in events}  # one trace per event, from its producer
    log: list[tuple[str, str]] = []
    in_trace: list[bool] = []
    failing_calls = 0

    def prefetch(event: PostingPublishedV1) -> None:
        log.append(("prefetch", event.slug))
        in_trace.append(get_current_span().get_span_context().trace_id == traces[event.slug])
        if len(log) == 1:
            raise RuntimeError("the hook is only an optimisation")

    async def handler(conn: asyncpg.Connection, event: PostingPublishedV1) -> None:
        nonlocal failing_calls
        log.append(("handle", event.slug))
        await record_effect(conn, event)
        if event.slug == "f05":
            failing_calls += 1
            raise PermanentError("bad posting")

    prod = await producer(stack)
    topic = topic_name(PostingPublishedV1.topic, topic_prefix)
    for event in events:
        parent = f"00-{traces[event.slug]:032x}-{uuid.uuid4().int >> 64:016x}-01"
        await prod.send_and_wait(
            topic,
            event.model_dump_json().encode(),
            key=b"one-partition",
            headers=[("traceparent", parent.encode())],
        )
    await prod.send_and_wait(topic, b"{not json", key=b"one-partition")  # dead-lettered
    await prod.stop()
    running = await run_consumer(stack, pool, topic_prefix, handler, prefetch=prefetch)
    try:
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 11 FROM effects"))
        await wait_until(lambda: pool.fetchval("SELECT count(*) = 2 FROM dead_letters"))
    finally:
        await running.close()
    # Every event was announced once, in order, before its handler ran, under its own trace...
    announced = [slug for kind, slug in log if kind == "prefetch"]
    assert announced == [e.slug for e in events], "not once each, in order (or the garbage too)"
    for i, (kind, slug) in enumerate(log):
        if kind == "handle":
            assert ("prefetch", slug) in log[:i], f"{slug} handled before it was prefetched"
    assert all(in_trace)
    # ...a batch's events all before its first handler...
    assert ("prefetch", "f01") in log[: log.index(("handle", "f00"))], "never a batch ahead"
    # ...the failing hook changed nothing, and the failure's re-run did not prefetch again.
    slugs = {r["slug"] for r in await pool.fetch("SELECT slug FROM effects")}
    assert slugs == {e.slug for e in events} - {"f05"}
    assert failing_calls == 1
