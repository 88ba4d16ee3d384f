"""The delivery worker against real servers: PostgreSQL, an SMTP sink on loopback and a local
HTTP server that checks Slack, Teams and signed-webhook requests and injects failures."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import deque
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from opentelemetry import context as otel_context

from hirestream.cli.sink import SmtpSink
from hirestream.contracts import (
    ApplicationReceivedV1,
    ApplicationScoredV1,
    BlobRef,
    Channel,
    NotificationSentV1,
    PostingPublishedV1,
    Tier,
)
from hirestream.kit.db import create_pool
from hirestream.kit.devstack import free_port
from hirestream.kit.outbox import add_to_outbox
from hirestream.kit.runtime import migrate
from hirestream.kit.telemetry import context_from_carrier
from hirestream.notifier.adapters.http_channels import HttpChannelSender
from hirestream.notifier.adapters.intake import IntakeContactDirectory
from hirestream.notifier.adapters.postgres import (
    PostgresDeliveryQueue,
    PostgresNotifierStore,
    flush_digests,
    replay_delivery,
    save_rules,
)
from hirestream.notifier.adapters.smtp import EmailChannelSender, SmtpEmailSender
from hirestream.notifier.domain.retry import RetryPolicy
from hirestream.notifier.domain.rules import PostingRules
from hirestream.notifier.entrypoints.http import http_app
from hirestream.notifier.entrypoints.worker import DeliveryWorker, WorkerConfig
from hirestream.notifier.handlers import (
    plan_candidate_acknowledgement,
    plan_notifications,
    record_posting,
)
from hirestream.notifier.ports import ChannelSender
from hirestream.notifier.testing import Behaviour, Receiver

pytestmark = pytest.mark.integration

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
POSTING = PostingPublishedV1(
    posting_id=uuid.UUID("22222222-2222-4222-8222-222222222222"),
    slug="be",
    title="Backend Engineer",
    requirements_version=1,
    notify_email="hiring-be@example.com",
)


class Clock:
    def __init__(self) -> None:
        self.current = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # 11:00 in Berlin

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class Env:
    def __init__(self, pool: asyncpg.Pool, receiver: Receiver, sink: SmtpSink, smtp_port: int):
        self.pool = pool
        self.receiver = receiver
        self.sink = sink
        self.clock = Clock()
        self.http = httpx.AsyncClient(timeout=0.5)
        email = EmailChannelSender(SmtpEmailSender("127.0.0.1", smtp_port, 5), "alerts@hs.test")
        self.senders: dict[str, ChannelSender] = {
            "email": email,
            "acknowledgement": email,
            "slack": HttpChannelSender("slack", self.http),
            "teams": HttpChannelSender("teams", self.http),
            "webhook": HttpChannelSender("webhook", self.http),
        }
        self.contacts = Behaviour(
            kind="contact",
            secret="intake-key",
            contacts={"*": {"name": "Ada Lovelace", "email": "ada@cand.test"}},
        )
        receiver.route("/internal/v1/applications/*", self.contacts)
        self.queue = PostgresDeliveryQueue(pool, "t.")

    def worker(self, **config: Any) -> DeliveryWorker:
        defaults: dict[str, Any] = {
            "poll_seconds": 0.05,
            "policy": RetryPolicy(max_attempts=3, base_seconds=10, max_seconds=60),
        }
        return DeliveryWorker(
            self.queue,
            self.senders,
            IntakeContactDirectory(self.http, self.receiver.url, "intake-key"),
            self.clock,
            WorkerConfig(**{**defaults, **config}),
            pool=self.pool,
        )

    async def rules(self, data: dict[str, Any]) -> None:
        await save_rules(self.pool, POSTING.slug, PostingRules.model_validate(data))

    async def score(
        self, tier: Tier = Tier.STRONG, application_id: uuid.UUID | None = None
    ) -> ApplicationScoredV1:
        event = ApplicationScoredV1(
            application_id=application_id or uuid.uuid4(),
            posting_id=POSTING.posting_id,
            score={"strong": 91, "possible": 64, "weak": 30}[tier.value],
            tier=tier,
            matched=["Python", "PostgreSQL"],
            missing=["Kafka"],
            requirements_version=1,
            rubric_version="r",
            parser_version="p",
        )
        async with self.pool.acquire() as conn, conn.transaction():
            await plan_notifications(
                PostgresNotifierStore(conn, "t."),
                event,
                self.clock,
                default_recipient="team@hs.test",
                public_url="http://intake.test",
            )
        return event

    async def statuses(self) -> dict[tuple[uuid.UUID, str], tuple[str, int]]:
        rows = await self.pool.fetch(
            "SELECT application_id, channel, status, attempts FROM deliveries"
        )
        return {(r["application_id"], r["channel"]): (r["status"], r["attempts"]) for r in rows}

    async def outbox(self) -> list[dict[str, Any]]:
        rows = await self.pool.fetch("SELECT payload FROM outbox ORDER BY id")
        return [r["payload"] for r in rows]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
async def env(database_url: str, receiver: Receiver) -> AsyncIterator[Env]:
    await migrate(database_url, "notifier", "hirestream.notifier")
    pool = await create_pool(database_url, "notifier")
    port = free_port()
    sink = SmtpSink(port)
    sink.start()
    e = Env(pool, receiver, sink, port)
    async with pool.acquire() as conn:
        await record_posting(PostgresNotifierStore(conn), POSTING)
    try:
        yield e
    finally:
        await e.http.aclose()
        sink.stop()
        await pool.close()


def channels(receiver: Receiver, **behaviours: Behaviour) -> list[dict[str, Any]]:
    found = []
    for kind, behaviour in behaviours.items():
        url = receiver.route(f"/{kind}", behaviour)
        entry: dict[str, Any] = {"type": behaviour.kind, "url": url}
        if behaviour.kind == "webhook":
            entry["secrets"] = ["whsec_old0000000000000000000000000=", SECRET]
        found.append(entry)
    return found


async def test_every_channel_delivers_once_with_valid_requests_and_no_candidate_contact(
    env: Env,
) -> None:
    await env.rules(
        {
            "rules": [
                {
                    "channels": [
                        {"type": "email", "include_contact": True},
                        *channels(
                            env.receiver,
                            slack=Behaviour("slack"),
                            teams=Behaviour("teams"),
                            webhook=Behaviour("webhook", secret=SECRET),
                        ),
                    ]
                }
            ]
        }
    )
    event = await env.score()
    await env.score(application_id=event.application_id)  # a redelivered event
    worker = env.worker()
    for channel in ("email", "slack", "teams", "webhook"):
        assert await worker.deliver_now(channel) == ["delivered"]
    # A restarted notifier (a new worker) finds nothing left to send.
    restarted = env.worker()
    for channel in ("email", "slack", "teams", "webhook"):
        assert await restarted.deliver_now(channel) == []

    for path in ("/slack", "/teams", "/webhook"):
        (request,) = env.receiver.at(path)
        assert request.problems == []
        assert "91" in request.body.decode() and "Python" in request.body.decode()
        assert (
            "ada@cand.test" not in request.body.decode() and "Lovelace" not in request.body.decode()
        )
    signatures = env.receiver.at("/webhook")[0].headers["webhook-signature"].split()
    assert len(signatures) == 2  # one per active secret
    (mail,) = env.sink.messages
    assert mail.recipients == ("hiring-be@example.com",)
    assert "Why: Python, PostgreSQL" in mail.body and "91" in mail.subject
    assert "ada@cand.test" in mail.body  # this team's email setting allows contact details
    assert str(event.application_id) in mail.body
    sent = await env.outbox()
    assert sorted(p["channel"] for p in sent) == ["email", "slack", "teams", "webhook"]
    assert {p["status"] for p in sent} == {"sent"}


async def test_500_then_429_with_retry_after_then_success(env: Env) -> None:
    flaky = Behaviour("webhook", secret=SECRET, script=deque([(500, None), (429, "7")]))
    await env.rules({"rules": [{"channels": channels(env.receiver, webhook=flaky)}]})
    event = await env.score()
    worker = env.worker()
    assert await worker.deliver_now("webhook") == ["retry"]
    assert await worker.deliver_now("webhook") == []  # not due: backing off (5 to 10 s)
    env.clock.advance(10)
    assert await worker.deliver_now("webhook") == ["retry"]  # the 429
    due = await env.pool.fetchval("SELECT due_at FROM deliveries")
    assert due == env.clock.now() + timedelta(seconds=7)  # Retry-After honoured
    env.clock.advance(7)
    assert await worker.deliver_now("webhook") == ["delivered"]
    assert (await env.statuses())[(event.application_id, "webhook")] == ("delivered", 3)
    requests = env.receiver.at("/webhook")
    assert len(requests) == 3 and len({r.headers["webhook-id"] for r in requests}) == 1


async def test_a_timeout_is_retried_and_the_budget_ends_in_a_replayable_dead_letter(
    env: Env,
) -> None:
    slow = Behaviour("slack", delay=1.0)  # the client gives up after 0.5 s
    await env.rules({"rules": [{"channels": channels(env.receiver, slack=slow)}]})
    event = await env.score()
    worker = env.worker()
    for _ in range(2):
        assert await worker.deliver_now("slack") == ["retry"]
        env.clock.advance(60)
    assert await worker.deliver_now("slack") == ["dead_lettered"]
    row = await env.pool.fetchrow("SELECT status, dead_reason, delivery_id FROM deliveries")
    assert row is not None
    assert row["status"] == "dead_lettered"
    assert row["dead_reason"].startswith("retry budget spent after 3 attempts: timeout")
    assert (await env.outbox())[-1]["status"] == "failed"

    slow.delay = 0  # the endpoint recovers; an operator replays
    replayed = await replay_delivery(env.pool, row["delivery_id"], env.clock.now())
    assert replayed is not None and replayed["status"] == "pending"
    assert await replay_delivery(env.pool, row["delivery_id"], env.clock.now()) is None
    assert await worker.deliver_now("slack") == ["delivered"]
    assert (await env.statuses())[(event.application_id, "slack")][0] == "delivered"


async def test_other_4xx_fails_permanently_at_once(env: Env) -> None:
    gone = Behaviour("teams", script=deque([(404, None)]))
    await env.rules({"rules": [{"channels": channels(env.receiver, teams=gone)}]})
    await env.score()
    assert await env.worker().deliver_now("teams") == ["dead_lettered"]
    reason = await env.pool.fetchval("SELECT dead_reason FROM deliveries")
    assert reason.startswith("permanent failure: HTTP 404")
    assert len(env.receiver.at("/teams")) == 1


async def test_a_slow_endpoint_holds_up_neither_other_channels_nor_other_teams(env: Env) -> None:
    gate = threading.Event()
    slow_slack = Behaviour("slack", gate=gate)
    env.http.timeout = httpx.Timeout(30)
    await env.rules(
        {
            "rules": [
                {
                    "name": "team-a",
                    "channels": [
                        {"type": "email"},
                        *channels(
                            env.receiver,
                            slack=slow_slack,
                            webhook=Behaviour("webhook", secret=SECRET),
                        ),
                    ],
                },
                {
                    "name": "team-b",
                    "channels": [
                        {"type": "slack", "url": env.receiver.route("/slack-b", Behaviour("slack"))}
                    ],
                },
            ]
        }
    )
    events = [await env.score() for _ in range(3)]
    stop = asyncio.Event()
    worker = env.worker(target_concurrency=1)
    task = asyncio.create_task(worker.run(stop))
    try:

        async def others_done() -> bool:
            s = await env.pool.fetch(
                "SELECT rule, channel, status FROM deliveries WHERE status = 'delivered'"
            )
            done = {(r["rule"], r["channel"]) for r in s}
            return len(s) == 9 and ("team-a", "slack") not in done

        for _ in range(200):
            if await others_done():
                break
            await asyncio.sleep(0.05)
        # Everything but team A's Slack arrived while its endpoint still holds the first request.
        assert await others_done()
        assert len(env.receiver.at("/slack")) == 1  # one in flight to that endpoint, no pile-up
        assert len(env.receiver.at("/slack-b")) == 3 and len(env.sink.messages) == 3
        gate.set()
        for _ in range(200):
            if (
                len(env.receiver.at("/slack")) == 3
                and (
                    await env.pool.fetchval(
                        "SELECT count(*) FROM deliveries WHERE status <> 'delivered'"
                    )
                )
                == 0
            ):
                break
            await asyncio.sleep(0.05)
        statuses = await env.statuses()
        assert all(statuses[(e.application_id, "slack")] == ("delivered", 1) for e in events)
    finally:
        gate.set()
        stop.set()
        await asyncio.wait_for(task, 10)


async def test_quiet_hours_hold_alerts_until_the_teams_morning(env: Env) -> None:
    await env.rules(
        {
            "rules": [
                {
                    "timezone": "Europe/Berlin",
                    "quiet_hours": {"start": "22:00", "end": "07:00"},
                    "channels": channels(env.receiver, slack=Behaviour("slack")),
                }
            ]
        }
    )
    env.clock.current = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)  # 23:00 in Berlin
    await env.score()
    worker = env.worker()
    assert await worker.deliver_now("slack") == []
    env.clock.current = datetime(2026, 3, 3, 5, 59, tzinfo=UTC)
    assert await worker.deliver_now("slack") == []
    env.clock.current = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert await worker.deliver_now("slack") == ["delivered"]


async def test_digest_tiers_arrive_together_at_the_teams_local_time(env: Env) -> None:
    await env.rules(
        {
            "rules": [
                {
                    "instant": ["strong"],
                    "digest": ["possible", "weak"],
                    "digest_schedule": {"cadence": "daily", "at": "09:00"},
                    "timezone": "Europe/Berlin",
                    "channels": [
                        {"type": "email"},
                        *channels(env.receiver, teams=Behaviour("teams")),
                    ],
                }
            ]
        }
    )
    strong = await env.score(Tier.STRONG)
    later = [await env.score(Tier.POSSIBLE), await env.score(Tier.WEAK), await env.score(Tier.WEAK)]
    worker = env.worker()
    assert await worker.deliver_now("email") == ["delivered"]  # the strong one, instantly
    assert await worker.deliver_now("teams") == ["delivered"]
    env.clock.current = datetime(2026, 3, 3, 7, 59, tzinfo=UTC)
    assert await worker.deliver_now("email") == []
    assert await flush_digests(env.pool, env.clock.now(), "another-posting") == 0
    env.clock.current = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    assert await worker.deliver_now("email", limit=1) == ["delivered"]  # one digest, 3 records
    assert await worker.deliver_now("teams") == ["delivered"]
    digest_mail = env.sink.messages[-1]
    assert digest_mail.subject == "Digest: 3 candidates for Backend Engineer"
    for event in later:
        assert str(event.application_id) in digest_mail.body
    assert str(strong.application_id) not in digest_mail.body
    card = env.receiver.at("/teams")[-1]
    assert card.problems == [] and "3 candidates" in card.body.decode()
    assert all(status == "delivered" for status, _ in (await env.statuses()).values())
    assert len([p for p in await env.outbox() if p["status"] == "sent"]) == 8


async def test_an_operator_can_send_a_pending_digest_now(env: Env) -> None:
    await env.rules(
        {
            "rules": [
                {
                    "instant": [],
                    "digest": ["strong", "possible", "weak"],
                    "digest_schedule": {"cadence": "weekly", "at": "08:00", "weekday": 4},
                    "channels": channels(env.receiver, slack=Behaviour("slack")),
                }
            ]
        }
    )
    await env.score(Tier.WEAK)
    await env.score(Tier.STRONG)
    worker = env.worker()
    assert await worker.deliver_now("slack") == []
    assert await flush_digests(env.pool, env.clock.now(), POSTING.slug) == 2
    assert await worker.deliver_now("slack") == ["delivered"]
    (digest,) = env.receiver.at("/slack")
    assert "2 candidates" in digest.body.decode()


async def test_acknowledgement_reaches_the_candidate_fetched_by_reference(env: Env) -> None:
    await env.rules(
        {
            "acknowledgement": {
                "enabled": True,
                "subject": "Thanks for applying to {{ posting_title }}",
            }
        }
    )
    received = ApplicationReceivedV1(
        application_id=uuid.uuid4(),
        posting_id=POSTING.posting_id,
        posting_slug=POSTING.slug,
        channel=Channel.FORM,
        cv=BlobRef(sha256="b" * 64, media_type="application/pdf", size=3),
    )
    async with env.pool.acquire() as conn, conn.transaction():
        await plan_candidate_acknowledgement(
            PostgresNotifierStore(conn),
            received,
            env.clock,
            withdraw_url_template="{public_url}/applications/{application_id}/withdraw",
            public_url="http://intake.test",
        )
    assert "ada@cand.test" not in str(await env.pool.fetch("SELECT * FROM deliveries"))
    assert await env.worker().deliver_now("acknowledgement") == ["delivered"]
    (mail,) = env.sink.messages
    assert mail.recipients == ("ada@cand.test",)
    assert mail.subject == "Thanks for applying to Backend Engineer"
    assert f"http://intake.test/applications/{received.application_id}/withdraw" in mail.body
    assert "Dear Ada Lovelace" in mail.body


async def test_the_http_api_sets_rules_lists_dead_letters_and_replays(env: Env) -> None:
    app = http_app(env.pool, "k", env.clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://n"
    ) as api:
        auth = {"X-API-Key": "k"}
        assert (await api.get("/v1/deliveries")).status_code == 401
        assert (await api.get("/v1/postings/be/rules", headers=auth)).json()["source"] == "default"
        bad = await api.put(
            "/v1/postings/be/rules", headers=auth, json={"rules": [{"timezone": "X/Y"}]}
        )
        assert bad.status_code == 422
        rules = {
            "rules": [
                {
                    "channels": channels(
                        env.receiver, teams=Behaviour("teams", script=deque([(400, None)]))
                    )
                }
            ]
        }
        put = await api.put("/v1/postings/be/rules", headers=auth, json=rules)
        assert put.status_code == 200 and put.json()["source"] == "posting"
        await env.score()
        assert await env.worker().deliver_now("teams") == ["dead_lettered"]
        dead = (
            await api.get("/v1/deliveries", params={"status": "dead_lettered"}, headers=auth)
        ).json()
        (item,) = dead["items"]
        assert item["dead_reason"].startswith("permanent failure: HTTP 400")
        assert "destination" not in item and "payload" not in item
        replayed = await api.post(f"/v1/deliveries/{item['delivery_id']}/replay", headers=auth)
        assert replayed.status_code == 200 and replayed.json()["status"] == "pending"
        again = await api.post(f"/v1/deliveries/{item['delivery_id']}/replay", headers=auth)
        assert again.status_code == 409
        assert (
            await api.post(f"/v1/deliveries/{uuid.uuid4()}/replay", headers=auth)
        ).status_code == 404
        assert await env.worker().deliver_now("teams") == ["delivered"]
        flushed = await api.post("/v1/digests/flush", params={"posting": "be"}, headers=auth)
        assert flushed.status_code == 200 and flushed.json() == {"due_now": 0}


async def test_without_polling_a_notify_and_a_finished_send_are_what_move_the_queue(
    env: Env,
) -> None:
    # One alert at a time to the team's address, and a poll too slow to rescue anything: the
    # planning's NOTIFY must wake the email lane, and each finished send must take the next
    # alert the per-endpoint cap held back.
    stop = asyncio.Event()
    worker = env.worker(target_concurrency=1, poll_seconds=60)
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.sleep(0.3)  # the lanes made their first claim and sleep
        events = [await env.score() for _ in range(4)]
        for _ in range(100):
            # The sink has the last email a moment before its outcome commits: wait for both.
            statuses = await env.statuses()
            if len(env.sink.messages) == 4 and all(s[0] == "delivered" for s in statuses.values()):
                break
            await asyncio.sleep(0.05)
        assert len(env.sink.messages) == 4
        assert all(statuses[(e.application_id, "email")] == ("delivered", 1) for e in events)
    finally:
        stop.set()
        worker.wake()  # the lanes sleep until a wake-up or their (long) poll
        await asyncio.wait_for(task, 10)


async def test_planning_reads_posting_and_rules_at_once_and_wakes_only_the_new_rows_lanes(
    env: Env,
) -> None:
    wakes: list[str] = []

    def heard(*args: Any) -> None:
        wakes.append(args[3])

    listener = await env.pool.acquire()
    await listener.add_listener("hirestream_deliveries", heard)
    try:
        async with env.pool.acquire() as conn:
            store = PostgresNotifierStore(conn, "t.")
            found = await store.posting_and_rules(POSTING.posting_id)
            assert found is not None and found[0].slug == "be" and found[1] is None
            assert await store.posting_and_rules(uuid.uuid4()) is None
        await env.rules(
            {"rules": [{"name": "all", "channels": [{"type": "email"}, *channels(
                env.receiver, slack=Behaviour(kind="slack"))]}]}
        )  # fmt: skip
        async with env.pool.acquire() as conn:
            found = await PostgresNotifierStore(conn, "t.").posting_and_rules(POSTING.posting_id)
            assert found is not None and found[1] is not None
            assert [c.type for c in found[1].rules[0].channels] == ["email", "slack"]
        event = await env.score()
        await asyncio.sleep(0.2)
        assert sorted(wakes) == ["email", "slack"]  # one per channel, after the commit
        async with env.pool.acquire() as conn, conn.transaction():  # a redelivery adds nothing
            added = await plan_notifications(
                PostgresNotifierStore(conn, "t."),
                event,
                env.clock,
                default_recipient="team@hs.test",
                public_url="http://intake.test",
            )
        await asyncio.sleep(0.2)
        assert added == 0 and sorted(wakes) == ["email", "slack"]
        assert set((await env.statuses()).values()) == {("pending", 0)}
    finally:
        await listener.remove_listener("hirestream_deliveries", heard)
        await env.pool.release(listener)


async def test_an_outcome_writes_the_outbox_row_add_to_outbox_writes_and_wakes_the_relay(
    env: Env,
) -> None:
    event = await env.score()
    (delivery,) = await env.queue.claim(
        "email", env.clock.now(), limit=5, in_flight={}, per_target=2, lease_seconds=30, owner="o"
    )
    sent = NotificationSentV1(
        event_id=uuid.uuid5(delivery.delivery_id, "sent"),
        application_id=event.application_id,
        posting_id=event.posting_id,
        delivery_id=delivery.delivery_id,
        channel="email",
        status="sent",
    )
    columns = "event_id, topic, key, payload, headers, sent_at, acked_at"
    trace = {"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}
    token = otel_context.attach(context_from_carrier(trace))
    try:
        async with env.pool.acquire() as conn:  # the reference row, rolled back
            transaction = conn.transaction()
            await transaction.start()
            await add_to_outbox(conn, sent, topic_prefix="t.")
            expected = dict(await conn.fetchrow(f"SELECT {columns} FROM outbox"))
            await transaction.rollback()
        wakes: list[str] = []

        def heard(*args: Any) -> None:
            wakes.append(args[2])

        listener = await env.pool.acquire()
        await listener.add_listener("hirestream_outbox.notifier", heard)
        try:
            await env.queue.delivered([delivery], env.clock.now(), [sent])
            await asyncio.sleep(0.2)
        finally:
            await listener.remove_listener("hirestream_outbox.notifier", heard)
            await env.pool.release(listener)
    finally:
        otel_context.detach(token)
    assert dict(await env.pool.fetchrow(f"SELECT {columns} FROM outbox")) == expected
    assert expected["headers"]["traceparent"] == trace["traceparent"]
    assert wakes == ["hirestream_outbox.notifier"]
    row = await env.pool.fetchrow(
        "SELECT status, attempts, lease_owner, delivered_at FROM deliveries WHERE delivery_id = $1",
        delivery.delivery_id,
    )
    assert dict(row) == {
        "status": "delivered",
        "attempts": 1,
        "lease_owner": None,
        "delivered_at": env.clock.now(),
    }
    await env.queue.delivered([delivery], env.clock.now(), [sent])  # a late duplicate: dropped
    assert await env.pool.fetchval("SELECT count(*) FROM outbox") == 1
