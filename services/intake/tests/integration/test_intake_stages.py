"""Intake records the later stages from the real broker: one consumer, its own group."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer

from hirestream.contracts import (
    ApplicationReceivedV1,
    ApplicationScoredV1,
    ParseStatus,
    ProfileParsedV1,
    Tier,
    topic_name,
)
from hirestream.intake.adapters.postgres import PostgresIntakeStore, snapshot
from hirestream.intake.config import IntakeSettings
from hirestream.intake.entrypoints.http import create_app
from hirestream.intake.entrypoints.kafka import StageRecorder
from hirestream.intake.ports import StageEntry
from hirestream.kit.testing import Stack

pytestmark = pytest.mark.integration
CV = b"%PDF-1.4 stage test"


async def apply(http: httpx.AsyncClient) -> uuid.UUID:
    """One application through the API; its id."""
    created = await http.post(
        "/v1/applications",
        data={"posting": "backend-engineer", "name": "Ana", "email": "ana@example.org"},
        files={"cv": ("cv.pdf", CV, "application/pdf")},
        headers={"X-API-Key": "k"},
    )
    return uuid.UUID(created.json()["application_id"])


async def test_later_stages_from_the_broker_appear_in_the_application_history(
    intake_pool: asyncpg.Pool, stack: Stack, topic_prefix: str
) -> None:
    app = create_app(intake_pool, IntakeSettings(api_key="k", topic_prefix=topic_prefix))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://intake"
    ) as http:
        application_id = await apply(http)
        posting_id = await intake_pool.fetchval(
            "SELECT posting_id FROM applications WHERE application_id = $1", application_id
        )
        parsed = ProfileParsedV1(
            application_id=application_id,
            posting_id=posting_id,
            profile_id=uuid.uuid4(),
            parser_version="p1",
            status=ParseStatus.PARSED,
        )
        scored = ApplicationScoredV1(
            application_id=application_id,
            posting_id=posting_id,
            score=77,
            tier=Tier.STRONG,
            requirements_version=1,
            rubric_version="r1",
            parser_version="p1",
        )
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
        await producer.start()
        try:
            for event in (parsed, scored, scored):  # a redelivery records nothing new
                await producer.send_and_wait(
                    topic_name(event.topic, topic_prefix),
                    event.model_dump_json().encode(),
                    key=str(application_id).encode(),
                )
            await producer.send_and_wait(
                topic_name(ProfileParsedV1.topic, topic_prefix), b"not json"
            )
        finally:
            await producer.stop()
        received_topic = topic_name(ApplicationReceivedV1.topic, topic_prefix)
        recorder = StageRecorder(
            intake_pool,
            stack.kafka_bootstrap,
            topic_prefix,
            f"intake.stages.{topic_prefix}",
            acknowledges=received_topic,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(recorder.run(stop))
        try:
            for _ in range(300):
                history = (await http.get(f"/v1/applications/{application_id}")).json()
                if len(history["stages"]) == 3:
                    break
                await asyncio.sleep(0.1)
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
    assert [s["stage"] for s in history["stages"]] == ["received", "parsed", "scored"]
    assert history["status"] == "scored"
    assert history["stages"][2]["tier"] == "strong"
    # profile.parsed answered our application.received: the reconciler leaves it alone.
    acked = await intake_pool.fetch(
        "SELECT acked_at IS NOT NULL AS acked FROM outbox WHERE topic = $1 AND key = $2",
        received_topic,
        str(application_id),
    )
    assert [r["acked"] for r in acked] == [True]


async def test_an_application_and_its_stages_are_read_from_one_snapshot(
    intake_pool: asyncpg.Pool,
) -> None:
    """``GET /v1/applications/{id}`` reads the application, then its stages. A stage recorded
    between the two reads must not show beside the status it has already moved past: the
    status could otherwise lag its own history (seen once in CI: 3 stages, status received)."""
    app = create_app(intake_pool, IntakeSettings(api_key="k"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://intake"
    ) as http:
        application_id = await apply(http)
    async with snapshot(intake_pool, "") as reader:
        record = await reader.application(application_id)
        assert record is not None and record.status == "received"
        async with intake_pool.acquire() as conn:  # the stage recorder, committing meanwhile
            await PostgresIntakeStore(conn, "").record_stages(
                [StageEntry(application_id, "parsed", datetime.now(UTC))]
            )
        stages = await reader.stages(application_id)
    assert [s.stage for s in stages] == ["received"]
    async with snapshot(intake_pool, "") as reader:  # a new snapshot sees both, consistently
        record = await reader.application(application_id)
        stages = await reader.stages(application_id)
    assert record is not None and record.status == "parsed"
    assert [s.stage for s in stages] == ["received", "parsed"]
