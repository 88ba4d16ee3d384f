"""The process shell every service shares: pool, broker, subscribers, outbox relay, HTTP server,
graceful stop on SIGTERM/SIGINT. Services hand it their wiring from their composition root."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import uvicorn
from aiokafka import TopicPartition
from aiokafka.errors import UnknownTopicOrPartitionError
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.middlewares import AckPolicy

from hirestream.contracts import ALL_TOPICS, Event, topic_name
from hirestream.kit.blobstore import migrate_blobstore
from hirestream.kit.consumer import EventConsumer, IncomingMessage, Subscription
from hirestream.kit.db import connect, create_pool
from hirestream.kit.devstack import ensure_topics
from hirestream.kit.http_metrics import count_requests
from hirestream.kit.logs import setup_logging
from hirestream.kit.metrics import (
    CONSUMER_LAG,
    DEAD_LETTERS,
    OUTBOX_BACKLOG,
    OUTBOX_PUBLISHED,
    REDRIVES,
)
from hirestream.kit.migrations import migrate_service
from hirestream.kit.outbox import OutboxRelay, acknowledge, redrive_unacknowledged
from hirestream.kit.settings import ServiceSettings
from hirestream.kit.telemetry import setup_tracing, shutdown_tracing
from hirestream.kit.workers import reuse_port_socket

log = logging.getLogger(__name__)

BackgroundTask = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


def build_broker(settings: ServiceSettings, client_id: str) -> KafkaBroker:
    # Tansu (and any broker we may face) gets no idempotent producer: correctness comes from
    # the outbox and inbox in Postgres, never from broker-side transactions.
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        acks="all",
        enable_idempotence=False,
        client_id=client_id,
        logger=None,
        # Notice recreated topics quickly: a broker that lost its state comes back empty.
        metadata_max_age_ms=5000,
    )


# A poll returns as soon as records are there, or after this long; after an empty poll FastStream
# sleeps as long again. So a steady flow waits for nothing, an idle subscriber wakes twice a
# second instead of ten times (50 ms cost the idle stack CPU), and the first message after a
# quiet spell waits at most this long per stage.
BATCH_TIMEOUT_MS = 250


def _incoming(record: Any) -> IncomingMessage:
    key = record.key.decode() if isinstance(record.key, bytes) else record.key
    return IncomingMessage(
        topic=record.topic,
        key=key,
        body=record.value or b"",
        headers={k: v.decode() for k, v in record.headers},
        partition=record.partition,
        offset=record.offset,
    )


def register(
    broker: KafkaBroker,
    consumer: EventConsumer,
    subscription: Subscription[Any],
    *,
    group_id: str,
    batch_max: int = 100,
) -> None:
    """Consume ``subscription``'s topic a batch at a time: offsets are committed once the
    batch's transaction has committed (``EventConsumer.handle_batch``); an error leaves the
    whole batch uncommitted and it is redelivered."""
    topic = consumer.subscribe(subscription)

    @broker.subscriber(
        topic,
        group_id=group_id,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        batch=True,
        max_records=batch_max,
        batch_timeout_ms=BATCH_TIMEOUT_MS,
    )
    async def on_events(msg: KafkaMessage) -> None:
        records = msg.raw_message
        batch = records if isinstance(records, tuple) else (records,)
        done = await consumer.handle_batch(subscription, [_incoming(r) for r in batch])
        if done < len(batch):
            # The batch stopped early: rewind to what is left, so the offset commit that
            # follows covers exactly the part that is durable and the rest is polled again.
            _rewind(msg, batch[done:])


def _rewind(msg: KafkaMessage, rest: Sequence[Any]) -> None:
    earliest: dict[TopicPartition, int] = {}
    for record in rest:
        tp = TopicPartition(record.topic, record.partition)
        earliest[tp] = min(record.offset, earliest.get(tp, record.offset))
    for tp, offset in earliest.items():
        msg.consumer.seek(tp, offset)


def register_retries(
    broker: KafkaBroker, consumer: EventConsumer, *, group_id: str, batch_max: int = 100
) -> None:
    """Consume the consumer's own retry topic (``<consumer>.retry.v1``): failed events come
    back here after their delay, without ever holding up the main topics' partitions."""

    @broker.subscriber(
        consumer.retry_topic,
        group_id=group_id,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        batch=True,
        max_records=batch_max,
        batch_timeout_ms=BATCH_TIMEOUT_MS,
    )
    async def on_retries(msg: KafkaMessage) -> None:
        records = msg.raw_message
        batch = records if isinstance(records, tuple) else (records,)
        await consumer.handle_retries([_incoming(r) for r in batch])


