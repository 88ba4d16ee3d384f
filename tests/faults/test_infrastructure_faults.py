"""Faults of the infrastructure under a flowing pipeline: the broker loses everything, the
database goes away, a poison message arrives. Each scenario prints its figures."""

from __future__ import annotations

import asyncio
import json
import os
import smtplib
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from hirestream.cli.demo_data import generate_demo_applications
from hirestream.cli.testing import Pipeline
from hirestream.contracts import (
    DEAD_LETTER_TOPIC,
    ApplicationReceivedV1,
    BlobRef,
    Channel,
    retry_topic,
    topic_name,
)
from hirestream.kit.testing import Stack

pytestmark = pytest.mark.e2e

DB_OUTAGE_SECONDS = float(os.environ.get("HIRESTREAM_FAULT_DB_OUTAGE_SECONDS", "30"))
FAST_RECONCILER = {
    "HIRESTREAM_REDRIVE_AFTER_SECONDS": "4",
    "HIRESTREAM_RECONCILE_INTERVAL_SECONDS": "1",
    "HIRESTREAM_MAX_ATTEMPTS": "3",
}


def completed(pipeline: Pipeline, slugs: list[str]) -> tuple[int, int]:
    scored = sum(len(pipeline.api.ranking(s)["items"]) for s in slugs)
    notified = len({m.message_id for m in pipeline.sink.messages})
    return scored, notified


@pytest.mark.pipeline_env(**FAST_RECONCILER)
def test_broker_killed_and_restarted_mid_run_every_application_completes(
    stack: Stack, pipeline: Pipeline, tmp_path: Path
) -> None:
    if stack.tansu is None:
        pytest.skip("needs the embedded broker (KAFKA_BOOTSTRAP_SERVERS points elsewhere)")
    slugs = pipeline.load_postings()
    applications = generate_demo_applications(tmp_path / "cvs")[:12]
    for application in applications[:6]:
        pipeline.submit(application)
    time.sleep(0.5)  # some in flight, some done
    stack.tansu.kill()  # kill -9: everything it held in memory is gone
    time.sleep(1)
    stack.tansu.start()
    restarted = time.monotonic()
    for application in applications[6:]:
        pipeline.submit(application)
    recovery = pipeline.wait_for(
        lambda: completed(pipeline, slugs) == (len(applications), len(applications)),
        "every application scored and notified after the broker restart",
        timeout=150,
    )
    scored, notified = completed(pipeline, slugs)
    print(
        f"broker restart: submitted={len(applications)} completed={notified} "
        f"lost={len(applications) - notified} recovery={time.monotonic() - restarted:.1f}s"
    )
    assert scored == notified == len(applications)
    assert len(pipeline.sink.messages) == len(applications)  # no duplicate notifications
    assert recovery > 0


@pytest.mark.pipeline_env(**FAST_RECONCILER)
def test_database_outage_refuses_cleanly_then_recovers_without_restarting_services(
    stack: Stack, pipeline: Pipeline, tmp_path: Path
) -> None:
    if stack.postgres is None:
        pytest.skip("needs the embedded PostgreSQL (DATABASE_URL points elsewhere)")
    slugs = pipeline.load_postings()
    applications = generate_demo_applications(tmp_path / "cvs")[:8]
    for application in applications[:4]:
        pipeline.submit(application)
    stack.postgres.stop("fast")
    down_since = time.monotonic()
    try:
        form = applications[4]
        with pytest.raises(httpx.HTTPStatusError) as refused:
            pipeline.submit(form if form.channel == "form" else applications[5])
        assert refused.value.response.status_code == 503
        assert refused.value.response.headers["Retry-After"]
        smtp_app = next(a for a in applications if a.channel == "smtp")
        with pytest.raises((smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)) as deferred:
            pipeline.submit(smtp_app)
        # 451 at RCPT, or at DATA when RCPT still knew the posting from its few seconds'
        # memory: either way nothing was accepted and the sender keeps the mail to retry.
        assert smtp_reply_codes(deferred.value) == [451]
        # The services keep running without their database for the whole outage.
        time.sleep(max(0.0, DB_OUTAGE_SECONDS - (time.monotonic() - down_since)))
    finally:
        stack.postgres.start()
    back = time.monotonic()
    for application in applications[4:]:
        pipeline.wait_for(
            lambda a=application: pipeline.submit(a) is None, "intake accepting again"
        )
    pipeline.wait_for(
        lambda: completed(pipeline, slugs) == (len(applications), len(applications)),
        "every application completed after the outage",
        timeout=150,
    )
    for name, proc in pipeline.processes.procs.items():
        assert proc.poll() is None, f"{name} had to be restarted"
    print(
        f"database outage: submitted={len(applications)} completed={len(applications)} "
        f"recovery={time.monotonic() - back:.1f}s"
    )


