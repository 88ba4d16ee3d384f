"""Faults of the infrastructure under a flowing pipeline: the broker loses everything, the
database goes away, a poison message arrives. Each scenario prints its figures."""

from __future__ import annotations

import asyncio
import os
import smtplib
import time
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from hirestream.cli.demo_data import generate_demo_applications
from hirestream.cli.testing import Pipeline
from hirestream.contracts import ApplicationReceivedV1, topic_name
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
        with pytest.raises(smtplib.SMTPRecipientsRefused) as deferred:
            pipeline.submit(smtp_app)
        assert [code for code, _ in deferred.value.recipients.values()] == [451]
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


@pytest.mark.pipeline_env(**FAST_RECONCILER)
def test_poison_message_is_dead_lettered_within_3_attempts_and_its_partition_flows_on(
    stack: Stack, pipeline: Pipeline, tmp_path: Path
) -> None:
    slugs = pipeline.load_postings()
    topic = topic_name(ApplicationReceivedV1.topic, pipeline.config.topic_prefix)

    async def poison_every_partition() -> int:
        producer = AIOKafkaProducer(
            bootstrap_servers=stack.kafka_bootstrap, enable_idempotence=False
        )
        await producer.start()
        try:
            partitions = sorted(await producer.partitions_for(topic))
            for partition in partitions:
                await producer.send_and_wait(topic, b'{"not": "an event"}', partition=partition)
            return len(partitions)
        finally:
            await producer.stop()

    poisoned = asyncio.run(poison_every_partition())
    started = time.monotonic()
    applications = generate_demo_applications(tmp_path / "cvs")[:6]
    for application in applications:
        pipeline.submit(application)
    took = pipeline.wait_for(
        lambda: completed(pipeline, slugs)[0] == len(applications), "applications behind the poison"
    )
    print(f"poison: partitions={poisoned} flowed_again_after={time.monotonic() - started:.1f}s")
    assert took >= 0

    import asyncpg

    async def dead_letters() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(pipeline.config.database_url)
        try:
            return await conn.fetch("SELECT topic, attempts, error FROM parser.dead_letters")
        finally:
            await conn.close()

    rows = asyncio.run(dead_letters())
    assert len(rows) == poisoned
    assert all(r["topic"] == topic and r["attempts"] <= 3 for r in rows)