@dataclass
class Wiring:
    """What a service's composition root hands the shell once the pool exists."""

    subscriptions: Sequence[Subscription[Any]] = ()
    http_app: Any | None = None  # an ASGI app
    http_port: int | None = None
    http_host: str = "0.0.0.0"
    background: Sequence[BackgroundTask] = field(default_factory=list)
    # Tasks that serve a port beside HTTP (intake's SMTP server): run by every worker, where
    # ``background`` runs only in the one full process. See ``hirestream.kit.workers``.
    front: Sequence[BackgroundTask] = field(default_factory=list)
    # Bind the HTTP port with SO_REUSEPORT, so sibling workers share it.
    reuse_port: bool = False
    # (downstream event, our upstream event): when the next stage's event for a key arrives,
    # our outbox rows of that key need no re-drive. See ``outbox.redrive_unacknowledged``.
    acknowledgements: Sequence[tuple[type[Event], type[Event]]] = ()
    # Our upstream events whose acknowledgements the service records itself (intake's stage
    # recorder reads the next stage's topic anyway): tracked by the reconciler all the same.
    acknowledged_by_service: Sequence[type[Event]] = ()
    # (downstream event, our upstream event, the downstream field holding our key): for an
    # upstream event no stage answers key for key. The scorer's posting.published (key: the
    # posting) counts as delivered once the notifier has sent something for that posting;
    # until then a broker that lost it gets it re-driven like any other stage's event.
    acknowledgements_by_field: Sequence[tuple[type[Event], type[Event], str]] = ()


async def migrate(database_url: str, schema: str, package: str) -> None:
    conn = await connect(database_url)
    try:
        await migrate_blobstore(conn)
        await migrate_service(conn, schema, package)
    finally:
        await conn.close()


async def _start(
    name: str,
    settings: ServiceSettings,
    package: str,
    build: Callable[[asyncpg.Pool], Wiring],
    pool_settings: Mapping[str, str] | None = None,
) -> tuple[asyncpg.Pool, Wiring, asyncio.Event]:
    """What every process of a service does first: logging and tracing, migrations (idempotent
    and serialised by an advisory lock, so no process serves an old schema), its pool and
    wiring, and an event set by SIGTERM/SIGINT."""
    setup_logging(name, settings.log_level)
    setup_tracing(name, otlp_endpoint=settings.otlp_endpoint, trace_file=settings.trace_file)
    await _retry_until_ready(
        lambda: migrate(settings.database_url, name, package), f"{name} database"
    )
    pool = await create_pool(settings.database_url, name, settings=pool_settings)
    wiring = build(pool)
    # What start-up built (modules, the taxonomy, models, the wiring) lives as long as the
    # process: out of the collector's way, so a full collection walks only what requests and
    # events allocate (py-spy: gc_collect_main was ~5 % of intake worker 0's samples).
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return pool, wiring, stop