# Retries of a failing event wait 10 s, then 20 s: far longer than the applications behind it
# need, so if anything behind the poison waited for its retries, the test would see it.
POISON = {
    **FAST_RECONCILER,
    "HIRESTREAM_RETRY_BACKOFF_SECONDS": "10",
    "HIRESTREAM_RETRY_BACKOFF_MAX_SECONDS": "20",
}


@pytest.mark.pipeline_env(**POISON)
def test_poison_messages_go_through_the_retry_topic_to_dead_letters_while_their_partitions_flow(
    stack: Stack, pipeline: Pipeline, tmp_path: Path
) -> None:
    slugs = pipeline.load_postings()
    prefix = pipeline.config.topic_prefix
    topic = topic_name(ApplicationReceivedV1.topic, prefix)

    async def poison_every_partition() -> tuple[int, set[str]]:
        """On every partition: bytes that are no event, and a valid event the parser can never
        process (its CV is in no blob store)."""
        producer = AIOKafkaProducer(
            bootstrap_servers=stack.kafka_bootstrap, enable_idempotence=False
        )
        await producer.start()
        failing: set[str] = set()
        try:
            partitions = sorted(await producer.partitions_for(topic))
            for partition in partitions:
                await producer.send_and_wait(topic, b'{"not": "an event"}', partition=partition)
                event = ApplicationReceivedV1(
                    application_id=uuid.uuid4(),
                    posting_id=uuid.uuid4(),
                    posting_slug="nowhere",
                    channel=Channel.API,
                    cv=BlobRef(sha256="0" * 64, media_type="application/pdf", size=1),
                )
                await producer.send_and_wait(
                    topic,
                    event.model_dump_json().encode(),
                    key=event.key().encode(),
                    partition=partition,
                    headers=[("x-fault-suite", b"poison")],
                )
                failing.add(str(event.event_id))
            return len(partitions), failing
        finally:
            await producer.stop()

    async def query(sql: str, *args: object) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(pipeline.config.database_url)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    def dead_letters() -> list[asyncpg.Record]:
        return asyncio.run(
            query("SELECT event_id::text, topic, attempts, error, headers FROM parser.dead_letters")
        )

    partitions, failing = asyncio.run(poison_every_partition())
    started = time.monotonic()
    applications = generate_demo_applications(tmp_path / "cvs")[:6]
    for application in applications:
        pipeline.submit(application)  # behind the poison on whichever partition they land
    took = pipeline.wait_for(
        lambda: completed(pipeline, slugs)[0] == len(applications), "applications behind the poison"
    )
    # Nothing behind the poison waited for it: its second attempt is not even due yet.
    retrying = [r for r in dead_letters() if r["event_id"] in failing]
    assert retrying == [], f"dead-lettered before the applications behind it completed: {took}s"

    pipeline.wait_for(
        lambda: len(dead_letters()) == 2 * partitions, "every poison message dead-lettered", 150
    )
    parked = time.monotonic() - started
    rows = dead_letters()
    garbage = [r for r in rows if r["event_id"] not in failing]
    retried = [r for r in rows if r["event_id"] in failing]
    assert len(garbage) == len(retried) == partitions
    assert all(r["topic"] == topic and r["attempts"] == 1 for r in garbage)
    for row in retried:
        assert row["topic"] == topic and row["attempts"] == 3, row
        assert "MissingBlob" in row["error"]
        assert json.loads(row["headers"])["x-fault-suite"] == "poison"  # original headers kept
    # Each retried event travelled twice through parser.retry.v1 (attempts 1 and 2), and each
    # record was taken; every dead letter went out on deadletter.v1.
    retries = asyncio.run(
        query(
            "SELECT payload->>'event_id' AS event_id, acked_at FROM parser.outbox WHERE topic = $1",
            topic_name(retry_topic("parser"), prefix),
        )
    )
    assert sorted(r["event_id"] for r in retries) == sorted([*failing, *failing])
    assert all(r["acked_at"] is not None for r in retries)
    published = asyncio.run(
        query(
            "SELECT count(*) AS n FROM parser.outbox WHERE topic = $1 AND sent_at IS NOT NULL",
            topic_name(DEAD_LETTER_TOPIC, prefix),
        )
    )
    assert published[0]["n"] == 2 * partitions
    print(
        f"poison: partitions={partitions} behind_the_poison_completed_after={took:.1f}s "
        f"dead_lettered_after={parked:.1f}s (retries due after 10 s and 20 s more)"
    )


def smtp_reply_codes(error: smtplib.SMTPException) -> list[int]:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return [code for code, _ in error.recipients.values()]
    assert isinstance(error, smtplib.SMTPResponseException)
    return [error.smtp_code]
