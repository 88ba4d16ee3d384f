"""The next stage's events mark our outbox rows answered, so the reconciler leaves them be;
an unanswered row is re-driven."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from hirestream.contracts import (
    ApplicationScoredV1,
    NotificationSentV1,
    PostingPublishedV1,
    Tier,
    topic_name,
)
from hirestream.kit.outbox import add_to_outbox, redrive_unacknowledged
from hirestream.kit.runtime import build_broker, register_acknowledgement
from hirestream.kit.settings import ServiceSettings
from hirestream.kit.testing import Stack

pytestmark = pytest.mark.integration


async def queued_and_sent(pool: asyncpg.Pool, event: PostingPublishedV1 | ApplicationScoredV1,
                          prefix: str) -> None:  # fmt: skip
    async with pool.acquire() as conn, conn.transaction():
        await add_to_outbox(conn, event, topic_prefix=prefix)
    await pool.execute("UPDATE outbox SET sent_at = now() - interval '1 hour'")


async def acked(pool: asyncpg.Pool, topic: str) -> bool:
    return bool(
        await pool.fetchval(
            "SELECT bool_and(acked_at IS NOT NULL) FROM outbox WHERE topic = $1", topic
        )
    )


async def wait_for(pool: asyncpg.Pool, topic: str, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await acked(pool, topic):
        assert asyncio.get_running_loop().time() < deadline, f"{topic} not acknowledged"
        await asyncio.sleep(0.1)


async def test_a_downstream_field_acknowledges_rows_keyed_by_it_and_the_rest_are_redriven(
    stack: Stack, pool: asyncpg.Pool, topic_prefix: str
) -> None:
    announced = PostingPublishedV1(
        posting_id=uuid.uuid4(), slug="nurse", title="Nurse", requirements_version=1
    )
    unheard = PostingPublishedV1(
        posting_id=uuid.uuid4(), slug="accountant", title="Accountant", requirements_version=1
    )
    scored = ApplicationScoredV1(
        application_id=uuid.uuid4(), posting_id=announced.posting_id, score=80,
        tier=Tier.STRONG, requirements_version=1, rubric_version="r", parser_version="p",
    )  # fmt: skip
    for event in (announced, unheard, scored):
        await queued_and_sent(pool, event, topic_prefix)

    broker = build_broker(
        ServiceSettings(KAFKA_BOOTSTRAP_SERVERS=stack.kafka_bootstrap), "svc-acks-test"
    )
    # By record key (application id) and by the posting_id field, as the scorer wires them.
    register_acknowledgement(
        broker, pool, NotificationSentV1, ApplicationScoredV1, "svc", topic_prefix
    )
    register_acknowledgement(
        broker, pool, NotificationSentV1, PostingPublishedV1, "svc", topic_prefix,
        key_field="posting_id",
    )  # fmt: skip
    await broker.start()
    producer = AIOKafkaProducer(
        bootstrap_servers=stack.kafka_bootstrap, acks="all", enable_idempotence=False
    )
    await producer.start()
    try:
        sent = NotificationSentV1(
            application_id=scored.application_id, posting_id=announced.posting_id,
            delivery_id=uuid.uuid4(), channel="email", status="sent",
        )  # fmt: skip
        await producer.send_and_wait(
            topic_name(NotificationSentV1.topic, topic_prefix),
            sent.model_dump_json().encode(),
            key=sent.key().encode(),
        )
        scored_topic = topic_name(ApplicationScoredV1.topic, topic_prefix)
        await wait_for(pool, scored_topic)
        posting_topic = topic_name(PostingPublishedV1.topic, topic_prefix)
        deadline = asyncio.get_running_loop().time() + 30
        while not await pool.fetchval(
            "SELECT acked_at IS NOT NULL FROM outbox WHERE key = $1", announced.key()
        ):
            assert asyncio.get_running_loop().time() < deadline, "posting not acknowledged"
            await asyncio.sleep(0.1)
    finally:
        await producer.stop()
        await broker.stop()

    # The posting nobody has sent anything for is re-driven; the answered ones are not.
    redriven = await redrive_unacknowledged(
        pool, [scored_topic, posting_topic], older_than_seconds=1, max_redrives=5
    )
    assert redriven == [(posting_topic, unheard.key())]