async def run_service(
    name: str,
    settings: ServiceSettings,
    package: str,
    build: Callable[[asyncpg.Pool], Wiring],
    *,
    pool_settings: Mapping[str, str] | None = None,
) -> None:
    """Run one service until SIGTERM/SIGINT. ``name`` is also its schema, consumer group and
    OTel service name; ``package`` holds its migrations; ``pool_settings``: session settings
    of its connections."""
    pool, wiring, stop = await _start(name, settings, package, build, pool_settings)

    broker = build_broker(settings, name)
    consumer = EventConsumer(
        pool,
        name,
        topic_prefix=settings.topic_prefix,
        max_attempts=settings.max_attempts,
        backoff_base=settings.retry_backoff_seconds,
        backoff_max=settings.retry_backoff_max_seconds,
    )
    for subscription in wiring.subscriptions:
        # A consumer group per (service, topic): one group with several subscribers rebalances
        # once per member joining, which made a service's start take tens of seconds. The topic
        # prefix is part of it: stacks with different prefixes on one broker (tenants, test
        # runs) must not share groups, or a member one of them left behind stalls the other's
        # start (seen with Tansu).
        register(
            broker,
            consumer,
            subscription,
            group_id=f"{settings.topic_prefix}{name}.{subscription.event_type.topic}",
            batch_max=settings.consumer_batch_max,
        )
    if wiring.subscriptions:
        register_retries(
            broker,
            consumer,
            group_id=f"{settings.topic_prefix}{name}.retry",
            batch_max=settings.consumer_batch_max,
        )

    async def recreate_topics() -> None:
        # A broker that lost its state (Tansu restarted) forgets topics: create them again;
        # the relay retries the row.
        await ensure_topics(
            settings.kafka_bootstrap_servers,
            [topic_name(t, settings.topic_prefix) for t in ALL_TOPICS],
        )

    async def acknowledged(future: Awaitable[Any]) -> Any:
        try:
            return await future
        except UnknownTopicOrPartitionError:
            await recreate_topics()
            raise

    async def publish(
        topic: str, key: bytes, body: bytes, headers: dict[str, str]
    ) -> Awaitable[Any]:
        try:
            # no_confirm: hand the record over and return the acknowledgement (acks="all") for
            # the relay to await with the rest of its batch.
            future = await broker.publish(body, topic, key=key, headers=headers, no_confirm=True)
        except UnknownTopicOrPartitionError:
            await recreate_topics()
            raise
        return acknowledged(future)

    # (downstream, upstream, the downstream field holding our key; None: the record key)
    acknowledgements: list[tuple[type[Event], type[Event], str | None]] = [
        *((downstream, upstream, None) for downstream, upstream in wiring.acknowledgements),
        *wiring.acknowledgements_by_field,
    ]
    for downstream, upstream, key_field in acknowledgements:
        register_acknowledgement(
            broker,
            pool,
            downstream,
            upstream,
            name,
            settings.topic_prefix,
            batch_max=settings.consumer_batch_max,
            key_field=key_field,
        )

    relay = OutboxRelay(
        pool,
        publish,
        batch_size=settings.relay_batch_size,
        poll_seconds=settings.relay_poll_seconds,
        on_published=lambda topic: OUTBOX_PUBLISHED.labels(name, topic).inc(),
    )
    # The ports open before the broker starts: starting the subscribers takes ~10 s (their
    # consumer groups join, waiting out a killed predecessor's members), and what the HTTP API
    # and SMTP accept is durable in PostgreSQL with its outbox row, which the relay publishes
    # once the broker is up. Intake was unreachable for 13-30 s after every restart before.
    tasks = [asyncio.create_task(task(stop)) for task in wiring.front]
    server = serve_http(wiring, name, tasks)
    await _retry_until_ready(broker.start, f"{name} broker")
    tasks.append(asyncio.create_task(relay.run(stop), name="outbox-relay"))
    answered = [up for _, up, _ in acknowledgements] + list(wiring.acknowledged_by_service)
    tracked = [topic_name(up.topic, settings.topic_prefix) for up in answered]
    if wiring.subscriptions:
        # Retry records nobody took (the broker lost them) are re-driven from our outbox too.
        tracked.append(consumer.retry_topic)
    if tracked:
        tasks.append(asyncio.create_task(reconcile(pool, name, tracked, settings, stop)))
    tasks.append(asyncio.create_task(observe(pool, name, broker, stop), name="gauges"))
    tasks.append(asyncio.create_task(keep_topics(settings, stop), name="topics"))
    tasks += [asyncio.create_task(task(stop)) for task in wiring.background]
    log.info("%s started", name)
    try:
        await stop.wait()
    finally:
        log.info("%s stopping", name)
        # Stop consuming first: an in-flight handler either commits or leaves its offset
        # uncommitted, so the event is redelivered to whoever takes the partition.
        with contextlib.suppress(Exception):
            await asyncio.wait_for(broker.stop(), timeout=6)
        if server is not None:
            server.should_exit = True
        stop.set()
        await asyncio.wait(tasks, timeout=3)
        for task in tasks:
            task.cancel()
        await pool.close()
        shutdown_tracing()


def serve_http(wiring: Wiring, name: str, tasks: list[asyncio.Task[Any]]) -> uvicorn.Server | None:
    """Start the wiring's HTTP app (if any) as one of ``tasks``."""
    if wiring.http_app is None or wiring.http_port is None:
        return None
    config = uvicorn.Config(
        count_requests(wiring.http_app, name),
        host=wiring.http_host,
        port=wiring.http_port,
        log_config=None,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    sockets = [reuse_port_socket(wiring.http_host, wiring.http_port)] if wiring.reuse_port else None
    # _serve: the shell owns SIGTERM/SIGINT, uvicorn must not capture them.
    tasks.append(asyncio.create_task(server._serve(sockets), name="http"))
    return server


async def run_front_worker(
    name: str,
    settings: ServiceSettings,
    package: str,
    build: Callable[[asyncpg.Pool], Wiring],
    *,
    pool_settings: Mapping[str, str] | None = None,
) -> None:
    """One more process serving the service's ports (HTTP and ``front`` tasks) beside the full
    one: no broker, relay, consumers, reconciler or background tasks — those run once, in
    worker 0. Stops on SIGTERM/SIGINT."""
    pool, wiring, stop = await _start(name, settings, package, build, pool_settings)
    tasks = [asyncio.create_task(task(stop)) for task in wiring.front]
    server = serve_http(wiring, name, tasks)
    log.info("%s front worker started", name)
    try:
        await stop.wait()
    finally:
        if server is not None:
            server.should_exit = True
        await asyncio.wait(tasks, timeout=5)
        for task in tasks:
            task.cancel()
        await pool.close()
        shutdown_tracing()


def register_acknowledgement(
    broker: KafkaBroker,
    pool: asyncpg.Pool,
    downstream: type[Event],
    upstream: type[Event],
    service: str,
    topic_prefix: str,
    *,
    batch_max: int = 100,
    key_field: str | None = None,
) -> None:
    """``key_field``: our rows' key is that field of the downstream event, not its record key
    (its group is its own too: a second subscriber in a group would split the topic)."""
    # A group of its own: the service may also consume the same topic for its own purposes,
    # and one group would split the messages between the two subscribers.
    upstream_topic = topic_name(upstream.topic, topic_prefix)
    group = f"{topic_prefix}{service}.acks" + (f".{upstream.topic}" if key_field else "")

    def keys_of(batch: Sequence[Any]) -> list[str]:
        if key_field is None:
            return sorted({k for k in (_incoming(r).key for r in batch) if k})
        found: set[str] = set()
        for record in batch:
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                value = json.loads(record.value).get(key_field)
                if value:
                    found.add(str(value))
        return sorted(found)

    @broker.subscriber(
        topic_name(downstream.topic, topic_prefix),
        group_id=group,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        auto_offset_reset="earliest",
        batch=True,
        max_records=batch_max,
        batch_timeout_ms=BATCH_TIMEOUT_MS,
    )
    async def on_downstream(msg: KafkaMessage) -> None:
        records = msg.raw_message
        batch = records if isinstance(records, tuple) else (records,)
        keys = keys_of(batch)
        if keys:
            # One statement, its own transaction: a lost acknowledgement costs one needless
            # re-drive (deduplicated), so it need not wait for its WAL flush.
            await acknowledge(pool, upstream_topic, keys, flush=False)


async def reconcile(
    pool: asyncpg.Pool,
    service: str,
    topics: list[str],
    settings: ServiceSettings,
    stop: asyncio.Event,
) -> None:
    """Re-drive what waited too long for its next stage, from the stored outbox rows."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.reconcile_interval_seconds)
        if stop.is_set():
            return
        try:
            redriven = await redrive_unacknowledged(
                pool,
                topics,
                older_than_seconds=settings.redrive_after_seconds,
                max_redrives=settings.max_redrives,
            )
        except Exception:
            log.warning("reconciler pass failed", exc_info=True)
            continue
        for topic, key in redriven:
            REDRIVES.labels(service, topic).inc()
            log.warning("re-driving %s for key %s: no next-stage event seen", topic, key)


async def observe(
    pool: asyncpg.Pool, service: str, broker: KafkaBroker, stop: asyncio.Event
) -> None:
    """Refresh the gauges: outbox backlog, dead letters, consumer lag."""
    while not stop.is_set():
        try:
            backlog = await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
            dead = await pool.fetchval(
                "SELECT count(*) FROM dead_letters WHERE replayed_at IS NULL"
            )
            OUTBOX_BACKLOG.labels(service).set(backlog)
            DEAD_LETTERS.labels(service).set(dead)
            lag: dict[str, int] = {}
            for subscriber in broker.subscribers:
                consumer = getattr(subscriber, "consumer", None)
                if consumer is None:
                    continue
                for tp in consumer.assignment():
                    end = consumer.highwater(tp)
                    position = await asyncio.wait_for(consumer.position(tp), 1)
                    if end is not None and position is not None:
                        lag[tp.topic] = lag.get(tp.topic, 0) + max(end - position, 0)
            # Only what this process holds now: partitions lost in a rebalance stop counting.
            CONSUMER_LAG.clear()
            for topic, value in lag.items():
                CONSUMER_LAG.labels(service, topic).set(value)
        except Exception:
            log.debug("gauge refresh failed", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=5)


async def keep_topics(settings: ServiceSettings, stop: asyncio.Event) -> None:
    """Recreate the contract topics if the broker forgot them (Tansu keeps them in memory)."""
    names = [topic_name(t, settings.topic_prefix) for t in ALL_TOPICS]
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=5)
        try:
            await ensure_topics(settings.kafka_bootstrap_servers, names)
        except Exception:
            log.debug("topic check failed", exc_info=True)


async def _retry_until_ready(
    action: Callable[[], Awaitable[Any]], what: str, attempts: int = 60
) -> None:
    """Services start in any order; the database or the broker may come up after them."""
    for attempt in range(1, attempts + 1):
        try:
            await action()
            return
        except Exception as exc:
            if attempt == attempts:
                raise
            log.warning("%s not ready (%r), retrying", what, exc)
            await asyncio.sleep(1)
